from offers.models import Offer
from tests.factories import make_offer


def test_home_counts_only_published_offers_per_track(client, taxonomy):
    make_offer(taxonomy, sectors=[taxonomy["it"]])
    make_offer(taxonomy, sectors=[taxonomy["it"]])
    make_offer(taxonomy, sectors=[taxonomy["it"]], status=Offer.Status.DRAFT)
    make_offer(taxonomy, sectors=[taxonomy["chemie"]], status=Offer.Status.ARCHIVED)

    response = client.get("/")

    assert response.status_code == 200
    tracks = {track.slug: track.offer_count for track in response.context["tracks"]}
    # Studium has only an archived offer: it is hidden rather than offered as a dead end.
    assert tracks == {"ausbildung": 2}
    assert response.context["offer_count"] == 2


def test_home_is_german_and_links_the_staff_login(client, db):
    response = client.get("/")

    assert response["Content-Language"] == "de"
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert 'href="/admin/"' in html
