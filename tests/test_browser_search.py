"""The search page in a real browser with JavaScript off: phone layout, keyboard, chips.

Drives Debian's Chromium through Playwright against the live server with the demo data.
"""

import re

import pytest

from tests.browser_support import DESKTOP, PHONE

# django_db: the demo server needs the test database (see conftest.demo_server).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="module")
def contexts(browser, demo_server):
    made = {}

    def open_page(kind):
        if kind not in made:
            screen = PHONE if kind == "phone" else DESKTOP
            made[kind] = browser.new_context(
                base_url=demo_server.url, java_script_enabled=False, **screen
            )
        page = made[kind].new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in made.values():
        context.close()


def test_on_a_phone_results_come_first_and_filters_work_by_keyboard(contexts, demo_server):
    from playwright.sync_api import expect

    page = contexts("phone")
    page.goto("/suche/?q=Praktikum")
    first_result = page.locator(".search-results__list .offer-card").first
    expect(first_result).to_be_visible()
    assert first_result.bounding_box()["y"] < PHONE["viewport"]["height"]
    checkbox = page.locator("fieldset.facet--type input[type=checkbox]").first
    expect(checkbox).to_be_hidden()

    page.locator("summary.facet-panel__summary").focus()
    page.keyboard.press("Enter")
    expect(checkbox).to_be_visible()
    shown = page.locator(f"label[for='{checkbox.get_attribute('id')}'] .count").inner_text()
    checkbox.focus()
    page.keyboard.press("Space")
    expect(checkbox).to_be_checked()
    page.locator(".facet-panel__apply").focus()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"[?&]type=" + re.escape(checkbox.get_attribute("value"))))
    heading = page.locator("#results-heading").inner_text()
    assert re.search(r"\d+", heading).group() == re.search(r"\d+", shown).group()


def test_on_a_desktop_the_filters_stand_open_and_a_chip_removes_its_filter(contexts):
    from playwright.sync_api import expect

    page = contexts("desktop")
    page.goto("/suche/?q=Praktikum&grade=9")
    expect(page.locator("fieldset.facet--type input[type=checkbox]").first).to_be_visible()
    expect(page.locator("#f-grade")).to_have_value("9")

    page.locator(".chip", has_text="9").click()

    expect(page).not_to_have_url(re.compile("grade="))
    expect(page).to_have_url(re.compile("q=Praktikum"))
    expect(page.locator("#f-grade")).to_have_value("")
