"""Who may change which account: the user and group admins.

Superusers manage every account with Django's user admin: roles (groups), the staff and
superuser flags, permissions and passwords. Everybody else who may change users -- the role
Koordination -- manages provider editors only: their name, e-mail address, whether the
account is active and which providers they edit, in forms that have no other field. Other
accounts (superusers, coordinators, readers, anyone with a permission of their own) are not
even listed for them, so neither a role nor an e-mail address or password of such an account
can be taken over, by the form or by a forged POST. Only superusers change roles.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import Provider

User = get_user_model()


def only_provider_editors(queryset):
    """The accounts of ``queryset`` that are provider editors and nothing more: in the role
    Anbieter-Redaktion, in no other role, without permissions of their own, not superuser."""
    groups = Group.objects.filter(user=OuterRef("pk"))
    own_permissions = Permission.objects.filter(user=OuterRef("pk"))
    return (
        queryset.filter(is_superuser=False)
        .filter(Exists(groups.filter(name=services.PROVIDER_EDITOR_GROUP)))
        .exclude(Exists(groups.exclude(name=services.PROVIDER_EDITOR_GROUP)))
        .exclude(Exists(own_permissions))
    )


def may_manage(user, account):
    """Whether ``user`` may see and change ``account`` in the user admin at all."""
    if user.is_superuser:
        return True
    if account.pk == user.pk:
        return False
    return only_provider_editors(User.objects.filter(pk=account.pk)).exists()


def providers_field(*, required):
    return forms.ModelMultipleChoiceField(
        queryset=Provider.objects.order_by("name"),
        required=required,
        label=_("edits the providers"),
        help_text=_("The person sees and edits the offers and contact persons of these."),
        widget=FilteredSelectMultiple(_("providers"), is_stacked=False),
    )


class EditedProvidersMixin:
    """The form field ``providers``: Provider.editors seen from the person."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["providers"].initial = self.instance.edited_providers.all()

    def _save_m2m(self):
        super()._save_m2m()
        self.instance.edited_providers.set(self.cleaned_data["providers"])


class AccountChangeForm(EditedProvidersMixin, UserChangeForm):
    """Django's form for superusers, plus the providers the person edits."""

    providers = providers_field(required=False)


class ProviderEditorForm(EditedProvidersMixin, forms.ModelForm):
    """What a coordinator may change of a provider editor, and nothing else."""

    providers = providers_field(required=False)

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True

    def clean_email(self):
        # One account per address: the password-reset mail and the invitation find the
        # account by its address.
        email = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Another account already uses this e-mail address."))
        return email


class ProviderEditorInviteForm(ProviderEditorForm):
    """A coordinator adds a provider editor: the account is created in the role
    Anbieter-Redaktion and the person sets the password through an e-mailed link."""

    providers = providers_field(required=True)

    class Meta(ProviderEditorForm.Meta):
        fields = ["first_name", "last_name", "email"]

    def clean_email(self):
        email = super().clean_email()
        username = email.lower()
        max_length = User._meta.get_field(User.USERNAME_FIELD).max_length
        if len(username) > max_length or User.objects.filter(username=username).exists():
            raise ValidationError(_("This address cannot be used as a user name."))
        return email


admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    add_form_template = "admin/auth/user/account_add_form.html"
    actions = ["deactivate", "activate"]
    editor_fieldsets = [
        (None, {"fields": ["username"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Access"), {"fields": ["is_active", "providers"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    invite_fieldsets = [(None, {"fields": ["first_name", "last_name", "email", "providers"]})]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return only_provider_editors(queryset).exclude(pk=request.user.pk)

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or may_manage(request.user, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_manage(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_manage(request.user, obj))

    def get_fieldsets(self, request, obj=None):
        if not request.user.is_superuser:
            return self.editor_fieldsets if obj else self.invite_fieldsets
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [*fieldsets, (_("Provider editor"), {"fields": ["providers"]})]

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["username", "last_login", "date_joined"]

    def get_form(self, request, obj=None, **kwargs):
        if request.user.is_superuser:
            kwargs["form"] = self.add_form if obj is None else AccountChangeForm
        else:
            kwargs["form"] = ProviderEditorInviteForm if obj is None else ProviderEditorForm
        return super().get_form(request, obj, **kwargs)

    def get_list_display(self, request):
        if request.user.is_superuser:
            return super().get_list_display(request)
        return ["username", "email", "first_name", "last_name", "is_active"]

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return super().get_list_filter(request)
        return ["is_active"]

    def user_change_password(self, request, id, form_url=""):
        # Provider editors set their password through the e-mailed link; nobody but a
        # superuser sets or learns another person's password.
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["invites_provider_editor"] = add and not request.user.is_superuser
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        if not change and not request.user.is_superuser:
            obj.username = obj.email.lower()
            obj.is_staff = True
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change or request.user.is_superuser:
            return
        # Adds the account to the role and sends the link to set a password.
        providers = list(form.cleaned_data["providers"])
        services.provider_invite_editor(
            provider=providers[0],
            email=form.instance.email,
            name=form.instance.get_full_name(),
            invited_by=request.user,
            base_url=request.build_absolute_uri("/")[:-1],
        )
        self.message_user(
            request,
            # Not starting with the address: the admin capitalises a message's first letter.
            gettext("A link to set a password was sent to %(email)s.")
            % {"email": form.instance.email},
            messages.SUCCESS,
        )

    @admin.action(description=_("Deactivate selected accounts"), permissions=["change"])
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, False)

    @admin.action(description=_("Activate selected accounts"), permissions=["change"])
    def activate(self, request, queryset):
        self._set_active(request, queryset, True)

    def _set_active(self, request, queryset, active):
        """Saves each account (so the change is logged); never one's own account."""
        changed = 0
        for account in queryset.exclude(pk=request.user.pk).exclude(is_active=active):
            account.is_active = active
            account.save(update_fields=["is_active"])
            self.log_change(request, account, [{"changed": {"fields": ["is_active"]}}])
            changed += 1
        message = (
            ngettext("%(count)d account activated.", "%(count)d accounts activated.", changed)
            if active
            else ngettext(
                "%(count)d account deactivated.", "%(count)d accounts deactivated.", changed
            )
        )
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)


admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(GroupAdmin):
    """Roles and their permissions: only superusers change them, whatever permissions a
    role was given, since whoever changes a role can give it every permission."""

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
