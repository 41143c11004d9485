"""Small things a pupil or teacher stumbled on in the public pages (issue 14)."""

import re

import pytest
from django.urls import reverse

from network.models import Partner
from offers.models import Region, Sector
from offers.templatetags.german import SOFT_HYPHEN
from tests import factories
from tests.factories import add_search_vocabulary, make_offer


@pytest.fixture
def vocab(taxonomy):
    return add_search_vocabulary(taxonomy)


def crumbs_of(html):
    nav = html.split('class="breadcrumbs"')[1].split("</nav>")[0]
    return re.findall(r'<li><a href="([^"]+)"[^>]*>([^<]+)</a></li>', nav)


def text(response):
    return re.sub(r"\s+", " ", response.content.decode().replace(SOFT_HYPHEN, ""))


def test_the_studium_step_asks_for_a_field_of_study_not_a_sector(client, taxonomy):
    make_offer(taxonomy, sectors=[taxonomy["chemie"]])
    make_offer(taxonomy, sectors=[taxonomy["it"]])

    studium = text(client.get(reverse("offers:walk_track", args=["studium"])))
    ausbildung = text(client.get(reverse("offers:walk_track", args=["ausbildung"])))

    assert "<h1>Studium: Welches Studienfeld interessiert Sie?</h1>" in studium
    assert "Branche" not in studium.split("<h1>")[1].split("</h1>")[0]
    assert "<h1>Ausbildung: Welches Berufsfeld interessiert Sie?</h1>" in ausbildung


def test_the_home_page_has_a_labelled_search_box_that_goes_to_the_search(client, taxonomy):
    make_offer(taxonomy)
    html = text(client.get(reverse("offers:home")))

    form = re.search(r'<form class="home-search" method="get" action="([^"]+)"', html)
    assert form and form.group(1) == reverse("offers:search")
    assert '<label for="home-q">Alle Angebote durchsuchen</label>' in html
    assert '<input type="search" id="home-q" name="q"' in html


def test_an_empty_search_suggests_what_fits_what_was_asked(client, vocab):
    make_offer(vocab, title="Roboter bauen", offer_type=vocab["praktikum"])
    search = reverse("offers:search")

    no_words = text(client.get(search, {"type": "workshop"}))
    words = text(client.get(search, {"q": "Xylophon"}))

    assert "0 Angebote" in no_words
    assert "Suchbegriffe" not in no_words.split('class="empty-state"')[1]
    assert "Weniger Filter finden mehr" in no_words
    assert "Weniger oder kürzere Suchbegriffe finden mehr" in words


def test_offer_and_provider_pages_carry_the_walk_trail(client, vocab):
    mint = Sector.objects.get(slug="mathematik-naturwissenschaften")
    offer = make_offer(
        vocab, title="Laborpraktikum", sectors=[vocab["chemie"]], regions=[vocab["trier"]]
    )
    make_offer(vocab, title="Ohne Ort", provider=offer.provider, sectors=[vocab["chemie"]])

    offer_html = text(client.get(offer.get_absolute_url()))
    crumbs = crumbs_of(offer_html)
    assert crumbs == [
        ("/", "Startseite"),
        ("/angebote/studium/", "Studium"),
        (f"/angebote/studium/{mint.slug}/", mint.name),
        ("/angebote/studium/chemie/", "Chemie"),
        ("/angebote/studium/chemie/stadt-trier/", "Stadt Trier"),
        (offer.get_absolute_url(), "Laborpraktikum"),
    ]
    assert f'angeboten von <a href="{offer.provider.get_absolute_url()}">' in offer_html

    provider_html = text(client.get(offer.provider.get_absolute_url()))
    crumbs = crumbs_of(provider_html)
    assert [label for _url, label in crumbs] == [
        "Startseite",
        "Studium",
        mint.name,
        "Chemie",
        "Alle Regionen",
        offer.provider.name,
    ]
    # Every crumb leads to a page that exists.
    for url, _label in crumbs:
        assert client.get(url).status_code == 200, url


def test_the_partner_directory_offers_no_filter_that_shows_nobody(client, taxonomy):
    empty = Region.objects.create(name="Rheinland-Pfalz", slug="rheinland-pfalz", level="state")
    factories.make_partner(taxonomy, kind=Partner.Kind.COMPANY)

    html = text(client.get(reverse("network:directory")))
    assert "Rheinland-Pfalz" not in html
    assert "(0)" not in html
    assert "Stadt Trier (1)" in html

    # A chosen filter stays in its list, even when it shows nobody.
    chosen = text(client.get(reverse("network:directory"), {"region": empty.slug}))
    assert re.search(r'<option value="rheinland-pfalz" selected>Rheinland-Pfalz \(0\)', chosen)


def test_every_offer_card_shows_the_same_facts_in_the_same_order(client, vocab):
    make_offer(
        vocab, title="Mit allem", duration_text="2 Stunden", participants_max=20, place="Trier"
    )
    make_offer(vocab, title="Ohne Angaben", duration_text="", participants_max=None)

    html = text(client.get(reverse("offers:search"), {"sort": "title"}))
    cards = re.findall(r'<article class="offer-card">.*?</article>', html)
    assert len(cards) == 2
    terms = [re.findall(r"<dt>([^<]+)</dt>", card) for card in cards]
    assert terms[0] == terms[1]
    assert terms[0][:6] == [
        "Angebotsform",
        "Klassenstufen",
        "Schulformen",
        "Teilnehmende",
        "Dauer",
        "Ort der Veranstaltung",
    ]
    assert '<dl class="facts offer-card__facts">' in cards[1]
    assert "<dd>keine Angabe</dd>" in cards[1]
