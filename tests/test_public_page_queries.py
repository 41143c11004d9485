"""Every public page costs the same number of queries however much data there is.

The pages come from the URLconf (``tests/public_urls.py``), so a page added later is pinned
without anyone remembering to list it. The search page is left to ``tests/test_search.py``:
its per-worker index decides between engines with different query counts.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from network.models import Partner
from offers.models import ContactPerson, Offer, Provider
from tests import factories
from tests.public_urls import populate, public_urls

# The search has its own query tests; the public handbook PDF is the file `build_handbook`
# keeps (a 404 until it ran, tests/test_insights_handbook.py).
LEFT_TO_THEIR_OWN_TESTS = {"offers:search", "insights:handbook_pdf"}


def query_counts(client, urls):
    """Queries of each page, asked twice so that both runs read warm caches alike."""
    counts = {}
    for name, url in urls.items():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[name] = len(queries)
    return counts


def grow(taxonomy):
    """Ten times the rows every page lists: offers, contacts, partners, providers."""
    provider = Provider.objects.get(slug="it-haus-gmbh")
    for n in range(10):
        contact = ContactPerson.objects.create(provider=provider, name=f"Kontakt {n}")
        offer = factories.make_offer(
            taxonomy, provider=provider, title=f"Mehr {n}", contact=contact
        )
        offer.school_forms.set([taxonomy["gym"]])
        offer.regions.add(taxonomy["vulkaneifel"])
        factories.make_offer(taxonomy, provider=factories.make_provider(taxonomy))
        factories.make_partner(
            taxonomy, kind=Partner.Kind.SECONDARY_SCHOOL, school_form=taxonomy["gym"]
        )


def test_every_public_page_runs_a_fixed_number_of_queries(client, taxonomy):
    values = populate(taxonomy)
    # The partner page lists its provider's offers too.
    Partner.objects.update(provider=Provider.objects.get(slug="it-haus-gmbh"))
    urls = {
        name: url
        for name, url in public_urls(client, values).items()
        if name not in LEFT_TO_THEIR_OWN_TESTS
    }
    assert None not in urls.values(), urls
    before = query_counts(client, urls)

    grow(taxonomy)
    assert Offer.objects.published().count() > 20

    assert query_counts(client, urls) == before
