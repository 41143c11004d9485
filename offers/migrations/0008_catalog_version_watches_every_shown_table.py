"""The catalogue version also changes with the tables 0006 left out.

Offer types, school forms and subjects are facets of the search index and labels on every
offer page; an offer's subjects and school forms are filtered on; contact persons are shown
on offer and provider pages. A change to any of them alone (a school form added to an offer,
an offer type renamed) must replace the token like a change to an offer does, or a worker's
index and the caches keyed by the token would keep the old state.
"""

import importlib

from django.db import migrations

initial = importlib.import_module("offers.migrations.0006_catalog_version_with_triggers")

ADDED = [
    "OfferType",
    "SchoolForm",
    "Subject",
    "Offer.subjects",
    "Offer.school_forms",
    "ContactPerson",
]


def tables(apps):
    found = []
    for name in ADDED:
        model_name, _, field = name.partition(".")
        model = apps.get_model("offers", model_name)
        if field:
            model = model._meta.get_field(field).remote_field.through
        found.append(model._meta.db_table)
    return found


def install(apps, schema_editor):
    names = {"version": apps.get_model("offers", "CatalogVersion")._meta.db_table}
    vendor = schema_editor.connection.vendor
    for table in tables(apps):
        if vendor == "postgresql":
            schema_editor.execute(initial.POSTGRES_TRIGGER.format(table=table, **names))
        elif vendor == "sqlite":
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(
                    initial.SQLITE_TRIGGER.format(table=table, event=event, **names)
                )


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in tables(apps):
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_catalog_version ON {table}")
        elif vendor == "sqlite":
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_catalog_version_{event}")


class Migration(migrations.Migration):
    dependencies = [
        ("offers", "0007_offer_search_sort_indexes"),
    ]

    operations = [migrations.RunPython(install, remove)]
