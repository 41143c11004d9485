"""Admin for the vocabularies offers are described with: regions, tracks, sectors, offer
types, MINT subjects and school forms."""

from django.contrib import admin

from ..models import OfferType, Region, SchoolForm, Sector, Subject, Track


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

    def get_queryset(self, request):
        # The autocomplete names each sector with its track (``autocomplete``).
        return super().get_queryset(request).select_related("track")
