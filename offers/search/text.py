"""German free-text search over offers, ranked, on PostgreSQL and on SQLite alike.

A query (websearch syntax: words AND-ed, "phrases", ``-word``, ``or``) is parsed once
(``german.parse``) and asked of the database's full text: PostgreSQL's stored
``Offer.search_vector`` (configuration ``german``, migration 0003) with ``to_tsquery`` and
``ts_rank``, or SQLite's FTS5 table of Snowball stems (``sqlite_fts.py``, migration 0013)
with ``MATCH`` and ``bm25``. A query that is an offer's catalogue code ("N 23", "n23") finds
that offer too, ranked above every other.
"""

import re
import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, FloatField, Q, Value, When
from django.db.models.expressions import RawSQL

from . import german, sqlite_fts

MAX_QUERY_LENGTH = 200
# A code's rank: above any full-text rank (ts_rank stays below 1, bm25 below a few dozen).
CODE_RANK = 1000.0

_CODE = re.compile(r"([^\W\d_]{1,4})\s*[-.]?\s*(\d{1,5})")


def clean_query(raw, limit=MAX_QUERY_LENGTH):
    """The query as we search and show it: control characters dropped, whitespace squeezed,
    at most ``limit`` characters (NUL bytes would make PostgreSQL refuse the query)."""
    text = "".join(
        " " if unicodedata.category(char)[0] in "CZ" else char
        for char in unicodedata.normalize("NFC", raw or "")
    )
    return " ".join(text.split())[:limit].strip()


def words(query):
    """The letters-and-digits words of a query, lower case."""
    return german.words(query)


def is_searchable(query):
    return bool(words(query))


def uses_postgres():
    return connection.vendor == "postgresql"


def ranks_stand_alone():
    """Whether an offer's rank depends on that offer alone: ts_rank's does; bm25's also on
    the other offers (how rare a word is, how long texts are), so a change of one offer
    changes the ranks of all."""
    return uses_postgres()


def code_condition(query):
    """Offers whose catalogue code the query is ("N 23", "N23", "n-23"), or None when the
    query does not look like a code."""
    match = _CODE.fullmatch(query.strip())
    if match is None:
        return None
    letters, number = match.groups()
    return Q.create(
        [("code__iexact", f"{letters}{separator}{number}") for separator in (" ", "", "-")],
        connector=Q.OR,
    )


def search_query(parsed):
    """The PostgreSQL ``SearchQuery`` of a parsed, non-empty query."""
    return SearchQuery(german.to_tsquery(parsed), search_type="raw", config="german")


def _sqlite_condition(parsed):
    """Offers the FTS5 table finds for each alternative, less the ones it excludes."""
    condition = Q(pk__in=[])
    for found, excluded in german.fts_groups(parsed):
        if found is not None:
            expression = found if excluded is None else f"({found}) NOT ({excluded})"
            condition |= Q(pk__in=RawSQL(*sqlite_fts.matches_sql(expression)))
        else:
            condition |= ~Q(pk__in=RawSQL(*sqlite_fts.matches_sql(excluded)))
    return condition


def _sqlite_rank_expression(parsed):
    """The FTS5 expression bm25 ranks by: what the alternatives find (their exclusions do
    not change the rank of an offer they let through); None when they only exclude."""
    found = [f"({found})" for found, _excluded in german.fts_groups(parsed) if found]
    return " OR ".join(found) or None


def text_condition(query):
    """A filter condition for offers matching a cleaned, searchable query string."""
    parsed = german.parse(query)
    if not parsed:
        condition = Q(pk__in=[])
    elif uses_postgres():
        condition = Q(search_vector=search_query(parsed))
    else:
        condition = _sqlite_condition(parsed)
    code = code_condition(query)
    return condition if code is None else condition | code


def rank_expression(query):
    """An expression to order matches by, best first (higher is better)."""
    parsed = german.parse(query)
    rank = Value(0.0)
    if parsed and uses_postgres():
        rank = SearchRank(F("search_vector"), search_query(parsed))
    elif parsed and (expression := _sqlite_rank_expression(parsed)):
        from offers.models import Offer

        rank = RawSQL(
            *sqlite_fts.rank_sql(expression, f'"{Offer._meta.db_table}"."id"'),
            output_field=FloatField(),
        )
    code = code_condition(query)
    if code is None:
        return rank
    return rank + Case(When(code, then=Value(CODE_RANK)), default=Value(0.0))


def ranks(query, queryset):
    """The (offer id, rank) rows of the offers of ``queryset`` that match ``query``, as an
    unevaluated query."""
    matches = queryset.filter(text_condition(query)).order_by()
    return matches.annotate(rank=rank_expression(query)).values_list("pk", "rank")
