"""The guided walk: counts that match the next step, no dead ends, readable URLs, few queries."""

import re

import pytest

from offers.models import Offer, Region, Sector
from offers.views.pages import OFFERS_PER_PAGE
from tests.factories import make_offer, make_provider


@pytest.fixture
def world(taxonomy):
    """Two districts of one state, a broad field of study with finer fields, and offers in
    every status, some linked to several sectors or regions so that double counting shows."""
    t = taxonomy
    rlp = Region.objects.create(name="Rheinland-Pfalz", slug="rheinland-pfalz", level="state")
    Region.objects.filter(pk__in=[t["trier"].pk, t["vulkaneifel"].pk]).update(parent=rlp)
    t["trier"].refresh_from_db()
    t["vulkaneifel"].refresh_from_db()
    saarburg = Region.objects.create(
        name="Landkreis Trier-Saarburg", slug="landkreis-trier-saarburg", parent=rlp
    )
    elektro = Sector.objects.create(name="Elektro", slug="elektro", track=t["ausbildung"])
    mathnat = Sector.objects.create(
        name="Mathematik, Naturwissenschaften",
        slug="mathematik-naturwissenschaften",
        track=t["studium"],
    )
    Sector.objects.filter(pk=t["chemie"].pk).update(parent=mathnat)
    physik = Sector.objects.create(name="Physik", slug="physik", track=t["studium"], parent=mathnat)
    it_haus = make_provider(t, name="IT Haus GmbH", slug="it-haus-gmbh", city="Föhren")
    other = make_provider(t, name="Alpha Systeme", slug="alpha-systeme", city="Trier")
    uni = make_provider(t, name="Universität Trier", slug="universitaet-trier", city="Trier")
    for title in ("Praktikum", "Betriebsbesichtigung", "Projekttag"):
        make_offer(t, provider=it_haus, title=title, regions=[saarburg])
    make_offer(t, provider=other, title="Vortrag", regions=[t["trier"], saarburg])
    make_offer(t, provider=other, title="Entwurf", regions=[saarburg], status=Offer.Status.DRAFT)
    make_offer(t, provider=other, title="Alt", regions=[t["vulkaneifel"]], status="archived")
    make_offer(t, title="Elektro-Entwurf", sectors=[elektro], status=Offer.Status.REVIEW)
    make_offer(t, provider=uni, code="N 23", title="Grüne Chemie", sectors=[t["chemie"]])
    # Linked to the broad field and to a finer one: must count once for the broad field.
    make_offer(t, provider=uni, code="N 24", title="Analyse", sectors=[mathnat, t["chemie"]])
    make_offer(t, provider=uni, title="Physik-Entwurf", sectors=[physik], status="draft")
    return {**t, "rlp": rlp, "saarburg": saarburg, "elektro": elektro, "mathnat": mathnat}


def choice_links(html):
    """(href, count) of every walk choice on a page."""
    pattern = re.compile(
        r'<a class="choice__link" href="([^"]+)">\s*<span class="choice__label">[^<]*</span>\s*'
        r'<span class="count">(\d+)<'
    )
    return [(href, int(count)) for href, count in pattern.findall(html)]


def test_every_count_equals_the_offers_one_step_further(client, world):
    home = client.get("/").content.decode()
    checked = 0
    for track_url, track_count in choice_links(home):
        track_page = client.get(track_url).content.decode()
        for sector_url, sector_count in choice_links(track_page):
            sector_page = client.get(sector_url)
            assert sector_page.context["total"] == sector_count, sector_url
            for region_url, region_count in choice_links(sector_page.content.decode()):
                offers_page = client.get(region_url)
                assert offers_page.status_code == 200
                assert offers_page.context["page_obj"].paginator.count == region_count, region_url
                checked += 1
        assert track_count >= max(count for _, count in choice_links(track_page))
    # Ausbildung: all regions, all of RLP, Trier, Trier-Saarburg; Studium: 2 fields x 2 + 1.
    assert checked >= 8


def test_counts_only_published_offers_and_hides_choices_without_any(client, world):
    track_page = client.get("/angebote/ausbildung/").content.decode()
    assert choice_links(track_page) == [("/angebote/ausbildung/it-computer/", 4)]
    assert "Elektro" not in track_page  # only an offer in review

    sector_page = client.get("/angebote/ausbildung/it-computer/").content.decode()
    links = dict(choice_links(sector_page))
    assert links == {
        "/angebote/ausbildung/it-computer/alle-regionen/": 4,
        "/angebote/ausbildung/it-computer/rheinland-pfalz/": 4,
        "/angebote/ausbildung/it-computer/stadt-trier/": 1,
        "/angebote/ausbildung/it-computer/landkreis-trier-saarburg/": 4,
    }
    assert "Vulkaneifel" not in sector_page  # only an archived offer there


def test_offer_without_regions_counts_for_all_regions_only(client, world):
    """An imported offer may have no region yet: "all regions" lists it, and so counts it."""
    make_offer(world, title="Ohne Region").regions.clear()

    sector_page = client.get("/angebote/ausbildung/it-computer/")
    links = dict(choice_links(sector_page.content.decode()))
    all_regions = client.get("/angebote/ausbildung/it-computer/alle-regionen/")

    assert links["/angebote/ausbildung/it-computer/alle-regionen/"] == 5
    assert all_regions.context["page_obj"].paginator.count == 5
    assert links["/angebote/ausbildung/it-computer/rheinland-pfalz/"] == 4


def test_broad_field_of_study_counts_its_finer_fields_each_offer_once(client, world):
    page = client.get("/angebote/studium/").content.decode()
    assert choice_links(page) == [
        ("/angebote/studium/mathematik-naturwissenschaften/", 2),
        ("/angebote/studium/chemie/", 2),
    ]
    # The finer field sits inside its broad field's list item; Physik has only a draft.
    assert re.search(r'class="subchoices"[^>]*>.*?/angebote/studium/chemie/', page, re.S)
    assert "Physik" not in page


def test_offers_step_groups_offers_by_provider_in_order(client, world):
    response = client.get("/angebote/ausbildung/it-computer/landkreis-trier-saarburg/")
    html = response.content.decode()
    offers = list(response.context["page_obj"].object_list)
    assert [(o.provider.name, o.title) for o in offers] == [
        ("Alpha Systeme", "Vortrag"),
        ("IT Haus GmbH", "Betriebsbesichtigung"),
        ("IT Haus GmbH", "Praktikum"),
        ("IT Haus GmbH", "Projekttag"),
    ]
    assert html.count('class="provider-group"') == 2
    assert '<a href="/anbieter/it-haus-gmbh/">IT Haus GmbH</a>' in html
    assert "Entwurf" not in html


def test_state_choice_lists_offers_of_all_its_districts(client, world):
    response = client.get("/angebote/ausbildung/it-computer/rheinland-pfalz/")
    assert response.context["page_obj"].paginator.count == 4


def test_all_regions_step_lists_every_published_offer_of_the_field(client, world):
    response = client.get("/angebote/studium/mathematik-naturwissenschaften/alle-regionen/")
    codes = [offer.code for offer in response.context["page_obj"].object_list]
    assert codes == ["N 24", "N 23"]  # ordered by title: Analyse, Grüne Chemie


def test_breadcrumbs_show_the_trail_and_link_back_to_every_step(client, world):
    html = client.get("/angebote/ausbildung/it-computer/landkreis-trier-saarburg/").content
    nav = re.search(r'<nav class="breadcrumbs".*?</nav>', html.decode(), re.S).group(0)
    crumbs = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)
    assert crumbs[0][0] == "/"
    assert crumbs[1:] == [
        ("/angebote/ausbildung/", "Ausbildung"),
        ("/angebote/ausbildung/it-computer/", "IT, Computer"),
        ("/angebote/ausbildung/it-computer/landkreis-trier-saarburg/", "Landkreis Trier-Saarburg"),
    ]
    assert 'aria-current="page">Landkreis Trier-Saarburg<' in nav


def test_finer_field_trail_passes_through_its_broad_field(client, world):
    response = client.get("/angebote/studium/chemie/alle-regionen/")
    crumbs = response.context["breadcrumbs"]
    assert [crumb.url for crumb in crumbs] == [
        "/",
        "/angebote/studium/",
        "/angebote/studium/mathematik-naturwissenschaften/",
        "/angebote/studium/chemie/",
        "/angebote/studium/chemie/alle-regionen/",
    ]
    assert [crumb.label for crumb in crumbs[1:4]] == [
        "Studium",
        "Mathematik, Naturwissenschaften",
        "Chemie",
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/angebote/keine-spur/",
        "/angebote/ausbildung/unbekannt/",
        "/angebote/studium/it-computer/",  # a sector of the other track
        "/angebote/ausbildung/it-computer/nirgendwo/",
        "/angebote/studium/it-computer/alle-regionen/",
    ],
)
def test_unknown_slugs_are_not_found(client, world, url):
    assert client.get(url).status_code == 404


def test_walk_step_without_offers_explains_instead_of_listing_nothing(client, world):
    response = client.get("/angebote/ausbildung/it-computer/landkreis-vulkaneifel/")
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 0
    assert 'href="/angebote/ausbildung/it-computer/"' in response.content.decode()


def test_long_offer_lists_are_paginated_and_bad_page_numbers_are_harmless(client, world):
    provider = make_provider(world)
    for n in range(31):
        make_offer(world, provider=provider, title=f"Serie {n:02}")
    first = client.get("/angebote/ausbildung/it-computer/stadt-trier/")
    second = client.get("/angebote/ausbildung/it-computer/stadt-trier/?page=2")
    nonsense = client.get("/angebote/ausbildung/it-computer/stadt-trier/?page=x%27")
    assert len(first.context["page_obj"].object_list) == OFFERS_PER_PAGE == 30
    assert [offer.title for offer in second.context["page_obj"].object_list] == [
        "Serie 29",
        "Serie 30",
    ]
    assert nonsense.status_code == 200
    assert 'href="?page=2" rel="next"' in first.content.decode()


# Queries of each page: with nothing cached, and with the walk's counts and offer lists cached
# but not the page itself (another address of the same step, which the page cache keys apart).
WALK_URLS = {
    "/": (4, 2),
    "/angebote/ausbildung/": (4, 3),
    "/angebote/ausbildung/it-computer/": (4, 3),
    # The offers' cards read their next dated sessions (bookings): one query for the page.
    "/angebote/ausbildung/it-computer/landkreis-trier-saarburg/": (8, 6),
    "/angebote/ausbildung/it-computer/alle-regionen/": (6, 5),
}


def _queries_of(client, django_assert_num_queries, url, fresh, counted):
    with django_assert_num_queries(fresh):
        client.get(url)
    with django_assert_num_queries(counted):
        client.get(f"{url}?page=1")
    with django_assert_num_queries(1):  # the page cache's lookup of the catalogue version
        client.get(url)


@pytest.mark.parametrize(("url", "expected"), WALK_URLS.items())
def test_walk_pages_run_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, url, expected
):
    _queries_of(client, django_assert_num_queries, url, *expected)
    # Ten times the offers, in more providers and regions: not one query more.
    for n in range(30):
        make_offer(
            world,
            title=f"Mehr {n}",
            regions=[world["saarburg"], world["trier"]],
            sectors=[world["it"], world["chemie"]],
        )
    _queries_of(client, django_assert_num_queries, url, *expected)


def test_cached_counts_follow_every_kind_of_write(client, world):
    """Bulk updates and link changes bypass signals; the catalogue version still changes."""
    url = "/angebote/ausbildung/it-computer/"

    def counts():
        return dict(choice_links(client.get(url).content.decode()))

    region_url = "/angebote/ausbildung/it-computer/stadt-trier/"
    assert counts()[region_url] == 1
    Offer.objects.filter(title="Vortrag").update(status=Offer.Status.ARCHIVED)
    assert region_url not in counts()
    Offer.objects.get(title="Praktikum").regions.add(world["trier"])
    assert counts()[region_url] == 1
    assert client.get(region_url).context["page_obj"].paginator.count == 1
    Region.objects.filter(pk=world["trier"].pk).update(parent=None)
    assert "/angebote/ausbildung/it-computer/rheinland-pfalz/" in counts()
    assert (
        client.get("/angebote/ausbildung/it-computer/rheinland-pfalz/")
        .context["page_obj"]
        .paginator.count
        == 3
    )


def test_offers_step_links_to_the_search_page_with_the_same_filters(client, world):
    walk = client.get("/angebote/ausbildung/it-computer/landkreis-trier-saarburg/")
    search_url = walk.context["search_url"]
    assert (
        search_url == "/suche/?track=ausbildung&sector=it-computer&region=landkreis-trier-saarburg"
    )
    assert f'href="{search_url.replace("&", "&amp;")}"' in walk.content.decode()

    search = client.get(search_url)
    assert search.status_code == 200
    walk_titles = {offer.title for offer in walk.context["page_obj"].object_list}
    assert all(title in search.content.decode() for title in walk_titles)


def test_region_step_groups_districts_under_their_state_folded_when_there_are_several(
    client, world
):
    saarland = Region.objects.create(name="Saarland", slug="saarland", level="state")
    merzig = Region.objects.create(name="Merzig-Wadern", slug="merzig-wadern", parent=saarland)
    make_offer(world, title="Saar-Praktikum", regions=[merzig, world["saarburg"]])

    response = client.get("/angebote/ausbildung/it-computer/")
    html = response.content.decode()

    groups = {group.region.slug: group for group in response.context["region_groups"]}
    assert [d.slug for d in groups["saarland"].districts] == ["merzig-wadern"]
    assert groups["rheinland-pfalz"].region.offer_count == 5  # Saar-Praktikum counted once
    assert response.context["total"] == 5
    # Several states: each is a closed <details>, usable without JavaScript.
    assert html.count('<details class="region-group">') == 2
    single_state = client.get("/angebote/studium/chemie/").content.decode()
    assert single_state.count('<details class="region-group" open>') == 1
