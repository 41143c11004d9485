"""Coordinators edit the legal pages' text; the three pages themselves are fixed."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import LegalPage


@admin.register(LegalPage)
class LegalPageAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "updated_at"]
    readonly_fields = ["kind", "updated_at"]
    fields = ["kind", "title", "body", "updated_at"]

    def has_add_permission(self, request):
        # Each page's address and footer link are fixed; a fourth page would hang nowhere.
        return False

    def has_delete_permission(self, request, obj=None):
        return False
