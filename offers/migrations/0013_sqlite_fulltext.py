"""German full text on SQLite (filled in by the search-quality work of this round)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("offers", "0012_import_job")]

    operations = []
