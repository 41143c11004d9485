"""Admin of the network: partners with their review queue, and the network's own texts."""

from django.contrib import admin, messages
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import erasure, services
from .erasure_admin import ErasePersonalDataMixin
from .models import ErasureRecord, NetworkProfile, Partner


class AmbassadorFilter(admin.SimpleListFilter):
    title = _("MINT ambassador")
    parameter_name = "ambassador"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(ambassador_since__isnull=False)
        if self.value() == "no":
            return queryset.filter(ambassador_since__isnull=True)
        return queryset


@admin.register(Partner)
class PartnerAdmin(ErasePersonalDataMixin, SimpleHistoryAdmin):
    list_display = [
        "name",
        "kind",
        "status",
        "public_listing",
        "is_ambassador",
        "declaration_date",
        "region",
    ]
    list_filter = ["status", "kind", AmbassadorFilter, "public_listing", "region"]
    search_fields = ["name", "representative_name", "email"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["provider"]
    list_select_related = ["region"]
    readonly_fields = ["declaration_text", "certificate_link", "created_at", "updated_at"]
    actions = ["approve", "approve_and_award", "decline", "erase_personal_data"]
    erase_explanation = _(
        "Organisations stay members without their representative’s name, function, e-mail "
        "and phone. Private members are deleted with their name, text, website and logo. "
        "Both are cleared from every earlier version in the history and the admin log too."
    )
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "school_form", "region", "description"]}),
        (_("Public appearance"), {"fields": ["website", "logo"]}),
        (
            _("Representative and contact"),
            {"fields": ["representative_name", "representative_function", "email", "phone"]},
        ),
        (
            _("Membership"),
            {
                "fields": [
                    "status",
                    "public_listing",
                    "declaration_date",
                    "ambassador_since",
                    "certificate_link",
                    "provider",
                ]
            },
        ),
        (
            _("Declaration"),
            {
                "classes": ["collapse"],
                "fields": ["declaration_text", "created_at", "updated_at"],
            },
        ),
    ]

    def get_ordering(self, request):
        # Pending declarations are the coordinators' to-do list: they come first.
        pending_first = Case(
            When(status=Partner.Status.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return [pending_first.asc(), "-declaration_date", "name"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "website":
            kwargs["assume_scheme"] = "https"
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "logo":
            # Django's own message says "not an image"; SVG uploads end up here too.
            field.error_messages["invalid_image"] = _(
                "Upload a PNG, JPEG or WebP image. SVG and other formats are not accepted."
            )
        return field

    @admin.display(boolean=True, description=_("MINT ambassador"), ordering="ambassador_since")
    def is_ambassador(self, partner):
        return partner.is_ambassador

    @admin.display(description=_("Certificate"))
    def certificate_link(self, partner):
        if not (partner.pk and partner.is_ambassador and partner.status == Partner.Status.APPROVED):
            return _("Only approved MINT ambassadors receive a certificate.")
        return format_html(
            '<a href="{}">{}</a>',
            reverse("network:certificate", kwargs={"slug": partner.slug}),
            _("Print the “MINT-Botschafter” certificate"),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Approving in the form tells the declarant just like the list action does.
        if change and "status" in form.changed_data and obj.status == Partner.Status.APPROVED:
            services.approval_mail_send(partner=obj, absolute_url=request.build_absolute_uri)

    def _approve(self, request, queryset, *, award_ambassador):
        changed = mailed = 0
        for partner in queryset.exclude(
            status=Partner.Status.APPROVED, ambassador_since__isnull=False
        ):
            mailed += services.partner_approve(
                partner=partner,
                absolute_url=request.build_absolute_uri,
                award_ambassador=award_ambassador,
            )
            changed += 1
        self.message_user(
            request,
            ngettext("%(count)d partner updated.", "%(count)d partners updated.", changed)
            % {"count": changed}
            + " "
            + ngettext(
                "%(count)d newly approved partner was told by e-mail.",
                "%(count)d newly approved partners were told by e-mail.",
                mailed,
            )
            % {"count": mailed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Approve selected declarations"), permissions=["change"])
    def approve(self, request, queryset):
        self._approve(
            request, queryset.exclude(status=Partner.Status.APPROVED), award_ambassador=False
        )

    @admin.action(description=_("Approve and award “MINT-Botschafter”"), permissions=["change"])
    def approve_and_award(self, request, queryset):
        self._approve(request, queryset, award_ambassador=True)

    def erase_one(self, request, obj):
        erasure.partner_erase(partner_id=obj.pk, user=request.user)

    def also_named(self, queryset):
        return [
            (
                gettext("%(name)s, contact person of %(provider)s")
                % {"name": contact, "provider": contact.provider},
                contact,
            )
            for contact in erasure.contacts_naming(queryset)
        ]

    @admin.action(description=_("Decline selected declarations"), permissions=["change"])
    def decline(self, request, queryset):
        declined = 0
        for partner in queryset.exclude(status=Partner.Status.DECLINED):
            services.partner_decline(partner=partner)
            declined += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d partner declined; they are not listed.",
                "%(count)d partners declined; they are not listed.",
                declined,
            )
            % {"count": declined},
            messages.SUCCESS,
        )


@admin.register(NetworkProfile)
class NetworkProfileAdmin(SimpleHistoryAdmin):
    """One row only: the list leads straight to it, and it cannot be added twice or deleted."""

    fieldsets = [
        (None, {"fields": ["name", "introduction", "goals", "benefits"]}),
        (_("Patron"), {"fields": ["patron_name", "patron_function"]}),
        (
            _("Coordinating office"),
            {
                "fields": [
                    "office_name",
                    "office_address",
                    "office_email",
                    "office_phone",
                    "notification_email",
                ]
            },
        ),
        (_("Declaration and certificate"), {"fields": ["declaration_text", "certificate_text"]}),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not NetworkProfile.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if NetworkProfile.objects.exists():
            return redirect("admin:network_networkprofile_change", 1)
        return redirect("admin:network_networkprofile_add")


@admin.register(ErasureRecord)
class ErasureRecordAdmin(admin.ModelAdmin):
    """What was erased when and by whom; written by network.erasure, never edited."""

    list_display = [
        "erased_at",
        "reason",
        "content_type",
        "object_id",
        "row_deleted",
        "history_rows",
        "erased_by_name",
    ]
    list_filter = ["reason", "content_type"]
    date_hierarchy = "erased_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
