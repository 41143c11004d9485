"""The SQL engine: one results page, its total and facet counts, asked of the database.

Facet counts are disjunctive: the count beside a value is the number of results the search
would have if that value were added to its facet, so each facet is counted against every
*other* active filter. Two ways count the same thing:

* ``reference_counts`` – one plain ``COUNT`` per facet value, obviously right and slow;
  tests and the faster engines prove themselves against it.
* ``grouped_counts`` – one grouped query per facet (``Facet.sql_counts``), so the number of
  queries never depends on the number of offers or facet values.

The page uses this engine only while its worker builds a new index (``engine.py``).
"""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q

from offers import page_cache
from offers.models import Offer

from . import facets, text
from .spec import DEFAULT_SORT, PER_PAGE, SearchResult, Vocabulary, page_window


def filter_condition(name, values, vocabulary):
    """The SQL condition of one filter (the words or a facet) with its selected values."""
    if name == "q":
        return text.text_condition(values[0])
    return facets.get(name).condition(values, vocabulary)


def spec_conditions(spec, vocabulary, *, without=None):
    """The conditions of every active filter of ``spec`` except ``without``."""
    return [
        filter_condition(name, spec.selected(name), vocabulary)
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
        return queryset.order_by(text.rank_expression(spec.q).desc(), "title", "pk")
    return queryset.order_by("title", "pk")


def reference_counts(spec, vocabulary):
    """Counts by asking, for every value, how many offers the search plus that value has."""
    counts = {}
    for facet in facets.counted():
        base = matching_offers(spec, vocabulary, without=facet.name)
        counts[facet.name] = {
            key: base.filter(facet.condition((key,), vocabulary)).count()
            for key, _label in vocabulary.choices(facet.name)
        }
    return counts


def grouped_counts(spec, vocabulary):
    """The same numbers as ``reference_counts`` in one query per facet."""
    return {
        facet.name: facet.sql_counts(
            matching_offers(spec, vocabulary, without=facet.name), vocabulary
        )
        for facet in facets.counted()
    }


def _addable(spec, vocabulary):
    """The multi-valued counted facets with a selection, each with the offers that match
    every other filter but none of its ticked values."""
    for facet in facets.counted():
        selected = spec.selected(facet.name)
        if facet.multiple and selected:
            others = matching_offers(spec, vocabulary, without=facet.name)
            yield facet, others.exclude(facet.condition(selected, vocabulary))


def reference_additions(spec, vocabulary):
    """What ticking each value of a facet with a selection adds, one ``COUNT`` per value."""
    return {
        facet.name: {
            key: base.filter(facet.condition((key,), vocabulary)).count()
            for key, _label in vocabulary.choices(facet.name)
        }
        for facet, base in _addable(spec, vocabulary)
    }


def grouped_additions(spec, vocabulary):
    """The same numbers as ``reference_additions`` in one grouped query per such facet."""
    return {
        facet.name: facet.sql_counts(base, vocabulary) for facet, base in _addable(spec, vocabulary)
    }


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


def search(
    spec,
    vocabulary,
    *,
    per_page=PER_PAGE,
    count_facets=grouped_counts,
    count_additions=grouped_additions,
):
    """The page of results ``spec`` asks for (the last one if it asks past the end),
    the total, the facet counts, what ticking a value adds to a facet with a selection
    and, when nothing matches, the counts without each filter.
    """
    results = order_offers(matching_offers(spec, vocabulary), spec).for_cards()
    page = Paginator(results, per_page).get_page(spec.page)
    total = page.paginator.count
    return SearchResult(
        spec=spec,
        page=page,
        total=total,
        counts=count_facets(spec, vocabulary),
        relaxations=relaxations(spec, vocabulary) if total == 0 else {},
        additions=count_additions(spec, vocabulary),
    )


class CachedSearch:
    """``search`` for one request, with its expensive parts cached under the catalogue
    version (docs/architecture.md): the vocabulary, per set of filters the total, the facet
    counts and the empty-state counts, and per sort order and page the ids of the page's
    offers. A repeated search then costs the version lookup and the page's offers by id.
    Without a version row nothing is cached."""

    def __init__(self, version):
        """``version``: the catalogue token the caller has just read."""
        self.version = version
        self._vocabulary = None

    def _cached(self, key, compute):
        return page_cache.cached("search", self.version, key, compute)

    def vocabulary(self):
        if self._vocabulary is None:
            self._vocabulary = self._cached("vocabulary", Vocabulary.load)
        return self._vocabulary

    def search(self, spec, *, per_page=PER_PAGE):
        """The same ``SearchResult`` as ``search(spec, self.vocabulary())``."""
        vocabulary = self.vocabulary()
        filters_only = spec.replace(page=1, sort=DEFAULT_SORT)

        def summary():
            total = matching_offers(spec, vocabulary).count()
            relaxed = relaxations(spec, vocabulary) if total == 0 else {}
            counts, additions = (
                grouped_counts(spec, vocabulary),
                grouped_additions(spec, vocabulary),
            )
            return total, counts, relaxed, additions

        key = f"summary:{filters_only.key()}"
        total, counts, relaxed, additions = self._cached(key, summary)
        paginator, number, start = page_window(total, spec.page, per_page)

        def page_ids():
            ordered = order_offers(matching_offers(spec, vocabulary), spec)
            return list(ordered.values_list("pk", flat=True)[start : start + per_page])

        key = f"ids:{spec.replace(page=number).key()}:{per_page}"
        ids = self._cached(key, page_ids) if total else []
        page = Page(Offer.objects.for_cards().in_order_of(ids), number, paginator)
        return SearchResult(
            spec=spec,
            page=page,
            total=total,
            counts=counts,
            relaxations=relaxed,
            additions=additions,
        )
