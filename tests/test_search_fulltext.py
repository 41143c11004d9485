"""The full text follows every kind of write, on SQLite as on PostgreSQL.

PostgreSQL's ``search_vector`` is kept by its triggers (migration 0003); SQLite's FTS5 table
by the triggers of ``offers/search/sqlite_fts.py``. Each test writes one way (the admin, the
spreadsheet import, queryset updates and deletes, bulk inserts, renames, ``restore_data``)
and searches; on SQLite the table must then hold exactly the stems of every offer. A later
migration that makes SQLite rebuild the offer, provider and offer type tables keeps the
triggers (run in a separate process on a database file of its own).
"""

import os
import sqlite3
import subprocess
import sys
import textwrap
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from demo import generator
from offers.importing import services, spreadsheet
from offers.models import Offer, OfferType, Provider
from offers.search import german, sqlite_fts, text
from tests import factories
from tests.admin_support import admin_form_data, make_user, setup_roles
from tests.test_import_export import HEADER, as_csv, good_rows

pytestmark = pytest.mark.django_db


def found(query):
    """Titles of the published offers the text condition of both engines finds."""
    matches = Offer.objects.published().filter(text.text_condition(query))
    return sorted(matches.values_list("title", flat=True))


def assert_index_current():
    """On SQLite: the full-text table holds exactly the stems of every offer."""
    if connection.vendor != "sqlite":
        return
    expected = {
        offer.pk: (
            german.stems(offer.title),
            german.stems(f"{offer.summary} {offer.code} {offer.offer_type.name}"),
            german.stems(f"{offer.description} {offer.provider.name}"),
        )
        for offer in Offer.objects.select_related("offer_type", "provider")
    }
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid, title, body, extra FROM {sqlite_fts.TABLE}")
        stored = {pk: tuple(columns) for pk, *columns in cursor.fetchall()}
    assert stored == expected


def test_an_admin_save_is_found_by_its_new_words_only(client, taxonomy):
    setup_roles()
    client.force_login(make_user("Koordination"))
    offer = factories.make_offer(taxonomy, title="Betriebsbesichtigung im Stahlwerk")
    url = reverse("admin:offers_offer_change", args=[offer.pk])
    data = admin_form_data(client.get(url))
    data["title"] = "Robotik-Werkstatt für Einsteiger"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert found("Roboter") == ["Robotik-Werkstatt für Einsteiger"]
    assert found("Stahlwerk") == []
    assert_index_current()


def test_imported_offers_are_found_and_a_changed_import_is_found_anew(taxonomy):
    setup_roles()
    user = make_user("Koordination")
    report = services.offers_import(
        dataset=spreadsheet.read_table(as_csv(good_rows())), dry_run=False, user=user
    )
    assert report.is_valid, report.errors
    assert found("Robotik") == ["Roboter bauen"]
    assert found("IT 6") == ["Roboter bauen"]
    assert_index_current()

    changed = good_rows()
    changed[5][HEADER.index("Titel")] = "Weinlese im Steilhang"  # the row of code IT 6
    report = services.offers_import(
        dataset=spreadsheet.read_table(as_csv(changed)), dry_run=False, user=user
    )
    assert report.is_valid, report.errors
    assert found("Robotik") == []
    assert found("Wein") == ["Weinlese im Steilhang"]
    assert_index_current()


def test_queryset_updates_renames_and_deletes_are_followed(taxonomy):
    provider = factories.make_provider(taxonomy, name="Stadtwerke Trier")
    kept = factories.make_offer(taxonomy, provider=provider, title="Führung durch das Wasserwerk")
    gone = factories.make_offer(taxonomy, provider=provider, title="Praktikum im Klärwerk")

    Offer.objects.filter(pk=kept.pk).update(summary="Mit Labor und Mikroskop")
    assert found("Mikroskop") == [kept.title]
    Provider.objects.filter(pk=provider.pk).update(name="Moselwerke")
    assert found("Moselwerke") == sorted([kept.title, gone.title])
    assert found("Stadtwerke") == []
    OfferType.objects.filter(pk=taxonomy["praktikum"].pk).update(name="Schnupperlehre")
    assert found("Schnupperlehre") == sorted([kept.title, gone.title])
    assert_index_current()

    Offer.objects.filter(pk=gone.pk).delete()
    assert found("Klärwerk") == []
    assert_index_current()


def test_bulk_inserted_offers_are_found(db):
    call_command("loaddata", "fixtures/taxonomies.json", verbosity=0)
    generator.generate_offers(count=60, seed=3)
    some = Offer.objects.published().order_by("pk").first()
    assert some.title in found(some.title.split()[0])
    assert_index_current()


def test_restore_data_brings_back_what_the_backup_found(transactional_db, taxonomy, tmp_path):
    get_user_model().objects.create_user("koordination", password="eine lange Passphrase 42")
    offer = factories.make_offer(taxonomy, title="Weinlabor: Gärung messen")
    backup = tmp_path / "backup.json"
    call_command("backup_data", str(backup), stdout=StringIO())
    Offer.objects.filter(pk=offer.pk).update(title="Schweißkurs")
    assert found("Wein") == []

    call_command("restore_data", str(backup), yes=True, stdout=StringIO())
    assert found("Wein") == ["Weinlabor: Gärung messen"]
    assert found("Schweißen") == []
    assert_index_current()


def test_migrate_refills_the_table_when_migrations_ran(taxonomy):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's full-text table")
    factories.make_offer(taxonomy, title="Roboter bauen")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {sqlite_fts.TABLE}")
    sqlite_fts.after_migrate(sender=None, plan=[])
    assert found("Roboter") == []  # nothing ran: nothing refilled
    sqlite_fts.after_migrate(sender=None, plan=[("a migration", False)])
    assert found("Roboter") == ["Roboter bauen"]
    assert sqlite_fts.installed_triggers(connection) == set(sqlite_fts.TRIGGERS)


REBUILD_MIGRATION = """
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("offers", "{leaf}")]

    # Each makes SQLite rebuild the table (a copy under a new name, renamed back).
    operations = [
        migrations.AlterField("offer", "title", models.CharField(max_length=251)),
        migrations.AlterField("provider", "name", models.CharField(max_length=201)),
        migrations.AlterField("offertype", "name", models.CharField(max_length=101)),
    ]
"""

CHECK = """
from offers.models import Offer, OfferType, Provider, Region
from offers.search import sqlite_fts, text
from django.db import connection

# bulk_create: no other app's signal handlers, whose tables this database lacks.
(region,) = Region.objects.bulk_create([Region(name="Trier", slug="trier")])
(offer_type,) = OfferType.objects.bulk_create([OfferType(name="Praktikum", slug="praktikum")])
(provider,) = Provider.objects.bulk_create(
    [Provider(name="Stadtwerke", slug="stadtwerke", region=region)]
)
Offer.objects.bulk_create([Offer(provider=provider, offer_type=offer_type,
                                 title="Roboter bauen", status="published")])
Provider.objects.filter(pk=provider.pk).update(name="Moselwerke")
published = Offer.objects.published()
print(sorted(sqlite_fts.installed_triggers(connection)) == sorted(sqlite_fts.TRIGGERS),
      published.filter(text.text_condition("Robotik")).count(),
      published.filter(text.text_condition("Moselwerke")).count())
"""


def test_a_later_migration_that_rebuilds_the_tables_keeps_the_full_text(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite rebuilds altered tables; PostgreSQL alters them in place")
    loader = MigrationLoader(None, ignore_no_migrations=True)
    (leaf,) = [name for app, name in loader.graph.leaf_nodes() if app == "offers"]
    package = tmp_path / "later_migrations"
    package.mkdir()
    for source in (Path(settings.BASE_DIR) / "offers" / "migrations").glob("*.py"):
        (package / source.name).write_text(source.read_text())
    (tmp_path / "later_settings.py").write_text(
        "from retribus.settings import *  # noqa: F403\n"
        "MIGRATION_MODULES = {'offers': 'later_migrations'}\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "later_settings",
        "PYTHONPATH": f"{tmp_path}:{settings.BASE_DIR}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'later.sqlite3'}",
    }
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    # A copy of the test database, with the triggers; then a migration that rebuilds the
    # tables they are on.
    copy = sqlite3.connect(tmp_path / "later.sqlite3")
    connection.ensure_connection()
    connection.connection.backup(copy)
    copy.close()
    (package / "9999_rebuild_tables.py").write_text(REBUILD_MIGRATION.format(leaf=leaf))
    migrated = subprocess.run(
        [*manage, "migrate", "offers", "-v0"], env=environment, capture_output=True, text=True
    )
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    checked = subprocess.run(
        [*manage, "shell", "-c", textwrap.dedent(CHECK)],
        env=environment,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr[-2000:]
    # (The shell first names what it imported for the session.)
    assert checked.stdout.splitlines()[-1].split() == ["True", "1", "1"]
