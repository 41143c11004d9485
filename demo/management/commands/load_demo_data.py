"""Load the reference vocabularies and the demo data of the Trier region (`make demo-data`).

Loading is idempotent: taxonomies, providers and partners are matched by their slugs, contact
persons and offers by the fixed primary keys the demo fixture gives them, so a second run
updates the same rows instead of adding new ones.
"""

import json

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from network.models import Partner
from offers.models import ContactPerson, Offer, Provider, Region, Sector

FIXTURES_DIR = settings.BASE_DIR / "fixtures"
TAXONOMIES = FIXTURES_DIR / "taxonomies.json"
DEMO = FIXTURES_DIR / "demo.json"


def rows_owned_by_others(demo_rows):
    """Contact persons and offers whose fixed keys the demo needs but that belong elsewhere.

    Loading would overwrite them silently, e.g. offers written by ``generate_offers`` before
    the demo was loaded; the caller refuses instead.
    """
    slugs = {row["fields"]["slug"] for row in demo_rows if row["model"] == "offers.provider"}
    clashes = []
    for model, label in ((ContactPerson, "offers.contactperson"), (Offer, "offers.offer")):
        pks = [row["pk"] for row in demo_rows if row["model"] == label]
        clashes += model.objects.filter(pk__in=pks).exclude(provider__slug__in=slugs)
    return clashes


def record_initial_history():
    """Give every row the fixtures loaded a first history entry, so the admin can restore it.

    ``loaddata`` runs with history switched off (django-simple-history would record three
    partial entries per offer, one per many-to-many field it sets, and triple the loading
    time); this writes one complete entry per row in bulk instead, with the offers'
    many-to-many snapshots. Rows that already have history are left alone, so a second load
    adds no entries.
    """
    for model in (Provider, ContactPerson, Offer, Partner):
        history = model.history.model
        unrecorded = list(model.objects.exclude(pk__in=history.objects.values("id")))
        entries = model.history.bulk_history_create(
            unrecorded, default_change_reason="Demo data loaded"
        )
        entry_of = {entry.id: entry for entry in entries}
        for field in getattr(history, "_history_m2m_fields", []):
            through = field.remote_field.through
            columns = [f.attname for f in through._meta.fields]
            rows = through.objects.filter(**{f"{field.m2m_field_name()}__in": unrecorded})
            getattr(history, field.name).model.objects.bulk_create(
                getattr(history, field.name).model(
                    history=entry_of[getattr(row, f"{field.m2m_field_name()}_id")],
                    **{column: getattr(row, column) for column in columns},
                )
                for row in rows
            )


class Command(BaseCommand):
    help = "Load the taxonomies and the demo providers, offers and network partners (idempotent)."

    def handle(self, *args, verbosity, **options):
        demo_rows = json.loads(DEMO.read_text(encoding="utf-8"))
        if clashes := rows_owned_by_others(demo_rows):
            raise CommandError(
                f"{len(clashes)} existing rows (e.g. “{clashes[0]}”) use the primary keys of "
                "the demo data; remove generated data first (manage.py generate_offers --clear)."
            )
        with transaction.atomic():
            with override_settings(SIMPLE_HISTORY_ENABLED=False):
                # network_profile: the network's texts (network/fixtures/), one row with pk 1.
                call_command("loaddata", str(TAXONOMIES), str(DEMO), "network_profile", verbosity=0)
            record_initial_history()
        if not verbosity:
            return
        published = Offer.objects.published().count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded: {Region.objects.count()} regions, "
                f"{Sector.objects.count()} sectors and fields of study, "
                f"{Provider.objects.count()} providers, {Offer.objects.count()} offers "
                f"({published} published), {Partner.objects.count()} network partners."
            )
        )
