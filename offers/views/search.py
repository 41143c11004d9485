"""The search page: every facet at once, German full text, chips, sorting and paging.

The view reads the query string through ``OfferFilterSet``, asks the search engine
(``offers/search/engine.py``: the worker's index, or SQL while it is rebuilt) for a
page of results with disjunctive facet counts, and turns the validated ``SearchSpec`` back
into links (chips, pagination, empty-state suggestions), so every link it prints is
canonical: unknown values never travel on.
"""

from urllib.parse import quote_plus, urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from retribus.per_language import per_language

from ..page_cache import catalog_version
from ..search import facets
from ..search.engine import engine
from ..search.forms import OfferFilterSet
from ..search.spec import DEFAULT_SORT
from ..search.text import MAX_QUERY_LENGTH, clean_query
from .search_html import search_content


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


@per_language
def search_path():
    """The search page's path in the active language, looked up once per language."""
    return reverse("offers:search")


def search_url(spec):
    """The address of ``spec``."""
    query = urlencode(spec_params(spec))
    return search_path() + (f"?{query}" if query else "")


def value_label(name, value, vocabulary):
    if name == "q":
        return _("“%(words)s”") % {"words": value}
    return facets.get(name).value_label(value, vocabulary)


def filter_label(name):
    return _("Search words") if name == "q" else str(facets.get(name).label)


def active_chips(spec, vocabulary):
    """One chip per active value, each linking to the search without just that value (and
    back on page one): the page's own parameters with that one left out."""
    path = search_path()
    params = spec_params(spec, page=False)
    # Each parameter as ``urlencode`` writes it, once: a chip's address is all but one.
    encoded = [f"{quote_plus(str(name))}={quote_plus(str(value))}" for name, value in params]
    chips = []
    for position, (name, value) in enumerate(params):
        if name == "sort":
            continue
        rest = "&".join(encoded[:position] + encoded[position + 1 :])
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
        "vocabulary": vocabulary,
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
