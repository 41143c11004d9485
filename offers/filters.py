"""What the search page's query parameters mean, and the one place that reads them.

``OfferFilterSet`` parses and validates a query string into a ``SearchSpec``: values that
name nothing (an old region slug, ``sort=best``) are dropped and reported, numbers that
cannot be read (``grade=abc``, ``size=-3``) make the form invalid, which the view answers
with a 400 page. ``facet_condition`` says what one facet selection means as SQL; the
filter set, the facet engines (``offers/facets.py``) and the empty-state suggestions all
build their queries from it, so "click a value" and "count a value" cannot drift apart.
"""

from dataclasses import dataclass, field, fields, replace

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import text_search
from .models import (
    GRADE_MAX,
    GRADE_MIN,
    Offer,
    OfferType,
    Region,
    SchoolForm,
    Sector,
    Subject,
    Track,
)

MAX_CLASS_SIZE = 999
MAX_PAGE = 10**9

# Duration bands: (label, shortest minutes, longest minutes); a day counts 480 minutes.
# An offer belongs to every band its own range [shortest, longest] touches.
DURATION_BANDS = {
    "bis-2-stunden": (_("up to 2 hours"), 0, 120),
    "halber-tag": (_("half a day"), 121, 240),
    "ein-tag": (_("one day"), 241, 480),
    "mehrere-tage": (_("several days"), 481, 2399),
    "wochen": (_("a week or longer"), 2400, None),
}

SORTS = {
    "relevance": _("relevance"),
    "title": pgettext_lazy("sort order", "title"),
    "newest": _("newest first"),
}
DEFAULT_SORT = "relevance"

# Multi-valued facets in the order the page shows them: values OR-ed, facets AND-ed.
FACETS = {
    "track": _("Vocational training or studies"),
    "sector": _("Sector or field of study"),
    "type": _("Type of offer"),
    "subject": _("MINT subject"),
    "schoolform": _("School form"),
    "region": _("Region"),
    "venue": _("Venue"),
    "duration": _("Duration"),
}


@dataclass(frozen=True)
class SearchSpec:
    """A parsed, validated search: known values only, facets as tuples of slugs or keys."""

    q: str = ""
    track: tuple = ()
    sector: tuple = ()
    type: tuple = ()
    subject: tuple = ()
    schoolform: tuple = ()
    region: tuple = ()
    venue: tuple = ()
    duration: tuple = ()
    grade: int | None = None
    size: int | None = None
    sort: str = DEFAULT_SORT
    page: int = 1

    def selected(self, name):
        """The active values of a filter as a tuple (empty when it is not active)."""
        value = getattr(self, name)
        if name == "q":
            return (value,) if text_search.is_searchable(value) else ()
        if name in ("grade", "size"):
            return () if value is None else (value,)
        return value

    @property
    def active_filters(self):
        """Names of the filters that narrow the result, in page order."""
        return [name for name in ("q", *FACETS, "grade", "size") if self.selected(name)]

    def without(self, name):
        """The same search with one filter dropped (and back on the first page)."""
        empty = {f.name: f.default for f in fields(self) if f.name == name}
        return replace(self, page=1, **empty)


@dataclass
class Vocabulary:
    """Every value a taxonomy facet can take, loaded in one query per taxonomy."""

    track: dict = field(default_factory=dict)
    sector: dict = field(default_factory=dict)
    type: dict = field(default_factory=dict)
    subject: dict = field(default_factory=dict)
    schoolform: dict = field(default_factory=dict)
    region: dict = field(default_factory=dict)
    _choices: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls):
        return cls(
            track={t.slug: t for t in Track.objects.all()},
            sector={s.slug: s for s in Sector.objects.select_related("track")},
            type={t.slug: t for t in OfferType.objects.all()},
            subject={s.slug: s for s in Subject.objects.all()},
            schoolform={s.slug: s for s in SchoolForm.objects.all()},
            region={r.slug: r for r in Region.objects.all()},
        )

    def choices(self, name):
        """(key, label) pairs of a multi-valued facet in display order, made once per
        vocabulary (labels of fixed choices stay lazy, so they follow the language)."""
        if name not in self._choices:
            if name == "venue":
                pairs = list(Offer.Venue.choices)
            elif name == "duration":
                pairs = [(key, band[0]) for key, band in DURATION_BANDS.items()]
            else:
                pairs = [(slug, str(obj)) for slug, obj in getattr(self, name).items()]
            self._choices[name] = Choices(pairs)
        return self._choices[name]

    def ids(self, name, slugs):
        table = getattr(self, name)
        return [table[slug].pk for slug in slugs]


def _through(relation):
    return getattr(Offer, relation).through.objects.filter(offer=OuterRef("pk"))


def duration_band_condition(key):
    """Offers whose duration range touches the band (a missing end counts as the other)."""
    _label, low, high = DURATION_BANDS[key]
    shortest = Coalesce(F("duration_min_minutes"), F("duration_max_minutes"))
    longest = Coalesce(F("duration_max_minutes"), F("duration_min_minutes"))
    conditions = [GreaterThanOrEqual(longest, low)]
    if high is not None:
        conditions.append(LessThanOrEqual(shortest, high))
    return Q(*conditions)


def facet_condition(name, values, vocabulary):
    """The SQL condition on ``Offer`` for one filter with its selected values.

    Within a facet the values are OR-ed. Sectors include the finer fields below them,
    regions the districts of a state, and an offer open to all school forms matches
    every school form.
    """
    if name == "q":
        return text_search.text_condition(values[0])
    if name == "grade":
        return Q(grade_min__lte=values[0], grade_max__gte=values[0])
    if name == "size":
        return Q(participants_max__isnull=True) | Q(participants_max__gte=values[0])
    if name == "type":
        return Q(offer_type__in=vocabulary.ids("type", values))
    if name == "venue":
        return Q(venue__in=values)
    if name == "duration":
        return Q.create([duration_band_condition(key) for key in values], connector=Q.OR)
    if name == "track":
        return Exists(_through("sectors").filter(sector__track__in=vocabulary.ids("track", values)))
    if name == "sector":
        ids = vocabulary.ids("sector", values)
        return Exists(_through("sectors").filter(Q(sector__in=ids) | Q(sector__parent__in=ids)))
    if name == "region":
        ids = vocabulary.ids("region", values)
        return Exists(_through("regions").filter(Q(region__in=ids) | Q(region__parent__in=ids)))
    if name == "subject":
        return Exists(_through("subjects").filter(subject__in=vocabulary.ids("subject", values)))
    if name == "schoolform":
        ids = vocabulary.ids("schoolform", values)
        return Q(all_school_forms=True) | Exists(
            _through("school_forms").filter(schoolform__in=ids)
        )
    raise ValueError(f"unknown filter {name!r}")


def spec_conditions(spec, vocabulary, *, without=None):
    """The conditions of every active filter of ``spec`` except ``without``."""
    return [
        facet_condition(name, spec.selected(name), vocabulary)
        for name in spec.active_filters
        if name != without
    ]


def matching_offers(spec, vocabulary, *, without=None):
    """Published offers matching ``spec``, ignoring the filter ``without`` (unordered)."""
    return Offer.objects.published().filter(*spec_conditions(spec, vocabulary, without=without))


def order_offers(queryset, spec):
    """Sorts by a whitelisted key; ties broken by title and pk so pages never overlap."""
    if spec.sort == "newest":
        return queryset.order_by("-created_at", "-pk")
    if spec.sort == "relevance" and spec.selected("q"):
        return queryset.order_by(text_search.rank_expression(spec.q).desc(), "title", "pk")
    return queryset.order_by("title", "pk")


class Choices(BaseChoiceIterator):
    """Choices already in Django's canonical form. Django normalises a plain list again
    each time a form field or widget is given it (every request, for 400 districts); an
    iterator it takes as it is."""

    def __init__(self, pairs):
        self.pairs = pairs

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self):
        return len(self.pairs)


class KnownChoicesField(forms.MultipleChoiceField):
    """Keeps the values it knows and drops the rest instead of rejecting the whole list:
    a stale bookmark with a renamed region still shows the other filters' results."""

    def validate(self, value):
        pass

    def clean(self, value):
        known = {str(key) for key, _label in self.choices}
        return [item for item in dict.fromkeys(self.to_python(value)) if item in known]

    def __deepcopy__(self, memo):
        # Every form deep-copies its fields; the choices (400 districts on a national portal)
        # are never changed afterwards, so the copy shares them instead of copying each label.
        result = forms.Field.__deepcopy__(self, memo)
        result._choices = self._choices
        return result


class KnownChoiceField(forms.ChoiceField):
    """A single choice that falls back to its initial value when the value is unknown."""

    def validate(self, value):
        pass

    def clean(self, value):
        value = self.to_python(value)
        return value if value in {str(key) for key, _label in self.choices} else self.initial


class IntegerFilter(django_filters.NumberFilter):
    """A whole number: "9.5" is as unreadable for a grade as "abc"."""

    field_class = forms.IntegerField


class FacetFilter(django_filters.MultipleChoiceFilter):
    """A multi-valued facet; its meaning lives in ``facet_condition``."""

    field_class = KnownChoicesField

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(facet_condition(self.field_name, value, self.parent.vocabulary))


class SearchForm(forms.Form):
    """Fields of the search page that choose how to show results rather than which."""

    sort = KnownChoiceField(
        label=_("Sort by"), choices=list(SORTS.items()), initial=DEFAULT_SORT, required=False
    )
    page = forms.IntegerField(min_value=1, required=False)

    def clean_page(self):
        # A page far past the end is still a readable page number: the view shows the last.
        return min(self.cleaned_data["page"] or 1, MAX_PAGE)


class OfferFilterSet(django_filters.FilterSet):
    """The search page's filters; ``spec`` is the validated result the engines work on."""

    q = django_filters.CharFilter(
        field_name="search_vector",
        lookup_expr="search",
        label=_("Search words"),
        method="filter_text",
    )
    track = FacetFilter(field_name="track", lookup_expr="in", label=FACETS["track"])
    sector = FacetFilter(field_name="sector", lookup_expr="in", label=FACETS["sector"])
    type = FacetFilter(field_name="type", lookup_expr="in", label=FACETS["type"])
    subject = FacetFilter(field_name="subject", lookup_expr="in", label=FACETS["subject"])
    schoolform = FacetFilter(field_name="schoolform", lookup_expr="in", label=FACETS["schoolform"])
    region = FacetFilter(field_name="region", lookup_expr="in", label=FACETS["region"])
    venue = FacetFilter(field_name="venue", lookup_expr="in", label=FACETS["venue"])
    duration = FacetFilter(field_name="duration", lookup_expr="in", label=FACETS["duration"])
    grade = IntegerFilter(
        field_name="grade_min",
        lookup_expr="lte",
        label=_("Grade"),
        method="filter_number",
        min_value=GRADE_MIN,
        max_value=GRADE_MAX,
    )
    size = IntegerFilter(
        field_name="participants_max",
        lookup_expr="gte",
        label=_("Pupils in the class"),
        method="filter_number",
        min_value=1,
        max_value=MAX_CLASS_SIZE,
    )

    class Meta:
        model = Offer
        fields = []
        form = SearchForm

    def __init__(self, data=None, queryset=None, *, vocabulary=None, **kwargs):
        if queryset is None:
            queryset = Offer.objects.published()
        super().__init__(data, queryset, **kwargs)
        self.vocabulary = vocabulary if vocabulary is not None else Vocabulary.load()
        for name in FACETS:
            self.filters[name].extra["choices"] = self.vocabulary.choices(name)

    def filter_text(self, queryset, name, value):
        query = text_search.clean_query(value)
        if not text_search.is_searchable(query):
            return queryset
        return queryset.filter(facet_condition("q", (query,), self.vocabulary))

    def filter_number(self, queryset, name, value):
        filter_name = "grade" if name == "grade_min" else "size"
        return queryset.filter(facet_condition(filter_name, (int(value),), self.vocabulary))

    def filter_queryset(self, queryset):
        for name, filter_ in self.filters.items():
            queryset = filter_.filter(queryset, self.form.cleaned_data.get(name))
        return order_offers(queryset, self.spec)

    @property
    def spec(self):
        """The validated search; only meaningful when ``is_valid()``."""
        data = self.form.cleaned_data
        numbers = {
            name: int(data[name]) if data.get(name) is not None else None
            for name in ("grade", "size")
        }
        return SearchSpec(
            q=text_search.clean_query(data.get("q")),
            **{name: tuple(data.get(name) or ()) for name in FACETS},
            **numbers,
            sort=data.get("sort") or DEFAULT_SORT,
            page=data.get("page") or 1,
        )

    def ignored_values(self):
        """(filter label, value) pairs the query string named but that name nothing."""
        cleaned = self.form.cleaned_data
        ignored = []
        for name in FACETS:
            kept = set(cleaned.get(name) or ())
            for value in self.data.getlist(name):
                if value and value not in kept:
                    ignored.append((FACETS[name], value))
        sort = self.data.get("sort")
        if sort and sort not in SORTS:
            ignored.append((_("Sort by"), sort))
        return ignored

    def unreadable_parameters(self):
        """Names of parameters whose values could not be read (grade=abc, size=-3)."""
        return sorted(self.form.errors)
