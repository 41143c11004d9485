"""The search engine behind the search page: one results page, its total and facet counts.

Input is a validated ``SearchSpec`` (``offers/filters.py``), output a ``SearchResult``.
Facet counts are disjunctive: the count beside a value is the number of results the
search would have if that value were added to its facet, so each facet is counted
against every *other* active filter.

Two engines count the same thing:

* ``reference_counts`` – one plain ``COUNT`` per facet value, obviously right and slow;
  tests and any faster engine prove themselves against it.
* ``grouped_counts`` – what the page uses: one grouped query per facet over the offer
  table or the many-to-many link table, so the number of queries never depends on the
  number of offers or facet values.
"""

import hashlib
from collections import Counter
from dataclasses import asdict, dataclass, field, replace

from django.core.paginator import Page, Paginator
from django.db.models import BigIntegerField, Count, F, Q, Value
from django.db.models.functions import Coalesce

from . import page_cache
from .filters import (
    DEFAULT_SORT,
    DURATION_BANDS,
    FACETS,
    SearchSpec,
    Vocabulary,
    duration_band_condition,
    facet_condition,
    matching_offers,
    order_offers,
    spec_conditions,
)
from .models import GRADE_MAX, GRADE_MIN, CatalogVersion, Offer

PER_PAGE = 20
GRADES = range(GRADE_MIN, GRADE_MAX + 1)
COUNTED = (*FACETS, "grade")


@dataclass
class SearchResult:
    spec: SearchSpec
    page: Page
    total: int
    counts: dict = field(default_factory=dict)
    """Facet name → {value key → count}; every value of every facet, zeros included."""
    relaxations: dict = field(default_factory=dict)
    """Only for an empty result: filter name → results without that filter."""


def _page_offers(queryset):
    """What a result card shows, without a query per card."""
    return (
        queryset.select_related("provider", "offer_type")
        .prefetch_related("school_forms")
        .for_lists()
    )


def facet_keys(name, vocabulary):
    if name == "grade":
        return list(GRADES)
    return [key for key, _label in vocabulary.choices(name)]


def reference_counts(spec, vocabulary):
    """Counts by asking, for every value, how many offers the search plus that value has."""
    counts = {}
    for name in COUNTED:
        base = matching_offers(spec, vocabulary, without=name)
        counts[name] = {
            key: base.filter(facet_condition(name, (key,), vocabulary)).count()
            for key in facet_keys(name, vocabulary)
        }
    return counts


def _links(relation, base):
    """Rows of a many-to-many link table that belong to offers in ``base``."""
    return getattr(Offer, relation).through.objects.filter(offer__in=base.values("pk"))


def _hierarchy_counts(name, relation, column, base, vocabulary):
    """Counts per node of a taxonomy where a node stands for itself and its children
    (a broad sector and its finer fields, a state and its districts).

    A leaf counts its direct links; a top-level node counts the distinct offers linked to it
    or to any child, grouped by ``COALESCE(parent, node)``. Both groupings come back in one
    round trip. A node in the middle of a deeper tree (it has a parent and children; the
    portal's taxonomies are two levels deep) is counted on its own with a plain ``COUNT``.
    """
    links = _links(relation, base)
    leaf = links.annotate(key=F(column), top=Value(False)).values_list("key", "top")
    top = links.annotate(key=Coalesce(f"{column}__parent", column), top=Value(True)).values_list(
        "key", "top"
    )
    rows = leaf.annotate(n=Count("offer")).union(
        top.annotate(n=Count("offer", distinct=True)), all=True
    )
    nodes = getattr(vocabulary, name)
    with_children = {obj.parent_id for obj in nodes.values()}
    counts = {}
    for key, is_top, n in rows:
        if is_top == (key in with_children):
            counts[key] = n
    result = {slug: counts.get(obj.pk, 0) for slug, obj in nodes.items()}
    for slug, obj in nodes.items():
        if obj.parent_id and obj.pk in with_children:
            result[slug] = base.filter(facet_condition(name, (slug,), vocabulary)).count()
    return result


def _school_form_counts(base):
    """Offers open to every school form count for each form; the union returns them
    under the key 0 in the same round trip as the per-form counts."""
    listed = _links("school_forms", base.filter(all_school_forms=False))
    per_form = listed.values_list("schoolform").annotate(n=Count("offer"))
    open_to_all = (
        base.filter(all_school_forms=True)
        .order_by()
        .values_list(Value(0, output_field=BigIntegerField()))
        .annotate(n=Count("pk"))
    )
    totals = Counter()
    for key, n in per_form.union(open_to_all, all=True):
        totals[key] += n
    everyone = totals.pop(0, 0)
    return Counter({key: n + everyone for key, n in totals.items()}), everyone


def _by_slug(name, vocabulary, counts_by_pk, default=0):
    return {
        slug: counts_by_pk.get(obj.pk, default) for slug, obj in getattr(vocabulary, name).items()
    }


def grouped_counts(spec, vocabulary):
    """The same numbers as ``reference_counts`` in one query per facet."""
    counts = {}

    base = matching_offers(spec, vocabulary, without="track").order_by()
    per_track = (
        _links("sectors", base)
        .values_list("sector__track")
        .annotate(n=Count("offer", distinct=True))
    )
    counts["track"] = _by_slug("track", vocabulary, dict(per_track))

    base = matching_offers(spec, vocabulary, without="sector").order_by()
    counts["sector"] = _hierarchy_counts("sector", "sectors", "sector", base, vocabulary)

    base = matching_offers(spec, vocabulary, without="type").order_by()
    counts["type"] = _by_slug(
        "type", vocabulary, dict(base.values_list("offer_type").annotate(n=Count("pk")))
    )

    base = matching_offers(spec, vocabulary, without="subject").order_by()
    per_subject = _links("subjects", base).values_list("subject").annotate(n=Count("offer"))
    counts["subject"] = _by_slug("subject", vocabulary, dict(per_subject))

    base = matching_offers(spec, vocabulary, without="schoolform").order_by()
    per_form, everyone = _school_form_counts(base)
    counts["schoolform"] = _by_slug("schoolform", vocabulary, per_form, default=everyone)

    base = matching_offers(spec, vocabulary, without="region").order_by()
    counts["region"] = _hierarchy_counts("region", "regions", "region", base, vocabulary)

    base = matching_offers(spec, vocabulary, without="venue").order_by()
    per_venue = dict(base.values_list("venue").annotate(n=Count("pk")))
    counts["venue"] = {key: per_venue.get(key, 0) for key in facet_keys("venue", vocabulary)}

    base = matching_offers(spec, vocabulary, without="duration")
    bands = list(DURATION_BANDS)
    per_band = base.aggregate(
        **{
            f"band_{i}": Count("pk", filter=duration_band_condition(key))
            for i, key in enumerate(bands)
        }
    )
    counts["duration"] = {key: per_band[f"band_{i}"] for i, key in enumerate(bands)}

    base = matching_offers(spec, vocabulary, without="grade")
    per_grade = base.aggregate(
        **{
            f"grade_{grade}": Count("pk", filter=Q(grade_min__lte=grade, grade_max__gte=grade))
            for grade in GRADES
        }
    )
    counts["grade"] = {grade: per_grade[f"grade_{grade}"] for grade in GRADES}
    return counts


def relaxations(spec, vocabulary):
    """For each active filter, how many results the search has without it – one query."""
    active = spec.active_filters
    if not active:
        return {}
    totals = Offer.objects.published().aggregate(
        **{
            f"without_{name}": Count(
                "pk", filter=Q(*spec_conditions(spec, vocabulary, without=name))
            )
            if len(active) > 1
            else Count("pk")
            for name in active
        }
    )
    return {name: totals[f"without_{name}"] for name in active}


def search(spec, vocabulary, *, per_page=PER_PAGE, count_facets=grouped_counts):
    """The page of results ``spec`` asks for (the last one if it asks past the end),
    the total, the facet counts and, when nothing matches, the counts without each filter.
    """
    results = _page_offers(order_offers(matching_offers(spec, vocabulary), spec))
    page = Paginator(results, per_page).get_page(spec.page)
    total = page.paginator.count
    return SearchResult(
        spec=spec,
        page=page,
        total=total,
        counts=count_facets(spec, vocabulary),
        relaxations=relaxations(spec, vocabulary) if total == 0 else {},
    )


class CachedSearch:
    """``search`` for one request, with its expensive parts cached under the catalogue version.

    ``CatalogVersion`` is a token that database triggers replace on every write to offers,
    their links, the vocabularies or providers (see ``offers/walk.py``), so a cached count or
    page is never stale. Cached: the vocabulary, per set of filters the total, the facet
    counts and the empty-state counts, and per sort order and page the ids of the page's
    offers. A repeated search then costs the version lookup and the page's offers by id; a
    new one runs ``search``'s queries. Without a version row nothing is cached. The page
    uses it only while its worker builds a new search index (``offers/search_index.py``).
    """

    def __init__(self, version=None):
        """``version``: the catalogue token, when the caller has just read it."""
        self.version = version if version is not None else CatalogVersion.current()

    def _cached(self, key, compute):
        return page_cache.cached("search", self.version, key, compute)

    @staticmethod
    def _key(spec):
        return hashlib.sha256(repr(sorted(asdict(spec).items())).encode()).hexdigest()

    def vocabulary(self):
        return self._cached("vocabulary", Vocabulary.load)

    def search(self, spec, vocabulary, *, per_page=PER_PAGE):
        """The same ``SearchResult`` as ``search(spec, vocabulary)``."""
        filters_only = replace(spec, page=1, sort=DEFAULT_SORT)

        def summary():
            total = matching_offers(spec, vocabulary).count()
            relaxed = relaxations(spec, vocabulary) if total == 0 else {}
            return total, grouped_counts(spec, vocabulary), relaxed

        total, counts, relaxed = self._cached(f"summary:{self._key(filters_only)}", summary)
        paginator = Paginator(range(total), per_page)
        number = paginator.validate_number(min(spec.page, paginator.num_pages))
        start = (number - 1) * per_page

        def page_ids():
            ordered = order_offers(matching_offers(spec, vocabulary), spec)
            return list(ordered.values_list("pk", flat=True)[start : start + per_page])

        key = f"ids:{self._key(replace(spec, page=number))}:{per_page}"
        ids = self._cached(key, page_ids) if total else []
        by_id = {offer.pk: offer for offer in _page_offers(Offer.objects.filter(pk__in=ids))}
        page = Page([by_id[pk] for pk in ids if pk in by_id], number, paginator)
        return SearchResult(spec=spec, page=page, total=total, counts=counts, relaxations=relaxed)
