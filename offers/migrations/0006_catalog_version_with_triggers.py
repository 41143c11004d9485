"""The catalogue version: one row whose token triggers replace on every catalogue write
(the tables are ``offers.models.CATALOG_TABLES``, the triggers ``offers/freshness.py``)."""

from django.db import migrations, models

from offers import freshness


def install(apps, schema_editor):
    version = apps.get_model("offers", "CatalogVersion")
    version.objects.create(pk=1, token="initial")
    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        freshness.watch_tables(apps, schema_editor)
    else:
        version.objects.all().delete()


def remove(apps, schema_editor):
    freshness.unwatch_tables(apps, schema_editor)
    if schema_editor.connection.vendor == "postgresql":
        table = apps.get_model("offers", "CatalogVersion")._meta.db_table
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_touch()")


class Migration(migrations.Migration):
    dependencies = [
        ("offers", "0005_offer_published_id_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=64, verbose_name="token")),
            ],
            options={
                "verbose_name": "catalogue version",
                "verbose_name_plural": "catalogue versions",
            },
        ),
        migrations.RunPython(install, remove),
    ]
