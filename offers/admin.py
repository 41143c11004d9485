"""Admin registration of the offer database."""

from django.contrib import admin

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
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "official_key", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "official_key"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Track, OfferType, SchoolForm, Subject)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "track", "parent", "position"]
    list_filter = ["track"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class ContactPersonInline(admin.TabularInline):
    model = ContactPerson
    extra = 0


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "region"]
    list_filter = ["kind", "region"]
    list_select_related = ["region"]
    search_fields = ["name", "city"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ContactPersonInline]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "provider", "offer_type", "grade_min", "grade_max", "status"]
    list_filter = ["status", "offer_type", "sectors__track"]
    list_select_related = ["provider", "offer_type"]
    search_fields = ["title", "code", "provider__name"]
    autocomplete_fields = ["provider"]
    filter_horizontal = ["sectors", "subjects", "school_forms", "regions"]
