"""A free slug for a new row, shared by the offer import (providers) and the network
(partners), whose slugs are both taken from a name typed by a person."""

from django.utils.text import slugify


def unique_slug(model, name, *, fallback, length):
    """``name`` slugified and cut to ``length``, with ``-2``, ``-3`` … until no row of
    ``model`` has it; ``fallback`` stands in for a name without any letter or digit.

    ``length`` leaves the field room for the counter. Asks the database once per candidate.
    """
    base = slugify(name)[:length] or fallback
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
