"""The database triggers that keep the catalogue version fresh: on every write to a table of
``models.CATALOG_TABLES`` they replace the token of ``CatalogVersion`` and log the offers the
write touched in ``CatalogChange`` (docs/architecture.md says why both matter).

PostgreSQL gets statement triggers that read the written rows from transition tables (one
trigger per event, as PostgreSQL requires), SQLite (which has no statement triggers) one
trigger per row and event. Any other database keeps no token row and gets no triggers, so
nothing there is cached: it reads no token. Migrations call ``watch_tables``; after changing
``CATALOG_TABLES``, add a migration that calls it again (it is idempotent); so must every
migration that alters a watched table, since SQLite rebuilds an altered table without its
triggers (tests/test_freshness.py notices). Before the log
existed (migrations 0006 and 0008) the triggers only replaced the token.
"""

from .models import CATALOG_TABLES, PAGES_ONLY, PAGES_ONLY_CHANGE, REBUILD

EVENTS = ("INSERT", "UPDATE", "DELETE")

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION {version}_touch() RETURNS trigger AS $$
BEGIN
    UPDATE {version} SET token = md5(random()::text || clock_timestamp()::text);
    {log}
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""
# TG_ARGV[0]: the column naming the offer, or REBUILD, or PAGES_ONLY. "%%" is a "%" once
# the schema editor has passed the statement through the driver.
POSTGRES_LOG = """
    IF TG_ARGV[0] = '{pages_only}' THEN
        INSERT INTO {log} (offer_id) VALUES ({pages_only_change});
    ELSIF TG_ARGV[0] = '{rebuild}' OR TG_OP = 'TRUNCATE' THEN
        INSERT INTO {log} (offer_id) VALUES (NULL);
    ELSIF TG_OP = 'INSERT' THEN
        EXECUTE format('INSERT INTO {log} (offer_id) SELECT DISTINCT %%I FROM new_rows',
                       TG_ARGV[0]);
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format('INSERT INTO {log} (offer_id) SELECT DISTINCT %%I FROM old_rows',
                       TG_ARGV[0]);
    ELSE
        EXECUTE format('INSERT INTO {log} (offer_id) '
                       'SELECT %%1$I FROM new_rows UNION SELECT %%1$I FROM old_rows', TG_ARGV[0]);
    END IF;"""
POSTGRES_TRIGGER = """
CREATE TRIGGER {name} AFTER {events} ON {table} {transition}
    FOR EACH STATEMENT EXECUTE FUNCTION {version}_touch('{argument}');
"""
TRANSITIONS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}
SQLITE_TRIGGER = """
CREATE TRIGGER {table}_catalog_version_{event} AFTER {event} ON {table}
BEGIN
    UPDATE {version} SET token = lower(hex(randomblob(16)));
    {log}
END;
"""


def _tables(apps):
    """(database table, what a write means) for each entry of ``CATALOG_TABLES``."""
    tables = []
    for name, offer_column in CATALOG_TABLES.items():
        app_label = "offers"
        if name[:1].islower():  # "bookings.Session": a table of another app
            app_label, name = name.split(".", 1)
            try:
                apps.get_model(app_label, name.partition(".")[0])
            except LookupError:  # a migration that runs before that app has its table
                continue
        model_name, _dot, field = name.partition(".")
        model = apps.get_model(app_label, model_name)
        if field:
            model = model._meta.get_field(field).remote_field.through
        tables.append((model._meta.db_table, offer_column))
    return tables


def table_names(apps):
    """The database tables of ``CATALOG_TABLES`` (``Offer.sectors``: its link table)."""
    return [table for table, _column in _tables(apps)]


def _log_table(apps):
    """The change log's table, or None in migrations that run before it exists."""
    try:
        return apps.get_model("offers", "CatalogChange")._meta.db_table
    except LookupError:
        return None


def _sqlite_log(log, offer_column, event):
    if log is None:
        return ""
    if offer_column == PAGES_ONLY:
        return f"INSERT INTO {log} (offer_id) VALUES ({PAGES_ONLY_CHANGE});"
    if offer_column == REBUILD:
        return f"INSERT INTO {log} (offer_id) VALUES (NULL);"
    rows = {"INSERT": ["NEW"], "DELETE": ["OLD"], "UPDATE": ["NEW", "OLD"]}[event]
    return " ".join(f"INSERT INTO {log} (offer_id) VALUES ({row}.{offer_column});" for row in rows)


def _postgres_triggers(table, offer_column, log, version):
    """The trigger statements of one table: one per event with its written rows for a table
    of offers or their links, one for all events otherwise."""
    common = {"table": table, "version": version}
    if log is None or offer_column in (REBUILD, PAGES_ONLY):
        events = "INSERT OR UPDATE OR DELETE OR TRUNCATE"
        argument = offer_column if log is not None else PAGES_ONLY
        return [
            POSTGRES_TRIGGER.format(
                name=f"{table}_catalog_version",
                events=events,
                transition="",
                argument=argument,
                **common,
            )
        ]
    statements = [
        POSTGRES_TRIGGER.format(
            name=f"{table}_catalog_version_{event.lower()}",
            events=event,
            transition=TRANSITIONS[event],
            argument=offer_column,
            **common,
        )
        for event in EVENTS
    ]
    statements.append(
        POSTGRES_TRIGGER.format(
            name=f"{table}_catalog_version_truncate",
            events="TRUNCATE",
            transition="",
            argument=REBUILD,
            **common,
        )
    )
    return statements


def watch_tables(apps, schema_editor):
    """(Re)create the triggers on every table of ``CATALOG_TABLES``."""
    version = apps.get_model("offers", "CatalogVersion")._meta.db_table
    log = _log_table(apps)
    vendor = schema_editor.connection.vendor
    unwatch_tables(apps, schema_editor)
    if vendor == "postgresql":
        log_sql = (
            ""
            if log is None
            else POSTGRES_LOG.format(
                log=log,
                rebuild=REBUILD,
                pages_only=PAGES_ONLY,
                pages_only_change=PAGES_ONLY_CHANGE,
            )
        )
        schema_editor.execute(POSTGRES_FUNCTION.format(version=version, log=log_sql))
        for table, offer_column in _tables(apps):
            for statement in _postgres_triggers(table, offer_column, log, version):
                schema_editor.execute(statement)
    elif vendor == "sqlite":
        for table, offer_column in _tables(apps):
            for event in EVENTS:
                schema_editor.execute(
                    SQLITE_TRIGGER.format(
                        table=table,
                        event=event,
                        version=version,
                        log=_sqlite_log(log, offer_column, event),
                    )
                )


def unwatch_tables(apps, schema_editor):
    """Drop the triggers ``watch_tables`` creates (of any earlier form too)."""
    vendor = schema_editor.connection.vendor
    for table in table_names(apps):
        if vendor == "postgresql":
            for suffix in ("", *(f"_{event.lower()}" for event in (*EVENTS, "TRUNCATE"))):
                name = f"{table}_catalog_version{suffix}"
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        elif vendor == "sqlite":
            for event in EVENTS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_catalog_version_{event}")


def watched_tables(connection):
    """The tables whose every kind of write is watched in the database behind
    ``connection``: on PostgreSQL a trigger for all events or one per event, on SQLite one
    per event."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT event_object_table, trigger_name, event_manipulation "
                "FROM information_schema.triggers WHERE trigger_name LIKE %s",
                ["%\\_catalog\\_version%"],
            )
        else:
            cursor.execute("SELECT tbl_name, name, '' FROM sqlite_master WHERE type = 'trigger'")
        rows = cursor.fetchall()
    events = {}
    for table, name, event in rows:
        if connection.vendor == "postgresql":
            events.setdefault(table, set()).add(event)
        else:
            for candidate in EVENTS:
                if name == f"{table}_catalog_version_{candidate}":
                    events.setdefault(table, set()).add(candidate)
    return {table for table, found in events.items() if found >= set(EVENTS)}
