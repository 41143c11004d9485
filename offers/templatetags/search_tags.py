"""Template tags of the search page."""

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext

from .german import soft_hyphens
from .offer_tags import count_html

register = template.Library()


def adds_html(adds):
    """What ticking a value beside a facet's selection adds: “+14”, read as “14 more
    offers” (values in a facet are OR-ed, so its plain count would promise too many)."""
    number = localize(adds)
    spoken = conditional_escape(
        ngettext("%(count)s more offer", "%(count)s more offers", adds) % {"count": number}
    )
    return (
        f'<span class="count count--adds"><span aria-hidden="true">+{number}</span>'
        f'<span class="visually-hidden">{spoken}</span></span>'
    )


def _option_html(option, name, parts):
    key = conditional_escape(option["key"])
    option_id = conditional_escape(option["id"])
    adds = option["adds"]
    count = count_html(option["count"]) if adds is None else adds_html(adds)
    parts.append(
        f'<li><input type="checkbox" id="{option_id}" name="{name}" value="{key}"'
        f"{' checked' if option['selected'] else ''}>"
        f'<label for="{option_id}">{conditional_escape(soft_hyphens(option["label"]))} '
        f"{count}</label>"
    )
    if option["children"]:
        parts.append('<ul class="facet__options facet__options--nested">')
        for child in option["children"]:
            _option_html(child, name, parts)
        parts.append("</ul>")
    parts.append("</li>")


@register.simple_tag
def facet_options(options, name):
    """The checkboxes of one facet's options, each with its count, nested options below.

    Built in Python rather than by including a template per option: a national portal's
    facet panel has hundreds of options, and a template include costs about 20 µs each.
    """
    parts = []
    name = conditional_escape(name)
    for option in options:
        _option_html(option, name, parts)
    return mark_safe("".join(parts))
