"""Parts of every page that depend on nothing but the language (the header, the footer's
links): rendered once per worker, language and script prefix instead of node by node on
every page. Such a template must not read the page's context; what differs per visitor
(the Merkliste count) is a placeholder that ``schooldesk.markers`` fills per request."""

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

_rendered = {}


@register.simple_tag
def fixed_fragment(name):
    """The template ``name`` rendered without a context, once per language."""
    key = (name, get_language(), get_script_prefix())
    html = _rendered.get(key)
    if html is None:
        html = _rendered[key] = mark_safe(render_to_string(name))
    return html
