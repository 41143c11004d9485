"""The search page: every facet at once, German full text, chips, sorting and paging.

The view reads the query string through ``OfferFilterSet``, asks the search engine
(``offers/search/engine.py``: the worker's index, or SQL while it is rebuilt) for a
page of results with disjunctive facet counts, and turns the validated ``SearchSpec`` back
into links (chips, pagination, empty-state suggestions), so every link it prints is
canonical: unknown values never travel on.
"""

import weakref
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..page_cache import catalog_version
from ..search import facets
from ..search.engine import engine
from ..search.forms import OfferFilterSet
from ..search.spec import DEFAULT_SORT, SORTS
from ..search.text import MAX_QUERY_LENGTH, clean_query
from ..templatetags.search_tags import option_parts
from .search_html import search_content

# A hierarchical facet with more values than this (a national portal's 400 districts) lists
# the children of a node only once the node is ticked.
EXPAND_ALL_UP_TO = 100


def spec_params(spec, *, page=True):
    """The query parameters of ``spec`` in a stable order, defaults left out."""
    params = []
    if spec.selected("q"):
        params.append(("q", spec.q))
    for facet in facets.registered():
        params.extend((facet.name, value) for value in spec.selected(facet.name))
    if spec.sort != DEFAULT_SORT:
        params.append(("sort", spec.sort))
    if page and spec.page > 1:
        params.append(("page", spec.page))
    return params


def search_url(spec, path=None):
    """The address of ``spec``; ``path``: the search page's, when the caller made it."""
    query = urlencode(spec_params(spec))
    return (path or reverse("offers:search")) + (f"?{query}" if query else "")


def value_label(name, value, vocabulary):
    if name == "q":
        return _("“%(words)s”") % {"words": value}
    return facets.get(name).value_label(value, vocabulary)


def filter_label(name):
    return _("Search words") if name == "q" else str(facets.get(name).label)


def active_chips(spec, vocabulary):
    """One chip per active value, each linking to the search without just that value (and
    back on page one): the page's own parameters with that one left out."""
    path = reverse("offers:search")
    params = spec_params(spec, page=False)
    chips = []
    for position, (name, value) in enumerate(params):
        if name == "sort":
            continue
        rest = urlencode(params[:position] + params[position + 1 :])
        chips.append(
            {
                "filter": filter_label(name),
                "value": value_label(name, value, vocabulary),
                "url": path + (f"?{rest}" if rest else ""),
            }
        )
    return chips


def suggestions(result, vocabulary):
    """Filters to drop when nothing matches, the most helpful first."""
    spec = result.spec
    path = reverse("offers:search")
    found = [
        {
            "name": name,
            "filter": filter_label(name),
            "values": ", ".join(value_label(name, v, vocabulary) for v in spec.selected(name)),
            "count": count,
            "url": search_url(spec.without(name), path),
        }
        for name, count in result.relaxations.items()
        if count
    ]
    return sorted(found, key=lambda item: -item["count"])


class _Node:
    """An option of a facet as far as it is the same on every page of one vocabulary and
    language: its key, the escaped parts of its checkbox, and the options below it."""

    __slots__ = ("key", "label", "parts", "children", "keys_below")

    def __init__(self, name, key, label, children):
        self.key, self.label = key, label
        self.parts = option_parts(name, key, label)
        self.children = [_Node(name, *child) for child in children]
        self.keys_below = frozenset(child.key for child in self.children)


# Vocabulary → (language, facet name) → the facet's groups of ``_Node``: labels are escaped
# and hyphenated once per catalogue's taxonomy rather than on every page.
_layouts = weakref.WeakKeyDictionary()


def _layout(facet, vocabulary):
    """The facet's groups ``(legend, [_Node])`` for ``vocabulary`` in the active language."""
    kept = _layouts.setdefault(vocabulary, {})
    key = (get_language(), facet.name)
    if key not in kept:
        kept[key] = [
            (legend, [_Node(facet.name, *node) for node in tree])
            for legend, tree in facet.option_tree(vocabulary)
        ]
    return kept[key]


def _options(nodes, chosen, counts, additions, expand_all):
    """The options to list of ``nodes``: those with results or a tick. The children of an
    option are listed when the facet is small enough to show whole, or when the option or a
    child is ticked. In a facet with a selection, ``adds`` is what ticking an option adds
    (None for a ticked one, which shows its count)."""
    options = []
    for node in nodes:
        selected = node.key in chosen
        ticked = selected or not chosen.isdisjoint(node.keys_below)
        count = counts[node.key]
        if not (count or ticked):
            continue
        children = node.children if expand_all or ticked else ()
        options.append(
            {
                "key": node.key,
                "label": node.label,
                "count": count,
                "adds": None if additions is None or selected else additions[node.key],
                "selected": selected,
                "parts": node.parts,
                "children": _options(children, chosen, counts, additions, expand_all),
            }
        )
    return options


def facet_panels(spec, vocabulary, result):
    """The multi-valued facets as fieldsets: options with a count or a tick, finer ones
    nested, in the groups the facet gives them (sectors by track)."""
    panels = []
    for facet in facets.counted():
        if not facet.multiple:
            continue
        counts = result.counts[facet.name]
        chosen = frozenset(spec.selected(facet.name))
        additions = result.additions.get(facet.name)
        expand_all = len(counts) <= EXPAND_ALL_UP_TO
        groups = []
        for legend, nodes in _layout(facet, vocabulary):
            if options := _options(nodes, chosen, counts, additions, expand_all):
                groups.append({"legend": legend, "options": options})
        if groups:
            panels.append(
                {
                    "name": facet.name,
                    "legend": facet.label,
                    "groups": groups,
                    "adds": additions is not None,
                }
            )
    return panels


def grade_options(spec, counts):
    return [
        {"value": grade, "count": count, "selected": spec.grade == grade}
        for grade, count in counts["grade"].items()
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
    search_engine = engine(catalog_version(request))
    vocabulary = search_engine.vocabulary()
    filterset = OfferFilterSet(request.GET, vocabulary=vocabulary)
    if not filterset.is_valid():
        return bad_request(request, filterset)
    spec = filterset.spec
    result = search_engine.search(spec)
    context = {
        "spec": spec,
        "result": result,
        "page_obj": result.page,
        "query": urlencode(spec_params(spec, page=False)),
        "panels": facet_panels(spec, vocabulary, result),
        "grades": grade_options(spec, result.counts),
        "sorts": list(SORTS.items()),
        "chips": active_chips(spec, vocabulary),
        "suggestions": suggestions(result, vocabulary) if result.total == 0 else [],
        "ignored": filterset.ignored_values(),
        "shortened": len(clean_query(request.GET.get("q", ""), limit=None)) > MAX_QUERY_LENGTH,
        "max_query_length": MAX_QUERY_LENGTH,
    }
    context["content"] = search_content(context)
    response = render(request, "offers/search.html", context)
    # The same for every visitor, so the page cache keeps it with the page: the search log
    # (insights/search_log.py) reads it after the cache, and takes it off.
    response["X-Result-Count"] = str(result.total)
    return response
