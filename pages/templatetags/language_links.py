"""Language switch as plain links to the same page in the other language.

A link needs no form, hence no CSRF cookie and no language cookie on every page: the
language is part of the address (/en/...), so bookmarks and shared links keep it.
"""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """[(code, name in that language, url, is_current)] for every configured language."""
    request = context.get("request")
    path = request.get_full_path() if request is not None else "/"
    current = get_language()
    return [
        (code, get_language_info(code)["name_local"], translate_url(path, code), code == current)
        for code, _name in settings.LANGUAGES
    ]
