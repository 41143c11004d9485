"""The contact's e-mail address in a real browser: shown in place with JavaScript (under the
portal's Content-Security-Policy), on a page of its own without; never in the offer page."""

import re

import pytest

from offers.models import Offer
from tests.browser_support import PHONE

# django_db: the demo server needs the test database (see conftest.demo_server).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
SHOW = re.compile("^E-Mail-Adresse anzeigen")


@pytest.fixture(scope="module")
def offer(demo_server, django_db_blocker):
    """The path of an offer with a contact person of its own, and that person's address."""
    with django_db_blocker.unblock():
        offer = Offer.objects.published().exclude(contact=None).exclude(contact__email="")[0]
        return offer.get_absolute_url(), offer.contact.email


def open_page(browser, demo_server, *, javascript):
    context = browser.new_context(base_url=demo_server.url, java_script_enabled=javascript, **PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    messages = []
    page.on("console", lambda message: messages.append(message))
    return context, page, messages


def test_with_javascript_the_address_appears_in_place(browser, demo_server, offer):
    path, email = offer
    context, page, messages = open_page(browser, demo_server, javascript=True)
    try:
        page.goto(path)
        assert not EMAIL.search(page.content())
        page.locator(".contact-persons").get_by_role("button", name=SHOW).first.click()

        link = page.locator(".contact-persons a.email-revealed")
        link.wait_for()
        assert link.get_attribute("href") == f"mailto:{email}"
        assert page.evaluate("document.activeElement.classList.contains('email-revealed')")
        assert page.url == demo_server.url + path  # no page change
        assert [m.text for m in messages if m.type == "error"] == []  # no CSP violation
    finally:
        context.close()


def test_without_javascript_the_button_opens_a_page_with_the_address(browser, demo_server, offer):
    path, email = offer
    context, page, _messages = open_page(browser, demo_server, javascript=False)
    try:
        page.goto(path)
        page.locator(".contact-persons").get_by_role("button", name=SHOW).first.click()

        page.wait_for_url(re.compile(r"/kontakt/\d+/e-mail/$"))
        assert page.locator("a.email-revealed").get_attribute("href") == f"mailto:{email}"
        page.get_by_role("link", name="Zurück zur vorherigen Seite").click()
        page.wait_for_url(demo_server.url + path)
    finally:
        context.close()
