"""German long words in narrow boxes: soft hyphens where a word may break.

The stylesheet asks for ``hyphens: auto`` (the pages carry ``lang``), but a browser without
a German hyphenation dictionary (Chromium on Linux, older Androids) then breaks
"Wirtschaftsingenieurwesen" anywhere and without a hyphen, or lets it push a count badge out
of its card. Labels beside a count (the walk's choices, the search's facet values) therefore
get soft hyphens (U+00AD, invisible unless the line breaks there) from the LibreOffice
patterns that Pyphen ships. Only long words are touched: short ones always fit.
"""

import functools
import re

import pyphen
from django import template
from django.utils.safestring import SafeData, mark_safe

register = template.Library()

SOFT_HYPHEN = "\u00ad"
# Words shorter than this fit any box the portal has, even at 320 px.
LONG_WORD = 12
_LONG_WORDS = re.compile(rf"\w{{{LONG_WORD},}}")
# Catalogue names are German in every interface language.
_DICTIONARY = pyphen.Pyphen(lang="de_DE", left=3, right=3)


@functools.lru_cache(maxsize=8192)
def _hyphenated(word):
    """``word`` with soft hyphens; a one-letter piece the patterns split off (“Wirt-schaft-s-
    in…”) stays with the piece before it, as a reader would expect (“Wirt-schafts-in…”)."""
    pieces, start = [], 0
    for position in [*_DICTIONARY.positions(word), len(word)]:
        piece = word[start:position]
        if pieces and len(piece) < 2:
            pieces[-1] += piece
        else:
            pieces.append(piece)
        start = position
    return SOFT_HYPHEN.join(pieces)


def soft_hyphens(text):
    """``text`` with soft hyphens in its long words (plain text in, plain text out)."""
    return _LONG_WORDS.sub(lambda match: _hyphenated(match.group()), str(text))


@register.filter(name="soft_hyphens")
def soft_hyphens_filter(value):
    """The template filter: the same text, still escaped by autoescape unless it was safe."""
    result = soft_hyphens(value)
    return mark_safe(result) if isinstance(value, SafeData) else result
