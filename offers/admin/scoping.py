"""What the offers admins share: provider editors see the rows of their own organisations
on every page; and the admins' own pages beside Django's."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin

from .history import ReadableHistoryHelper

ALL_PROVIDERS = "offers.access_all_providers"


def admin_page(model_admin, route, view, name):
    """A URL for a page of ``model_admin``'s own (below its list), behind the admin login."""
    return path(route, model_admin.admin_site.admin_view(view), name=name)


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

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryHelper(self.model, historical_record)

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
