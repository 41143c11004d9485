"""Offer and provider pages: what a teacher needs to decide and to call, only published offers."""

import datetime
import re

import pytest

from offers.models import ContactPerson, Offer, OfferType, SchoolForm
from tests.factories import make_offer, make_provider


@pytest.fixture
def it_haus(taxonomy):
    provider = make_provider(
        taxonomy,
        name="IT Haus GmbH",
        slug="it-haus-gmbh",
        street="Europa-Allee 26-28",
        postal_code="54343",
        city="Föhren",
        phone="06502 - 9208101",
        email="info@example.org",
        website="https://www.example.org/",
    )
    ContactPerson.objects.create(
        provider=provider, name="Dr. Tina Beispiel", role="Ausbildung", email="tb@example.org"
    )
    ContactPerson.objects.create(provider=provider, name="Dana Muster", phone="06502 1234")
    return provider


@pytest.fixture
def praktikum(taxonomy, it_haus):
    rs = SchoolForm.objects.create(name="Realschule plus", slug="realschule-plus", short_name="RS+")
    offer = make_offer(
        taxonomy,
        provider=it_haus,
        title="Schulpraktikum",
        summary="In den technischen und kaufmännischen Abteilungen.",
        description="Ein Praktikum über mehrere Wochen.",
        grade_min=9,
        grade_max=13,
        participants_note="nach Absprache",
        duration_text="2 - 20 Wochen",
        venue=Offer.Venue.PROVIDER,
        place="Föhren",
        year_round=False,
        start_date=datetime.date(2026, 10, 12),
        end_date=datetime.date(2026, 10, 23),
        dates_note="in den Herbstferien",
        cost="15 Euro",
    )
    offer.school_forms.set([taxonomy["gym"], rs])
    return offer


def test_offer_page_shows_what_a_teacher_needs_to_decide_and_call(client, taxonomy, praktikum):
    make_offer(taxonomy, provider=praktikum.provider, title="Betriebsbesichtigung")
    make_offer(taxonomy, provider=praktikum.provider, title="Geheimer Entwurf", status="draft")

    html = client.get(f"/angebot/{praktikum.pk}/").content.decode()

    assert html.count("<h1") == 1
    for expected in (
        "Schulpraktikum",
        "Praktikum",  # type
        "Ein Praktikum über mehrere Wochen.",
        "9–13",
        "Gymnasium, Realschule plus",
        "nach Absprache",
        "2 - 20 Wochen",
        "Föhren",
        "Stadt Trier",  # served region
        "in den Herbstferien",
        "15 Euro",
        "Dr. Tina Beispiel",
        "Dana Muster",
        'href="tel:065021234"',
        'href="tel:065029208101"',
        # E-mail addresses only on request (tests/test_email_harvesting.py).
        'action="/anbieter/it-haus-gmbh/e-mail/"',
        'href="https://www.example.org/"',
        "Europa-Allee 26-28",
        "54343 Föhren",
        "Betriebsbesichtigung",  # the provider's other offer
    ):
        assert expected in html, expected
    assert "Geheimer Entwurf" not in html


def test_offer_page_names_only_the_offers_own_contact_when_it_has_one(client, praktikum):
    praktikum.contact = praktikum.provider.contacts.get(name="Dana Muster")
    praktikum.save()
    html = client.get(f"/angebot/{praktikum.pk}/").content.decode()
    assert "Dana Muster" in html
    assert "Dr. Tina Beispiel" not in html


@pytest.mark.parametrize("status", ["draft", "review", "archived"])
def test_unpublished_offers_are_not_found(client, praktikum, status):
    Offer.objects.filter(pk=praktikum.pk).update(status=status)
    assert client.get(f"/angebot/{praktikum.pk}/").status_code == 404


def test_provider_page_shows_contacts_and_the_table_of_published_offers(
    client, taxonomy, it_haus, praktikum
):
    make_offer(
        taxonomy,
        provider=it_haus,
        title="Betriebsbesichtigung",
        participants_max=30,
        grade_min=5,
        all_school_forms=True,
        duration_text="2-4 Stunden",
    )
    make_offer(taxonomy, provider=it_haus, title="Altes Angebot", status="archived")

    html = client.get("/anbieter/it-haus-gmbh/").content.decode()

    assert html.count("<h1") == 1
    for expected in (
        "Dr. Tina Beispiel",
        "Dana Muster",
        "Europa-Allee 26-28",
        'href="tel:065029208101"',
        # E-mail addresses only on request (tests/test_email_harvesting.py).
        'action="/kontakt/',
        'action="/anbieter/it-haus-gmbh/e-mail/"',
        'href="https://www.example.org/"',
    ):
        assert expected in html, expected
    headers = re.findall(r'<th scope="col">([^<]+)</th>', html)
    assert len(headers) == 6
    rows = re.findall(r"<tr>\s*<td.*?</tr>", html, re.S)
    assert len(rows) == 2
    assert "Betriebsbesichtigung" in html and "max. 30" in html and "5–13" in html
    assert "Gym., RS+" in html
    assert "Altes Angebot" not in html


def test_provider_without_published_offers_is_not_found(client, taxonomy, it_haus):
    make_offer(taxonomy, provider=it_haus, status="draft")
    assert client.get("/anbieter/it-haus-gmbh/").status_code == 404
    assert client.get("/anbieter/unbekannt/").status_code == 404


def test_offer_and_provider_pages_run_a_fixed_number_of_queries(
    client, taxonomy, praktikum, django_assert_num_queries
):
    make_offer(taxonomy, provider=praktikum.provider)
    # Nothing cached; then another address of the page, which the page cache keys apart (the
    # provider's counts per offer type cached) or, for the offer page, which does not read
    # ``page``, renders without the page cache and its lookup of the catalogue version. The
    # provider page's breadcrumbs ask for its main field (one query); the offer page reads the
    # offer with its provider and contact person (one query), its dated sessions (bookings,
    # one query; none when the worker's index knows it has none) and its four kinds of links
    # in one query, with the taxonomy objects of the catalogue version (read once per version:
    # six queries after a write here, where no index is kept; none when the worker's index is
    # current).
    pages = {f"/angebot/{praktikum.pk}/": (12, 6), "/anbieter/it-haus-gmbh/": (7, 6)}

    def assert_queries():
        for url, (fresh, counted) in pages.items():
            with django_assert_num_queries(fresh):
                client.get(url)
            with django_assert_num_queries(counted):
                client.get(f"{url}?page=1")

    assert_queries()
    for n in range(20):
        offer = make_offer(taxonomy, provider=praktikum.provider, title=f"Mehr {n}")
        offer.school_forms.set([taxonomy["gym"]])
        offer.regions.add(taxonomy["vulkaneifel"])
    assert_queries()


def test_provider_page_pages_through_a_long_offer_table(client, taxonomy, praktikum, monkeypatch):
    monkeypatch.setattr("offers.views.pages.PROVIDER_OFFERS_PER_PAGE", 3)
    for n in range(5):
        make_offer(taxonomy, provider=praktikum.provider, title=f"Weiteres Angebot {n}")

    first = client.get("/anbieter/it-haus-gmbh/")
    last = client.get("/anbieter/it-haus-gmbh/?page=2")
    beyond = client.get("/anbieter/it-haus-gmbh/?page=abc")

    assert "6 Angebote" in first.content.decode()
    assert len(first.context["page_obj"]) == 3
    assert len(last.context["page_obj"]) == 3
    shown = {o.pk for o in first.context["page_obj"]} | {o.pk for o in last.context["page_obj"]}
    assert len(shown) == 6
    assert 'href="?page=2"' in first.content.decode()
    assert beyond.status_code == 200
    assert beyond.context["page_obj"].number == 1


def test_provider_table_pages_run_through_offer_types_in_order(
    client, taxonomy, praktikum, monkeypatch
):
    """Pages that start inside one offer type and end in the next list the same offers in the
    same order as one long table would; a draft of the provider is on no page."""
    monkeypatch.setattr("offers.views.pages.PROVIDER_OFFERS_PER_PAGE", 3)
    provider = praktikum.provider
    taxonomy["praktikum"].position = 1
    taxonomy["praktikum"].save()
    first_type = OfferType.objects.create(name="Workshop", slug="workshop", position=0)
    # Same position and name as "Praktikum": the type's id keeps the two apart.
    twin = OfferType.objects.create(name="Praktikum", slug="praktikum-2", position=1)
    for n, offer_type in enumerate([first_type, twin, first_type, twin, first_type, twin]):
        make_offer(taxonomy, provider=provider, offer_type=offer_type, title=f"Angebot {n}")
    make_offer(taxonomy, provider=provider, offer_type=first_type, status="draft")

    expected = [
        offer.pk
        for offer in Offer.objects.published()
        .filter(provider=provider)
        .order_by("offer_type__position", "offer_type__name", "offer_type_id", "title", "pk")
    ]
    pages = [client.get(f"/anbieter/it-haus-gmbh/?page={n}").context["page_obj"] for n in (1, 2, 3)]

    assert [offer.pk for page in pages for offer in page] == expected
    assert [len(page) for page in pages] == [3, 3, 1]
    assert pages[0].paginator.count == 7
    assert pages[0][0].offer_type == first_type


def test_pages_link_a_print_stylesheet(client, praktikum):
    html = client.get(f"/angebot/{praktikum.pk}/").content.decode()
    assert re.search(r'<link rel="stylesheet" href="[^"]*print\.css" media="print">', html)


def test_offer_page_lists_a_few_other_offers_and_links_the_provider_for_all(
    client, taxonomy, praktikum
):
    from offers.views.pages import OTHER_OFFERS_SHOWN

    provider_link = 'href="/anbieter/it-haus-gmbh/"'
    for n in range(OTHER_OFFERS_SHOWN):
        make_offer(taxonomy, provider=praktikum.provider, title=f"Weiteres {n:02}")
    html = client.get(f"/angebot/{praktikum.pk}/").content.decode()
    assert f"Weiteres {OTHER_OFFERS_SHOWN - 1:02}" in html
    assert html.count(provider_link) == 2  # breadcrumbs and contact block

    make_offer(taxonomy, provider=praktikum.provider, title=f"Weiteres {OTHER_OFFERS_SHOWN:02}")
    html = client.get(f"/angebot/{praktikum.pk}/").content.decode()
    assert f"Weiteres {OTHER_OFFERS_SHOWN:02}" not in html
    assert html.count(provider_link) == 3  # and "all offers of …"


def facts_of(html):
    """The offer page's facts list as {term: value}, tags inside a value kept, line breaks
    of the markup's layout left out."""
    facts = re.search(r'<dl class="facts facts--wide">(.*?)</dl>', html, re.S).group(1)
    return {
        term: re.sub(r"\s*\n\s*", "", value)
        for term, value in re.findall(r"<div><dt>(.*?)</dt><dd>(.*?)</dd></div>", facts, re.S)
    }


def test_offer_page_facts_say_what_the_provider_left_open(client, taxonomy):
    offer = make_offer(taxonomy, title="Ohne Angaben", year_round=False, all_school_forms=False)

    html = client.get(offer.get_absolute_url()).content.decode()

    facts = facts_of(html)
    assert facts["Schulformen"] == "keine Angabe"
    assert facts["Teilnehmende"] == "keine Angabe"
    assert facts["Dauer"] == "keine Angabe"
    assert facts["Termine"] == "nach Absprache"
    assert facts["Kosten"] == "kostenlos"
    assert facts["Branchen / Fachrichtungen"] == "Ausbildung: IT, Computer"
    assert "MINT-Fächer" not in facts
    # Nothing to print without a summary, a description, dates or a confirmation.
    for absent in ('class="lead"', "offer__description", "kalender.ics"):
        assert absent not in html, absent
    assert "Zuletzt vom Anbieter bestätigt" not in html


def test_offer_page_facts_show_dates_subjects_and_all_school_forms(client, taxonomy, praktikum):
    praktikum.all_school_forms = True
    praktikum.code = "IT-7"
    praktikum.last_confirmed = datetime.date(2026, 3, 1)
    praktikum.save()
    praktikum.subjects.set([taxonomy["informatik"]])
    praktikum.sectors.add(taxonomy["chemie"])
    once = make_offer(
        taxonomy,
        provider=praktikum.provider,
        title="Ein Tag",
        start_date=datetime.date(2026, 11, 5),
        end_date=datetime.date(2026, 11, 5),
    )

    html = client.get(praktikum.get_absolute_url()).content.decode()

    facts = facts_of(html)
    assert facts["Schulformen"] == "alle Schulformen"
    assert facts["Termine"] == "12. Oktober 2026 – 23. Oktober 2026<br>in den Herbstferien"
    assert facts["MINT-Fächer"] == "Informatik"
    assert facts["Branchen / Fachrichtungen"] == "Studium: Chemie<br>Ausbildung: IT, Computer"
    assert '<span class="offer__code">IT-7</span>' in html
    assert f'href="/angebot/{praktikum.pk}/kalender.ics"' in html
    assert "Zuletzt vom Anbieter bestätigt am 1. März 2026." in html
    assert "<p>Ein Praktikum über mehrere Wochen.</p>" in html
    once_page = client.get(once.get_absolute_url()).content.decode()
    assert facts_of(once_page)["Termine"] == "5. November 2026"


def test_offer_and_provider_pages_escape_what_providers_write(client, taxonomy):
    provider = make_provider(
        taxonomy,
        name='Müller & <Söhne> "Labor"',
        slug="mueller",
        city="Trier & Umland",
        phone="0651 1",
        email="info@example.org",
        website="https://example.org/?a=1&b=<2>",
    )
    person = ContactPerson.objects.create(
        provider=provider, name="Anna <b>A</b> & B", role="Chefin & Co", email="a@example.org"
    )
    offer = make_offer(
        taxonomy,
        provider=provider,
        title="Labor & <Chemie>",
        summary="Kurz & <gut>",
        place="Raum <1>",
        contact=person,
    )
    make_offer(taxonomy, provider=provider, title="Noch <eins> & mehr")
    name = "Müller &amp; &lt;Söhne&gt; &quot;Labor&quot;"
    anna = "Anna &lt;b&gt;A&lt;/b&gt; &amp; B"

    offer_page = client.get(offer.get_absolute_url()).content.decode()
    provider_page = client.get(provider.get_absolute_url()).content.decode()

    for raw in ("<Söhne>", "<Chemie>", "<gut>", "<b>A</b>", "<eins>", "<1>", "<2>"):
        assert raw not in offer_page and raw not in provider_page, raw
    assert f"<title>Labor &amp; &lt;Chemie&gt; – {name} – ReTriBuS</title>" in offer_page
    for escaped in (
        f'angeboten von <a href="/anbieter/mueller/">{name}</a> (Trier &amp; Umland)',
        f'<p class="contact-block__name"><a href="/anbieter/mueller/">{name}</a></p>',
        f'<span class="contact-persons__name">{anna}</span>, Chefin &amp; Co',
        f'<span class="visually-hidden"> von {anna}</span>',
        f'<span class="visually-hidden"> von {name}</span>',
        'href="https://example.org/?a=1&amp;b=&lt;2&gt;"',
        "Raum &lt;1&gt;",
        f"Weitere Angebote von {name}",
        "Noch &lt;eins&gt; &amp; mehr</a>",
    ):
        assert escaped in offer_page, escaped
    assert f'<span class="visually-hidden"> von {name}</span>' in provider_page
    assert 'href="https://example.org/?a=1&amp;b=&lt;2&gt;"' in provider_page
