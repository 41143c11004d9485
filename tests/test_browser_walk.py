"""The guided walk in a real browser, with JavaScript switched off, on a phone-sized screen.

Drives Debian's Chromium through Playwright against the live server with the demo data.
"""

import re

import pytest

from tests.browser_support import PHONE

# django_db: the demo server needs the test database (see conftest.demo_server).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="module")
def page(browser, demo_server):
    # No JavaScript: every step must be a plain link to a real URL.
    context = browser.new_context(base_url=demo_server.url, java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def choose(page, name, within="main .choices"):
    """Follow the walk choice whose link text starts with ``name`` (its count follows)."""
    page.locator(within).get_by_role("link", name=re.compile("^" + re.escape(name))).first.click()


def crumbs(page):
    return page.locator(".breadcrumbs a").all_inner_texts()


def test_walk_to_it_haus_then_back_to_the_same_step(page, demo_server):
    from playwright.sync_api import expect

    page.goto("/")
    choose(page, "Ausbildung")
    expect(page).to_have_url(demo_server.url + "/angebote/ausbildung/")
    choose(page, "IT, Computer")
    expect(page).to_have_url(demo_server.url + "/angebote/ausbildung/it-computer/")
    choose(page, "Landkreis Trier-Saarburg", within="main .region-group")
    step_url = demo_server.url + "/angebote/ausbildung/it-computer/landkreis-trier-saarburg/"
    expect(page).to_have_url(step_url)
    assert crumbs(page)[1:] == ["Ausbildung", "IT, Computer", "Landkreis Trier-Saarburg"]

    page.locator("main").get_by_role("link", name="IT Haus GmbH", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("IT Haus GmbH")
    expect(page.locator("table.provider-offers tbody tr")).to_have_count(4)

    page.go_back()
    expect(page).to_have_url(step_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Landkreis Trier-Saarburg")
    it_haus = page.locator("main").get_by_role("link", name="IT Haus GmbH", exact=True)
    expect(it_haus).to_be_visible()

    # A reload and a shared link show the same step.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Landkreis Trier-Saarburg")
    assert crumbs(page)[1:] == ["Ausbildung", "IT, Computer", "Landkreis Trier-Saarburg"]


def test_walk_studium_to_the_chemistry_offers_of_the_university(page, demo_server):
    from playwright.sync_api import expect

    page.goto("/")
    choose(page, "Studium")
    # Chemie is a finer field listed inside its broad field.
    choose(page, "Chemie", within="main .subchoices")
    expect(page).to_have_url(demo_server.url + "/angebote/studium/chemie/")
    assert crumbs(page)[1:] == ["Studium", "Mathematik, Naturwissenschaften", "Chemie"]
    page.locator("main .choice--all a").click()
    expect(page).to_have_url(demo_server.url + "/angebote/studium/chemie/alle-regionen/")

    university = page.locator(".provider-group", has_text="Universität Trier")
    expect(university).to_contain_text("N 23")
    university.get_by_role("link", name=re.compile(r"^N 23 ")).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".offer__code")).to_have_text("N 23")
    expect(page.locator(".offer__contact")).to_contain_text("Universität Trier")

    page.go_back()
    expect(page).to_have_url(demo_server.url + "/angebote/studium/chemie/alle-regionen/")
