"""German words for full-text search, the same on PostgreSQL and SQLite.

A search box query is read the way PostgreSQL's ``websearch_to_tsquery`` reads it: words are
AND-ed, ``"quoted words"`` form a phrase, ``-word`` excludes, ``or`` between words or phrases
offers alternatives (``Chemie Labor or Werkstatt`` is "Chemie and Labor, or Werkstatt").
``parse`` turns it into a ``Query``, written out for each database: ``to_tsquery`` for
PostgreSQL's stored ``search_vector``, an FTS5 ``MATCH`` expression for SQLite's full-text
table (``sqlite_fts.py``). Both therefore accept the same queries and apply the same rules:

* German stop words (the Snowball list PostgreSQL's ``german`` configuration uses) are
  dropped from queries, so "Praktikum in der Werkstatt" needs neither "in" nor "der".
* Words are reduced to their Snowball stems ("Robotik", "Roboter", "Robotern" → ``robot``).
* Snowball leaves Latin plurals apart ("Praktika", "Praktikum"), so a word is also tried as
  a prefix of its crudely reduced form (``praktik*``, see ``reduce_word``); German compounds
  that start with the word ("Labor" → "Laborführung") are found the same way.
* "ae", "oe", "ue" and "ß"/"ss" spellings find the umlaut spellings and back ("Schueler"
  finds "Schüler"): PostgreSQL 15's stemmer keeps them apart, so each word is also tried in
  its other spelling.
"""

import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import Stemmer

MIN_PREFIX_LENGTH = 4

STOP_WORDS = frozenset(
    line.strip()
    for line in Path(__file__).with_name("german_stopwords.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)
# Inflection and Latin/Greek plural endings, longest first; a word keeps at least three letters.
_ENDINGS = ("innen", "ungen", "ern", "ums", "en", "er", "em", "es", "um", "a", "e", "n", "s")
_WORD = re.compile(r"[^\W_]+")
_UMLAUTS = {"ae": "ä", "oe": "ö", "ue": "ü"}
_TO_UMLAUT = re.compile(r"(?<![aeiouq])(ae|oe|ue)")
_FROM_UMLAUT = re.compile("[äöüß]")
_SPELLED_OUT = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}

# PyStemmer's stemmers must not be shared between threads.
_local = threading.local()


def words(text):
    """The letters-and-digits words of a text, lower case (NFC)."""
    return _WORD.findall(unicodedata.normalize("NFC", text or "").lower())


def stem(word):
    """The Snowball German stem of a lower-case word ("robotik" → "robot")."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("german")
    return stemmer.stemWord(word)


def stems(text):
    """The stems of every word of ``text``, separated by spaces (what SQLite indexes)."""
    if not text:
        return ""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("german")
    return " ".join(stemmer.stemWords(words(text)))


def reduce_word(word):
    """A crude German stem: the word without one inflection or plural ending.

    "Roboter" → "robot", "Praktika" and "Praktikums" → "praktik", "Labore" → "labor".
    """
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def spellings(word):
    """The word and its other German spelling: "schueler" ↔ "schüler", "strasse" ← "straße"."""
    found = [word]
    umlauted = _TO_UMLAUT.sub(lambda match: _UMLAUTS[match.group(1)], word)
    spelled_out = _FROM_UMLAUT.sub(lambda match: _SPELLED_OUT[match.group(0)], word)
    for other in (umlauted, spelled_out):
        if other not in found:
            found.append(other)
    return found


@dataclass(frozen=True)
class Term:
    """A word, or a phrase of words in this order; ``negated``: offers holding it are left out."""

    words: tuple
    negated: bool = False

    @property
    def is_phrase(self):
        return len(self.words) > 1

    def prefix(self):
        """The prefix a single word is also tried as, or None (too short, a phrase, excluded)."""
        if self.is_phrase or self.negated:
            return None
        # From the umlaut spelling, which both databases' stemmers read alike.
        word = _TO_UMLAUT.sub(lambda match: _UMLAUTS[match.group(1)], self.words[0])
        for prefix in (reduce_word(word), word):  # "wein" is no "wei…"
            if len(prefix) >= MIN_PREFIX_LENGTH:
                return prefix
        return None


@dataclass(frozen=True)
class Query:
    """Alternatives (``or``), each a tuple of terms that must all hold."""

    groups: tuple

    def __bool__(self):
        return bool(self.groups)


_TOKEN = re.compile(r'\s*(-?)\s*(?:"([^"]*)"?|([^\s"]+))')


def _term(text, negated):
    """The term of a word or a quoted text: stop words dropped (inside a phrase only at its
    ends, where PostgreSQL drops them too); None when nothing is left."""
    found = words(text)
    while found and found[0] in STOP_WORDS:
        found.pop(0)
    while found and found[-1] in STOP_WORDS:
        found.pop()
    if not found:
        return None
    return Term(tuple(found), negated)


def parse(query):
    """The ``Query`` of a search box text (websearch syntax, see the module docstring)."""
    groups, current, alternative = [], [], False
    for match in _TOKEN.finditer(query or ""):
        negated, quoted, bare = bool(match.group(1)), match.group(2), match.group(3)
        if quoted is None and not negated and bare.lower() == "or" and current:
            alternative = True
            continue
        term = _term(quoted if quoted is not None else bare, negated)
        if term is None:
            continue
        if alternative:
            groups.append(current)
            current, alternative = [], False
        current.append(term)
    if alternative:  # a trailing "or" is a word, as for PostgreSQL (but not a German one)
        current.append(Term(("or",)))
    if current:
        groups.append(current)
    return Query(tuple(tuple(group) for group in groups))


# --- PostgreSQL ------------------------------------------------------------------------------


def _lexeme(word):
    return "'" + word.replace("'", "''") + "'"


def _pg_term(term):
    if term.is_phrase:
        parts = []
        for word in term.words:
            forms = spellings(word)
            parts.append(
                _lexeme(forms[0])
                if len(forms) == 1
                else "(" + " | ".join(_lexeme(form) for form in forms) + ")"
            )
        text = " <-> ".join(parts)
    else:
        forms = [_lexeme(form) for form in spellings(term.words[0])]
        if prefix := term.prefix():
            forms.append(_lexeme(prefix) + ":*")
        text = " | ".join(forms)
    return f"!({text})" if term.negated else f"({text})"


def to_tsquery(query):
    """The ``to_tsquery('german', …)`` text of a parsed query ('' when it is empty).
    PostgreSQL stems the words itself, and drops stop words inside phrases keeping their
    place."""
    return " | ".join(
        "(" + " & ".join(_pg_term(term) for term in group) + ")" for group in query.groups
    )


# --- SQLite FTS5 -----------------------------------------------------------------------------


def _fts_string(text):
    return '"' + text.replace('"', '""') + '"'


def _fts_term(term):
    """An FTS5 expression over the stems ``stems()`` indexed (without the negation)."""
    if term.is_phrase:
        return _fts_string(" ".join(stem(word) for word in term.words))
    forms = list(dict.fromkeys(stem(form) for form in spellings(term.words[0])))
    expressions = []
    if prefix := term.prefix():
        prefix = stem(prefix)
        forms = [form for form in forms if not form.startswith(prefix)]
        expressions.append(_fts_string(prefix) + "*")
    expressions = [_fts_string(form) for form in forms] + expressions
    return expressions[0] if len(expressions) == 1 else "(" + " OR ".join(expressions) + ")"


def fts_groups(query):
    """Per alternative of the query, (an FTS5 expression of the offers it finds, or None
    when it only excludes; an FTS5 expression of the offers it excludes, or None).

    FTS5's NOT only takes from what its left side found, so an alternative of exclusions
    alone ("-online") is answered outside the full-text table (``sqlite_fts.condition``).
    """
    result = []
    for group in query.groups:
        found = [_fts_term(term) for term in group if not term.negated]
        excluded = [_fts_term(term) for term in group if term.negated]
        result.append(
            (
                " AND ".join(found) or None,
                " OR ".join(excluded) or None,
            )
        )
    return result
