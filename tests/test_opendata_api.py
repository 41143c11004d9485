"""The JSON API under /api/v1/: the search page's answers, only public data, JSON errors."""

import datetime
import json
import re

import pytest
from django.core.cache import caches
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

from offers.models import ContactPerson, Offer
from offers.search import facets
from offers.search.spec import SORTS, Vocabulary
from tests.factories import add_search_vocabulary, make_offer, make_provider

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
EXAMPLES = hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


pytestmark = pytest.mark.usefixtures("fresh_index")


@pytest.fixture
def catalog(taxonomy):
    """Thirty published offers spread over every facet, plus hidden ones."""
    t = add_search_vocabulary(taxonomy)
    sectors = [t["it"], t["chemie"], t["physik"], t["metall"]]
    regions = [t["trier"], t["vulkaneifel"], t["saarland"]]
    types = [t["praktikum"], t["workshop"], t["vortrag"]]
    forms = [t["gym"], t["rs"], t["igs"]]
    subjects = [t["informatik"], t["technik"], t["mathematik"]]
    venues = list(Offer.Venue.values)
    words = ["Roboter", "Labor", "Praktikum", "Chemie"]
    providers = [make_provider(t, name=f"Anbieter {n}", slug=f"anbieter-x{n}") for n in range(4)]
    for n in range(30):
        low = 5 + n % 6
        offer = make_offer(
            t,
            title=f"{words[n % 4]} Angebot {n:02d}",
            provider=providers[n % 4],
            offer_type=types[n % 3],
            sectors=[sectors[n % 4], sectors[(n // 4) % 4]],
            regions=[regions[n % 3]],
            grade_min=low,
            grade_max=low + n % 4,
            venue=venues[n % len(venues)],
            participants_max=None if n % 5 == 0 else 10 + n,
            duration_min_minutes=60 * (1 + n % 9),
            all_school_forms=n % 7 == 0,
        )
        offer.school_forms.set([forms[n % 3]])
        offer.subjects.set([subjects[n % 3]])
    hidden = make_provider(t, name="Geheim GmbH", slug="geheim-gmbh", email="info@geheim.example")
    for status in (Offer.Status.DRAFT, Offer.Status.REVIEW, Offer.Status.ARCHIVED):
        make_offer(t, title=f"Verborgen {status}", provider=hidden, status=status)
    return t


@pytest.fixture
def few(taxonomy):
    """Three published offers and a draft, an offer in review and an archived one."""
    t = add_search_vocabulary(taxonomy)
    provider = make_provider(t, name="Offen GmbH", slug="offen-gmbh")
    for n in range(3):
        make_offer(t, title=f"Angebot {n}", provider=provider)
    hidden = make_provider(t, name="Geheim GmbH", slug="geheim-gmbh", email="info@geheim.example")
    for status in (Offer.Status.DRAFT, Offer.Status.REVIEW, Offer.Status.ARCHIVED):
        make_offer(t, title=f"Verborgen {status}", provider=hidden, status=status)
    return t


def search_page(client, params):
    caches["pages"].clear()
    response = client.get("/suche/", params)
    assert response.status_code == 200
    return response.context["result"]


def api(client, path, params=None):
    response = client.get(path, params or {})
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response


@st.composite
def searches(draw, vocabulary):
    params = {}
    for facet in facets.registered():
        if not draw(st.booleans()):
            continue
        if facet.multiple:
            keys = [str(key) for key, _label in vocabulary.choices(facet.name)]
            params[facet.name] = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=2))
        else:
            low, high = facet.bounds
            params[facet.name] = draw(st.integers(low, min(high, 40)))
    if draw(st.booleans()):
        params["q"] = draw(st.sampled_from(["Roboter", "Labor", "Chemie Angebot", "nichts"]))
    params["sort"] = draw(st.sampled_from(list(SORTS)))
    return params


def test_api_results_and_counts_equal_the_search_page(client, catalog):
    vocabulary = Vocabulary.load()

    @EXAMPLES
    @given(params=searches(vocabulary), page=st.integers(1, 3))
    def check(params, page):
        params = {**params, "page": page}
        expected = search_page(client, params)
        response = api(client, "/api/v1/offers/", params)
        assert response.status_code == 200, response.json()
        data = response.json()
        assert data["count"] == expected.total
        assert data["page"] == expected.page.number
        assert [offer["id"] for offer in data["results"]] == [
            offer.pk for offer in expected.page.object_list
        ]
        assert data["facets"] == {
            name: {str(key): count for key, count in counts.items()}
            for name, counts in expected.counts.items()
        }

    check()


def test_bad_api_parameters_answer_400_with_a_json_error(client, few):
    names = sorted(facets.parameters() | {"page_size", "nonsense", "sectors"})
    junk = st.text(min_size=1, max_size=12)  # NUL characters included

    @EXAMPLES
    @given(pairs=st.lists(st.tuples(st.sampled_from(names), junk), min_size=1, max_size=4))
    def check(pairs):
        response = api(client, "/api/v1/offers/", pairs)
        assert response.status_code in (200, 400), response.content[:300]
        if response.status_code == 400:
            error = response.json()["error"]
            assert error["status"] == 400
            assert error["message"]
            assert set(error["parameters"]) <= set(names)

    check()


def test_each_kind_of_bad_parameter_is_named(client, few):
    response = api(
        client,
        "/api/v1/offers/",
        {"grade": "neun", "region": "atlantis", "sectors": "it", "page_size": "500"},
    )

    assert response.status_code == 400
    problems = response.json()["error"]["parameters"]
    assert set(problems) == {"grade", "region", "sectors", "page_size"}
    assert "atlantis" in problems["region"][0]


def test_api_shows_published_offers_only(client, few):
    hidden = set(Offer.objects.exclude(status=Offer.Status.PUBLISHED).values_list("pk", flat=True))
    data = api(client, "/api/v1/offers/", {"page_size": 100}).json()

    assert data["count"] == Offer.objects.published().count() == 3
    assert not hidden & {offer["id"] for offer in data["results"]}
    for pk in hidden:
        assert api(client, f"/api/v1/offers/{pk}/").status_code == 404
    providers = api(client, "/api/v1/providers/", {"page_size": 100}).json()
    assert "geheim-gmbh" not in {provider["slug"] for provider in providers["results"]}
    assert api(client, "/api/v1/providers/geheim-gmbh/").status_code == 404


def test_api_respects_contact_privacy_and_never_holds_an_email_address(client, few):
    offer = Offer.objects.published().first()
    provider = offer.provider
    provider.email = "info@anbieter.example.org"
    provider.save()
    shown = ContactPerson.objects.create(
        provider=provider, name="Erika Offen", email="erika@example.org", phone="0651 111"
    )
    ContactPerson.objects.create(
        provider=provider,
        name="Max Privat",
        email="max@example.org",
        phone="0651 222",
        show_phone=False,
        show_email=False,
    )
    texts = [
        api(client, f"/api/v1/offers/{offer.pk}/").content.decode(),
        api(client, f"/api/v1/providers/{provider.slug}/").content.decode(),
        api(client, "/api/v1/offers/", {"page_size": 100}).content.decode(),
    ]
    for text in texts:
        assert EMAIL.findall(text) == []
        assert "0651 222" not in text
    contacts = json.loads(texts[0])["contacts"]
    assert {c["name"]: c["phone"] for c in contacts} == {
        "Erika Offen": "0651 111",
        "Max Privat": None,
    }
    assert {c["name"]: c["email_on_request"] for c in contacts} == {
        "Erika Offen": True,
        "Max Privat": False,
    }
    assert shown.name in texts[1]
    for internal in ('"status"', "search_vector", "editors"):
        assert internal not in texts[0]


def test_the_openapi_schema_validates(client, db):
    response = client.get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = json.loads(response.content)
    validate(schema)
    parameters = {p["name"] for p in schema["paths"]["/api/v1/offers/"]["get"]["parameters"]}
    assert facets.parameters() <= parameters


def test_the_docs_page_loads_only_our_own_files(client, db):
    response = client.get("/api/v1/docs/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "<style" not in html and "<script>" not in html
    assert re.findall(r'(?:src|href)="(https?:)?//', html) == []
    assert client.get("/api/v1/docs/", {"script": ""})["Content-Type"].startswith(
        "application/javascript"
    )


def test_any_site_may_read_the_api_and_it_sets_no_cookie(client, few):
    response = client.get("/api/v1/offers/", HTTP_ORIGIN="https://schule.example.org")
    preflight = client.options("/api/v1/offers/", HTTP_ORIGIN="https://schule.example.org")

    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert not response.cookies
    assert client.post("/api/v1/offers/").status_code == 405


def test_the_api_limits_requests_per_client_address(client, few, settings):
    settings.OPEN_DATA_API_REQUESTS_PER_MINUTE = 3
    answers = [client.get("/api/v1/regions/") for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[-1].json()["error"]["status"] == 429
    assert int(answers[-1]["Retry-After"]) > 0
    other = client.get("/api/v1/regions/", REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200


def test_taxonomies_name_every_search_parameter_with_its_keys(client, few):
    data = api(client, "/api/v1/taxonomies/").json()
    by_name = {facet["name"]: facet for facet in data["facets"]}

    assert set(by_name) == {facet.name for facet in facets.registered()}
    assert "it-computer" in {value["key"] for value in by_name["sector"]["values"]}
    regions = api(client, "/api/v1/regions/").json()
    assert {"slug": "stadt-trier", "parent": "rheinland-pfalz"}.items() <= next(
        r for r in regions if r["slug"] == "stadt-trier"
    ).items()


def test_offer_dates_and_cost_are_published(client, few):
    offer = Offer.objects.published().first()
    Offer.objects.filter(pk=offer.pk).update(
        start_date=datetime.date(2027, 3, 1), end_date=datetime.date(2027, 3, 5), cost="5 €"
    )
    data = api(client, f"/api/v1/offers/{offer.pk}/").json()

    assert (data["start_date"], data["end_date"]) == ("2027-03-01", "2027-03-05")
    assert (data["cost"], data["free_of_charge"]) == ("5 €", False)
    assert data["url"].endswith(f"/angebot/{offer.pk}/")


def test_written_out_offers_match_the_declared_schema_fields(rf, few):
    """The API writes offers out by hand for speed; DRF's generic walk over the declared
    fields (what the OpenAPI schema describes) must give the same data."""
    from rest_framework import serializers

    from opendata.serializers import OfferDetailSerializer, offer_detail_queryset

    offer = offer_detail_queryset().first()
    Offer.objects.filter(pk=offer.pk).update(start_date=datetime.date(2027, 1, 2))
    offer = offer_detail_queryset().get(pk=offer.pk)
    serializer = OfferDetailSerializer(context={"request": rf.get("/")})

    fast = serializer.to_representation(offer)
    generic = serializers.Serializer.to_representation(serializer, offer)

    assert json.loads(json.dumps(fast)) == json.loads(json.dumps(generic))


def test_a_nul_character_gets_a_json_error_too(client, db):
    response = client.get("/api/v1/offers/?q=Robo%00ter")

    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400
    assert list(response.json()["error"]["parameters"]) == ["q"]
