"""Plain factory functions for test data; each returns saved model instances."""

import itertools

from offers.models import Offer, OfferType, Provider, Region, SchoolForm, Sector, Subject, Track

_counter = itertools.count(1)


def make_taxonomy():
    """A minimal vocabulary: two tracks with a sector each, two regions, one of each other kind."""
    ausbildung = Track.objects.create(name="Ausbildung", slug="ausbildung", position=1)
    studium = Track.objects.create(name="Studium", slug="studium", position=2)
    return {
        "ausbildung": ausbildung,
        "studium": studium,
        "it": Sector.objects.create(name="IT, Computer", slug="it-computer", track=ausbildung),
        "chemie": Sector.objects.create(name="Chemie", slug="chemie", track=studium),
        "trier": Region.objects.create(
            name="Stadt Trier", slug="stadt-trier", official_key="07211000"
        ),
        "vulkaneifel": Region.objects.create(
            name="Landkreis Vulkaneifel", slug="landkreis-vulkaneifel", official_key="07233"
        ),
        "praktikum": OfferType.objects.create(name="Praktikum", slug="praktikum"),
        "gym": SchoolForm.objects.create(name="Gymnasium", slug="gymnasium", short_name="Gym."),
        "informatik": Subject.objects.create(name="Informatik", slug="informatik", letter="I"),
    }


def make_provider(taxonomy, **fields):
    n = next(_counter)
    fields.setdefault("name", f"Anbieter {n}")
    fields.setdefault("slug", f"anbieter-{n}")
    fields.setdefault("region", taxonomy["trier"])
    return Provider.objects.create(**fields)


def make_offer(taxonomy, *, sectors=None, regions=None, provider=None, **fields):
    fields.setdefault("title", f"Angebot {next(_counter)}")
    fields.setdefault("offer_type", taxonomy["praktikum"])
    fields.setdefault("status", Offer.Status.PUBLISHED)
    offer = Offer.objects.create(provider=provider or make_provider(taxonomy), **fields)
    offer.sectors.set(sectors or [taxonomy["it"]])
    offer.regions.set(regions or [taxonomy["trier"]])
    return offer


def add_search_vocabulary(taxonomy):
    """Extends ``make_taxonomy`` with what the search facets need: a broad field of study
    with finer fields below it, a state with its districts, and more values of each kind."""
    broad = Sector.objects.create(
        name="Mathematik, Naturwissenschaften",
        slug="mathematik-naturwissenschaften",
        track=taxonomy["studium"],
    )
    taxonomy["chemie"].parent = broad
    taxonomy["chemie"].save()
    state = Region.objects.create(name="Rheinland-Pfalz", slug="rheinland-pfalz", level="state")
    Region.objects.filter(pk__in=[taxonomy["trier"].pk, taxonomy["vulkaneifel"].pk]).update(
        parent=state
    )
    taxonomy.update(
        mint=broad,
        physik=Sector.objects.create(
            name="Physik", slug="physik", track=taxonomy["studium"], parent=broad
        ),
        metall=Sector.objects.create(
            name="Metall, Maschinenbau", slug="metall-maschinenbau", track=taxonomy["ausbildung"]
        ),
        rlp=state,
        saarland=Region.objects.create(name="Saarland", slug="saarland", level="state"),
        workshop=OfferType.objects.create(name="Workshop", slug="workshop"),
        vortrag=OfferType.objects.create(name="Vortrag in der Schule", slug="vortrag"),
        rs=SchoolForm.objects.create(name="Realschule plus", slug="realschule-plus"),
        igs=SchoolForm.objects.create(name="Integrierte Gesamtschule", slug="igs"),
        technik=Subject.objects.create(name="Technik", slug="technik", letter="T"),
        mathematik=Subject.objects.create(name="Mathematik", slug="mathematik", letter="M"),
    )
    return taxonomy


def make_network_profile(**fields):
    """The network's single profile row, with a declaration text so the form is open."""
    from network.models import NetworkProfile

    fields.setdefault("name", "MINT-Initiativkreis Trier")
    fields.setdefault("declaration_text", "Wir unterstützen den MINT-Initiativkreis Trier.")
    fields.setdefault("office_email", "buero@example.org")
    return NetworkProfile.objects.create(**fields)


def make_partner(taxonomy, **fields):
    """An approved, publicly listed partner who is MINT ambassador, unless fields say otherwise."""
    import datetime

    from network.models import Partner

    n = next(_counter)
    fields.setdefault("name", f"Partner {n}")
    fields.setdefault("slug", f"partner-{n}")
    fields.setdefault("kind", Partner.Kind.COMPANY)
    fields.setdefault("region", taxonomy["trier"])
    fields.setdefault("status", Partner.Status.APPROVED)
    fields.setdefault("public_listing", True)
    fields.setdefault("declaration_date", datetime.date(2013, 3, 1))
    fields.setdefault("ambassador_since", datetime.date(2013, 6, 1))
    return Partner.objects.create(**fields)


def make_session(offer, *, days=14, hours=3, places=None, **fields):
    """A dated session of ``offer`` starting ``days`` from now at 9:00 (bookings)."""
    from datetime import timedelta

    from django.utils import timezone

    from bookings.models import Session

    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    start += timedelta(days=days)
    return Session.objects.create(
        offer=offer,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        places=places,
        **fields,
    )
