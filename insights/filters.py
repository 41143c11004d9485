"""The filters of the dashboard and of the handbook, read like the search page reads them."""

from django.http import QueryDict

from offers.search.forms import OfferFilterSet
from offers.search.spec import SearchSpec


class BadFilters(ValueError):
    """The filters could not be read (a grade that is not a number)."""


def read(query_dict, names, vocabulary):
    """The filters ``names`` of ``query_dict`` as a ``SearchSpec``: unknown values dropped,
    as on the search page; ``BadFilters`` when a value cannot be read at all."""
    data = QueryDict(mutable=True)
    for name in names:
        for value in query_dict.getlist(name):
            data.appendlist(name, value)
    filterset = OfferFilterSet(data, vocabulary=vocabulary)
    if not filterset.is_valid():
        raise BadFilters(", ".join(filterset.unreadable_parameters()))
    spec = filterset.spec
    return SearchSpec(**{name: getattr(spec, name) for name in names})
