"""The request pages (bookings) in the states a teacher meets them pass axe-core (WCAG 2.1
A/AA) and the Nu HTML checker, on a phone (390 px) and a desktop (1280 px): an offer page
with dated sessions (one with places left, one fully booked), the request form sent back
with its German warnings (grade out of range, more pupils than the offer takes and than
places are left), the confirmation and cancellation pages behind the links in the mails,
before and after their button. ``tests/test_accessibility.py`` audits the pages every
visitor reaches by a plain link (the empty form, "Keine festen Termine").
"""

import json
import subprocess
import urllib.request
import uuid
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from bookings import services
from bookings.models import BookingRequest, Session
from network import spam
from offers.models import Offer, SchoolForm
from tests.browser_support import AXE_JS, DESKTOP, PHONE, VNU_JAR, require_file, require_java
from tests.factories import make_session

# django_db: the demo server needs the test database (see conftest.demo_server).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WARNINGS = "request form with warnings"
PAGES = [
    "offer page with dated sessions",
    WARNINGS,
    "confirmation page, before the button",
    "confirmation page, places held",
    "confirmation page, on the waiting list",
    "cancellation page, before the button",
    "cancellation page, cancelled",
]
WIDTHS = {390: PHONE, 1280: DESKTOP}


def _request(offer, session, **fields):
    return BookingRequest.objects.create(
        offer=offer,
        session=session,
        school_name="Max-Planck-Gymnasium",
        school_town="Trier",
        teacher_name="Anna Lehrerin",
        email="anna.lehrerin@schule.example.org",
        grade=11,
        school_form=SchoolForm.objects.get(name="Gymnasium"),
        pupils=fields.pop("pupils", 18),
        submission_key=uuid.uuid4().hex,
        **fields,
    )


@pytest.fixture(scope="module")
def paths(demo_server, django_db_blocker):
    """N 24 (grades 11–13, at most 20 pupils; "ganzjährig nach Absprache" in the demo) gets
    a date with 25 places and a fully booked one; requests in each state of the mails' links."""
    with django_db_blocker.unblock():
        offer = Offer.objects.published().get(code="N 24")
        open_date = make_session(offer, days=21, places=25, note="Treffpunkt: Foyer")
        full = make_session(offer, days=35, places=10)
        Session.objects.filter(pk=full.pk).update(places_taken=10)
        now = timezone.now()
        unconfirmed = _request(offer, open_date)
        held = _request(offer, full, pupils=10, confirmed_at=now, places="held")
        waiting = _request(offer, full, pupils=12, confirmed_at=now, places="waiting")
        cancelled = _request(offer, open_date, confirmed_at=now, status="cancelled", places="freed")

        def confirm(booking):
            return f"/anfrage/bestaetigen/{services.confirm_token(booking)}/"

        def cancel(booking):
            return f"/anfrage/stornieren/{services.cancel_token(booking)}/"

        return dict(
            zip(
                PAGES,
                [
                    offer.get_absolute_url(),
                    f"/angebot/{offer.pk}/anfrage/",
                    confirm(unconfirmed),
                    confirm(held),
                    confirm(waiting),
                    cancel(unconfirmed),
                    cancel(cancelled),
                ],
                strict=True,
            )
        )


@pytest.fixture(scope="module")
def fast_forms():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(spam, "MIN_FILL_SECONDS", 0)  # a test fills forms as fast as a robot
        yield


@pytest.fixture(scope="module")
def tabs(paths, browser, demo_server, fast_forms):
    """A page per width. bypass_csp lets axe-core be injected."""
    contexts = {
        width: browser.new_context(base_url=demo_server.url, bypass_csp=True, **viewport)
        for width, viewport in WIDTHS.items()
    }
    tabs = {}
    for width, context in contexts.items():
        tabs[width] = context.new_page()
        tabs[width].set_default_timeout(15_000)
    yield tabs
    for context in contexts.values():
        context.close()


def open_page(page, name, paths):
    """Go to the page ``name`` (the warnings: fill in a class that does not fit, send it);
    the response of the last navigation."""
    response = page.goto(paths[name])
    if name != WARNINGS:
        return response
    page.get_by_label("25 Plätze frei").check()
    page.get_by_label("Klassenstufe").fill("7")
    page.get_by_label("Schulform").select_option(label="Gymnasium")
    page.get_by_label("Zahl der Schülerinnen und Schüler").fill("30")
    page.get_by_label("Name der Schule").fill("Realschule plus Saarburg")
    page.get_by_label("Ort der Schule").fill("Saarburg")
    page.get_by_label("Ihr Name").fill("Anna Lehrerin")
    page.get_by_label("Ihre E-Mail-Adresse").fill("anna.lehrerin@schule.example.org")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Anfrage senden").click()
    return navigation.value


# What a teacher must read on each page: proves the state under audit is the one meant.
SEEN = {
    "offer page with dated sessions": ["25 Plätze frei", "ausgebucht", "Treffpunkt: Foyer"],
    WARNINGS: [
        "für die Klassenstufen 11–13 gedacht; Ihre Klasse ist in Klassenstufe 7",
        "höchstens 20 Schülerinnen und Schüler; Sie haben 30 angegeben",
        "Ihre Anfrage kommt auf die Warteliste",
    ],
    "confirmation page, before the button": ["Anfrage an den Anbieter senden"],
    "confirmation page, places held": ["Die Plätze für Ihre Klasse sind für Sie reserviert."],
    "confirmation page, on the waiting list": ["Warteliste"],
    "cancellation page, before the button": ["Anfrage zurückziehen"],
    "cancellation page, cancelled": ["Ihre Anfrage ist zurückgezogen"],
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_booking_page_has_no_axe_violations_and_fits(name, width, paths, tabs, demo_server):
    require_file(AXE_JS, "run `make a11y-tools`")
    page = tabs[width]
    requested_hosts = set()

    def note_host(request):
        requested_hosts.add(urlsplit(request.url).netloc)

    page.on("request", note_host)
    try:
        response = open_page(page, name, paths)
    finally:
        page.remove_listener("request", note_host)

    assert response.status == (400 if name == WARNINGS else 200)
    text = page.locator("main").inner_text()
    for seen in SEEN[name]:
        assert seen in text, f"{name}: {seen!r} not shown"
    assert page.locator("h1").count() == 1
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{name} scrolls sideways at {width} px ({scroll_width} px)"
    assert requested_hosts == {urlsplit(demo_server.url).netloc}

    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    violations = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in result["violations"]
    ]
    assert violations == []


@pytest.fixture(scope="module")
def vnu_messages(paths, tabs, demo_server, tmp_path_factory):
    """The Nu HTML checker's errors for every page as served, from one run of vnu.jar."""
    require_java()
    require_file(VNU_JAR, "run `make a11y-tools`")
    folder = tmp_path_factory.mktemp("vnu-bookings")
    files = {}
    for number, name in enumerate(PAGES):
        if name == WARNINGS:  # a POST with the form's tokens: sent from the browser
            html = open_page(tabs[390], name, paths).body()
        else:
            with urllib.request.urlopen(demo_server.url + paths[name], timeout=30) as response:
                html = response.read()
        files[name] = folder / f"page{number}.html"
        files[name].write_bytes(html)
    result = subprocess.run(
        ["java", "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--stdout"]
        + ["--exit-zero-always", *map(str, files.values())],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.stdout.strip(), f"vnu.jar printed nothing: {result.stderr[:500]}"
    errors = {name: [] for name in files}
    by_file = {file.name: name for name, file in files.items()}
    for message in json.loads(result.stdout)["messages"]:
        if message["type"] == "error" or message.get("subType") == "fatal":
            name = by_file[message["url"].rsplit("/", 1)[-1]]
            errors[name].append(f"line {message.get('lastLine')}: {message['message']}")
    return errors


@pytest.mark.parametrize("name", PAGES)
def test_booking_page_is_valid_html(name, vnu_messages):
    assert vnu_messages[name] == []
