"""Open data outside the API: JSON-LD, feeds, sitemap, robots.txt, downloads, the widget."""

import csv
import datetime
import io
import json
import re
import xml.etree.ElementTree as ET

import icalendar
import pytest

from offers.models import ContactPerson, Offer
from tests.factories import make_offer, make_provider

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


pytestmark = pytest.mark.usefixtures("fresh_index")


@pytest.fixture
def offers(taxonomy):
    provider = make_provider(
        taxonomy,
        name="IT Haus GmbH",
        slug="it-haus",
        email="info@it-haus.example.org",
        street="Hauptstraße 1",
        postal_code="54290",
        city="Trier",
    )
    ContactPerson.objects.create(
        provider=provider,
        name="Max Privat",
        email="max@example.org",
        phone="0651 222",
        show_phone=False,
    )
    dated = make_offer(
        taxonomy,
        provider=provider,
        title="Ferienkurs </script><b>Robotik</b>",
        start_date=datetime.date(2099, 7, 1),
        end_date=datetime.date(2099, 7, 3),
        cost="5 €",
        grade_min=8,
        grade_max=10,
    )
    plain = make_offer(taxonomy, provider=provider, title="Praktikum Informatik", grade_min=9)
    hidden = {
        status: make_offer(taxonomy, provider=provider, title=f"Verborgen {status}", status=status)
        for status in (Offer.Status.DRAFT, Offer.Status.ARCHIVED)
    }
    return {"dated": dated, "plain": plain, "hidden": hidden, "provider": provider}


def test_every_offer_page_has_parseable_json_ld_with_the_required_properties(client, offers):
    for offer in Offer.objects.published():
        html = client.get(offer.get_absolute_url()).content.decode()
        (block,) = JSON_LD.findall(html)
        assert "</" not in block  # a title cannot close the element
        data = json.loads(block)
        assert data["@context"] == "https://schema.org"
        assert data["name"] == offer.title
        assert data["url"].endswith(offer.get_absolute_url())
        assert data["audience"]["@type"] == "EducationalAudience"
        assert offer.grades_label in data["audience"]["educationalLevel"]
        assert data["offers"]["@type"] == "Offer"
        if offer.start_date:
            assert data["@type"] == "EducationEvent"
            assert data["startDate"] == offer.start_date.isoformat()
            assert data["organizer"] == {**data["organizer"], "@type": "Organization"}
            assert data["location"]["@type"] in {"Place", "VirtualLocation"}
        else:
            assert data["@type"] == "Course"
            assert data["provider"]["@type"] == "Organization"
        assert EMAIL.findall(block) == []
        assert f'<link rel="canonical" href="http://testserver{offer.get_absolute_url()}">' in html
        assert '<meta property="og:title"' in html and '<meta property="og:site_name"' in html
    dated = json.loads(
        JSON_LD.findall(client.get(offers["dated"].get_absolute_url()).content.decode())[0]
    )
    assert dated["offers"]["description"] == "5 €"
    plain = json.loads(
        JSON_LD.findall(client.get(offers["plain"].get_absolute_url()).content.decode())[0]
    )
    assert plain["offers"]["price"] == 0


def test_the_provider_page_describes_the_organisation(client, offers):
    html = client.get(offers["provider"].get_absolute_url()).content.decode()
    (block,) = JSON_LD.findall(html)
    data = json.loads(block)

    assert data["@type"] == "Organization"
    assert data["name"] == "IT Haus GmbH"
    assert data["address"]["postalCode"] == "54290"
    assert EMAIL.findall(block) == []


def atom(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{name}").text, name
    entries = feed.findall(f"{ATOM}entry")
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{name}").text, name
        assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/angebot/")
    return feed, [entry.find(f"{ATOM}title").text for entry in entries]


def test_feeds_are_atom_and_hold_published_offers_only(client, offers, taxonomy):
    _feed, titles = atom(client, "/feeds/angebote.atom")
    assert set(titles) == {offers["dated"].title, offers["plain"].title}
    _feed, titles = atom(client, "/feeds/angebote.atom?grade=9")
    assert set(titles) == {offers["dated"].title, offers["plain"].title}
    _feed, titles = atom(client, "/feeds/angebote.atom?grade=7")
    assert titles == []
    feed, titles = atom(client, f"/feeds/region/{taxonomy['trier'].slug}.atom")
    assert len(titles) == 2 and "Stadt Trier" in feed.find(f"{ATOM}title").text
    _feed, titles = atom(client, f"/feeds/bereich/{taxonomy['chemie'].slug}.atom")
    assert titles == []
    assert client.get("/feeds/region/atlantis.atom").status_code == 404
    assert client.get("/feeds/angebote.atom?grade=neun").status_code == 400


def test_the_calendar_lists_dated_offers(client, offers):
    response = client.get("/feeds/termine.ics")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))

    assert response["Content-Type"].startswith("text/calendar")
    assert [str(e["summary"]) for e in events] == [offers["dated"].title]
    assert events[0].decoded("dtstart") == datetime.date(2099, 7, 1)


def test_the_sitemap_lists_public_pages_and_no_hidden_offer(client, offers):
    index = ET.fromstring(client.get("/sitemap.xml").content)
    sections = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    addresses = set()
    for section in sections:
        response = client.get(section.replace("http://testserver", ""))
        assert response.status_code == 200, section
        addresses |= {loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc")}
    paths = {address.replace("http://testserver", "") for address in addresses}

    assert {
        "/",
        "/suche/",
        "/daten/",
        "/impressum/",
        offers["provider"].get_absolute_url(),
    } <= paths
    assert {offers["dated"].get_absolute_url(), offers["plain"].get_absolute_url()} <= paths
    for offer in offers["hidden"].values():
        assert offer.get_absolute_url() not in paths
    assert "/angebote/ausbildung/" in paths
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in robots and "Sitemap: http://testserver/sitemap.xml" in robots
    rules = robots.splitlines()
    disallowed = [line.split(": ")[1] for line in rules if line.startswith("Disallow")]
    assert not [path for path in paths for prefix in disallowed if path.startswith(prefix)]


def test_downloads_hold_the_search_results_and_nothing_private(client, offers, settings):
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/suche/export.csv").getvalue().decode().lstrip("\ufeff"))
        )
    )
    assert {row["title"] for row in rows} == {offers["dated"].title, offers["plain"].title}
    data = json.loads(client.get("/suche/export.json?grade=10").getvalue())
    assert data["license"] == settings.OPEN_DATA_LICENSE["name"]
    assert [offer["id"] for offer in data["results"]] == [offers["dated"].pk, offers["plain"].pk]
    for url in ("/suche/export.csv", "/suche/export.json"):
        text = client.get(url).getvalue().decode()
        assert EMAIL.findall(text) == [] and "0651 222" not in text and "Verborgen" not in text
    settings.OPEN_DATA_DOWNLOAD_MAX = 1
    assert len(json.loads(client.get("/suche/export.json").getvalue())["results"]) == 1
    assert client.get("/suche/export.csv?grade=abc").status_code == 400


def test_the_search_page_links_its_downloads_and_feed(client, offers):
    html = client.get("/suche/?grade=9").content.decode()

    for link in (
        "/suche/export.csv?grade=9",
        "/suche/export.json?grade=9",
        "/feeds/angebote.atom?grade=9",
    ):
        assert f'href="{link}"' in html


@pytest.mark.parametrize("visit", ["rendered", "from the page cache"])
def test_the_widget_may_be_framed_anywhere_and_sets_no_cookie(client, offers, visit):
    response = client.get("/einbetten/?grade=9&n=1", secure=True)
    if visit == "from the page cache":
        response = client.get("/einbetten/?grade=9&n=1", secure=True)
    html = response.content.decode()

    assert response.status_code == 200
    assert not response.cookies and "Set-Cookie" not in response
    assert "X-Frame-Options" not in response
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors *" in policy
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    links = re.findall(r"<a [^>]*>", html)
    assert links and all('target="_blank"' in a and 'rel="noopener"' in a for a in links)
    assert html.count('class="widget__item"') == 1
    # Every other page still refuses to be framed.
    other = client.get("/daten/", secure=True)
    assert (
        other["X-Frame-Options"] == "DENY"
        and "frame-ancestors 'none'" in other["Content-Security-Policy"]
    )


def test_the_widget_builder_shows_the_snippet_and_a_preview(client, offers, taxonomy):
    html = client.get("/einbetten/erstellen/").content.decode()
    assert "<iframe" not in html and 'method="get"' in html

    response = client.get(
        "/einbetten/erstellen/", {"region": "stadt-trier", "grade": "9", "n": "3"}
    )
    html = response.content.decode()
    src = "http://testserver/einbetten/?region=stadt-trier&amp;grade=9&amp;n=3"
    assert f"&lt;iframe src=&quot;{src}" in html or f'&lt;iframe src="{src}' in html
    assert f'<iframe class="builder__preview" src="{src}"' in html
    assert "frame-src 'self'" in response["Content-Security-Policy"]


def test_the_data_page_names_the_licence_and_is_linked_from_the_footer(client, db, settings):
    settings.OPEN_DATA_LICENSE = {
        "name": "CC0 1.0",
        "url": "https://creativecommons.org/publicdomain/zero/1.0/",
    }
    html = client.get("/daten/").content.decode()

    assert "CC0 1.0" in html and 'href="https://creativecommons.org/publicdomain/zero/1.0/"' in html
    assert "HSDS" in html and "schema.org" in html
    assert 'href="/daten/"' in client.get("/").content.decode()
