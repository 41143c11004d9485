"""Every public page passes axe-core (WCAG 2.1 A/AA) and the Nu HTML checker without errors.

The pages are served by the live server with the demo data and audited as a phone shows them
(390 px): axe-core injected into Debian's Chromium through Playwright, plus one h1, no
horizontal scrolling and nothing loaded from another host; the HTML as served goes through
vnu.jar in one run. To audit another page, add it to ``PUBLIC_PAGES``.
"""

import json
import subprocess
import urllib.request
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from network.models import Partner
from offers.models import Offer, Provider
from tests.browser_support import (
    AXE_JS,
    PHONE,
    VNU_JAR,
    require_file,
    require_java,
)

# django_db: the demo server needs the test database (see conftest.demo_server).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _offer_page():
    return Offer.objects.published().get(code="N 23").get_absolute_url()


def _provider_page():
    return Provider.objects.get(name="IT Haus GmbH").get_absolute_url()


def _partner_page():
    # A partner that is also a provider, so its live offers are on the page.
    return Partner.objects.public().get(slug="universitaet-trier").get_absolute_url()


def _contact_email_page():
    # Without the button pressed: the page a link or the language switch leads to.
    contact = Provider.objects.get(name="IT Haus GmbH").contacts.exclude(email="").first()
    return reverse("offers:contact_email", kwargs={"pk": contact.pk})


def _certificate_page():
    return reverse("network:certificate", kwargs={"slug": "universitaet-trier"})


# Name → path, or a function returning the path (called with database access, before the
# browser starts). Add pages here; the demo data is loaded.
PUBLIC_PAGES = {
    "home": "/",
    "walk: fields of Ausbildung": "/angebote/ausbildung/",
    "walk: fields of study": "/angebote/studium/",
    "walk: regions": "/angebote/ausbildung/it-computer/",
    "walk: offers in a district": "/angebote/ausbildung/it-computer/landkreis-trier-saarburg/",
    "walk: offers in all regions": "/angebote/studium/chemie/alle-regionen/",
    "offer page": _offer_page,
    "provider page": _provider_page,
    "contact e-mail page": _contact_email_page,
    "network page": "/netzwerk/",
    "partner directory": "/netzwerk/partner/",
    "partner page": _partner_page,
    "support declaration form": "/netzwerk/unterstuetzen/",
    "request form (bookings)": lambda: _offer_page() + "anfrage/",
    "request sent (bookings)": lambda: _offer_page() + "anfrage/gesendet/",
    "request link not valid (bookings)": "/anfrage/bestaetigen/kein-gueltiger-link/",
    "ambassador certificate": _certificate_page,
    "search with filters": (
        "/suche/?track=ausbildung&sector=it-computer&region=landkreis-trier-saarburg"
    ),
    "search, nothing found": "/suche/?track=ausbildung&sector=it-computer&q=xyzzy",
    "open data page": "/daten/",
    "widget builder with a snippet": "/einbetten/erstellen/?region=stadt-trier&grade=9",
    "widget for school websites": "/einbetten/?region=stadt-trier&grade=9",
}


@pytest.fixture(scope="module")
def paths(demo_server, django_db_blocker):
    with django_db_blocker.unblock():
        return {name: path() if callable(path) else path for name, path in PUBLIC_PAGES.items()}


@pytest.fixture(scope="module")
def phone(paths, browser, demo_server):
    # bypass_csp lets axe-core be injected; the walk tests run with the CSP in force.
    context = browser.new_context(base_url=demo_server.url, bypass_csp=True, **PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="module")
def vnu_messages(paths, demo_server, tmp_path_factory):
    """The Nu HTML checker's errors for every page, from one run of vnu.jar over all of them."""
    require_java()
    require_file(VNU_JAR, "run `make a11y-tools`")
    folder = tmp_path_factory.mktemp("vnu")
    files = {}
    for number, (name, path) in enumerate(paths.items()):
        with urllib.request.urlopen(demo_server.url + path, timeout=30) as response:
            html = response.read()
        files[name] = folder / f"page{number}.html"
        files[name].write_bytes(html)
    result = subprocess.run(
        # vnu's advice -Xss512k overflows on Java 17 with empty output; 4m is enough.
        ["java", "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--stdout"]
        + ["--exit-zero-always", *map(str, files.values())],
        capture_output=True,
        text=True,
        timeout=300,
    )
    # An empty report would read as "no errors": fail loudly instead.
    assert result.stdout.strip(), f"vnu.jar printed nothing: {result.stderr[:500]}"
    report = json.loads(result.stdout)
    errors = {name: [] for name in files}
    # vnu names files as "file:/tmp/…/page0.html".
    by_file = {file.name: name for name, file in files.items()}
    for message in report["messages"]:
        if message["type"] == "error" or message.get("subType") == "fatal":
            name = by_file[message["url"].rsplit("/", 1)[-1]]
            errors[name].append(f"line {message.get('lastLine')}: {message['message']}")
    return errors


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_page_has_no_axe_violations_and_fits_a_phone(name, paths, phone, demo_server):
    require_file(AXE_JS, "run `make a11y-tools`")
    requested_hosts = set()

    def note_host(request):
        requested_hosts.add(urlsplit(request.url).netloc)

    phone.on("request", note_host)
    try:
        response = phone.goto(paths[name])
    finally:
        phone.remove_listener("request", note_host)

    assert response.status == 200
    assert phone.locator("h1").count() == 1
    scroll_width = phone.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390, f"{name} scrolls sideways at 390 px ({scroll_width} px wide)"
    assert requested_hosts == {urlsplit(demo_server.url).netloc}

    phone.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = phone.evaluate(
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


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_page_is_valid_html(name, vnu_messages):
    assert vnu_messages[name] == []


def test_keyboard_skips_to_the_walk_and_shows_where_the_focus_is(paths, phone, demo_server):
    def focused(expression):
        return phone.evaluate(
            f"(() => {{ const e = document.activeElement; return {expression}; }})()"
        )

    phone.goto("/")
    phone.keyboard.press("Tab")
    assert focused("e.className") == "skip-link"
    assert focused("getComputedStyle(e).outlineStyle") != "none"
    phone.keyboard.press("Enter")
    assert focused("e.id") == "main"

    # The home page's search box comes first, then the walk's choices.
    phone.keyboard.press("Tab")
    assert focused("e.id") == "home-q"
    phone.keyboard.press("Tab")
    assert focused("e.closest('.home-search') !== null")
    phone.keyboard.press("Tab")
    assert focused("e.closest('.choices') !== null")
    assert focused("getComputedStyle(e).outlineStyle") != "none"
    phone.keyboard.press("Enter")
    phone.wait_for_url(demo_server.url + "/angebote/*/")
