"""The taxonomies and demo fixtures: seed data exactly as printed, idempotent loading, coverage."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q

from network.models import Partner
from offers.models import (
    ContactPerson,
    Offer,
    OfferType,
    Provider,
    Region,
    SchoolForm,
    Sector,
    Subject,
    Track,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo_data", verbosity=0)


def seed_row(offer):
    """An offer as the seed's tables show it."""
    forms = (
        "alle" if offer.all_school_forms else sorted(f.short_name for f in offer.school_forms.all())
    )
    return (
        offer.offer_type.slug,
        offer.summary,
        forms,
        offer.duration_text,
        offer.duration_min_minutes,
        offer.duration_max_minutes,
        offer.venue,
        offer.place,
        (offer.grade_min, offer.grade_max),
        offer.participants_max,
        offer.participants_note,
    )


def test_it_haus_and_its_four_offers_are_as_on_the_retribus_provider_page(demo):
    it_haus = Provider.objects.get(slug="it-haus-gmbh")

    assert (it_haus.name, it_haus.street, it_haus.postal_code, it_haus.city) == (
        "IT Haus GmbH",
        "Europa-Allee 26-28",
        "54343",
        "Föhren",
    )
    assert it_haus.region.slug == "landkreis-trier-saarburg"
    offers = it_haus.offers.order_by("pk")
    assert [seed_row(offer) for offer in offers] == [
        (
            "praktikum",
            "Schulpraktikum in den technischen, kaufmännischen und mediengestalterischen "
            "Abteilungen des IT-Hauses",
            "alle",
            "2 - 20 Wochen",
            2 * 2400,
            20 * 2400,
            "provider",
            "vor Ort im Unternehmen",
            (9, 13),
            None,
            "nach Absprache",
        ),
        (
            "betriebserkundung",
            "",
            "alle",
            "2-4 Stunden",
            120,
            240,
            "provider",
            "vor Ort im Unternehmen",
            (5, 13),
            30,
            "",
        ),
        (
            "vortrag-in-der-schule",
            "Vorstellung der informationstechnischen Ausbildungsberufe incl. Möglichkeiten "
            "zum dualem Studium",
            "alle",
            "2 - 4 Stunden",
            120,
            240,
            "school",
            "in Schulen in der Region Trier",
            (5, 13),
            None,
            "offen",
        ),
        (
            "projekttag",
            "Informatik Projekt-Tag im IT- Haus",
            "alle",
            "1 Tag",
            480,
            480,
            "provider",
            "vor Ort im Unternehmen",
            (5, 13),
            None,
            "nach Absprache",
        ),
    ]
    assert all(offer.status == Offer.Status.PUBLISHED for offer in offers)


def test_it_haus_is_found_at_ausbildung_it_computer_landkreis_trier_saarburg(demo):
    found = (
        Offer.objects.published()
        .in_track(Track.objects.get(slug="ausbildung"))
        .in_sector(Sector.objects.get(slug="it-computer"))
        .in_region(Region.objects.get(slug="landkreis-trier-saarburg"))
    )

    assert found.filter(provider__slug="it-haus-gmbh").count() == 4


def test_university_offers_n23_to_n28_are_as_in_the_handbook_table(demo):
    offers = Offer.objects.filter(code__in=[f"N {n}" for n in range(23, 29)]).order_by("code")
    weiterfuehrend = ["BBS", "Gym.", "IGS", "RS+"]

    assert [(o.code, o.title, *seed_row(o)[2:]) for o in offers] == [
        ("N 23", "Grüne (nachhaltige) Chemie", weiterfuehrend, "60-90 Min.", 60, 90,
         "school", "Schulen in Trier", (11, 13), 20, ""),
        ("N 24", "Quantitative Analyse (Titrations und Photometrie)", ["Gym."], "6 Std.",
         360, 360, "provider", "Universität Trier", (11, 13), 20, ""),
        ("N 25", "Schnupperstudium: Organische Chemie", ["Gym."], "2 Std.", 120, 120,
         "provider", "Universität Trier", (11, 13), None, "nach Absprache"),
        ("N 26", "Begleitung einer Facharbeit in der gymnasialen Oberstufe im Fach Chemie",
         ["Gym."], "", None, None, "provider", "Universität Trier", (11, 13), 2, ""),
        ("N 27", "Laborpraktikum: Chemische Experimente zu den Themen „Aromastoffe“ und "
         "„Rund um die Cola“", weiterfuehrend, "", None, None, "provider",
         "Universität Trier", (11, 13), 6, ""),
        ("N 28", "Laborpraktikum: Chemische Experimente zu den Themen „Abwasserreinigung“",
         ["Gym."], "5 Std.", 300, 300, "provider", "Universität Trier", (11, 13), 6, ""),
    ]  # fmt: skip
    assert [o.offer_type.slug for o in offers] == [
        "vortrag-mit-experimenten",
        "labor-exkursion",
        "schnupperstudium",
        "beratung-betreuung",
        "laborpraktikum",
        "laborpraktikum",
    ]
    chemie = Sector.objects.get(slug="chemie")
    assert (chemie.track.slug, chemie.parent.slug) == ("studium", "mathematik-naturwissenschaften")
    for offer in offers:
        assert offer.provider.slug == "universitaet-trier"
        assert [s.slug for s in offer.sectors.all()] == ["chemie"]
        assert [s.letter for s in offer.subjects.all()] == ["N"]


def test_taxonomies_keep_the_official_vocabularies_in_their_order(db):
    call_command("loaddata", "fixtures/taxonomies.json", verbosity=0)

    state = Region.objects.get(slug="rheinland-pfalz")
    assert (state.level, state.official_key) == (Region.Level.STATE, "07")
    assert list(state.children.values_list("official_key", flat=True)) == [
        "07211000",
        "07235",
        "07231",
        "07232",
        "07233",
    ]
    ausbildung = Sector.objects.filter(track__slug="ausbildung")
    assert ausbildung.count() == 16
    assert ausbildung.first().name == "Landwirtschaft, Natur, Umwelt"
    assert ausbildung.get(slug="it-computer").name == "IT, Computer"
    groups = Sector.objects.filter(track__slug="studium", parent=None)
    assert groups.count() == 10
    assert {"informatik", "physik", "maschinenbau", "wirtschaftsinformatik"} <= set(
        Sector.objects.filter(parent__isnull=False).values_list("slug", flat=True)
    )
    assert OfferType.objects.count() == 12
    assert list(SchoolForm.objects.values_list("short_name", flat=True)) == [
        "GS",
        "RS+",
        "IGS",
        "Gym.",
        "FöS",
        "BBS",
    ]
    assert "".join(Subject.objects.values_list("letter", flat=True)) == "MINTS"
    assert all(track.description for track in Track.objects.all())


def test_loading_the_demo_data_twice_duplicates_nothing(demo):
    models = [Region, Track, Sector, OfferType, SchoolForm, Subject, Provider, ContactPerson]
    models += [Offer, Partner, Offer.sectors.through, Offer.regions.through]
    models += [Offer.school_forms.through, Offer.subjects.through]
    history = [Provider.history, ContactPerson.history, Offer.history, Partner.history]
    before = [model.objects.count() for model in models] + [h.count() for h in history]

    call_command("load_demo_data", force=True, verbosity=0)

    assert [model.objects.count() for model in models] + [h.count() for h in history] == before
    assert all(count > 0 for count in before)


def test_demo_data_gives_every_walk_step_choices(demo):
    published = Offer.objects.published()
    assert published.count() >= 150
    assert {"draft", "review", "archived"} <= set(Offer.objects.values_list("status", flat=True))
    districts = Region.objects.filter(level=Region.Level.DISTRICT)
    for offer_type in OfferType.objects.all():
        assert published.filter(offer_type=offer_type).exists(), offer_type
    for sector in Sector.objects.all():
        in_sector = published.in_sector(sector)
        regions = [region for region in districts if in_sector.in_region(region).exists()]
        assert regions, f"no published offer in {sector}"
    for district in districts:
        for track in Track.objects.all():
            assert published.in_track(track).in_region(district).exists(), (track, district)
    codes = Offer.objects.filter(provider__kind=Provider.Kind.UNIVERSITY).exclude(code="")
    assert {code[0] for code in codes.values_list("code", flat=True)} == set("MINTS")


def test_demo_contacts_are_fictional(demo):
    emails = [*ContactPerson.objects.values_list("email", flat=True)]
    emails += Provider.objects.values_list("email", flat=True)
    emails += Partner.objects.values_list("email", flat=True)
    assert emails and all(email.endswith("@example.org") for email in emails)
    seed_people = Q(name__endswith="Simon") | Q(name__contains="Daniela Esch")
    assert not ContactPerson.objects.filter(seed_people | Q(name__contains="Axel Meyer")).exists()
    assert not Provider.objects.filter(phone__contains="9208101").exists()


def test_demo_network_has_every_status_and_a_private_member_without_consent(demo):
    private = Partner.objects.filter(kind=Partner.Kind.PRIVATE_PERSON)
    assert set(private.values_list("public_listing", flat=True)) == {True, False}
    assert set(Partner.objects.values_list("status", flat=True)) == {
        "approved",
        "pending",
        "declined",
    }
    assert Partner.objects.get(slug="it-haus-gmbh").provider.slug == "it-haus-gmbh"
    assert Partner.objects.exclude(ambassador_since=None).count() >= 15
    assert not Partner.objects.public().filter(public_listing=False).exists()


def test_load_demo_data_refuses_to_overwrite_offers_of_other_providers(db):
    call_command("loaddata", "fixtures/taxonomies.json", verbosity=0)
    generated = Provider.objects.create(
        name="Generiert", slug="gen-generiert-1", region=Region.objects.get(slug="stadt-trier")
    )
    # The demo fixture gives its first offer pk 1, as generated data may have taken it.
    taken = Offer.objects.create(
        pk=1, provider=generated, title="Generiert", offer_type=OfferType.objects.first()
    )

    with pytest.raises(CommandError, match="generate_offers --clear"):
        call_command("load_demo_data", force=True, verbosity=0)

    assert Offer.objects.get(pk=1).title == taken.title
    assert not Provider.objects.filter(slug="it-haus-gmbh").exists()
