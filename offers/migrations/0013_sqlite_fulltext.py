"""German full text on SQLite: an FTS5 table of the offers' Snowball stems, kept by triggers
(offers/search/sqlite_fts.py). PostgreSQL has its search vector since 0003: nothing to do."""

from django.db import migrations

from offers.search import sqlite_fts


def create_fulltext(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        sqlite_fts.create(schema_editor.connection)


def remove_fulltext(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        sqlite_fts.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("offers", "0012_import_job")]

    operations = [migrations.RunPython(create_fulltext, remove_fulltext)]
