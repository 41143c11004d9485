"""Admin registration of the network partners."""

from django.contrib import admin

from .models import Partner


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "status", "public_listing", "ambassador_since"]
    list_filter = ["status", "kind", "public_listing"]
    search_fields = ["name", "representative_name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["provider"]
