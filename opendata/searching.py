"""A search read from a query string, for the API, the downloads, the feeds and the widget.

The parameters are the search page's (``q``, every facet of the registry, ``sort``,
``page``) and are read by its ``OfferFilterSet``, so they mean the same here as there. The
pages (downloads, feeds, widget) are as forgiving as the search page: values that name
nothing are dropped, unreadable numbers get the friendly 400 page. The API is strict
(``api_problems``): a client should learn at once that ``sectors=`` or an old region slug
changes nothing.
"""

from django.utils.translation import gettext as _

from offers.page_cache import catalog_version
from offers.search import facets
from offers.search.engine import engine
from offers.search.forms import OfferFilterSet
from offers.search.spec import SORTS
from offers.search.sql import matching_offers, order_offers

# Parameters of the API besides the search page's.
PAGE_SIZE_PARAMETER = "page_size"
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def read_search(request, data=None):
    """(engine, filterset) for the request's query string (or ``data``): the engine that
    answers for the committed catalogue and the validated filters over its vocabulary."""
    search_engine = engine(catalog_version(request))
    filterset = OfferFilterSet(
        request.GET if data is None else data, vocabulary=search_engine.vocabulary()
    )
    return search_engine, filterset


def unknown_values(filterset):
    """Parameter name → the values it named that name nothing (an old slug, ``sort=best``)."""
    data, cleaned = filterset.data, filterset.cleaned_data
    found = {}
    for facet in facets.registered():
        if not facet.multiple:
            continue
        kept = set(cleaned.get(facet.name) or ())
        bad = [value for value in data.getlist(facet.name) if value and value not in kept]
        if bad:
            found[facet.name] = bad
    sort = data.get("sort")
    if sort and sort not in SORTS:
        found["sort"] = [sort]
    return found


def api_problems(request, filterset, *, allowed=()):
    """Parameter name → German messages for everything the API refuses: unknown
    parameters, unreadable numbers, values that name nothing. Empty when all is well."""
    problems = {}
    known = facets.parameters() | set(allowed)
    for name in request.GET:
        if name not in known:
            problems[name] = [_("Unknown parameter.")]
    if not filterset.is_valid():
        for name, errors in filterset.form.errors.items():
            problems[name] = [str(error) for error in errors]
    for name, values in unknown_values(filterset).items():
        problems[name] = [
            _("Unknown value “%(value)s”.") % {"value": value[:50]} for value in values
        ]
    return problems


def read_page_size(request):
    """The API's page size, or a German message why it cannot be read."""
    raw = request.GET.get(PAGE_SIZE_PARAMETER)
    if raw in (None, ""):
        return DEFAULT_PAGE_SIZE, None
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_PAGE_SIZE:
        return None, _("Enter a whole number from 1 to %(max)s.") % {"max": MAX_PAGE_SIZE}
    return size, None


def ordered_matches(filterset):
    """Every published offer the validated search matches, in its sort order (a QuerySet,
    for the downloads and feeds that read them all rather than one page)."""
    spec = filterset.spec
    return order_offers(matching_offers(spec, filterset.vocabulary), spec)
