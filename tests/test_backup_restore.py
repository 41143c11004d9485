"""The backup and restore procedure of docs/operations.md works on a real database.

A JSON backup (backup_data, i.e. dumpdata) comes back complete with restore_data (flush +
loaddata in one transaction) on SQLite and PostgreSQL, and a broken backup changes
nothing; on PostgreSQL a pg_dump of the database restores with pg_restore into a fresh
database.
"""

import shutil
import subprocess
import uuid
from io import StringIO

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from offers.models import Offer, OfferType, Provider, Region, Sector
from pages.models import LegalPage
from tests.factories import make_offer, make_provider


def snapshot():
    """What must come back: offers with their links, providers, an edited legal page."""
    return {
        "offers": sorted(
            (
                offer.title,
                offer.status,
                offer.provider.slug,
                tuple(sorted(offer.sectors.values_list("slug", flat=True))),
                tuple(sorted(offer.regions.values_list("slug", flat=True))),
            )
            for offer in Offer.objects.select_related("provider")
        ),
        "providers": sorted(Provider.objects.values_list("slug", "name", "city")),
        "imprint": LegalPage.objects.get(kind="impressum").body,
        "history": Offer.history.count(),
    }


@pytest.fixture
def data(transactional_db, taxonomy):
    provider = make_provider(taxonomy, name="IT Haus GmbH", slug="it-haus-gmbh", city="Föhren")
    make_offer(taxonomy, provider=provider, title="Praktikum Fachinformatik")
    make_offer(
        taxonomy,
        title="Grüne Chemie",
        sectors=[taxonomy["chemie"]],
        regions=[taxonomy["trier"], taxonomy["vulkaneifel"]],
        status=Offer.Status.DRAFT,
    )
    LegalPage.objects.update_or_create(
        kind="impressum",
        defaults={"title": "Impressum", "body": "## Anbieter\nStadt Trier – geändert"},
    )
    return snapshot()


def test_backup_and_restore_bring_back_everything_without_extra_history(data, tmp_path):
    backup = tmp_path / "backup.json"
    call_command("backup_data", str(backup), stdout=StringIO())
    Offer.objects.all().delete()
    LegalPage.objects.all().delete()

    call_command("restore_data", str(backup), yes=True, stdout=StringIO())

    assert snapshot() == data
    restored = {
        "praktikum": OfferType.objects.get(slug="praktikum"),
        "it": Sector.objects.get(slug="it-computer"),
        "trier": Region.objects.get(slug="stadt-trier"),
    }
    make_offer(restored, provider=Provider.objects.first(), title="Neu nach dem Restore")
    assert Offer.objects.count() == len(data["offers"]) + 1


def test_a_broken_backup_leaves_the_database_untouched(data, tmp_path):
    backup = tmp_path / "backup.json"
    call_command("backup_data", str(backup), stdout=StringIO())
    backup.write_text(backup.read_text()[:-200])

    with pytest.raises(CommandError):
        call_command("restore_data", str(backup), yes=True, stdout=StringIO())

    assert snapshot() == data


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL")
@pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump/pg_restore are not installed")
def test_pg_dump_restores_into_a_fresh_database(data, tmp_path):
    settings = connection.settings_dict
    conninfo = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": str(settings["PORT"] or 5432),
        "user": settings["USER"] or "postgres",
    }
    libpq_env = {
        "PGHOST": conninfo["host"],
        "PGPORT": conninfo["port"],
        "PGUSER": conninfo["user"],
        "PGPASSWORD": settings["PASSWORD"] or "",
    }
    dump = tmp_path / "retribus.dump"
    scratch = f"restore_check_{uuid.uuid4().hex[:10]}"
    run = {"check": True, "capture_output": True, "env": {**libpq_env, "PATH": "/usr/bin:/bin"}}

    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), settings["NAME"]], **run)
    subprocess.run(["createdb", scratch], **run)
    try:
        subprocess.run(["pg_restore", "--no-owner", "-d", scratch, str(dump)], **run)
        with psycopg.connect(dbname=scratch, **conninfo, password=libpq_env["PGPASSWORD"]) as db:
            titles = [row[0] for row in db.execute("SELECT title FROM offers_offer ORDER BY 1")]
            imprint = db.execute(
                "SELECT body FROM pages_legalpage WHERE kind = 'impressum'"
            ).fetchone()[0]
    finally:
        subprocess.run(["dropdb", "--if-exists", scratch], **run)

    assert titles == sorted(offer[0] for offer in data["offers"])
    assert imprint == data["imprint"]
