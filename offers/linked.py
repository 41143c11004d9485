"""An offer's taxonomy links (school forms, subjects, regions, sectors) read in one query
and filled in from the taxonomy objects the worker already holds.

``prefetch_related`` would ask four queries and build the same few taxonomy objects again
for every page; the search index's vocabulary (``engine(version).vocabulary()``) holds
them all, current for the catalogue version (a taxonomy write means a new one). The links
land in each offer's prefetch cache, so ``offer.regions.all()`` and friends read them as if
prefetched (docs/architecture.md, "Cheap new pages").
"""

from collections import defaultdict

from django.db.models import CharField, Value

from .models import Offer

# Offer relation → the facet whose vocabulary holds its objects.
RELATIONS = {
    "school_forms": "schoolform",
    "subjects": "subject",
    "regions": "region",
    "sectors": "sector",
}


def _links(relation, offer_ids):
    field = Offer._meta.get_field(relation)
    through = field.remote_field.through
    target = field.m2m_reverse_name()
    return (
        through.objects.filter(offer_id__in=offer_ids)
        .annotate(relation=Value(relation, output_field=CharField()))
        .values_list("relation", "offer_id", target)
        .order_by()
    )


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
    ids = [offer.pk for offer in offers]
    first, *rest = (_links(relation, ids) for relation in RELATIONS)
    linked = defaultdict(set)
    for relation, offer_id, target in first.union(*rest, all=True):
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
