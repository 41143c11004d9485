"""The coordinators' work tool: admin for taxonomies, providers, contacts and offers.

Provider editors (role "Anbieter-Redaktion") use the same screens, scoped to their own
organisations: every queryset, autocomplete, choice list, inline and history page goes
through ``ProviderScopedAdmin``. docs/curation.md describes the roles and the workflow.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_m2m_reverse_field_name

from . import services
from .importing import spreadsheet, staging
from .importing.columns import COLUMNS
from .models import (
    ContactPerson,
    Offer,
    OfferType,
    Provider,
    Region,
    SchoolForm,
    Sector,
    Subject,
    Track,
    stale_before,
)

ALL_PROVIDERS = "offers.access_all_providers"

# Coordinators and provider editors should see whose tool this is, not "Django".
admin.site.site_header = _("ReTriBuS – curation")
admin.site.site_title = _("ReTriBuS curation")
admin.site.index_title = _("Offers, providers and network")


# --- Taxonomies -----------------------------------------------------------------------------


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "official_key", "level", "parent", "position"]
    list_editable = ["position"]
    list_filter = ["level"]
    list_select_related = ["parent"]
    search_fields = ["name", "slug", "official_key"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]


@admin.register(Track, OfferType, Subject)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SchoolForm)
class SchoolFormAdmin(TaxonomyAdmin):
    list_display = ["name", "short_name", "slug", "position"]
    search_fields = ["name", "short_name", "slug"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "track", "parent", "position"]
    list_editable = ["position"]
    list_filter = ["track"]
    list_select_related = ["track", "parent"]
    search_fields = ["name", "slug", "track__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]


# --- Scoping for provider editors -------------------------------------------------------


class ProviderScopedAdmin(SimpleHistoryAdmin):
    """Limits a provider editor to rows of their own organisations, everywhere.

    ``visible_to`` is the model QuerySet method that does the scoping. Coordinators and
    readers hold ``offers.access_all_providers`` and see everything.
    """

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def _check_scope(self, request, object_id):
        """History pages look objects up themselves; refuse ones outside the user's scope."""
        if request.user.has_perm(ALL_PROVIDERS):
            return
        try:
            visible = self.get_queryset(request).filter(pk=unquote(object_id)).exists()
        except (ValueError, ValidationError):
            visible = False
        if not visible:
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._check_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_scope(request, object_id)
        request.restoring_version = version_id
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        version_id = getattr(request, "restoring_version", None)
        if version_id is not None:
            obj._change_reason = gettext("Restored version %(version)s") % {"version": version_id}
        else:
            obj._change_reason = (
                gettext("Changed in the admin") if change else gettext("Added in the admin")
            )
        super().save_model(request, obj, form, change)


# --- Providers and contacts -----------------------------------------------------------------


class ContactPersonInline(admin.TabularInline):
    model = ContactPerson
    extra = 0
    fields = ["name", "role", "email", "phone", "position"]


class OfferInline(admin.TabularInline):
    """The provider's offers as a read-only table; each links to its own page."""

    model = Offer
    extra = 0
    can_delete = False
    show_change_link = True
    view_on_site = False
    fields = ["title", "code", "offer_type", "grades", "status", "last_confirmed"]
    readonly_fields = fields
    verbose_name_plural = _("offers of this provider")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("offer_type")

    @admin.display(description=_("grades"))
    def grades(self, offer):
        return offer.grades_label

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class InviteEditorForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=150)
    email = forms.EmailField(label=_("e-mail"))


@admin.register(Provider)
class ProviderAdmin(ProviderScopedAdmin):
    list_display = ["name", "kind", "city", "region", "offer_count", "stale_count"]
    list_filter = ["kind", "region"]
    list_select_related = ["region"]
    search_fields = ["name", "slug", "city", "email"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["region", "editors"]
    inlines = [ContactPersonInline, OfferInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "description"]}),
        (_("Address"), {"fields": ["street", "postal_code", "city", "region"]}),
        (_("Contact"), {"fields": ["phone", "email", "website"]}),
        (
            _("Provider editors"),
            {
                "fields": ["editors"],
                "description": _(
                    "Use “Invite provider editor” above to give a new person access; "
                    "they receive an e-mail to set their password."
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        stale = Q(offers__status=Offer.Status.PUBLISHED) & (
            Q(offers__last_confirmed__isnull=True) | Q(offers__last_confirmed__lt=stale_before())
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                offers_total=Count("offers", distinct=True),
                stale_total=Count("offers", filter=stale, distinct=True),
            )
            .order_by("name")  # grouped queries drop Meta.ordering; autocomplete pages need one
        )

    @admin.display(description=_("offers"), ordering="offers_total")
    def offer_count(self, provider):
        url = reverse("admin:offers_offer_changelist") + f"?provider={provider.pk}"
        return format_html('<a href="{}">{}</a>', url, provider.offers_total)

    @admin.display(description=_("to confirm"), ordering="stale_total")
    def stale_count(self, provider):
        if not provider.stale_total:
            return ""
        url = reverse("admin:offers_offer_changelist") + (
            f"?provider={provider.pk}&confirmation=stale"
        )
        return format_html('<a href="{}">{}</a>', url, provider.stale_total)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "website":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.has_perm(ALL_PROVIDERS):
            return fieldsets
        return [fs for fs in fieldsets if "editors" not in fs[1]["fields"]]

    def get_readonly_fields(self, request, obj=None):
        if request.user.has_perm(ALL_PROVIDERS):
            return []
        return ["slug", "kind"]

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if request.user.has_perm(ALL_PROVIDERS) else {}

    def get_urls(self):
        return [
            path(
                "<path:object_id>/invite/",
                self.admin_site.admin_view(self.invite_view),
                name="offers_provider_invite",
            )
        ] + super().get_urls()

    def invite_view(self, request, object_id):
        """A coordinator gives a provider's staff member access by e-mail."""
        if not (request.user.has_perm(ALL_PROVIDERS) and request.user.has_perm("auth.add_user")):
            raise PermissionDenied
        provider = self.get_object(request, unquote(object_id))
        if provider is None:
            raise Http404
        form = InviteEditorForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            user = services.provider_invite_editor(
                provider=provider,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                invited_by=request.user,
                base_url=request.build_absolute_uri("/")[:-1],
            )
            self.message_user(
                request,
                gettext(
                    "%(email)s can now edit %(provider)s and was sent a link to set a password."
                )
                % {"email": user.email, "provider": provider},
                messages.SUCCESS,
            )
            return redirect("admin:offers_provider_change", provider.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Invite provider editor"),
            "opts": self.opts,
            "original": provider,
            "form": form,
        }
        return TemplateResponse(request, "admin/offers/provider/invite.html", context)

    def render_delete_form(self, request, context):
        obj = context.get("object")
        context["linked_partner"] = getattr(obj, "partner", None) if obj else None
        return super().render_delete_form(request, context)


@admin.register(ContactPerson)
class ContactPersonAdmin(ProviderScopedAdmin):
    list_display = ["name", "provider", "role", "email", "phone"]
    list_select_related = ["provider"]
    search_fields = ["name", "email", "provider__name"]
    autocomplete_fields = ["provider"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "provider":
            kwargs["queryset"] = Provider.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- Offers ---------------------------------------------------------------------------------


class ConfirmationFilter(admin.SimpleListFilter):
    title = _("confirmation")
    parameter_name = "confirmation"

    def lookups(self, request, model_admin):
        return [
            (
                "stale",
                _("published, not confirmed for %(days)s days")
                % {"days": settings.OFFER_STALE_AFTER_DAYS},
            ),
            ("never", _("never confirmed")),
            ("current", _("confirmed recently")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "stale":
            return queryset.stale()
        if self.value() == "never":
            return queryset.filter(last_confirmed__isnull=True)
        if self.value() == "current":
            return queryset.filter(last_confirmed__gte=stale_before())
        return queryset


class _TaxonomyFilter(admin.SimpleListFilter):
    """A filter over a to-many taxonomy through an ``EXISTS`` subquery (no duplicate rows)."""

    model = None
    method = None

    def lookups(self, request, model_admin):
        return [(obj.slug, str(obj)) for obj in self.choices_queryset()]

    def choices_queryset(self):
        return self.model.objects.all()

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        obj = self.model.objects.filter(slug=self.value()).first()
        if obj is None:
            return queryset.none()
        return getattr(queryset, self.method)(obj)


class TrackFilter(_TaxonomyFilter):
    title = _("track")
    parameter_name = "track"
    model = Track
    method = "in_track"


class SectorFilter(_TaxonomyFilter):
    title = _("sector or field of study")
    parameter_name = "sector"
    model = Sector
    method = "in_sector"

    def choices_queryset(self):
        return Sector.objects.select_related("track").order_by(
            "track__position", "position", "name"
        )

    def lookups(self, request, model_admin):
        return [(s.slug, f"{s.track.name}: {s.name}") for s in self.choices_queryset()]


class RegionFilter(_TaxonomyFilter):
    title = _("served region")
    parameter_name = "region"
    model = Region
    method = "in_region"


class ProviderFilter(admin.SimpleListFilter):
    title = _("provider")
    parameter_name = "provider"

    def lookups(self, request, model_admin):
        return list(Provider.objects.visible_to(request.user).values_list("pk", "name"))

    def queryset(self, request, queryset):
        if self.value():
            try:
                return queryset.filter(provider_id=int(self.value()))
            except ValueError:
                return queryset.none()
        return queryset


class ImportUploadForm(forms.Form):
    # A survey of a thousand offers is well under 2 MB; the limit keeps uploads harmless.
    MAX_BYTES = 10 * 1024 * 1024

    file = forms.FileField(
        label=_("spreadsheet"),
        help_text=_("XLSX, or CSV in UTF-8 or as Excel saves it (semicolons, Windows-1252)."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


@admin.register(Offer)
class OfferAdmin(ProviderScopedAdmin):
    list_display = [
        "title",
        "code",
        "provider",
        "offer_type",
        "grades",
        "served_regions",
        "status",
        "confirmation",
    ]
    list_filter = [
        "status",
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
    actions = [
        "publish",
        "submit_for_review",
        "send_to_draft",
        "archive",
        "confirm_today",
        "duplicate",
        "export_xlsx",
        "export_csv",
        "export_excel_csv",
    ]
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
                    ("duration_min_minutes", "duration_max_minutes"),
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
        css = {"all": ["css/admin-offers.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("regions")

    # -- columns --

    @admin.display(description=_("grades"), ordering="grade_min")
    def grades(self, offer):
        return offer.grades_label

    @admin.display(description=_("served regions"))
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

    def has_import_permission(self, request):
        return request.user.has_perm("offers.import_offers")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields += ["status", "last_confirmed"]
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
        if not self.has_publish_permission(request):
            # Provider editors cannot publish: every save of theirs goes to the coordinators.
            obj.status = Offer.Status.REVIEW
        super().save_model(request, obj, form, change)

    def response_change(self, request, obj):
        if not self.has_publish_permission(request):
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
            return form_class
        record = Offer.history.filter(history_id=version_id).first()
        if record is None:
            return form_class
        old_values = {}
        for m2m_field in Offer._meta.many_to_many:
            if m2m_field.name in form_class.base_fields:
                target = get_m2m_reverse_field_name(m2m_field)
                old_values[m2m_field.name] = [
                    getattr(row, f"{target}_id") for row in getattr(record, m2m_field.name).all()
                ]

        class VersionForm(form_class):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                if not self.is_bound:
                    self.initial.update(old_values)

        return VersionForm

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

    # -- actions --

    def _transition(self, request, queryset, service, done_message):
        """Run ``service`` on each offer; ``done_message(count)`` words the success."""
        moved, skipped = 0, 0
        for offer in queryset.select_related(None):
            try:
                service(offer=offer, user=request.user)
                moved += 1
            except services.TransitionNotAllowed:
                skipped += 1
        if moved:
            self.message_user(request, done_message(moved), messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)s offer was skipped: its status does not allow this step.",
                    "%(count)s offers were skipped: their status does not allow this step.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Publish selected offers"), permissions=["publish"])
    def publish(self, request, queryset):
        self._transition(
            request,
            queryset,
            services.offer_publish,
            lambda n: (
                ngettext("%(count)s offer published.", "%(count)s offers published.", n)
                % {"count": n}
            ),
        )

    @admin.action(description=_("Submit selected drafts for review"), permissions=["change"])
    def submit_for_review(self, request, queryset):
        self._transition(
            request,
            queryset,
            services.offer_submit_for_review,
            lambda n: (
                ngettext(
                    "%(count)s offer submitted for review.",
                    "%(count)s offers submitted for review.",
                    n,
                )
                % {"count": n}
            ),
        )

    @admin.action(description=_("Send selected offers back to draft"), permissions=["publish"])
    def send_to_draft(self, request, queryset):
        self._transition(
            request,
            queryset,
            services.offer_send_to_draft,
            lambda n: (
                ngettext(
                    "%(count)s offer sent back to draft.", "%(count)s offers sent back to draft.", n
                )
                % {"count": n}
            ),
        )

    @admin.action(description=_("Archive selected offers"), permissions=["publish"])
    def archive(self, request, queryset):
        self._transition(
            request,
            queryset,
            services.offer_archive,
            lambda n: (
                ngettext("%(count)s offer archived.", "%(count)s offers archived.", n)
                % {"count": n}
            ),
        )

    @admin.action(description=_("Mark selected offers as confirmed today"), permissions=["change"])
    def confirm_today(self, request, queryset):
        count = 0
        for offer in queryset.select_related(None):
            services.offer_confirm(offer=offer, user=request.user)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)s offer confirmed as current today.",
                "%(count)s offers confirmed as current today.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Duplicate selected offers as drafts"), permissions=["add"])
    def duplicate(self, request, queryset):
        copies = [services.offer_duplicate(offer=o, user=request.user) for o in queryset]
        if len(copies) == 1:
            return redirect("admin:offers_offer_change", copies[0].pk)
        self.message_user(
            request,
            ngettext(
                "%(count)s copy created as a draft.",
                "%(count)s copies created as drafts.",
                len(copies),
            )
            % {"count": len(copies)},
            messages.SUCCESS,
        )
        return None

    def _export(self, request, queryset, export_format):
        offers = spreadsheet.export_queryset(queryset.order_by("provider__name", "code", "title"))
        stamp = timezone.localdate().isoformat()
        if export_format == "xlsx":
            data = spreadsheet.write_xlsx(offers)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            filename = f"angebote-{stamp}.xlsx"
        else:
            flavour = "utf8" if export_format == "csv" else "excel"
            data, lost = spreadsheet.write_csv(offers, flavour)
            charset = "utf-8" if flavour == "utf8" else "windows-1252"
            content_type = f"text/csv; charset={charset}"
            filename = f"angebote-{stamp}{'' if flavour == 'utf8' else '-excel'}.csv"
            if lost:
                self.message_user(
                    request,
                    gettext(
                        "%(count)s characters do not exist in Windows-1252 and were written as "
                        "“?”. Use the XLSX or UTF-8 export to keep them."
                    )
                    % {"count": lost},
                    messages.WARNING,
                )
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @admin.action(description=_("Export selected offers as XLSX"), permissions=["view"])
    def export_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")

    @admin.action(description=_("Export selected offers as CSV (UTF-8)"), permissions=["view"])
    def export_csv(self, request, queryset):
        return self._export(request, queryset, "csv")

    @admin.action(
        description=_("Export selected offers as CSV for Excel (semicolon, Windows-1252)"),
        permissions=["view"],
    )
    def export_excel_csv(self, request, queryset):
        return self._export(request, queryset, "excel-csv")

    # -- import: upload → dry run with every problem → confirm --

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="offers_offer_import",
            )
        ] + super().get_urls()

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        upload_form = ImportUploadForm()
        report = None
        token = None
        if request.method == "POST" and "confirm" in request.POST:
            token = staging.pending_token(request.session, request.POST.get("token"))
            if token is None:
                self.message_user(
                    request,
                    gettext("The uploaded file has expired; upload it again."),
                    messages.ERROR,
                )
                return redirect("admin:offers_offer_import")
            report = staging.import_staged(token, user=request.user, dry_run=False)
            if report is not None and report.written:
                staging.forget_upload(request.session, token)
                self.message_user(
                    request,
                    gettext(
                        "Import finished: %(new)s new, %(changed)s changed, "
                        "%(unchanged)s unchanged offers."
                    )
                    % {
                        "new": report.count("new"),
                        "changed": report.count("changed"),
                        "unchanged": report.count("unchanged"),
                    },
                    messages.SUCCESS,
                )
                return redirect("admin:offers_offer_changelist")
        elif request.method == "POST":
            upload_form = ImportUploadForm(request.POST, request.FILES)
            if upload_form.is_valid():
                token = staging.stage_upload(request.session, upload_form.cleaned_data["file"])
                report = staging.import_staged(token, user=request.user, dry_run=True)
                if report is None:
                    upload_form.add_error(
                        "file", gettext("The file could not be read as XLSX or CSV.")
                    )
                    token = None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import offers"),
            "opts": self.opts,
            "form": upload_form,
            "report": report,
            "token": token,
            "file_name": staging.staged_name(request.session),
            "columns": COLUMNS.values(),
        }
        return TemplateResponse(request, "admin/offers/offer/import.html", context)
