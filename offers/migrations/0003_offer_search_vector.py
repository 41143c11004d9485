"""A weighted German search vector on offers, kept current by PostgreSQL triggers.

Triggers rather than ``save()`` so that ``bulk_create`` (the offer generator), queryset
updates, the admin and renames of a provider or an offer type all keep the vector right.
On SQLite the column stays empty and search falls back to substring matching
(see ``offers/text_search.py``).
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

# Weights: title A; summary, code and offer type B; description and provider name C.
INSTALL = """
CREATE OR REPLACE FUNCTION {offer}_search_vector_update() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('german', coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector('german',
               coalesce(NEW.summary, '') || ' ' || coalesce(NEW.code, '') || ' '
               || coalesce((SELECT name FROM {offertype} WHERE id = NEW.offer_type_id), '')), 'B')
        || setweight(to_tsvector('german',
               coalesce(NEW.description, '') || ' '
               || coalesce((SELECT name FROM {provider} WHERE id = NEW.provider_id), '')), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER {offer}_search_vector_trigger
    BEFORE INSERT OR UPDATE ON {offer}
    FOR EACH ROW EXECUTE FUNCTION {offer}_search_vector_update();

-- A renamed provider or offer type touches its offers, which fires the trigger above.
CREATE OR REPLACE FUNCTION {provider}_search_vector_touch() RETURNS trigger AS $$
BEGIN
    UPDATE {offer} SET search_vector = NULL WHERE provider_id = NEW.id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER {provider}_search_vector_trigger
    AFTER UPDATE OF name ON {provider}
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION {provider}_search_vector_touch();

CREATE OR REPLACE FUNCTION {offertype}_search_vector_touch() RETURNS trigger AS $$
BEGIN
    UPDATE {offer} SET search_vector = NULL WHERE offer_type_id = NEW.id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER {offertype}_search_vector_trigger
    AFTER UPDATE OF name ON {offertype}
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION {offertype}_search_vector_touch();

-- Fill the vector of the offers that already exist.
UPDATE {offer} SET search_vector = NULL;
"""

REMOVE = """
DROP TRIGGER IF EXISTS {offertype}_search_vector_trigger ON {offertype};
DROP FUNCTION IF EXISTS {offertype}_search_vector_touch();
DROP TRIGGER IF EXISTS {provider}_search_vector_trigger ON {provider};
DROP FUNCTION IF EXISTS {provider}_search_vector_touch();
DROP TRIGGER IF EXISTS {offer}_search_vector_trigger ON {offer};
DROP FUNCTION IF EXISTS {offer}_search_vector_update();
"""


def table_names(apps):
    return {
        "offer": apps.get_model("offers", "Offer")._meta.db_table,
        "provider": apps.get_model("offers", "Provider")._meta.db_table,
        "offertype": apps.get_model("offers", "OfferType")._meta.db_table,
    }


def install_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL.format(**table_names(apps)))


def remove_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE.format(**table_names(apps)))


class Migration(migrations.Migration):
    dependencies = [
        ("offers", "0002_track_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="offer",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False, null=True, verbose_name="search vector"
            ),
        ),
        migrations.AddIndex(
            model_name="offer",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_vector"], name="offer_search_vector_gin"
            ),
        ),
        migrations.RunPython(install_triggers, remove_triggers),
    ]
