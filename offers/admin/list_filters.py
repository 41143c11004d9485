"""The offer list's filters beyond plain fields: confirmation, taxonomies and provider."""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import Provider, Region, Sector, Track, stale_before


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
