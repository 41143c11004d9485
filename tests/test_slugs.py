"""One slug helper for providers the import adds and partners who declare support."""

from offers.models import Provider
from offers.slugs import unique_slug
from tests import factories


def test_a_taken_slug_gets_the_next_free_number(taxonomy):
    factories.make_provider(taxonomy, name="IT Haus GmbH", slug="it-haus-gmbh")
    factories.make_provider(taxonomy, name="IT Haus GmbH Trier", slug="it-haus-gmbh-2")
    assert unique_slug(Provider, "IT Haus GmbH", fallback="anbieter", length=180) == (
        "it-haus-gmbh-3"
    )


def test_a_name_without_letters_or_digits_gets_the_fallback_cut_to_length(taxonomy):
    assert unique_slug(Provider, "–?!", fallback="anbieter", length=180) == "anbieter"
    assert unique_slug(Provider, "x" * 300, fallback="anbieter", length=180) == "x" * 180
