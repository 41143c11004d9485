"""The admin in a real browser at a laptop's 1280 px and a phone's 390 px, as a coordinator and
as a provider editor: no page is wider than the window, the offer list's status and
confirmation columns can be seen, and the notice of offers to confirm has a link one can
click (it once lay under the import button). The offer list and form pass axe-core, their
autocomplete boxes open and closed."""

import threading

import pytest
from django.db import connection

from offers.importing.jobs import set_progress
from offers.models import ImportJob, Offer, Provider
from tests.admin_support import make_user, setup_roles
from tests.browser_support import AXE_JS, DESKTOP, PHONE, require_file

# django_db: the demo server needs the test database (see conftest.demo_server).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PASSWORD = "layout-test-2026"
VIEWPORTS = {"1280": DESKTOP, "390": PHONE}


@pytest.fixture(scope="module")
def site(demo_server, django_db_blocker):
    """A coordinator, and an editor of a provider with contact persons and of one with an offer
    waiting for confirmation; the paths of that provider's form and of one of its offers."""
    with django_db_blocker.unblock():
        setup_roles()
        stale_provider = Offer.objects.stale().order_by("pk").first().provider
        with_contacts = Provider.objects.get(slug="it-haus-gmbh")
        assert with_contacts.contacts.count() >= 2
        # Two saves with long values, so that the offer's history has changes to show.
        offer = with_contacts.offers.order_by("pk")[0]
        offer.summary = (
            f"{offer.summary} Mit Unterstützungserklärungen der Verwaltungswissenschaften."
        )
        offer.duration_min_minutes, offer.duration_max_minutes = 60, 90
        offer.save()
        offer.duration_min_minutes, offer.duration_max_minutes = 4800, 48000
        offer.duration_unit = Offer.DurationUnit.WEEKS
        offer.save()
        coordinator = make_user("Koordination")
        editor = make_user("Anbieter-Redaktion", providers=[with_contacts, stale_provider])
        for user in (coordinator, editor):
            user.set_password(PASSWORD)
            user.save()
        return {
            "users": {"coordinator": coordinator.username, "editor": editor.username},
            "offer": f"/admin/offers/offer/{offer.pk}/change/",
            "history": f"/admin/offers/offer/{offer.pk}/history/",
            "provider": f"/admin/offers/provider/{with_contacts.pk}/change/",
        }


@pytest.fixture(scope="module")
def sessions(browser, demo_server, site):
    """Each role logs in once; its tests reuse the session cookie."""
    states = {}
    for role, username in site["users"].items():
        context = browser.new_context(base_url=demo_server.url)
        page = context.new_page()
        page.goto("/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(demo_server.url + "/admin/")
        states[role] = context.storage_state()
        context.close()
    return states


@pytest.fixture(params=[(r, v) for r in ("coordinator", "editor") for v in VIEWPORTS])
def page(request, browser, demo_server, sessions):
    """A logged-in page of the role at the width, and the width."""
    role, width = request.param
    context = browser.new_context(
        base_url=demo_server.url, storage_state=sessions[role], **VIEWPORTS[width]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page, int(width)
    context.close()


def page_overflow(page):
    """How many pixels the page is wider than the window (0: none). Measured against the
    layout viewport: a mobile browser zooms out to show a page wider than the screen, so
    ``window.innerWidth`` grows with the page and would hide the overflow."""
    return page.evaluate(
        "Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth)"
    )


# The header of the column labelled so (as users read it), its box, and the nearest box that
# scrolls it sideways, if any.
COLUMN_BOXES = """(label) => {
  const th = [...document.querySelectorAll('#result_list thead th')].find(
    (th) => th.textContent.trim().toLowerCase() === label);
  if (!th) return null;
  th.id = th.id || `column-${label.replace(/ /g, '-')}`;
  let box = th.parentElement;
  const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  while (box && box !== document.body && !scrolls(box)) {
    box = box.parentElement;
  }
  const rect = (el) => {
    const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right};
  };
  return {
    column: rect(th),
    box: box && box !== document.body ? rect(box) : null,
    scrolls: box && box !== document.body ? box.scrollWidth > box.clientWidth : false,
  };
}"""


def test_offer_list_shows_status_confirmation_and_a_notice_one_can_click(page):
    page, width = page
    page.goto("/admin/offers/offer/")

    assert page_overflow(page) == 0
    for name in ("status", "zuletzt bestätigt"):
        boxes = page.evaluate(COLUMN_BOXES, name)
        assert boxes, f"no column {name}"
        box = boxes["box"] or {"left": 0, "right": width}
        # The scroll box, if any, lies inside the window.
        assert box["left"] >= 0 and box["right"] <= width
        if width >= 1280:
            # At a laptop's width the column is on screen without scrolling anything.
            assert box["left"] <= boxes["column"]["left"], name
            assert boxes["column"]["right"] <= box["right"], (name, boxes)
        else:
            # On a phone it is a swipe away inside the list's own scroll box.
            assert boxes["scrolls"] or boxes["column"]["right"] <= box["right"], (name, boxes)
            page.locator(f"#column-{name.replace(' ', '-')}").scroll_into_view_if_needed()
            moved = page.evaluate(COLUMN_BOXES, name)
            assert moved["box"]["left"] - 1 <= moved["column"]["left"], (name, moved)
            assert moved["column"]["right"] <= moved["box"]["right"] + 1, (name, moved)
            assert page_overflow(page) == 0

    # The notice of offers waiting for confirmation: its link is on top where it is drawn.
    link = page.locator(".messagelist a[href='?confirmation=stale']")
    link.scroll_into_view_if_needed()

    hit = link.evaluate(
        """(a) => {
          const r = a.getBoundingClientRect();
          const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          return hit === a || a.contains(hit);
        }"""
    )
    assert hit, "something lies over the link's centre"
    link.click()
    page.wait_for_url("**/admin/offers/offer/?confirmation=stale")
    assert page.locator("#result_list tbody tr").count() >= 1


def test_offer_and_provider_forms_fit_the_window(page, site):
    page, width = page
    for path in (site["offer"], site["provider"]):
        page.goto(path)
        assert page.locator("#content form").count() == 1, path
        assert page_overflow(page) == 0, path
    # The contact persons' table keeps inside the window (it scrolls in its own box if need be).
    inline = page.locator(".inline-group .tabular").first.bounding_box()
    assert inline["x"] >= 0 and inline["x"] + inline["width"] <= width
    # So does the spreadsheet format page, which providers read as well.
    page.goto("/admin/offers/offer/import/format/")
    assert page.locator("#import-columns").count() == 1
    assert page_overflow(page) == 0


def test_the_history_page_fits_the_window(page, site):
    page, width = page
    page.goto(site["history"])
    assert page.locator("#change-history tbody tr").count() >= 3
    assert page_overflow(page) == 0, "the history is wider than the window"
    # The changes, the last column, are on screen or a swipe away inside the window.
    changes = page.locator("#change-history tbody tr").first.locator("td").last
    changes.scroll_into_view_if_needed()
    cell = changes.bounding_box()
    assert cell["x"] >= -1 and cell["x"] + cell["width"] <= width + 1, cell
    # Wide enough to read: not one word a line.
    assert cell["width"] >= 180, cell
    assert page_overflow(page) == 0


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page):
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in result["violations"]
    ]


def open_autocomplete(page, select_id, term):
    """Opens the select2 box of ``select_id``, types ``term`` and waits for its options."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    search = page.locator(".select2-container--open .select2-search__field").first
    search.fill(term)
    page.locator(".select2-results__option--highlighted").first.wait_for()


def test_offer_list_and_form_pass_axe_as_a_coordinator(browser, demo_server, sessions, site):
    require_file(AXE_JS, "run `make a11y-tools`")
    context = browser.new_context(
        base_url=demo_server.url,
        storage_state=sessions["coordinator"],
        bypass_csp=True,  # lets axe-core be injected
        **DESKTOP,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/admin/offers/offer/")
        assert axe_violations(page) == []
        # Each filter's box is named by its label, as a screen reader announces it.
        for param in ("region", "provider"):
            label = page.locator(f"label[for=filter-{param}]").inner_text()
            assert page.get_by_role("combobox", name=label).count() == 1, label
        open_autocomplete(page, "filter-region", "Trier")
        assert axe_violations(page) == [], "with the region filter open"
        page.keyboard.press("Escape")

        page.goto(site["offer"])
        assert axe_violations(page) == []
        label = page.locator("label[for=id_sectors]").inner_text()
        assert page.get_by_role("combobox", name=label).count() == 1, label
        page.locator("#id_sectors + .select2 .select2-search__field").fill("Inform")
        page.locator(".select2-results__option--highlighted").first.wait_for()
        assert axe_violations(page) == [], "with the sectors' list open"
    finally:
        context.close()


def committed(django_db_blocker, write):
    """``write()`` on a database connection of its own, committed at once: the demo server's
    thread does not see what the test's own transaction holds (and SQLite would lock it out)."""

    def run():
        with django_db_blocker.unblock():
            try:
                write()
            finally:
                connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()


def test_the_import_progress_page_updates_itself_and_then_shows_the_report(
    browser, demo_server, sessions, django_db_blocker
):
    """The page of a running import takes each new progress in place and shows the report
    once the import has ended, without a timed refresh of the whole page."""
    jobs = []
    committed(
        django_db_blocker,
        lambda: jobs.append(
            ImportJob.objects.create(file_name="angebote.csv", state=ImportJob.State.RUNNING)
        ),
    )
    (job,) = jobs
    set_progress(job.pk, 40)
    context = browser.new_context(
        base_url=demo_server.url, storage_state=sessions["coordinator"], **DESKTOP
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"/admin/offers/offer/import/{job.pk}/")
    assert page.locator("#import-progress").get_attribute("value") == "40"
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    page.evaluate("window.stayedOnThePage = true")

    set_progress(job.pk, 70)
    page.wait_for_selector("#import-progress[value='70']")
    assert page.evaluate("window.stayedOnThePage") is True  # updated in place, not reloaded

    report = {"source_format": "csv", "rows": [], "written": True}
    committed(
        django_db_blocker,
        lambda: ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.DONE, report=report
        ),
    )
    page.wait_for_selector("text=Import abgeschlossen")
    assert page.locator("#import-progress").get_attribute("value") == "100"
    context.close()
