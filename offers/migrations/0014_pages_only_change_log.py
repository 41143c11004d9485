"""A write to a table only pages show (contact persons) now leaves a mark in the change log,
so that a worker knows to render those pages anew while keeping every other cached page."""

from django.db import migrations

from offers import freshness


class Migration(migrations.Migration):
    dependencies = [("offers", "0013_sqlite_fulltext")]

    operations = [migrations.RunPython(freshness.watch_tables, migrations.RunPython.noop)]
