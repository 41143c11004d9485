"""What an offer page reads: the offer with its provider, type and contact person, its
taxonomy links (school forms, subjects, regions, sectors), read in one query and filled in
from the taxonomy objects the worker already holds, its provider's other offers, and the
public contact persons (the provider page's too); and what the search index reads of the
offers of a result page's cards. The hottest of these questions are SQL written once from
the models' metadata (``_table``, ``_column``).

``prefetch_related`` would ask four queries and build the same few taxonomy objects again
for every page; the search index's vocabulary (``engine(version).vocabulary()``) holds
them all, current for the catalogue version (a taxonomy write means a new one). The links
land in each offer's prefetch cache, so ``offer.regions.all()`` and friends read them as if
prefetched (docs/architecture.md, "Cheap new pages").
"""

import functools
from collections import defaultdict

from django.db import connection

from .models import ContactPerson, Offer, Provider

# An offer's own columns that a result card shows (offers/templatetags/offer_tags.py), and
# so does a provider's table of offers (offers/provider_table.py).
CARD_FIELDS = (
    "code",
    "title",
    "summary",
    "offer_type",
    "all_school_forms",
    "duration_text",
    "duration_min_minutes",
    "duration_max_minutes",
    "duration_unit",
    "venue",
    "place",
    "grade_min",
    "grade_max",
    "participants_min",
    "participants_max",
    "participants_note",
)
# Offer relation → the facet whose vocabulary holds its objects.
RELATIONS = {
    "school_forms": "schoolform",
    "subjects": "subject",
    "regions": "region",
    "sectors": "sector",
}


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _column(model, name):
    return connection.ops.quote_name(model._meta.get_field(name).column)


@functools.cache
def _link_selects():
    """Per relation, a SELECT of (relation, offer id, linked id) from its link table. Written
    once from the models' metadata: the ORM would compile the same four-part union again
    for every page, which costs more than the database takes to answer it."""
    selects = []
    for relation in RELATIONS:
        field = Offer._meta.get_field(relation)
        through = field.remote_field.through
        offer_id = _column(through, field.m2m_field_name())
        target = _column(through, field.m2m_reverse_field_name())
        selects.append(
            f"SELECT '{relation}', {offer_id}, {target} FROM {_table(through)} "
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


def _places(vocabulary, facet, model):
    """pk → (place in the vocabulary's order, node) of one facet's nodes, made once per
    vocabulary (400 regions are not walked for every page), parents linked first."""
    made = vocabulary.__dict__.setdefault("_link_places", {})
    if facet not in made:
        nodes = list(getattr(vocabulary, facet).values())
        _link_parents(model, nodes)
        made[facet] = {node.pk: (place, node) for place, node in enumerate(nodes)}
    return made[facet]


def attach(offers, vocabulary):
    """Fill the four link relations of ``offers`` from one query and ``vocabulary``."""
    offers = list(offers)
    if not offers:
        return offers
    linked = defaultdict(set)
    for relation, offer_id, target in _links([offer.pk for offer in offers]):
        linked[offer_id, relation].add(target)
    for relation, facet in RELATIONS.items():
        model = Offer._meta.get_field(relation).related_model
        places = _places(vocabulary, facet, model)
        for offer in offers:
            chosen = linked.get((offer.pk, relation), ())
            # In the vocabulary's order, which is the models' own (position, name).
            objects = [node for _place, node in sorted(places[pk] for pk in chosen if pk in places)]
            queryset = model._default_manager.all()
            queryset._result_cache, queryset._prefetch_done = objects, True
            if not hasattr(offer, "_prefetched_objects_cache"):
                offer._prefetched_objects_cache = {}
            offer._prefetched_objects_cache[relation] = queryset
    return offers


@functools.cache
def _other_offers_sql():
    def column(name):
        return _column(Offer, name)

    shown = ", ".join(column(name) for name in ("id", "title", "grade_min", "grade_max"))
    return (
        f"SELECT {shown}, {column('offer_type')} FROM {_table(Offer)} "
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


@functools.cache
def _columns(model):
    """The attribute names and column expressions of the ``model`` columns a page reads,
    in the model's order (``Model.from_db`` takes them so): all but the offer's search
    vector, which is half its row."""
    fields = [field for field in model._meta.concrete_fields if field.name != "search_vector"]
    table = model._meta.db_table
    return [field.attname for field in fields], [field.get_col(table) for field in fields]


def _select_list(model):
    """The SELECT list of ``_columns(model)``, each column with its table."""
    return ", ".join(f"{_table(model)}.{_column(model, name)}" for name in _columns(model)[0])


@functools.cache
def _converted_columns(model, vendor):
    """The places (in ``_columns``) of the columns whose database values the ORM converts on
    this kind of database: on SQLite booleans, dates and times (made aware); none on
    PostgreSQL, whose driver returns Python values."""
    _names, cols = _columns(model)
    return tuple(place for place, col in enumerate(cols) if _converters(col))


def _converters(col):
    return [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)]


def _instance(model, values):
    """A ``model`` object from the ``values`` of ``_columns(model)`` a cursor returned,
    through the conversions the ORM's compiler would apply, into ``Model.from_db``.
    ``Model.objects.raw()`` does the same with three times the CPU (it works out its
    columns' order and converters anew for every query)."""
    names, cols = _columns(model)
    if places := _converted_columns(model, connection.vendor):
        values = list(values)
        for place in places:
            for function in _converters(cols[place]):
                values[place] = function(values[place], cols[place], connection)
    return model.from_db(connection.alias, names, values)


@functools.cache
def _published_offer_sql():
    """The offer with its provider and contact person in one statement. PostgreSQL plans
    the join in 0.3 ms, three lookups by primary key in under 0.1 ms each, so the page
    waits about as long either way (0.7–0.8 ms at 100,000 offers); but each round trip
    costs the worker CPU, and the one statement takes 0.3 ms of it where three took 0.5."""
    offer, provider, contact = _table(Offer), _table(Provider), _table(ContactPerson)
    return (
        f"SELECT {_select_list(Offer)}, {_select_list(Provider)}, {_select_list(ContactPerson)} "
        f"FROM {offer} INNER JOIN {provider} "
        f"ON {provider}.{_column(Provider, 'id')} = {offer}.{_column(Offer, 'provider')} "
        f"LEFT OUTER JOIN {contact} "
        f"ON {contact}.{_column(ContactPerson, 'id')} = {offer}.{_column(Offer, 'contact')} "
        f"WHERE {offer}.{_column(Offer, 'id')} = %s AND {offer}.{_column(Offer, 'status')} = %s"
    )


def published_offer(pk, vocabulary):
    """The published offer ``pk`` with its provider, type and contact person, or None: one
    statement (``_published_offer_sql``), the type from ``vocabulary``."""
    low, high = connection.ops.integer_field_range(Offer._meta.pk.get_internal_type())
    if not low <= pk <= high:  # an address can name any number; the database none that big
        return None
    with connection.cursor() as cursor:
        cursor.execute(_published_offer_sql(), [pk, Offer.Status.PUBLISHED])
        row = cursor.fetchone()
    if row is None:
        return None
    offer_end = len(_columns(Offer)[0])
    provider_end = offer_end + len(_columns(Provider)[0])
    offer = _instance(Offer, row[:offer_end])
    offer.provider = _instance(Provider, row[offer_end:provider_end])
    types = {offer_type.pk: offer_type for offer_type in vocabulary.type.values()}
    offer.offer_type = types.get(offer.offer_type_id) or offer.offer_type
    offer.contact = _instance(ContactPerson, row[provider_end:]) if offer.contact_id else None
    return offer


@functools.cache
def _contacts_sql():
    person = f"{_table(ContactPerson)}.{_column(ContactPerson, 'id')}"
    named = f"SELECT 1 FROM {_table(Offer)} WHERE {_column(Offer, 'contact')} = {person}"
    return (
        f"SELECT {_select_list(ContactPerson)} FROM {_table(ContactPerson)} "
        f"WHERE {_column(ContactPerson, 'provider')} = %s "
        f"AND (NOT EXISTS ({named}) OR EXISTS ({named} AND {_column(Offer, 'status')} = %s)) "
        f"ORDER BY {_column(ContactPerson, 'position')}, {_column(ContactPerson, 'name')}"
    )


def public_contacts(provider):
    """The provider's contact persons in their order, without those named only on offers
    that are not published (a draft's new contact is not public yet). Written out once:
    the ORM took longer to compile the two subqueries than the database to answer them."""
    with connection.cursor() as cursor:
        cursor.execute(_contacts_sql(), [provider.pk, Offer.Status.PUBLISHED])
        return [_instance(ContactPerson, row) for row in cursor.fetchall()]


@functools.cache
def _card_statement():
    """The attribute names of the offer columns ``card_offers`` reads, in the model's order
    (``Model.from_db`` takes them so), and its SELECT, which adds the provider's name and
    town. Those come from two subqueries rather than a join: PostgreSQL plans them in half
    the time (0.08 against 0.16 ms), and planning is most of what the statement costs."""
    fields = [
        field
        for field in Offer._meta.concrete_fields
        if field.name in {"id", "provider", *CARD_FIELDS}
    ]
    offer = _table(Offer)
    shown = ", ".join(f"{offer}.{connection.ops.quote_name(field.column)}" for field in fields)
    provider = (
        f"FROM {_table(Provider)} WHERE {_table(Provider)}.{_column(Provider, 'id')} "
        f"= {offer}.{_column(Offer, 'provider')}"
    )
    return [field.attname for field in fields], (
        f"SELECT {shown}, (SELECT {_column(Provider, 'name')} {provider}), "
        f"(SELECT {_column(Provider, 'city')} {provider}) "
        f"FROM {offer} WHERE {offer}.{_column(Offer, 'id')} IN ({{ids}})"
    )


def card_offers(ids):
    """The offers ``ids`` (in no particular order) with their columns of ``CARD_FIELDS``,
    the others deferred, and their provider with its name and town: one statement, as the
    search index reads them for the cards of a result page (``SearchIndex``). The ORM took
    four times the CPU to compile the same (``only`` with ``select_related``) and build the
    objects, ``for_cards`` with its two prefetches twelve times. The columns read are
    numbers, strings and a boolean, which both databases' connections return as Python
    values (SQLite's through the converters Django registers for declared types)."""
    names, sql = _card_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql.format(ids=", ".join(["%s"] * len(ids))), list(ids))
        rows = cursor.fetchall()
    alias, offers = connection.alias, []
    for *values, provider_name, provider_city in rows:
        offer = Offer.from_db(alias, names, values)
        offer.provider = Provider.from_db(
            alias, ["id", "name", "city"], [offer.provider_id, provider_name, provider_city]
        )
        offers.append(offer)
    return offers
