"""German full text on SQLite: an FTS5 table of the offers' Snowball stems, kept by triggers.

``offers_offer_fts`` holds, per offer (``rowid`` = the offer's id), the stems (``german.stems``)
of the same three weighted parts as PostgreSQL's ``search_vector`` (migration 0003): the
title; summary, code and offer type; description and provider name. Triggers keep it in step
with every write – the admin, the bulk import, queryset updates, deletes, ``restore_data``,
the demo loader, renames of a provider or an offer type – as they keep PostgreSQL's vector;
they call the Python stemmer, which ``register`` makes known to every SQLite connection
Django opens (a connection made outside Django, e.g. the ``sqlite3`` shell, cannot write
offers for want of it).

SQLite rebuilds a table that a migration alters, dropping its triggers, and refuses to rename
the rebuilt table while a trigger of another table names it. So the full-text triggers are
dropped before every ``migrate`` and installed again after it (``before_migrate``,
``after_migrate``), and the table is refilled when migrations ran (they may have written
offers without triggers); no migration needs to remember them. Created by migration 0013.
"""

from . import german

TABLE = "offers_offer_fts"
FUNCTION = "retribus_german_stems"
# bm25 weights of the columns, PostgreSQL's ts_rank defaults for weights A, B, C.
WEIGHTS = (1.0, 0.4, 0.2)
TRIGGERS = (
    "offers_offer_fulltext_insert",
    "offers_offer_fulltext_update",
    "offers_offer_fulltext_delete",
    "offers_provider_fulltext_rename",
    "offers_offertype_fulltext_rename",
)

CREATE_TABLE = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(
    title, body, extra, tokenize = 'unicode61 remove_diacritics 0'
)
"""
ROWS = f"""
INSERT INTO {TABLE} (rowid, title, body, extra)
SELECT o.id, {FUNCTION}(o.title),
       {FUNCTION}(o.summary || ' ' || o.code || ' ' || coalesce(t.name, '')),
       {FUNCTION}(o.description || ' ' || coalesce(p.name, ''))
FROM {{offer}} o
LEFT JOIN {{offertype}} t ON t.id = o.offer_type_id
LEFT JOIN {{provider}} p ON p.id = o.provider_id
"""
INSTALL = [
    f"""
CREATE TRIGGER offers_offer_fulltext_insert AFTER INSERT ON {{offer}}
BEGIN
    {ROWS} WHERE o.id = NEW.id;
END""",
    f"""
CREATE TRIGGER offers_offer_fulltext_update
AFTER UPDATE OF title, summary, code, description, offer_type_id, provider_id ON {{offer}}
BEGIN
    DELETE FROM {TABLE} WHERE rowid = OLD.id;
    {ROWS} WHERE o.id = NEW.id;
END""",
    f"""
CREATE TRIGGER offers_offer_fulltext_delete AFTER DELETE ON {{offer}}
BEGIN
    DELETE FROM {TABLE} WHERE rowid = OLD.id;
END""",
    f"""
CREATE TRIGGER offers_provider_fulltext_rename AFTER UPDATE OF name ON {{provider}}
WHEN OLD.name IS NOT NEW.name
BEGIN
    DELETE FROM {TABLE} WHERE rowid IN (SELECT id FROM {{offer}} WHERE provider_id = NEW.id);
    {ROWS} WHERE o.provider_id = NEW.id;
END""",
    f"""
CREATE TRIGGER offers_offertype_fulltext_rename AFTER UPDATE OF name ON {{offertype}}
WHEN OLD.name IS NOT NEW.name
BEGIN
    DELETE FROM {TABLE} WHERE rowid IN (SELECT id FROM {{offer}} WHERE offer_type_id = NEW.id);
    {ROWS} WHERE o.offer_type_id = NEW.id;
END""",
]


def _stems(text):
    return german.stems(text)


def register(sender=None, connection=None, **kwargs):
    """Make the stemmer known to a new SQLite connection (a ``connection_created`` handler)."""
    if connection is not None and connection.vendor == "sqlite":
        connection.connection.create_function(FUNCTION, 1, _stems, deterministic=True)


def _tables(connection):
    from offers.models import Offer, OfferType, Provider

    return {
        "offer": Offer._meta.db_table,
        "offertype": OfferType._meta.db_table,
        "provider": Provider._meta.db_table,
    }


def exists(connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [TABLE])
        return cursor.fetchone() is not None


def installed_triggers(connection):
    """The names of the full-text triggers the database has."""
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(TRIGGERS))
        cursor.execute(
            f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN ({placeholders})",
            TRIGGERS,
        )
        return {name for (name,) in cursor.fetchall()}


def drop_triggers(connection):
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def install_triggers(connection):
    drop_triggers(connection)
    tables = _tables(connection)
    with connection.cursor() as cursor:
        for statement in INSTALL:
            cursor.execute(statement.format(**tables))


def refill(connection):
    """Index every offer anew."""
    connection.ensure_connection()
    register(connection=connection)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(ROWS.format(**_tables(connection)))


def create(connection):
    """Create the table and index every offer (migration 0013). The triggers follow when the
    ``migrate`` command ends (``after_migrate``): installed now, they would stop a later
    migration of the same run from rebuilding a table."""
    with connection.cursor() as cursor:
        cursor.execute(CREATE_TABLE)
    refill(connection)


def remove(connection):
    drop_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def before_migrate(sender, using="default", **kwargs):
    """``pre_migrate``: no full-text trigger may stand in a table rebuild's way."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite" and exists(connection):
        drop_triggers(connection)


def after_migrate(sender, using="default", plan=None, **kwargs):
    """``post_migrate``: the triggers back, and the table refilled if migrations ran."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite" and exists(connection):
        install_triggers(connection)
        if plan:
            refill(connection)


# --- searching ------------------------------------------------------------------------------


def matches_sql(expression):
    """SQL (and its parameters) selecting the ids of the offers an FTS5 expression finds."""
    return f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", (expression,)


def rank_sql(expression, offer_column):
    """SQL (and parameters) of the bm25 rank (higher is better, 0 when not found) of the
    offer whose id is ``offer_column``. The matches are ranked once, in a materialized
    table: a full-text match per offer would cost a quadratic time (25 s for 5,000)."""
    weights = ", ".join(str(weight) for weight in WEIGHTS)
    return (
        f"COALESCE((WITH ranked AS MATERIALIZED (SELECT rowid AS id, -bm25({TABLE}, {weights}) "
        f"AS rank FROM {TABLE} WHERE {TABLE} MATCH %s) "
        f"SELECT rank FROM ranked WHERE id = {offer_column}), 0)",
        (expression,),
    )
