"""A parsed search, the values its facets can take, and the answer an engine gives."""

import hashlib
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import facets, text

PER_PAGE = 20
SORTS = {
    "relevance": _("relevance"),
    "title": pgettext_lazy("sort order", "title"),
    "newest": _("newest first"),
}
DEFAULT_SORT = "relevance"


class SearchSpec:
    """A validated search: the words, a selection per facet, the sort order and the page.

    ``SearchSpec(q="Roboter", sector=("it-computer",), grade=9)``: facets are keyword
    arguments named as in the registry (``facets.registered()``); a multi-valued facet takes
    a tuple of keys, a single-valued one a number or None. Read a facet as an attribute
    (``spec.grade``) or, uniformly as a tuple, with ``selected``.
    """

    __slots__ = ("q", "sort", "page", "_selections")

    def __init__(self, q="", *, sort=DEFAULT_SORT, page=1, **selections):
        known = {facet.name: facet for facet in facets.registered()}
        unknown = set(selections) - set(known)
        if unknown:
            raise TypeError(f"unknown facets {sorted(unknown)}")
        self.q = q
        self.sort = sort
        self.page = page
        self._selections = {
            name: tuple(value) if known[name].multiple else value
            for name, value in selections.items()
            if value not in ((), None)
        }

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        facet = facets.get(name)
        if facet is None:
            raise AttributeError(name)
        return self._selections.get(name, () if facet.multiple else None)

    def __eq__(self, other):
        return isinstance(other, SearchSpec) and self._state() == other._state()

    def __hash__(self):
        return hash(self._state())

    def __repr__(self):
        return f"SearchSpec({self._state()!r})"

    def _state(self):
        return (self.q, self.sort, self.page, tuple(sorted(self._selections.items())))

    def key(self):
        """A short stable digest of the whole search, for cache keys."""
        return hashlib.sha256(repr(self._state()).encode()).hexdigest()

    def selections(self):
        """Facet name → raw value of every facet with a selection."""
        return dict(self._selections)

    def selected(self, name):
        """The active values of a filter as a tuple (empty when it is not active)."""
        if name == "q":
            return (self.q,) if text.is_searchable(self.q) else ()
        value = self._selections.get(name)
        if value is None:
            return ()
        return value if facets.get(name).multiple else (value,)

    @property
    def active_filters(self):
        """Names of the filters that narrow the result, in page order."""
        names = ["q", *(facet.name for facet in facets.registered())]
        return [name for name in names if self.selected(name)]

    def replace(self, **changes):
        """The same search with ``changes`` (``q``, ``sort``, ``page`` or a facet)."""
        state = {"q": self.q, "sort": self.sort, "page": self.page, **self._selections}
        return SearchSpec(**{**state, **changes})

    def without(self, name):
        """The same search with one filter dropped (and back on the first page)."""
        if name == "q":
            return self.replace(q="", page=1)
        return self.replace(**{name: None, "page": 1})

    def without_value(self, name, value):
        """The same search with one value of a facet unticked (and back on page one)."""
        if name == "q" or not facets.get(name).multiple:
            return self.without(name)
        return self.replace(
            **{name: tuple(v for v in self.selected(name) if v != value), "page": 1}
        )


class Choices(BaseChoiceIterator):
    """Choices already in Django's canonical form. Django normalises a plain list again
    each time a form field or widget is given it (every request, for 400 districts); an
    iterator it takes as it is."""

    def __init__(self, pairs):
        self.pairs = pairs
        # The keys as a form field reads them, to check values against, made once per
        # vocabulary rather than on every page (not ``keys``: dict() would take this for a
        # mapping).
        self.known = frozenset(str(key) for key, _label in pairs)

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self):
        return len(self.pairs)


class Vocabulary:
    """Every value a taxonomy facet can take (``vocabulary.sector``: slug → Sector), loaded in
    one query per taxonomy, and the choices of every facet."""

    def __init__(self, nodes):
        self._nodes = nodes
        self._choices = {}

    @classmethod
    def load(cls):
        return cls({facet.name: facet.load() for facet in facets.registered() if facet.model})

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._nodes[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getstate__(self):
        # Labels are made again in the reader's language; only the rows travel.
        return {"_nodes": self._nodes, "_choices": {}}

    def choices(self, name):
        """(key, label) pairs of a facet in display order, made once per vocabulary (labels
        of fixed choices stay lazy, so they follow the language)."""
        if name not in self._choices:
            self._choices[name] = Choices(facets.get(name).choices(self))
        return self._choices[name]

    def ids(self, name, slugs):
        """The primary keys of the taxonomy rows named by ``slugs``."""
        table = self._nodes[name]
        return [table[slug].pk for slug in slugs]


def page_window(total, number, per_page):
    """The paginator of ``total`` results, the page number shown for ``number`` (the last
    page when it asks past the end) and the position of that page's first result."""
    paginator = Paginator(range(total), per_page)
    number = paginator.validate_number(min(number, paginator.num_pages))
    return paginator, number, (number - 1) * per_page


@dataclass
class SearchResult:
    spec: SearchSpec
    page: Page
    total: int
    counts: dict = field(default_factory=dict)
    """Facet name → {value key → count}; every value of every counted facet, zeros included."""
    relaxations: dict = field(default_factory=dict)
    """Only for an empty result: filter name → results without that filter."""
    additions: dict = field(default_factory=dict)
    """For each multi-valued facet with a selection: value key → the results ticking that
    value would add (its offers matching the other filters but none of the ticked values);
    values in one facet are OR-ed, so the plain count would promise too many."""
