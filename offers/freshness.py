"""The database triggers that replace the catalogue version's token on every write to a
table in ``models.CATALOG_TABLES`` (docs/architecture.md says why the token matters).

PostgreSQL gets one trigger per statement, SQLite (which has no statement triggers) one per
row and event. Any other database keeps no token row and gets no triggers, so nothing there
is cached: it reads no token. Migrations call ``watch_tables``; after adding a table to
``CATALOG_TABLES``, add a migration that calls it again (it is idempotent).
"""

from .models import CATALOG_TABLES

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
SQLITE_EVENTS = ("INSERT", "UPDATE", "DELETE")


def table_names(apps):
    """The database tables of ``CATALOG_TABLES`` (``Offer.sectors``: its link table)."""
    tables = []
    for name in CATALOG_TABLES:
        model_name, _, field = name.partition(".")
        model = apps.get_model("offers", model_name)
        if field:
            model = model._meta.get_field(field).remote_field.through
        tables.append(model._meta.db_table)
    return tables


def _version_table(apps):
    return apps.get_model("offers", "CatalogVersion")._meta.db_table


def watch_tables(apps, schema_editor):
    """(Re)create the token's trigger on every table of ``CATALOG_TABLES``."""
    version = _version_table(apps)
    vendor = schema_editor.connection.vendor
    unwatch_tables(apps, schema_editor)
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION.format(version=version))
        for table in table_names(apps):
            schema_editor.execute(POSTGRES_TRIGGER.format(table=table, version=version))
    elif vendor == "sqlite":
        for table in table_names(apps):
            for event in SQLITE_EVENTS:
                schema_editor.execute(
                    SQLITE_TRIGGER.format(table=table, event=event, version=version)
                )


def unwatch_tables(apps, schema_editor):
    """Drop the triggers ``watch_tables`` creates."""
    vendor = schema_editor.connection.vendor
    for table in table_names(apps):
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_catalog_version ON {table}")
        elif vendor == "sqlite":
            for event in SQLITE_EVENTS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_catalog_version_{event}")


def watched_tables(connection):
    """The tables that have the token's trigger in the database behind ``connection`` (on
    SQLite, only tables with a trigger for each event)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                "WHERE trigger_name LIKE %s",
                ["%_catalog_version"],
            )
            return {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        events = {}
        for table, name in cursor.fetchall():
            for event in SQLITE_EVENTS:
                if name == f"{table}_catalog_version_{event}":
                    events.setdefault(table, set()).add(event)
        return {table for table, found in events.items() if found == set(SQLITE_EVENTS)}
