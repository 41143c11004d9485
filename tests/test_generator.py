"""The offer generator: deterministic per seed, realistic, fast to write, and removable."""

import datetime

import pytest
from django.core.management import call_command

from demo import generator
from offers.models import ContactPerson, Offer, OfferType, Provider, Region, Sector

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture
def taxonomies(db):
    call_command("loaddata", "fixtures/taxonomies.json", verbosity=0)


def snapshot():
    """Everything that makes a generated offer what it is, minus database keys."""
    offers = Offer.objects.order_by("pk").select_related("provider", "offer_type", "contact")
    return [
        (
            offer.provider.name,
            offer.provider.region.slug,
            offer.contact.name if offer.contact else None,
            offer.code,
            offer.title,
            offer.summary,
            offer.description,
            offer.offer_type.slug,
            (offer.grade_min, offer.grade_max),
            (offer.participants_min, offer.participants_max, offer.participants_note),
            (offer.duration_text, offer.duration_min_minutes, offer.duration_max_minutes),
            offer.venue,
            offer.status,
            offer.last_confirmed,
            offer.all_school_forms,
            sorted(offer.sectors.values_list("slug", flat=True)),
            sorted(offer.regions.values_list("slug", flat=True)),
            sorted(offer.school_forms.values_list("slug", flat=True)),
            sorted(offer.subjects.values_list("slug", flat=True)),
        )
        for offer in offers
    ]


def test_generator_writes_the_requested_number_of_complete_offers(taxonomies):
    result = generator.generate_offers(count=300, seed=1, providers=12, today=TODAY)

    assert (result.offers, result.providers) == (300, 12)
    assert Offer.objects.count() == 300
    assert Provider.objects.count() == 12
    assert ContactPerson.objects.count() >= 12
    published = Offer.objects.published().count()
    assert result.published == published
    assert 0.85 * 300 < published < 300
    assert not Offer.objects.filter(sectors=None).exists()
    assert not Offer.objects.filter(regions=None).exists()
    assert not Offer.objects.filter(last_confirmed=None).exists()
    assert not Offer.objects.filter(last_confirmed__gt=TODAY).exists()
    assert not Offer.objects.filter(all_school_forms=False, school_forms=None).exists()


def test_same_seed_gives_the_same_offers_and_another_seed_others(taxonomies):
    generator.generate_offers(count=300, seed=7, today=TODAY)
    first = snapshot()
    generator.clear_generated()
    generator.generate_offers(count=300, seed=7, today=TODAY)
    again = snapshot()
    generator.clear_generated()
    generator.generate_offers(count=300, seed=8, today=TODAY)
    other = snapshot()

    assert again == first
    assert [row[4] for row in other] != [row[4] for row in first]


def test_generated_offers_are_valid_and_fit_their_offer_type(taxonomies):
    generator.generate_offers(count=300, seed=3, today=TODAY)

    offers = Offer.objects.select_related("offer_type", "provider", "contact")
    for offer in offers[:60]:
        offer.full_clean()
    assert not offers.filter(offer_type__slug="schnupperstudium", grade_min__lt=10).exists()
    assert not offers.filter(offer_type__slug="praktikum", grade_min__lt=8).exists()
    assert not offers.filter(offer_type__slug="praktikum", participants_max__gt=3).exists()
    assert (
        not offers.filter(audience="teachers")
        .exclude(offer_type__slug="lehrerfortbildung")
        .exists()
    )
    studium_only = Sector.objects.filter(track__slug="studium")
    for offer in offers.filter(sectors__in=studium_only).distinct()[:30]:
        assert not offer.sectors.filter(track__slug="ausbildung").exists()


def test_generated_data_is_skewed_like_a_real_database(taxonomies):
    generator.generate_offers(count=300, seed=5, providers=30, today=TODAY)

    per_provider = sorted(
        (provider.offers.count() for provider in Provider.objects.all()), reverse=True
    )
    assert per_provider[0] >= 4 * per_provider[len(per_provider) // 2]
    per_type = {t.slug: t.offers.count() for t in OfferType.objects.all()}
    assert per_type["praktikum"] > per_type["lehrerfortbildung"]


def test_university_offers_get_unique_catalogue_codes(taxonomies):
    generator.generate_offers(count=300, seed=2, providers=6, today=TODAY)

    codes = list(Offer.objects.exclude(code="").values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    assert all(code[0] in "MINTS" and code[2:].isdigit() for code in codes)
    assert not Offer.objects.exclude(code="").exclude(provider__kind="university").exists()


def test_national_shape_has_16_states_and_400_districts_and_keeps_the_trier_ones(taxonomies):
    trier = Region.objects.get(slug="landkreis-trier-saarburg")

    generator.ensure_national_regions()
    generator.ensure_national_regions()

    states = Region.objects.filter(level=Region.Level.STATE)
    districts = Region.objects.filter(level=Region.Level.DISTRICT)
    assert states.count() == 16
    assert districts.count() == 400
    assert districts.filter(parent=None).count() == 0
    assert districts.filter(parent__slug="rheinland-pfalz").count() == 36
    assert Region.objects.get(pk=trier.pk).parent.slug == "rheinland-pfalz"
    keys = [key[:5] for key in districts.values_list("official_key", flat=True)]
    assert len(keys) == len(set(keys))


def test_clear_removes_generated_data_and_nothing_else(taxonomies):
    taxonomy_regions = set(Region.objects.values_list("slug", flat=True))
    own = Provider.objects.create(
        name="Gen-Lab e.V.",  # a real provider whose slug happens to start like generated ones
        slug="gen-lab-ev",
        region=Region.objects.get(slug="stadt-trier"),
    )
    own_offer = Offer.objects.create(
        provider=own, title="Eigenes Angebot", offer_type=OfferType.objects.first()
    )
    generator.generate_offers(count=300, seed=4, national=True, today=TODAY)

    call_command("generate_offers", clear=True, verbosity=0)

    assert list(Offer.objects.all()) == [own_offer]
    assert list(Provider.objects.all()) == [own]
    assert not ContactPerson.objects.exists()
    assert set(Region.objects.values_list("slug", flat=True)) == taxonomy_regions
    assert not Offer.history.filter(history_type="-").exists()


def test_generate_offers_command_loads_taxonomies_on_an_empty_database(db, capsys):
    call_command("generate_offers", count=50, seed=1)

    assert Offer.objects.count() == 50
    assert "Generated 50 offers" in capsys.readouterr().out


def test_generate_offers_is_silent_at_verbosity_0(db, capsys):
    # The benchmark reads a JSON report from stdout while it generates its data.
    call_command("generate_offers", count=10, seed=1, verbosity=0)
    call_command("generate_offers", clear=True, verbosity=0)

    assert capsys.readouterr().out == ""
