"""Admin for providers and their contact persons, and inviting a provider's editor."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from network import erasure
from network.erasure_admin import ErasePersonalDataMixin

from .. import services
from ..models import ContactPerson, Offer, Provider, stale_before
from .list_filters import AutocompleteFilterMediaMixin, ProviderRegionFilter
from .scoping import ALL_PROVIDERS, ProviderScopedAdmin, admin_page
from .users import may_manage


class ContactPersonInline(admin.TabularInline):
    model = ContactPerson
    extra = 0
    fields = ["name", "role", "email", "show_email", "phone", "show_phone", "position"]


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

    def __init__(self, *args, inviter, **kwargs):
        super().__init__(*args, **kwargs)
        self.inviter = inviter

    def clean_email(self):
        # The invitation reuses an account with this address and puts it into the role
        # Anbieter-Redaktion: only for accounts the inviter may manage anyway.
        email = self.cleaned_data["email"]
        User = get_user_model()
        accounts = User.objects.filter(email__iexact=email)
        if any(not may_manage(self.inviter, account) for account in accounts):
            raise ValidationError(
                _(
                    "This address belongs to an account in another role; "
                    "only an administrator can give it access."
                )
            )
        # A new account is named by its address (``services.provider_invite_editor``).
        username = email.lower()
        max_length = User._meta.get_field(User.USERNAME_FIELD).max_length
        if not accounts.exists() and (
            len(username) > max_length
            or User.objects.filter(**{f"{User.USERNAME_FIELD}__iexact": username}).exists()
        ):
            raise ValidationError(
                _(
                    "An account with the user name “%(username)s” but another e-mail address "
                    "exists already. Invite that account by its own e-mail address, or ask an "
                    "administrator."
                ),
                params={"username": username[:max_length]},
            )
        return email


@admin.register(Provider)
class ProviderAdmin(AutocompleteFilterMediaMixin, ProviderScopedAdmin):
    list_display = ["name", "kind", "city", "region", "offer_count", "stale_count"]
    list_filter = ["kind", ProviderRegionFilter]
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
        invite = admin_page(
            self, "<path:object_id>/invite/", self.invite_view, "offers_provider_invite"
        )
        return [invite, *super().get_urls()]

    def invite_view(self, request, object_id):
        """A coordinator gives a provider's staff member access by e-mail."""
        if not (request.user.has_perm(ALL_PROVIDERS) and request.user.has_perm("auth.add_user")):
            raise PermissionDenied
        provider = self.get_object(request, unquote(object_id))
        if provider is None:
            raise Http404
        form = InviteEditorForm(request.POST or None, inviter=request.user)
        if request.method == "POST" and form.is_valid():
            services.provider_invite_editor(
                provider=provider,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                invited_by=request.user,
                base_url=request.build_absolute_uri("/")[:-1],
            )
            self.message_user(
                request,
                # Not starting with the address: the admin capitalises a message's first letter.
                gettext(
                    "Access to “%(provider)s” given to %(email)s; a link to set a password "
                    "was sent."
                )
                % {"email": form.cleaned_data["email"], "provider": provider},
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
class ContactPersonAdmin(ErasePersonalDataMixin, ProviderScopedAdmin):
    list_display = ["name", "provider", "role", "email", "show_email", "phone", "show_phone"]
    list_select_related = ["provider"]
    search_fields = ["name", "email", "provider__name"]
    autocomplete_fields = ["provider"]
    actions = ["erase_personal_data"]
    erase_explanation = _(
        "The contact persons are deleted and their name, role, e-mail and phone are cleared "
        "from every earlier version in the history and the admin log. Their offers keep "
        "the provider’s other contacts."
    )

    def erase_one(self, request, obj):
        erasure.contact_erase(contact_id=obj.pk, user=request.user)

    def also_named(self, queryset):
        return [
            (gettext("%(name)s, network partner") % {"name": partner}, partner)
            for partner in erasure.partners_naming(queryset)
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "provider":
            kwargs["queryset"] = Provider.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
