"""Language switch as plain links to the same page in the other language.

A link needs no form, hence no CSRF cookie and no language cookie on every page: the
language is part of the address (/en/...), so bookmarks and shared links keep it.
"""

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils.translation import get_language, get_language_info, override

register = template.Library()


def _translated(request, code):
    """The request's address in language ``code``. The URL the request was resolved to is
    reversed again in that language; resolving the path once more, as ``translate_url``
    does, would repeat the handler's work on every page."""
    path = request.get_full_path()
    _path, mark, query = path.partition("?")
    match = getattr(request, "resolver_match", None)
    if match is None or not match.url_name:
        return translate_url(path, code)
    try:
        with override(code):
            url = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
    except NoReverseMatch:
        return path
    return f"{url}{mark}{query}"


@register.simple_tag(takes_context=True)
def language_links(context):
    """[(code, name in that language, url, is_current)] for every configured language."""
    request = context.get("request")
    current = get_language()
    return [
        (
            code,
            get_language_info(code)["name_local"],
            _translated(request, code) if request is not None else translate_url("/", code),
            code == current,
        )
        for code, _name in settings.LANGUAGES
    ]
