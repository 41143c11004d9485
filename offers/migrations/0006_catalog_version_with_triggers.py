"""The catalogue version: one row whose token triggers replace on every catalogue write.

The walk caches its counts under the token (offers/walk.py). PostgreSQL gets one trigger per
statement, SQLite (which has no statement triggers) one per row. Any other database keeps
the initial token and gets no triggers, so the walk there must not cache: it reads no token.
"""

from django.db import migrations, models

# What the walk's counts and offer lists depend on.
WATCHED = ["Offer", "Offer.sectors", "Offer.regions", "Sector", "Region", "Track", "Provider"]

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION {version}_touch() RETURNS trigger AS $$
BEGIN
    UPDATE {version} SET token = md5(random()::text || clock_timestamp()::text);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""
POSTGRES_TRIGGER = """
CREATE TRIGGER {table}_catalog_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION {version}_touch();
"""
SQLITE_TRIGGER = """
CREATE TRIGGER {table}_catalog_version_{event} AFTER {event} ON {table}
BEGIN
    UPDATE {version} SET token = lower(hex(randomblob(16)));
END;
"""


def watched_tables(apps):
    tables = []
    for name in WATCHED:
        model_name, _, field = name.partition(".")
        model = apps.get_model("offers", model_name)
        if field:
            model = model._meta.get_field(field).remote_field.through
        tables.append(model._meta.db_table)
    return tables


def install(apps, schema_editor):
    version = apps.get_model("offers", "CatalogVersion")
    version.objects.create(pk=1, token="initial")
    names = {"version": version._meta.db_table}
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION.format(**names))
        for table in watched_tables(apps):
            schema_editor.execute(POSTGRES_TRIGGER.format(table=table, **names))
    elif vendor == "sqlite":
        for table in watched_tables(apps):
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(SQLITE_TRIGGER.format(table=table, event=event, **names))
    else:
        version.objects.all().delete()


def remove(apps, schema_editor):
    names = {"version": apps.get_model("offers", "CatalogVersion")._meta.db_table}
    vendor = schema_editor.connection.vendor
    for table in watched_tables(apps):
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_catalog_version ON {table}")
        elif vendor == "sqlite":
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_catalog_version_{event}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS {version}_touch()".format(**names))


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
