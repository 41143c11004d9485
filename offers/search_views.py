"""The search page: every facet at once, German full text, chips, sorting and paging.

The view reads the query string through ``OfferFilterSet``, asks the search engine
(``offers/search_index.py``, or ``offers/facets.py`` while the index is rebuilt) for a
page of results with disjunctive facet counts, and turns the validated ``SearchSpec`` back
into links (chips, pagination, empty-state suggestions), so every link it prints is
canonical: unknown values never travel on.
"""

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from . import search_index
from .filters import (
    DEFAULT_SORT,
    FACETS,
    SORTS,
    OfferFilterSet,
    SearchSpec,
)
from .models import GRADE_MAX, GRADE_MIN
from .page_cache import catalog_version
from .text_search import MAX_QUERY_LENGTH, clean_query

# A hierarchical facet with more values than this (a national portal's 400 districts) lists
# the children of a node only once the node is ticked.
EXPAND_ALL_UP_TO = 100


def spec_params(spec, *, page=True):
    """The query parameters of ``spec`` in a stable order, defaults left out."""
    params = []
    if spec.selected("q"):
        params.append(("q", spec.q))
    for name in FACETS:
        params.extend((name, value) for value in spec.selected(name))
    for name in ("grade", "size"):
        params.extend((name, value) for value in spec.selected(name))
    if spec.sort != DEFAULT_SORT:
        params.append(("sort", spec.sort))
    if page and spec.page > 1:
        params.append(("page", spec.page))
    return params


def search_url(spec):
    query = urlencode(spec_params(spec))
    return reverse("offers:search") + (f"?{query}" if query else "")


def value_label(name, value, vocabulary):
    if name == "q":
        return _("“%(words)s”") % {"words": value}
    if name in ("grade", "size"):
        return str(value)
    return str(dict(vocabulary.choices(name))[value])


def filter_label(name):
    if name == "q":
        return _("Search words")
    if name == "grade":
        return _("Grade")
    if name == "size":
        return _("Class size")
    return str(FACETS[name])


def active_chips(spec, vocabulary):
    """One chip per active value, each linking to the search without just that value."""
    chips = []
    for name in spec.active_filters:
        for value in spec.selected(name):
            if name in FACETS:
                remaining = tuple(v for v in spec.selected(name) if v != value)
                smaller = SearchSpec(**{**spec.__dict__, name: remaining, "page": 1})
            else:
                smaller = spec.without(name)
            chips.append(
                {
                    "filter": filter_label(name),
                    "value": value_label(name, value, vocabulary),
                    "url": search_url(smaller),
                }
            )
    return chips


def suggestions(result, vocabulary):
    """Filters to drop when nothing matches, the most helpful first."""
    spec = result.spec
    found = [
        {
            "name": name,
            "filter": filter_label(name),
            "values": ", ".join(value_label(name, v, vocabulary) for v in spec.selected(name)),
            "count": count,
            "url": search_url(spec.without(name)),
        }
        for name, count in result.relaxations.items()
        if count
    ]
    return sorted(found, key=lambda item: -item["count"])


def _option(name, key, label, spec, counts):
    return {
        "key": key,
        "label": label,
        "count": counts[name][key],
        "selected": key in spec.selected(name),
        "id": f"f-{name}-{key}",
        "children": [],
    }


def _visible(option, expand_all):
    """Whether to list an option: it has results or a tick. Its children are listed when
    the facet is small enough to show whole, or when the option or a child is ticked."""
    children = [child for child in option["children"] if _visible(child, expand_all)]
    ticked = option["selected"] or any(child["selected"] for child in children)
    option["children"] = children if expand_all or ticked else []
    return option["count"] > 0 or ticked


def facet_panels(spec, vocabulary, counts):
    """The facets as fieldsets: options with a count or a tick, finer ones nested.

    Sectors are grouped by track; sectors and regions nest below their parent.
    """
    panels = []
    for name, legend in FACETS.items():
        expand_all = len(counts[name]) <= EXPAND_ALL_UP_TO
        groups = []
        if name in ("sector", "region"):
            nodes = getattr(vocabulary, name)
            options = {
                slug: _option(name, slug, obj.name, spec, counts) for slug, obj in nodes.items()
            }
            by_pk = {obj.pk: slug for slug, obj in nodes.items()}
            roots = []
            for slug, obj in nodes.items():
                parent = by_pk.get(obj.parent_id)
                if parent:
                    options[parent]["children"].append(options[slug])
                else:
                    roots.append((slug, obj))
            if name == "sector":
                for track in vocabulary.track.values():
                    members = [options[s] for s, obj in roots if obj.track_id == track.pk]
                    groups.append({"legend": track.name, "options": members})
            else:
                groups.append({"legend": None, "options": [options[s] for s, _obj in roots]})
        else:
            groups.append(
                {
                    "legend": None,
                    "options": [
                        _option(name, key, label, spec, counts)
                        for key, label in vocabulary.choices(name)
                    ],
                }
            )
        for group in groups:
            group["options"] = [
                option for option in group["options"] if _visible(option, expand_all)
            ]
        groups = [group for group in groups if group["options"]]
        if groups:
            panels.append({"name": name, "legend": legend, "groups": groups})
    return panels


def grade_options(spec, counts):
    return [
        {"value": grade, "count": counts["grade"][grade], "selected": spec.grade == grade}
        for grade in range(GRADE_MIN, GRADE_MAX + 1)
    ]


def bad_request(request, filterset):
    """The friendly 400 page: which parameter we could not read, and a way on without it."""
    kept = request.GET.copy()
    for name in filterset.unreadable_parameters():
        kept.pop(name, None)
    query = kept.urlencode()
    return render(
        request,
        "offers/search_invalid.html",
        {
            "problems": [
                {"name": name, "value": request.GET.get(name, "")[:50], "errors": errors}
                for name, errors in filterset.form.errors.items()
            ],
            "retry_url": reverse("offers:search") + (f"?{query}" if query else ""),
        },
        status=400,
    )


def search(request):
    """Search published offers by text and every facet at once."""
    engine = search_index.engine(catalog_version(request))
    vocabulary = engine.vocabulary()
    filterset = OfferFilterSet(request.GET, vocabulary=vocabulary)
    if not filterset.is_valid():
        return bad_request(request, filterset)
    spec = filterset.spec
    result = engine.search(spec, vocabulary)
    return render(
        request,
        "offers/search.html",
        {
            "spec": spec,
            "result": result,
            "page_obj": result.page,
            "query": urlencode(spec_params(spec, page=False)),
            "panels": facet_panels(spec, vocabulary, result.counts),
            "grades": grade_options(spec, result.counts),
            "sorts": list(SORTS.items()),
            "chips": active_chips(spec, vocabulary),
            "suggestions": suggestions(result, vocabulary) if result.total == 0 else [],
            "ignored": filterset.ignored_values(),
            "shortened": len(clean_query(request.GET.get("q", ""), limit=None)) > MAX_QUERY_LENGTH,
            "max_query_length": MAX_QUERY_LENGTH,
        },
    )
