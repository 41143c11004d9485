"""Per-visitor parts of pages that are cached whole for everybody.

The Merken forms and the header's list count are rendered as placeholders that no escaped
page content can contain (HTML comments): the CSRF token, the address to come back to, the
visitor's count and the confirmation after a Merken without JavaScript. ``fill`` replaces
them for each request, after the page cache (registered as a ``page_cache.per_request``
hook, so a stored page stays the same for everybody), and ``MarkerMiddleware`` does the
same for every other HTML page that shows the header or a card (not cached: the network
and legal pages, error pages, the Merkliste's own pages). One filler in both places,
rather than a context processor for uncached pages: a context processor would also run
while a cached page renders and put the token into the stored page.

The session is read only when the request carries a session cookie, so a visitor without
a list gets no session; the CSRF token is asked for only when the page has a form, which
sets the CSRF cookie (and nothing else) on a first visit.
"""

import re

from django.conf import settings
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.html import escape
from django.utils.translation import gettext, pgettext

from retribus.per_language import per_language

from .merkliste import Merkliste

CSRF = "<!--schooldesk:csrf-->"
NEXT = "<!--schooldesk:next-->"
COUNT = "<!--schooldesk:count-->"
# Every placeholder, found in one pass over the page: a page of results holds forty.
PLACEHOLDER = re.compile(rb"<!--schooldesk:(csrf|next|count|notice:(\d+))-->")
# The confirmation of the last Merken without JavaScript, shown once by the card it names.
FLASH_KEY = "merkliste_added"


def notice(offer_id):
    return f"<!--schooldesk:notice:{offer_id}-->"


def _html(response):
    return (
        not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and b"<!--schooldesk:" in response.content
    )


class _Filler:
    """The values of one visitor's placeholders, each looked up when first asked: a token
    only for a page with a form, the session only for a visitor who has one."""

    def __init__(self, request):
        self.request = request
        self.has_session = settings.SESSION_COOKIE_NAME in request.COOKIES and hasattr(
            request, "session"
        )
        self.values = {}

    def __call__(self, match):
        name = match.group(1)
        if name not in self.values:
            self.values[name] = self._value(name, match.group(2))
        return self.values[name]

    def _value(self, name, offer_id):
        if name == b"csrf":
            return escape(get_token(self.request)).encode()
        if name == b"next":
            return escape(self.request.get_full_path()).encode()
        if name == b"count":
            return str(len(Merkliste(self.request.session)) if self.has_session else 0).encode()
        if "flash" not in self.__dict__:  # a notice: taken from the session once per page
            self.flash = self.request.session.pop(FLASH_KEY, None) if self.has_session else None
        if self.flash and str(self.flash.get("offer")) == offer_id.decode():
            return escape(self.flash.get("text", gettext("Saved to your shortlist."))).encode()
        return b""


def fill(request, response):
    """Replace the placeholders in ``response`` for the visitor of ``request``."""
    if getattr(response, "schooldesk_filled", False) or not _html(response):
        return
    response.schooldesk_filled = True
    content = PLACEHOLDER.sub(_Filler(request), response.content)
    response.content = content
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(content))
    # The page now holds this visitor's form token (and count): for the browser's cache
    # only, never a proxy's, which would hand one visitor's token to the next.
    patch_cache_control(response, private=True)


class MarkerMiddleware:
    """``fill`` for the HTML pages that do not come through the page cache. Sits inside
    CsrfViewMiddleware, so that a token asked for here still sets its cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        fill(request, response)
        return response


def _hidden_fields(offer_id):
    return (
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{CSRF}">'
        f'<input type="hidden" name="offer" value="{offer_id}">'
        f'<input type="hidden" name="next" value="{NEXT}">'
    )


@per_language
def _action_and_label():
    """The forms' escaped action and the button's label, looked up once per language: a
    provider's table has fifty buttons."""
    return escape(reverse("schooldesk:add")), escape(pgettext("merkliste", "Save"))


def _button_and_status(offer_id, title, form_attribute=""):
    label = _action_and_label()[1]
    return (
        f'<button type="submit" class="button--secondary merken__button"{form_attribute}>'
        f'{label}<span class="visually-hidden">: {escape(title)}</span>'
        f'</button> <span class="merken__status" role="status" data-merken-status="{offer_id}">'
        f"{notice(offer_id)}</span>"
    )


def save_form(offer_id, title, *, detached=False):
    """The Merken form of one offer (a card, a provider's table row, the offer page), with
    placeholders for what differs per visitor: safe to store in a cached page.

    ``detached``: only the button, tied by its ``form`` attribute to a form that
    ``detached_forms`` renders elsewhere, for cards inside another form (the search page's
    results sit in its filter form, and forms cannot be nested)."""
    if detached:
        tied = f' form="merken-form-{offer_id}"'
        return (
            f'<div class="merken" id="merken-{offer_id}">'
            f"{_button_and_status(offer_id, title, tied)}</div>"
        )
    return (
        f'<form class="merken" id="merken-{offer_id}" method="post" '
        f'action="{_action_and_label()[0]}">{_hidden_fields(offer_id)}'
        f"{_button_and_status(offer_id, title)}</form>"
    )


def detached_forms(offer_ids):
    """The forms the detached Merken buttons of ``offer_ids`` submit."""
    action = _action_and_label()[0]
    return "".join(
        f'<form class="merken-form" id="merken-form-{offer_id}" method="post" '
        f'action="{action}">{_hidden_fields(offer_id)}</form>'
        for offer_id in offer_ids
    )
