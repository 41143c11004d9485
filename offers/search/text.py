"""German free-text search over offers: ranked full text on PostgreSQL, a fallback on SQLite.

PostgreSQL matches the stored ``Offer.search_vector`` (configuration ``german``, see
migration 0003) with ``websearch_to_tsquery``. The snowball stemmer alone does not join
Latin plurals to their singular ("Praktika" → ``praktika``, "Praktikum" → ``praktikum``),
so each plain word is also tried as a prefix of its reduced stem (``praktik:*``); both
queries are OR-ed and ranked together. SQLite has no German full text: every query word,
reduced the same way, must occur (case-insensitively) in one of the searched fields.
"""

import re
import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, Q, Value, When

MAX_QUERY_LENGTH = 200
MIN_PREFIX_LENGTH = 4

# Inflection and Latin/Greek plural endings, longest first; a word keeps at least three letters.
_ENDINGS = ("innen", "ungen", "ern", "ums", "en", "er", "em", "es", "um", "a", "e", "n", "s")
_WORD = re.compile(r"[^\W_]+")
_FALLBACK_FIELDS = (
    "title",
    "summary",
    "code",
    "description",
    "provider__name",
    "offer_type__name",
)


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
    return [word.lower() for word in _WORD.findall(query)]


def reduce_word(word):
    """A crude German stem: the word without one inflection or plural ending.

    "Roboter" → "robot", "Praktika" and "Praktikums" → "praktik", "Labore" → "labor".
    """
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def is_searchable(query):
    return bool(words(query))


def uses_full_text():
    return connection.vendor == "postgresql"


def _prefix_query(query):
    """A raw tsquery AND-ing every word as a prefix of its reduced stem, or None when the
    query uses websearch syntax (phrases, OR), whose meaning a prefix query would loosen."""
    if '"' in query or re.search(r"(?i)(^|\s)or(\s|$)", query):
        return None
    terms = []
    for token in query.split():
        negated = token.startswith("-")
        for word in words(token):
            if negated:
                terms.append(f"!{word}")
            elif len(reduce_word(word)) >= MIN_PREFIX_LENGTH:
                terms.append(f"{reduce_word(word)}:*")
            else:
                terms.append(word)
    if not terms:
        return None
    return SearchQuery(" & ".join(terms), search_type="raw", config="german")


def search_query(query):
    """The PostgreSQL ``SearchQuery`` for a cleaned, searchable query string."""
    websearch = SearchQuery(query, search_type="websearch", config="german")
    prefix = _prefix_query(query)
    return websearch | prefix if prefix is not None else websearch


def _fallback_condition(query):
    condition = Q()
    for word in words(query):
        stem = reduce_word(word)
        # SQLite's LIKE folds only ASCII letters: also try the capitalised form of "übung".
        variants = {stem} if stem.isascii() else {stem, stem[:1].upper() + stem[1:]}
        condition &= Q.create(
            [
                (f"{field}__icontains", variant)
                for field in _FALLBACK_FIELDS
                for variant in variants
            ],
            connector=Q.OR,
        )
    return condition


def text_condition(query):
    """A filter condition for offers matching a cleaned, searchable query string."""
    if uses_full_text():
        return Q(search_vector=search_query(query))
    return _fallback_condition(query)


def rank_expression(query):
    """An expression to order matches by, best first (higher is better)."""
    if uses_full_text():
        return SearchRank(F("search_vector"), search_query(query))
    # Without full text, an offer whose title holds every word ranks above the rest.
    title_match = Q.create(
        [("title__icontains", reduce_word(word)) for word in words(query)], connector=Q.AND
    )
    return Case(When(title_match, then=Value(1.0)), default=Value(0.0))
