"""The search engine behind the search page and the walk's counts.

``kinds`` has one class per kind of facet, each answering its SQL condition, its SQL counts
and its bitsets; ``facets`` is the registry, from which every name, parameter and label the
page uses comes. ``spec`` holds a parsed search (``SearchSpec``), the values the facets can
take (``Vocabulary``) and the answer (``SearchResult``); ``forms`` reads a query string into
a ``SearchSpec``; ``text`` is the German full text. Two engines answer a ``SearchSpec`` with
the same ``SearchResult``: ``sql`` (grouped queries) and ``index`` (per-worker bitsets);
``engine`` chooses between them and keeps each worker's index current.
docs/architecture.md follows a request through them.
"""
