"""Load the reference vocabularies and the demo data of the Trier region (`make demo-data`).

The demo goes only into a database without providers and offers: `make run` calls this every
time, and what a user changed in the admin must survive the next start. ``--force`` loads it
anyway and puts the demo rows back as the fixture has them. Loading is idempotent:
taxonomies, providers and partners are matched by their slugs, contact persons and offers by
the fixed primary keys the demo fixture gives them, so a forced run updates the same rows
instead of adding new ones.

The offers' "last confirmed" dates (and their creation and change times) are moved by the
days between ``FIXTURE_DAY`` and the day of loading, so the demo always has the same few
offers waiting for confirmation instead of turning stale as a whole a year after the fixture
was written.
"""

import datetime
import json
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from network.models import Partner
from offers.models import ContactPerson, Offer, Provider, Region, Sector

FIXTURES_DIR = settings.BASE_DIR / "fixtures"
TAXONOMIES = FIXTURES_DIR / "taxonomies.json"
DEMO = FIXTURES_DIR / "demo.json"
# The day the fixture's dates are written for (fixtures/demo_data.py, confirmed_on): then every
# ninth offer was confirmed long ago, the others within the year, none in the future.
FIXTURE_DAY = datetime.date(2026, 11, 1)


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


def dated_for(day, demo_rows):
    """The demo rows with the offers' dates moved as if the fixture were written on ``day``."""
    shift = day - FIXTURE_DAY
    for row in demo_rows:
        if row["model"] != "offers.offer":
            continue
        fields = row["fields"]
        if fields.get("last_confirmed"):
            confirmed = datetime.date.fromisoformat(fields["last_confirmed"])
            fields["last_confirmed"] = (confirmed + shift).isoformat()
        for name in ("created_at", "updated_at"):
            if fields.get(name):
                moment = datetime.datetime.fromisoformat(fields[name])
                fields[name] = (moment + shift).isoformat()
    return demo_rows


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
    help = (
        "Load the taxonomies and the demo providers, offers and network partners into a "
        "database without providers and offers (--force: into any, overwriting demo rows)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even if the database has providers or offers; changes made to the "
            "demo rows are overwritten.",
        )

    def handle(self, *args, verbosity, force, **options):
        if not force and (Provider.objects.exists() or Offer.objects.exists()):
            if verbosity:
                self.stdout.write(
                    "The database already has providers and offers: the demo data is not "
                    "loaded again, so changes made in the admin are kept "
                    "(load_demo_data --force reloads it)."
                )
            return
        demo_rows = dated_for(timezone.localdate(), json.loads(DEMO.read_text(encoding="utf-8")))
        if clashes := rows_owned_by_others(demo_rows):
            raise CommandError(
                f"{len(clashes)} existing rows (e.g. “{clashes[0]}”) use the primary keys of "
                "the demo data; remove generated data first (manage.py generate_offers --clear)."
            )
        with tempfile.TemporaryDirectory() as folder, transaction.atomic():
            dated = Path(folder) / "demo.json"
            dated.write_text(json.dumps(demo_rows), encoding="utf-8")
            with override_settings(SIMPLE_HISTORY_ENABLED=False):
                # network_profile: the network's texts (network/fixtures/), one row with pk 1.
                call_command(
                    "loaddata", str(TAXONOMIES), str(dated), "network_profile", verbosity=0
                )
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
