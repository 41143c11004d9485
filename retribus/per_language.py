"""Parts of pages that are the same on every page of a language, made once.

Pages built in Python (the search and offer pages, cards, contact blocks, the walk's
trail) join per-visit values with translated texts and addresses that only change with the
active language and the script prefix the site is served under. ``per_language`` makes
them once for each; ``address_around`` cuts an address around its one parameter, so that
a page linking to fifty offers reverses the address once, not fifty times.
"""

import functools

from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language

# A number no object has as its id, to cut an address around the id.
ID_MARKER = 999_999_999_999


def per_language(factory):
    """``factory()``, made once per active language and script prefix and kept."""
    made = functools.lru_cache(maxsize=16)(lambda language, script_prefix: factory())

    @functools.wraps(factory)
    def in_active_language():
        return made(get_language(), get_script_prefix())

    return in_active_language


def address_around(name, parameter, marker=ID_MARKER):
    """(before, after): the address of URL pattern ``name`` in the active language, cut
    where its ``parameter`` goes; ``marker`` is a value of the parameter's kind that no
    object has (a slug for a slug)."""
    before, after = reverse(name, kwargs={parameter: marker}).split(str(marker))
    return before, after
