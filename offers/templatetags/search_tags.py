"""Template tags of the search page."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from .offer_tags import count_html

register = template.Library()


def _option_html(option, name, parts):
    key = conditional_escape(option["key"])
    option_id = conditional_escape(option["id"])
    parts.append(
        f'<li><input type="checkbox" id="{option_id}" name="{name}" value="{key}"'
        f"{' checked' if option['selected'] else ''}>"
        f'<label for="{option_id}">{conditional_escape(option["label"])} '
        f"{count_html(option['count'])}</label>"
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
