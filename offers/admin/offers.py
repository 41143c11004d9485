"""The offer admin: the list with its filters and columns, the form in the order of the
providers' checklist, and what provider editors may not do (publish, confirm).

Its actions are in ``actions``, its import page in ``import_view``.
"""

from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.utils import get_m2m_reverse_field_name

from ..durations import duration_label
from ..models import ContactPerson, Offer, Provider
from .actions import EXPORT_ACTIONS, WORKFLOW_ACTIONS, duplicate
from .import_view import OfferImportMixin
from .list_filters import (
    AutocompleteFilterMediaMixin,
    ConfirmationFilter,
    PendingChangeFilter,
    ProviderFilter,
    RegionFilter,
    SectorFilter,
    TrackFilter,
)
from .offer_form import OfferAdminForm, sector_label
from .revisions import RevisionAdminMixin
from .scoping import ALL_PROVIDERS, ProviderScopedAdmin


@admin.register(Offer)
class OfferAdmin(
    AutocompleteFilterMediaMixin, RevisionAdminMixin, OfferImportMixin, ProviderScopedAdmin
):
    form = OfferAdminForm
    list_display = [
        "title",
        "code",
        "provider",
        "offer_type",
        "grades",
        "served_regions",
        "workflow_status",
        "confirmation",
    ]
    list_filter = [
        "status",
        PendingChangeFilter,
        ConfirmationFilter,
        TrackFilter,
        SectorFilter,
        RegionFilter,
        "offer_type",
        ProviderFilter,
    ]
    list_select_related = ["provider", "offer_type"]
    list_per_page = 100
    search_fields = ["title", "code", "summary", "provider__name"]
    autocomplete_fields = [
        "provider",
        "contact",
        "offer_type",
        "sectors",
        "subjects",
        "school_forms",
        "regions",
    ]
    readonly_fields = ["created_at", "updated_at"]
    actions = [*WORKFLOW_ACTIONS, duplicate, *EXPORT_ACTIONS]
    # In the order of the providers' checklist ("Checkliste: Kooperationsangebote").
    fieldsets = [
        (_("Provider and contact person"), {"fields": ["provider", "contact"]}),
        (
            _("The offer"),
            {"fields": ["offer_type", "code", "title", "summary", "description"]},
        ),
        (
            _("Duration and participants"),
            {
                "fields": [
                    "duration_text",
                    "duration",
                    ("participants_min", "participants_max"),
                    "participants_note",
                ]
            },
        ),
        (
            _("Grades, MINT subject and school forms"),
            {
                "fields": [
                    ("grade_min", "grade_max"),
                    "subjects",
                    "all_school_forms",
                    "school_forms",
                ]
            },
        ),
        (
            _("Sector, place and dates"),
            {
                "fields": [
                    "sectors",
                    "venue",
                    "place",
                    "regions",
                    "audience",
                    "year_round",
                    ("start_date", "end_date"),
                    "dates_note",
                    "cost",
                ]
            },
        ),
        (
            _("Status"),
            {"fields": ["status", "last_confirmed", ("created_at", "updated_at")]},
        ),
    ]

    class Media:
        css = {"all": ["css/admin-offers.css", "css/admin-curation.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("regions")

    # -- columns --

    # Short column labels ("column" context) keep the list within a laptop's width.
    @admin.display(description=pgettext_lazy("column", "grades"), ordering="grade_min")
    def grades(self, offer):
        return offer.grades_label

    @admin.display(description=_("status"), ordering="status")
    def workflow_status(self, offer):
        """The status, and a link to the change waiting for review if there is one."""
        status = offer.get_status_display()
        if not getattr(offer, "has_pending_revision", False):
            return status
        return format_html(
            '{}<br><a class="pending-change" href="{}">{}</a>',
            status,
            reverse("admin:offers_offer_revision", args=[offer.pk]),
            gettext("change waiting"),
        )

    @admin.display(description=_("duration for the search"))
    def duration(self, offer):
        label = duration_label(
            offer.duration_min_minutes, offer.duration_max_minutes, offer.duration_unit
        )
        return label or "–"

    @admin.display(description=pgettext_lazy("column", "served regions"))
    def served_regions(self, offer):
        # One name and a count keep the column narrow; the tooltip names them all.
        names = [region.name for region in offer.regions.all()]
        shown = names[0] + (f" +{len(names) - 1}" if len(names) > 1 else "") if names else "–"
        return format_html('<span title="{}">{}</span>', ", ".join(names), shown)

    @admin.display(description=_("last confirmed"), ordering="last_confirmed")
    def confirmation(self, offer):
        date = offer.last_confirmed.strftime("%d.%m.%Y") if offer.last_confirmed else "–"
        if not offer.is_stale:
            return date
        return format_html(
            '<img src="{}" alt="" width="14" height="14"> {} <strong>{}</strong>',
            static("admin/img/icon-alert.svg"),
            date,
            gettext("confirm"),
        )

    # -- permissions and scoping --

    def has_publish_permission(self, request):
        return request.user.has_perm("offers.publish_offer")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields += ["status", "last_confirmed"]
        if obj is not None and obj.code:
            # Teachers quote a code on the phone and the printed handbook lists it: once
            # given it never changes, for every role (insights.codes).
            fields.append("code")
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "provider":
            kwargs["queryset"] = Provider.objects.visible_to(request.user)
        elif db_field.name == "contact":
            kwargs["queryset"] = ContactPerson.objects.filter(
                provider__in=Provider.objects.visible_to(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        own = list(Provider.objects.visible_to(request.user).values_list("pk", flat=True)[:2])
        if len(own) == 1 and not request.user.has_perm(ALL_PROVIDERS):
            initial.setdefault("provider", own[0])
        return initial

    def save_model(self, request, obj, form, change):
        if not self.has_publish_permission(request) and not self.proposes_revision(
            request, obj, change
        ):
            # Provider editors cannot publish: a save of a draft goes to the coordinators. (A
            # published offer stays online; the change waits as a revision: ``revisions``.)
            obj.status = Offer.Status.REVIEW
        super().save_model(request, obj, form, change)

    def response_change(self, request, obj):
        if not self.has_publish_permission(request) and not hasattr(request, "offer_revision"):
            self.message_user(
                request, gettext("The offer was sent to the coordinators for review.")
            )
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if not self.has_publish_permission(request):
            self.message_user(
                request, gettext("The offer was sent to the coordinators for review.")
            )
        return super().response_add(request, obj, post_url_continue)

    # -- restoring an old version: the form shows its many-to-many values too --

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        version_id = getattr(request, "restoring_version", None)
        if version_id is None:
            # A provider editor's form shows the change of theirs that waits for review.
            old_values = self.pending_initial(request, obj)
        else:
            old_values = self.version_initial(version_id, form_class)
        if old_values is None:
            return form_class

        class VersionForm(form_class):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                if not self.is_bound:
                    self.initial.update(old_values)

        return VersionForm

    def version_initial(self, version_id, form_class):
        record = Offer.history.filter(history_id=version_id).first()
        if record is None:
            return None
        old_values = {}
        for m2m_field in Offer._meta.many_to_many:
            if m2m_field.name in form_class.base_fields:
                target = get_m2m_reverse_field_name(m2m_field)
                old_values[m2m_field.name] = [
                    getattr(row, f"{target}_id") for row in getattr(record, m2m_field.name).all()
                ]
        return old_values

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "sectors" and field is not None:
            field.label_from_instance = sector_label
            field.queryset = field.queryset.select_related("track")
        return field

    # -- the list page: stale offers and the import/export links --

    def changelist_view(self, request, extra_context=None):
        stale = Offer.objects.stale().visible_to(request.user).count()
        extra_context = {
            **(extra_context or {}),
            "stale_count": stale,
            "stale_days": settings.OFFER_STALE_AFTER_DAYS,
            "has_import_permission": self.has_import_permission(request),
        }
        return super().changelist_view(request, extra_context)
