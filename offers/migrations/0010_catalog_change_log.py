"""The change log: the catalogue triggers now also log which offers a write touched, so
that a worker's search index patches those offers instead of being built anew."""

from django.db import migrations, models

from offers import freshness


class Migration(migrations.Migration):
    dependencies = [
        ("offers", "0009_offer_provider_listing_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogChange",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("offer_id", models.BigIntegerField(null=True, verbose_name="offer")),
            ],
            options={
                "verbose_name": "catalogue change",
                "verbose_name_plural": "catalogue changes",
            },
        ),
        migrations.RunPython(freshness.watch_tables, migrations.RunPython.noop),
    ]
