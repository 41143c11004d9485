"""What an offer page shows besides the offer's own row: its taxonomy links (school forms,
subjects, regions, sectors), read in one query and filled in from the taxonomy objects the
worker already holds, and its provider's other offers.

``prefetch_related`` would ask four queries and build the same few taxonomy objects again
for every page; the search index's vocabulary (``engine(version).vocabulary()``) holds
them all, current for the catalogue version (a taxonomy write means a new one). The links
land in each offer's prefetch cache, so ``offer.regions.all()`` and friends read them as if
prefetched (docs/architecture.md, "Cheap new pages").
"""

import functools
from collections import defaultdict

from django.db import connection

from .models import Offer

# Offer relation → the facet whose vocabulary holds its objects.
RELATIONS = {
    "school_forms": "schoolform",
    "subjects": "subject",
    "regions": "region",
    "sectors": "sector",
}


@functools.cache
def _link_selects():
    """Per relation, a SELECT of (relation, offer id, linked id) from its link table. Written
    once from the models' metadata: the ORM would compile the same four-part union again
    for every page, which costs more than the database takes to answer it."""
    quote = connection.ops.quote_name
    selects = []
    for relation in RELATIONS:
        field = Offer._meta.get_field(relation)
        through = field.remote_field.through._meta
        offer_id = quote(through.get_field(field.m2m_field_name()).column)
        target = quote(through.get_field(field.m2m_reverse_field_name()).column)
        selects.append(
            f"SELECT '{relation}', {offer_id}, {target} FROM {quote(through.db_table)} "
            f"WHERE {offer_id} IN ({{ids}})"
        )
    return selects


def _links(offer_ids):
    """(relation, offer id, linked id) of every link of the offers ``offer_ids``."""
    placeholders = ", ".join(["%s"] * len(offer_ids))
    sql = " UNION ALL ".join(select.format(ids=placeholders) for select in _link_selects())
    with connection.cursor() as cursor:
        cursor.execute(sql, list(offer_ids) * len(RELATIONS))
        return cursor.fetchall()


def _link_parents(model, nodes):
    """A two-level taxonomy's nodes know their parent object (the walk trail asks for it)."""
    parent = next((f for f in model._meta.fields if f.name == "parent"), None)
    if parent is None:
        return
    by_pk = {node.pk: node for node in nodes}
    for node in nodes:
        if node.parent_id in by_pk and not parent.is_cached(node):
            parent.set_cached_value(node, by_pk[node.parent_id])


def attach(offers, vocabulary):
    """Fill the four link relations of ``offers`` from one query and ``vocabulary``."""
    offers = list(offers)
    if not offers:
        return offers
    linked = defaultdict(set)
    for relation, offer_id, target in _links([offer.pk for offer in offers]):
        linked[offer_id, relation].add(target)
    for relation, facet in RELATIONS.items():
        # In the vocabulary's order, which is the models' own (position, name).
        nodes = list(getattr(vocabulary, facet).values())
        model = Offer._meta.get_field(relation).related_model
        _link_parents(model, nodes)
        for offer in offers:
            chosen = linked.get((offer.pk, relation), ())
            objects = [node for node in nodes if node.pk in chosen]
            queryset = model._default_manager.all()
            queryset._result_cache, queryset._prefetch_done = objects, True
            if not hasattr(offer, "_prefetched_objects_cache"):
                offer._prefetched_objects_cache = {}
            offer._prefetched_objects_cache[relation] = queryset
    return offers


@functools.cache
def _other_offers_sql():
    quote = connection.ops.quote_name

    def column(name):
        return quote(Offer._meta.get_field(name).column)

    shown = ", ".join(column(name) for name in ("id", "title", "grade_min", "grade_max"))
    return (
        f"SELECT {shown}, {column('offer_type')} FROM {quote(Offer._meta.db_table)} "
        f"WHERE {column('provider')} = %s AND {column('status')} = %s AND {column('id')} <> %s "
        f"ORDER BY {column('title')}, {column('id')} LIMIT %s"
    )


def other_offers(offer, vocabulary, limit):
    """The first ``limit`` other published offers of the offer's provider in title order, as
    rows (pk, title, grade_min, grade_max, offer type name). Written out like the links: the
    ORM's compiling would cost more than the database's answer."""
    with connection.cursor() as cursor:
        cursor.execute(
            _other_offers_sql(), [offer.provider_id, Offer.Status.PUBLISHED, offer.pk, limit]
        )
        rows = cursor.fetchall()
    type_names = {offer_type.pk: offer_type.name for offer_type in vocabulary.type.values()}
    return [(*row[:4], type_names.get(row[4], "")) for row in rows]
