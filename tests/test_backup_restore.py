"""The backup and restore procedure of docs/operations.md works on a real database.

A JSON backup (backup_data, i.e. dumpdata) comes back complete with restore_data (flush +
loaddata in one transaction) on SQLite and PostgreSQL, and a broken backup changes
nothing; a backup without offers or users is refused unless forced, a safety copy of the
replaced data is written first, and the portal is in maintenance while the restore runs;
backup_data reads one snapshot. On PostgreSQL a pg_dump of the database restores with
pg_restore into a fresh database.
"""

import gzip
import json
import shutil
import subprocess
import threading
import uuid
from io import StringIO
from unittest import mock

import psycopg
import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.core.management.commands import loaddata
from django.core.serializers.python import Serializer
from django.db import connection

from offers.models import Offer, OfferType, Provider, Region, Sector
from operations import maintenance
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
    User.objects.create_user("koordination", password="eine lange Passphrase 42")
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


def backup_records(data, tmp_path):
    backup = tmp_path / "backup.json"
    call_command("backup_data", str(backup), stdout=StringIO())
    return json.loads(backup.read_text())


def write_records(tmp_path, records, name="edited.json"):
    path = tmp_path / name
    path.write_text(json.dumps(records))
    return path


@pytest.mark.parametrize(
    "kept, missing",
    [
        (lambda record: False, "no offers and no users"),  # a valid, empty backup: []
        (lambda record: record["model"] != "auth.user", "no users"),
        (lambda record: record["model"] != "offers.offer", "no offers"),
    ],
    ids=["empty", "without-users", "without-offers"],
)
def test_a_backup_without_offers_or_users_is_refused_and_changes_nothing(
    data, tmp_path, kept, missing
):
    records = [record for record in backup_records(data, tmp_path) if kept(record)]
    backup = write_records(tmp_path, records)

    with pytest.raises(CommandError, match=f"holds {missing}.*--force"):
        call_command("restore_data", str(backup), yes=True, stdout=StringIO())

    assert snapshot() == data
    assert User.objects.filter(username="koordination").exists()


@pytest.mark.filterwarnings("ignore:No fixture data found")
def test_force_restores_an_empty_backup_after_a_safety_copy_that_brings_all_back(
    data, tmp_path, settings
):
    empty = write_records(tmp_path, [], name="empty.json")
    output = StringIO()

    call_command("restore_data", str(empty), yes=True, force=True, stdout=output)

    assert not Offer.objects.exists() and not User.objects.exists()
    [safety_copy] = settings.RESTORE_SAFETY_DIR.iterdir()
    assert f"Safety copy of the current data: {safety_copy}" in output.getvalue()
    assert safety_copy.stat().st_mode & 0o077 == 0  # personal data: the owner's alone
    with gzip.open(safety_copy, "rt") as stream:
        assert any(record["model"] == "offers.offer" for record in json.load(stream))

    call_command("restore_data", str(safety_copy), yes=True, stdout=StringIO())

    assert snapshot() == data
    assert User.objects.filter(username="koordination").exists()


def test_the_portal_is_in_maintenance_while_a_restore_runs(data, tmp_path, client):
    backup = tmp_path / "backup.json"
    call_command("backup_data", str(backup), stdout=StringIO())
    seen = {}
    load = loaddata.Command.handle

    def load_and_look(self, *args, **kwargs):
        seen["page"] = client.get("/impressum/")
        seen["healthz"] = client.get("/healthz")
        return load(self, *args, **kwargs)

    with mock.patch.object(loaddata.Command, "handle", load_and_look):
        call_command("restore_data", str(backup), yes=True, stdout=StringIO())

    assert seen["page"].status_code == 503
    assert "Wartung" in seen["page"].content.decode()
    assert seen["healthz"].status_code == 503
    assert seen["healthz"].json() == {"database": "ok", "cache": "ok", "maintenance": True}
    assert not maintenance.is_on()
    assert client.get("/impressum/").status_code == 200


def test_maintenance_ends_when_the_restore_fails(data, tmp_path):
    records = backup_records(data, tmp_path)
    offer = next(record for record in records if record["model"] == "offers.offer")
    offer["fields"]["provider"] = ["no-such-provider"]
    backup = write_records(tmp_path, records)

    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("restore_data", str(backup), yes=True, stdout=StringIO())

    assert not maintenance.is_on()
    assert snapshot() == data


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's in-memory test database serializes the writer behind the reader",
)
def test_backup_data_reads_one_snapshot_while_others_write(data, tmp_path, taxonomy):
    backup = tmp_path / "backup.json"
    first_object = Serializer.start_object
    written = threading.Event()

    def write_from_another_connection():
        try:
            provider = make_provider(taxonomy, name="Neu GmbH", slug="neu-gmbh")
            make_offer(taxonomy, provider=provider, title="Angebot von Neu GmbH")
        finally:
            connection.close()

    def start_object(self, obj):
        # As dumpdata reads its first record, a coordinator saves a new provider's offer.
        if not written.is_set():
            written.set()
            writer = threading.Thread(target=write_from_another_connection)
            writer.start()
            writer.join()
        return first_object(self, obj)

    with mock.patch.object(Serializer, "start_object", start_object):
        call_command("backup_data", str(backup), stdout=StringIO())

    assert Provider.objects.filter(slug="neu-gmbh").exists()
    records = json.loads(backup.read_text())
    providers = {r["fields"].get("slug") for r in records if r["model"] == "offers.provider"}
    titles = {r["fields"]["title"] for r in records if r["model"] == "offers.offer"}
    assert "neu-gmbh" not in providers
    assert "Angebot von Neu GmbH" not in titles
    assert len(titles) == len(data["offers"])


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
