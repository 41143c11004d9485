"""The bookings admin: dates as an inline of the offer form (and a list of their own), and
the requests, which provider editors see and answer for their own offers only
(``offers.admin.scoping``: the same scoping, history pages and all)."""

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from network.erasure_admin import ErasePersonalDataMixin
from offers.admin.offers import OfferAdmin
from offers.admin.scoping import ProviderScopedAdmin
from offers.models import Offer

from . import erasure, services
from .models import BookingRequest, Session

SESSION_FIELDS = ["starts_at", "ends_at", "places", "places_taken", "registration_deadline", "note"]


class SessionInline(admin.TabularInline):
    model = Session
    fields = SESSION_FIELDS
    readonly_fields = ["places_taken"]
    extra = 0
    verbose_name = _("date")
    verbose_name_plural = _("dates (empty: by arrangement)")


# The offer form gets its dates from here, so that the offers admin need not know of this app.
OfferAdmin.inlines = [*OfferAdmin.inlines, SessionInline]


@admin.register(Session)
class SessionAdmin(ProviderScopedAdmin):
    """All dates across offers. Editors add and change dates here without saving the offer
    form, which would send their offer back to review (``OfferAdmin.save_model``)."""

    list_display = ["__str__", "offer", "places", "places_taken", "registration_deadline"]
    list_select_related = ["offer"]
    date_hierarchy = "starts_at"
    search_fields = ["offer__title", "offer__code"]
    fields = ["offer", *SESSION_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        return ["places_taken"] if obj is None else ["offer", "places_taken"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "offer":
            kwargs["queryset"] = Offer.objects.visible_to(request.user).order_by("title")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(BookingRequest)
class BookingRequestAdmin(ErasePersonalDataMixin, ProviderScopedAdmin):
    list_display = [
        "confirmed_at",
        "offer",
        "session",
        "school_name",
        "teacher_name",
        "pupils",
        "status",
        "places",
    ]
    list_filter = ["status", "places"]
    list_select_related = ["offer", "session"]
    search_fields = ["school_name", "teacher_name", "email", "offer__title", "offer__code"]
    date_hierarchy = "confirmed_at"
    actions = ["erase_personal_data"]
    erase_explanation = _(
        "School, teacher's name, e-mail, phone, message and answer are cleared in the request "
        "and in every earlier version. What remains (offer, date, grade, school form, number "
        "of pupils, town, status) counts for the statistics of demand."
    )
    fieldsets = [
        (
            _("Answer"),
            {
                "fields": ["status", "answer"],
                "description": _(
                    "Saving a changed status or answer mails it to the teacher. Declined or "
                    "cancelled requests free their places for the waiting list."
                ),
            },
        ),
        (
            _("The request"),
            {
                "fields": [
                    "offer",
                    "session",
                    "preferred_period",
                    "places",
                    "grade",
                    "school_form",
                    "pupils",
                    "warnings_confirmed",
                    "message",
                ]
            },
        ),
        (
            _("School and contact"),
            {"fields": ["school_name", "school_town", "teacher_name", "email", "phone"]},
        ),
        (
            _("Record"),
            {"fields": ["confirmed_at", "answered_at", "updated_at", "personal_data_erased_at"]},
        ),
    ]
    readonly_fields = [
        "offer",
        "session",
        "preferred_period",
        "places",
        "grade",
        "school_form",
        "pupils",
        "warnings_confirmed",
        "message",
        "school_name",
        "school_town",
        "teacher_name",
        "email",
        "phone",
        "confirmed_at",
        "answered_at",
        "updated_at",
        "personal_data_erased_at",
    ]

    def has_add_permission(self, request):
        return False  # requests come from the public form only

    def save_model(self, request, obj, form, change):
        notify = bool({"status", "answer"} & set(form.changed_data))
        holds = services.request_answer(
            booking=obj, notify=notify, absolute_url=request.build_absolute_uri
        )
        if notify:
            self.message_user(request, gettext("The answer was mailed to the teacher."))
        if not holds:
            self.message_user(
                request,
                gettext(
                    "Not enough places are free on this date: the request stays on the "
                    "waiting list until places become free."
                ),
                messages.WARNING,
            )

    def erase_one(self, request, obj):
        erasure.request_erase(booking_id=obj.pk, user=request.user)
