"""The offer list's filters beyond plain fields: confirmation, pending changes, taxonomies,
and provider and region as autocomplete filters (a national portal has thousands of each)."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.main import PAGE_VAR
from django.contrib.admin.widgets import AutocompleteSelect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..models import Offer, Provider, Region, Sector, Track, stale_before


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


class PendingChangeFilter(admin.SimpleListFilter):
    """Offers whose provider editor's change waits for review (``OfferRevision``); the
    queryset is annotated with ``has_pending_revision`` by the offer admin."""

    title = _("change review")
    parameter_name = "pending_change"

    def lookups(self, request, model_admin):
        return [("yes", _("change waiting")), ("no", _("no change waiting"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(has_pending_revision=True)
        if self.value() == "no":
            return queryset.filter(has_pending_revision=False)
        return queryset


def autocomplete_filter_media():
    """What the autocomplete filters need on the list page: the admin's own select2 and
    autocomplete scripts (as its autocomplete fields load them), the script that names the
    widgets by their labels, and ours."""
    widget = AutocompleteSelect(Offer._meta.get_field("provider"), admin.site)
    # One list, so that ours comes after the admin's autocomplete.js, which sets select2 up.
    return forms.Media(
        js=[*widget.media._js, "js/admin-select2-names.js", "js/admin-autocomplete-filter.js"],
        css={**widget.media._css, "all": ["css/admin-curation.css"]},
    )


class AutocompleteFilterMediaMixin:
    """For a model admin with ``AutocompleteFilter``s: adds what they need to its media.

    A mixin, because a ``media`` property written into the model admin itself makes Django
    ignore that admin's ``class Media`` (``forms.MediaDefiningClass`` only builds ``media``
    from ``class Media`` for a class that does not define ``media``)."""

    @property
    def media(self):
        return super().media + autocomplete_filter_media()


class AutocompleteFilter(admin.SimpleListFilter):
    """A sidebar filter that names the chosen value and finds others by typing, through the
    admin's autocomplete view, instead of listing every value as a link.

    ``source`` names the model field whose autocomplete finds the values (its model admin
    scopes and searches them); ``visible(request)`` is the queryset a value is looked up in.
    """

    template = "admin/offers/autocomplete_filter.html"
    source = None  # "app_label.model_name.field_name"

    def __init__(self, request, params, model, model_admin):
        self.request = request
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return ()

    def has_output(self):
        return True

    def visible(self, request):
        """The values ``request``'s user may filter by (each filter below says which)."""
        raise NotImplementedError

    def selected(self):
        """The chosen value, if it exists and the user may see it."""
        value = self.value()
        if not value or not str(value).isdigit():
            return None
        return self.visible(self.request).filter(pk=int(value)).first()

    def choices(self, changelist):
        app_label, model_name, field_name = self.source.split(".")
        hidden = [
            (name, value)
            for name, value in changelist.params.items()
            if name not in (self.parameter_name, PAGE_VAR)
        ]
        yield {
            "param": self.parameter_name,
            "selected": self.selected(),
            "hidden": hidden,
            "clear_url": changelist.get_query_string(remove=[self.parameter_name]),
            "url": reverse("admin:autocomplete"),
            "app_label": app_label,
            "model_name": model_name,
            "field_name": field_name,
        }


class RegionFilter(AutocompleteFilter):
    """Offers served in a region or in a district of it (``?region=`` its id; the slug of
    older links works too)."""

    title = _("served region")
    parameter_name = "region"
    source = "offers.offer.regions"

    def visible(self, request):
        return Region.objects.all()

    def selected(self):
        value = self.value()
        if value and not str(value).isdigit():
            return Region.objects.filter(slug=value).first()
        return super().selected()

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        region = self.selected()
        return queryset.none() if region is None else queryset.in_region(region)


class ProviderFilter(AutocompleteFilter):
    title = _("provider")
    parameter_name = "provider"
    source = "offers.offer.provider"

    def visible(self, request):
        return Provider.objects.visible_to(request.user)

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        provider = self.selected()
        return queryset.none() if provider is None else queryset.filter(provider=provider)


class ProviderRegionFilter(AutocompleteFilter):
    """The provider list's filter by the region a provider is located in."""

    title = _("region")
    parameter_name = "region"
    source = "offers.provider.region"

    def visible(self, request):
        return Region.objects.all()

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        region = self.selected()
        return queryset.none() if region is None else queryset.filter(region=region)
