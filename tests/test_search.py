"""The search page: German text search, facets in a real form, chips, paging, bad input.

Runs on SQLite and PostgreSQL; the text-search examples must hold on both (PostgreSQL with
its ``german`` configuration, SQLite with its FTS5 table of Snowball stems).
"""

import random
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import connection
from django.urls import reverse

from offers.models import CatalogVersion, Offer
from tests.facet_panel import facet_options, grade_options
from tests.factories import add_search_vocabulary, make_offer, make_provider

SEARCH = "/suche/"


@pytest.fixture
def vocab(taxonomy):
    return add_search_vocabulary(taxonomy)


def found(client, **params):
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    return [offer.title for offer in response.context["page_obj"].object_list]


def test_search_lives_at_suche(db):
    assert reverse("offers:search") == SEARCH


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("Roboter", "Robotik-Workshop für Einsteiger"),
        ("Praktika", "Praktikum in der Werkstatt"),
        ("praktikum", "Praktika in den Herbstferien"),
        ("Labore", "Ein Tag im Labor"),
    ],
)
def test_german_text_search_finds_other_forms_of_a_word(client, vocab, query, title):
    make_offer(vocab, title=title)
    make_offer(vocab, title="Betriebsbesichtigung Bäckerei", offer_type=vocab["workshop"])

    assert found(client, q=query) == [title]


def test_text_search_looks_at_summary_description_and_provider_name(client, vocab):
    provider = make_provider(vocab, name="IT Haus GmbH")
    make_offer(vocab, title="Tag der offenen Tür", provider=provider)
    make_offer(vocab, title="Schnuppern", summary="Wir bauen Roboter")
    make_offer(vocab, title="Forschen", description="Im Chemielabor mit Robotern arbeiten")
    make_offer(vocab, title="Kochen", offer_type=vocab["workshop"])

    assert found(client, q="Haus") == ["Tag der offenen Tür"]
    assert sorted(found(client, q="Roboter")) == ["Forschen", "Schnuppern"]


def test_renamed_provider_is_found_by_its_new_name(client, vocab):
    provider = make_provider(vocab, name="Alte Firma")
    make_offer(vocab, title="Besuch", provider=provider)

    provider.name = "Sternwarte Trier"
    provider.save()

    assert found(client, q="Sternwarte") == ["Besuch"]
    assert found(client, q="Firma") == []


def test_relevance_puts_title_matches_first(client, vocab):
    make_offer(vocab, title="Werkstatt", description="Am Ende bauen wir einen Roboter.")
    make_offer(vocab, title="Roboter programmieren")

    assert found(client, q="Roboter")[0] == "Roboter programmieren"


def test_text_search_ands_words_and_honours_exclusion(client, vocab):
    make_offer(vocab, title="Roboter im Labor")
    make_offer(vocab, title="Roboter online", venue=Offer.Venue.ONLINE)
    make_offer(vocab, title="Laborpraxis")

    assert found(client, q="Roboter Labor") == ["Roboter im Labor"]
    if connection.vendor == "postgresql":
        assert found(client, q="Roboter -online") == ["Roboter im Labor"]


def test_search_shows_only_published_offers(client, vocab):
    make_offer(vocab, title="Roboter öffentlich")
    make_offer(vocab, title="Roboter Entwurf", status=Offer.Status.DRAFT)
    make_offer(vocab, title="Roboter archiviert", status=Offer.Status.ARCHIVED)

    assert found(client, q="Roboter") == ["Roboter öffentlich"]
    assert found(client) == ["Roboter öffentlich"]


def test_every_facet_is_a_labelled_checkbox_in_a_fieldset_of_a_get_form(client, vocab):
    offer = make_offer(
        vocab,
        title="Alles",
        sectors=[vocab["chemie"]],
        regions=[vocab["trier"]],
        duration_min_minutes=120,
    )
    offer.subjects.set([vocab["technik"]])
    offer.school_forms.set([vocab["gym"]])

    html = client.get(SEARCH).content.decode()

    assert html.count("<h1") == 1
    assert re.search(r'<form[^>]*method="get"', html)
    legends = re.findall(r"<legend>([^<]+)</legend>", html)
    assert len(legends) == 10
    for name, value in [
        ("track", "studium"),
        ("sector", "chemie"),
        ("sector", "mathematik-naturwissenschaften"),
        ("type", "praktikum"),
        ("subject", "technik"),
        ("schoolform", "gymnasium"),
        ("region", "stadt-trier"),
        ("region", "rheinland-pfalz"),
        ("venue", "provider"),
        ("duration", "bis-2-stunden"),
    ]:
        checkbox = re.search(
            rf'<input type="checkbox" id="([^"]+)" name="{name}" value="{value}"', html
        )
        assert checkbox, (name, value)
        assert f'<label for="{checkbox.group(1)}">' in html
    assert '<select id="f-grade" name="grade">' in html
    assert '<label for="f-size">' in html


def test_chips_remove_one_value_each_and_clear_all(client, vocab):
    make_offer(vocab, offer_type=vocab["workshop"], grade_min=9, grade_max=9)

    response = client.get(
        SEARCH, {"type": ["workshop", "praktikum"], "grade": "9", "q": "Angebot", "page": "1"}
    )

    everything = {("q", "Angebot"), ("type", "workshop"), ("type", "praktikum"), ("grade", "9")}
    removed = []
    for chip in response.context["chips"]:
        left = set(parse_qsl(urlsplit(chip["url"]).query))
        assert len(everything - left) == 1 and left < everything, chip
        removed.append((everything - left).pop())
    assert sorted(removed) == sorted(everything)
    assert f'href="{SEARCH}"' in response.content.decode()


def test_pagination_keeps_the_filters(client, vocab):
    for i in range(25):
        make_offer(vocab, title=f"Workshop {i:02}", offer_type=vocab["workshop"])
    make_offer(vocab, title="Anderes")

    response = client.get(SEARCH, {"type": "workshop", "sort": "title"})
    html = response.content.decode()
    assert response.context["page_obj"].paginator.num_pages == 2
    assert "?type=workshop&amp;sort=title&amp;page=2" in html

    second = client.get(SEARCH, {"type": "workshop", "sort": "title", "page": "2"})
    assert [o.title for o in second.context["page_obj"].object_list] == [
        "Workshop 20",
        "Workshop 21",
        "Workshop 22",
        "Workshop 23",
        "Workshop 24",
    ]


def test_sorting_by_title_and_newest(client, vocab):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    make_offer(vocab, title="Beta", created_at=now - timedelta(days=2))
    make_offer(vocab, title="Alpha", created_at=now - timedelta(days=1))
    make_offer(vocab, title="Gamma", created_at=now)

    assert found(client, sort="title") == ["Alpha", "Beta", "Gamma"]
    assert found(client, sort="newest") == ["Gamma", "Alpha", "Beta"]


def test_empty_result_suggests_the_filter_to_drop_with_its_count(client, vocab):
    for grade in (5, 6, 7):
        make_offer(vocab, regions=[vocab["vulkaneifel"]], grade_min=grade, grade_max=grade)
    make_offer(vocab, regions=[vocab["trier"]], grade_min=9, grade_max=9)

    response = client.get(SEARCH, {"grade": "9", "region": "landkreis-vulkaneifel"})

    assert response.context["result"].total == 0
    suggestions = response.context["suggestions"]
    assert [(s["name"], s["count"]) for s in suggestions] == [("grade", 3), ("region", 1)]
    html = response.content.decode()
    assert 'href="/suche/?region=landkreis-vulkaneifel"' in html
    assert 'href="/suche/?grade=9"' in html
    assert "Landkreis Vulkaneifel" in html


def test_unknown_values_are_ignored_and_named(client, vocab):
    make_offer(vocab, title="Treffer", offer_type=vocab["workshop"])
    make_offer(vocab, title="Anderer Typ")

    response = client.get(
        SEARCH, {"type": ["workshop", "gibt-es-nicht"], "sort": "beste", "utm_source": "x"}
    )

    assert response.status_code == 200
    assert [o.title for o in response.context["page_obj"].object_list] == ["Treffer"]
    ignored = [value for _label, value in response.context["ignored"]]
    assert ignored == ["gibt-es-nicht", "beste"]
    assert "gibt-es-nicht" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "grade=abc",
        "grade=14",
        "grade=0",
        "grade=9.5",
        "size=-3",
        "size=abc",
        "size=100000",
        "page=abc",
        "page=0",
        "page=-1",
        "page=" + "9" * 5000,
    ],
)
def test_unreadable_numbers_get_a_friendly_400_page(client, vocab, query):
    response = client.get(f"{SEARCH}?type=praktikum&{query}")

    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("<h1") == 1
    name = query.split("=")[0]
    assert 'href="/suche/?type=praktikum"' in html, name


@pytest.mark.parametrize(
    "query",
    [
        "page=99999999999",
        "q=" + "Roboter " * 300,
        "q=%F0%9F%A6%89%E2%80%AE%C3%84%C3%96%C3%9C%C3%9F",
        "q=%22Roboter",
        "q=-",
        "q=%21%21%21&type=praktikum",
        "q=a%27%3B+DROP+TABLE+offers_offer%3B--",
        "q=%3A*+%26+%7C",
        "q=or",
        "type=&region=&grade=&size=&sort=&page=",
        "type=praktikum&type=praktikum",
        "grade=9&grade=10",
        "grade=%D9%A1%D9%A2",
        "%FF=%FE",
    ],
)
def test_odd_but_readable_input_shows_a_normal_page(client, vocab, query):
    make_offer(vocab, title="Roboter bauen")

    response = client.get(f"{SEARCH}?{query}")

    assert response.status_code == 200


def test_page_past_the_end_shows_the_last_page(client, vocab):
    make_offer(vocab, title="Einziges")

    response = client.get(SEARCH, {"page": "99999999999"})

    assert response.context["page_obj"].number == 1
    assert [o.title for o in response.context["page_obj"].object_list] == ["Einziges"]


def test_very_long_text_is_shortened_with_a_notice(client, vocab):
    response = client.get(SEARCH, {"q": "Roboter " * 100})

    assert response.status_code == 200
    assert len(response.context["spec"].q) <= 200
    assert response.context["shortened"]


def page_queries(client, django_assert_num_queries, expected, params):
    with django_assert_num_queries(expected):
        response = client.get(SEARCH, params)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("params", "first", "again"),
    [
        # The Zeitraum facet (bookings) counts from the sessions; the cards' school forms and
        # dates come from the index.
        ({}, 17, 1),
        ({"q": "Roboter", "type": "praktikum", "schoolform": "gymnasium", "grade": "9"}, 18, 1),
        # Nothing found: no offers to read.
        ({"q": "Roboter", "region": "saarland"}, 17, 1),
    ],
)
def test_search_page_runs_a_fixed_number_of_queries(
    client, vocab, django_assert_num_queries, params, first, again
):
    """First search after a change: the catalogue version (read by the page cache, handed to
    the engine), the search index build (version, 6 vocabularies, offers, newest and
    by-provider order, 4 link tables; in-line inside a test's transaction), the text match
    with the ranks of its matches, the page's offers with their providers
    (one statement; their school forms from the index, no dates to read). A different search
    on the same catalogue (another sort and class size): the version; its offers were read
    for the first search, and the index keeps them. The same search again: the version, then
    the cached page."""

    def add_offers(n):
        for i in range(n):
            offer = make_offer(vocab, title=f"Roboter {i}", sectors=[vocab["chemie"], vocab["it"]])
            offer.school_forms.set([vocab["gym"], vocab["rs"]])
            offer.subjects.set([vocab["technik"]])

    other = {**params, "sort": "newest", "size": "12"}
    add_offers(2)
    page_queries(client, django_assert_num_queries, first, params)
    page_queries(client, django_assert_num_queries, again, other)
    page_queries(client, django_assert_num_queries, 1, other)
    add_offers(12)
    page_queries(client, django_assert_num_queries, first, params)
    page_queries(client, django_assert_num_queries, again, other)
    page_queries(client, django_assert_num_queries, 1, other)


def test_a_cached_search_sees_every_change_to_the_catalogue(client, vocab):
    offer = make_offer(vocab, title="Roboter bauen")
    assert found(client, q="Roboter") == ["Roboter bauen"]

    make_offer(vocab, title="Roboter programmieren")
    assert found(client, q="Roboter") == ["Roboter bauen", "Roboter programmieren"]

    Offer.objects.filter(pk=offer.pk).update(status=Offer.Status.ARCHIVED)
    assert found(client, q="Roboter") == ["Roboter programmieren"]
    assert client.get(SEARCH).context["result"].counts["type"]["praktikum"] == 1


def test_cached_search_returns_what_the_engine_returns(client, vocab):
    from offers.search import sql
    from offers.search.spec import Vocabulary

    rng = random.Random(11)
    from tests.test_facets import random_catalogue, random_spec

    random_catalogue(vocab, rng, size=30)
    vocabulary = Vocabulary.load()
    for _ in range(10):
        spec = random_spec(rng, vocabulary)
        spec = spec.replace(sort=rng.choice(["title", "newest"]))
        for page in (1, 2):
            spec = spec.replace(page=page)
            plain = sql.search(spec, vocabulary, per_page=3)
            for _attempt in ("miss", "hit"):
                cached = sql.CachedSearch(CatalogVersion.current()).search(spec, per_page=3)
                assert cached.total == plain.total
                assert cached.counts == plain.counts
                assert cached.relaxations == plain.relaxations
                assert cached.page.number == plain.page.number
                assert list(cached.page) == list(plain.page)


def test_a_shown_count_is_the_number_of_results_after_ticking_it(client, vocab):
    """Through the page itself: for random searches, follow every count the page shows for a
    facet with nothing ticked yet (or the grade) and compare with the new total."""
    from tests.test_facets import random_catalogue

    rng = random.Random(7)
    random_catalogue(vocab, rng, size=30)
    searches = [
        {},
        {"q": "Praktika"},
        {"region": "rheinland-pfalz", "grade": "8"},
        {"sector": "mathematik-naturwissenschaften", "schoolform": ["gymnasium", "igs"]},
        {"type": "workshop", "size": "25", "duration": "ein-tag"},
    ]
    checked = 0
    for params in searches:
        html = client.get(SEARCH, params).content.decode()
        for name, options in facet_options(html).items():
            if name in params:
                continue
            options += [child for o in options for child in o["children"]]
            for option in options:
                ticked = client.get(SEARCH, {**params, name: option["key"]})
                assert ticked.context["result"].total == option["count"], (params, option)
                checked += 1
        if "grade" not in params:
            for grade, count in grade_options(html):
                ticked = client.get(SEARCH, {**params, "grade": grade})
                assert ticked.context["result"].total == count, (params, grade)
    assert checked > 40


def test_a_national_region_list_shows_districts_only_below_a_ticked_state(client, vocab):
    from offers.models import Region

    Region.objects.bulk_create(
        Region(name=f"Kreis {i}", slug=f"kreis-{i}", parent=vocab["saarland"]) for i in range(120)
    )
    saar = Region.objects.get(slug="kreis-7")
    make_offer(vocab, title="Saar", regions=[saar])
    make_offer(vocab, title="Trier", regions=[vocab["trier"]])

    def region_options(**params):
        options = facet_options(client.get(SEARCH, params).content.decode())["region"]
        return {o["key"]: [c["key"] for c in o["children"]] for o in options}

    assert region_options() == {"rheinland-pfalz": [], "saarland": []}
    assert region_options(region="saarland") == {"rheinland-pfalz": [], "saarland": ["kreis-7"]}
    assert region_options(region="kreis-7")["saarland"] == ["kreis-7"]


def test_a_small_region_list_shows_every_district(client, vocab):
    make_offer(vocab, regions=[vocab["trier"]])
    make_offer(vocab, regions=[vocab["vulkaneifel"]])

    options = facet_options(client.get(SEARCH).content.decode())

    (state,) = options["region"]
    assert [child["key"] for child in state["children"]] == ["landkreis-vulkaneifel", "stadt-trier"]


def test_a_result_card_shows_the_offer_as_it_is_now_in_the_reader_s_language(client, vocab):
    """Cards are kept between pages (templatetags/offer_tags.py): an edit reaches the next
    page, and a reader in English gets English terms after a German page of the same offer."""
    offer = make_offer(vocab, title="Roboter bauen", place="Trier")
    german = client.get(SEARCH).content.decode()
    assert "Roboter bauen" in german
    assert "<dt>Angebotsform</dt>" in german

    english = client.get(f"/en{SEARCH}").content.decode()
    assert "<dt>Type</dt>" in english
    assert "<dt>Angebotsform</dt>" not in english
    assert f'href="/en/angebot/{offer.pk}/"' in english

    offer.title = "Roboter programmieren"
    offer.place = "Konz"
    offer.save()
    edited = client.get(SEARCH).content.decode()
    assert "Roboter programmieren" in edited
    assert "Roboter bauen" not in edited
    assert "Konz" in edited


def test_words_that_are_all_stop_words_find_nothing_and_say_so(client, vocab):
    """A search of "der die das" is a search, but German full text drops every word of it:
    nothing can match, which the index knows without asking the database."""
    make_offer(vocab, title="Der Weg in die Pflege")

    response = client.get(SEARCH, {"q": "der die das"})

    assert response.status_code == 200
    assert response.context["result"].total == 0
    assert "0 Angebote" in response.content.decode()
