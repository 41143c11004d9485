"""The kinds of facet: what a selection of each means, as SQL and as bitsets.

Each kind answers, in one place:

* ``condition(values, vocabulary)`` – the SQL condition on ``Offer`` (values OR-ed);
* ``sql_counts(base, vocabulary)`` – per value, the offers of ``base`` it matches, in one
  grouped query;
* ``bitsets(build)`` – the same matches as bitsets over the search index's offers
  (``index.py`` hands it the columns and links it declared).

The portal's facets are instances of these kinds in ``facets.REGISTRY``.
"""

from collections import Counter

import numpy as np
from django.db.models import BigIntegerField, Count, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual

from offers import models

from .bitsets import ValueBitsets, codes, pack


class Facet:
    """A filter of the search page; by default many values, OR-ed, each with a count."""

    multiple = True  # several values, OR-ed; else one whole number
    exclusive = False  # an offer matches at most one value
    counted = True  # the page shows a count per value
    model = None  # the taxonomy the values name (by slug), if any
    columns = ()  # the offer columns its bitsets are built from

    def __init__(self, name, label):
        self.name = name
        self.label = label

    # --- values --------------------------------------------------------------------------

    def load(self):
        """The facet's taxonomy rows by slug (facets with a ``model``)."""
        return {obj.slug: obj for obj in self.model.objects.all()}

    def choices(self, vocabulary):
        """(key, label) pairs in display order."""
        return [(slug, str(obj)) for slug, obj in getattr(vocabulary, self.name).items()]

    def option_tree(self, vocabulary):
        """The page's options as groups ``(legend, [(key, label, children)])``."""
        return [(None, [(key, label, []) for key, label in vocabulary.choices(self.name)])]

    def value_label(self, value, vocabulary):
        return str(dict(vocabulary.choices(self.name))[value])

    # --- what a selection means ----------------------------------------------------------

    def condition(self, values, vocabulary):
        raise NotImplementedError

    def sql_counts(self, base, vocabulary):
        raise NotImplementedError

    def pairs(self, build):
        """(slots, value codes): one pair per offer of ``build`` and value it matches, the
        value as its index in the facet's keys."""
        raise NotImplementedError

    def bitsets(self, build):
        """This facet's part of a new index: one bitset per value."""
        return ValueBitsets(table_keys(self, build.vocabulary), *self.pairs(build), build.size)

    def patched(self, part, build, cleared):
        """``part`` (this facet's bitsets in an index) with the slots ``cleared`` emptied and
        the offers of ``build`` (a patch) set again; ``part`` itself is left as it was."""
        return part.patched(cleared, *self.pairs(build), build.size)

    def _by_key(self, vocabulary, counts_by_value, default=0):
        """Counts keyed by the facet's keys, from counts keyed by what the database holds."""
        if self.model is None:
            return {key: counts_by_value.get(key, default) for key, _l in self.choices(vocabulary)}
        nodes = getattr(vocabulary, self.name)
        return {slug: counts_by_value.get(obj.pk, default) for slug, obj in nodes.items()}

    def _codes(self, vocabulary):
        """Database value → position of the value in the facet's keys."""
        if self.model is None:
            return {key: i for i, (key, _label) in enumerate(self.choices(vocabulary))}
        return {obj.pk: i for i, obj in enumerate(getattr(vocabulary, self.name).values())}


class ColumnFacet(Facet):
    """A column of the offer: a choice (``venue``) or a foreign key (``offer_type``)."""

    exclusive = True

    def __init__(self, name, label, column, *, model=None, choices=None):
        super().__init__(name, label)
        self.column = column
        self.model = model
        self.fixed_choices = choices
        self.columns = (column if model is None else f"{column}_id",)

    def choices(self, vocabulary):
        if self.fixed_choices is not None:
            return list(self.fixed_choices)
        return super().choices(vocabulary)

    def condition(self, values, vocabulary):
        if self.model is None:
            return Q(**{f"{self.column}__in": values})
        return Q(**{f"{self.column}__in": vocabulary.ids(self.name, values)})

    def sql_counts(self, base, vocabulary):
        rows = base.order_by().values_list(self.column).annotate(n=Count("pk"))
        return self._by_key(vocabulary, dict(rows))

    def pairs(self, build):
        table = self._codes(build.vocabulary)
        values = build.column(self.columns[0])
        return build.slots, np.array([table.get(value, -1) for value in values], dtype=np.int64)


class LinkFacet(Facet):
    """A many-to-many link of the offer (``subjects``), or a column of the linked rows
    (``sectors`` → the sector's track). ``open_to_all``: a boolean column of the offer whose
    offers match every value (an offer open to all school forms)."""

    def __init__(self, name, label, relation, column, *, model, open_to_all=None):
        super().__init__(name, label)
        self.relation = relation
        self.column = column
        self.model = model
        self.open_to_all = open_to_all
        self.columns = (open_to_all,) if open_to_all else ()

    def links(self, offers=None):
        """Rows of the link table, of the offers in ``offers`` (a queryset) if given."""
        links = getattr(models.Offer, self.relation).through.objects
        return links.all() if offers is None else links.filter(offer__in=offers.values("pk"))

    def condition(self, values, vocabulary):
        ids = vocabulary.ids(self.name, values)
        linked = Exists(self.links().filter(offer=OuterRef("pk"), **{f"{self.column}__in": ids}))
        return Q(**{self.open_to_all: True}) | linked if self.open_to_all else linked

    def sql_counts(self, base, vocabulary):
        base = base.order_by()
        if self.open_to_all:
            return self._counts_with_open_to_all(base, vocabulary)
        # Through a linked row (a sector's track) one offer can reach a value twice.
        distinct = "__" in self.column
        rows = (
            self.links(base).values_list(self.column).annotate(n=Count("offer", distinct=distinct))
        )
        return self._by_key(vocabulary, dict(rows))

    def _counts_with_open_to_all(self, base, vocabulary):
        """Offers open to all count for every value; the union returns them under the key 0
        in the same round trip as the per-value counts."""
        listed = self.links(base.filter(**{self.open_to_all: False}))
        per_value = listed.values_list(self.column).annotate(n=Count("offer"))
        everyone = (
            base.filter(**{self.open_to_all: True})
            .values_list(Value(0, output_field=BigIntegerField()))
            .annotate(n=Count("pk"))
        )
        totals = Counter()
        for key, n in per_value.union(everyone, all=True):
            totals[key] += n
        for_all = totals.pop(0, 0)
        return self._by_key(vocabulary, {key: n + for_all for key, n in totals.items()}, for_all)

    def pairs(self, build):
        positions, values = build.links(self.relation, self.column)
        found = codes(self._codes(build.vocabulary), values)
        if self.open_to_all:
            everyone = build.slots[build.column(self.open_to_all).astype(bool)]
            width = len(getattr(build.vocabulary, self.name))
            positions = np.concatenate([positions, np.repeat(everyone, width)])
            found = np.concatenate([found, np.tile(np.arange(width), len(everyone))])
        return positions, found


class TreeFacet(LinkFacet):
    """A two-level taxonomy (sectors with finer fields, states with districts): a node
    matches the offers linked to it or to any node directly below it. ``group_by``: a
    column of the nodes whose rows head groups of top-level nodes on the page (tracks)."""

    def __init__(self, name, label, relation, column, *, model, group_by=None):
        super().__init__(name, label, relation, column, model=model)
        self.group_by = group_by

    def load(self):
        nodes = self.model.objects.all()
        if self.group_by:
            nodes = nodes.select_related(self.group_by)
        return {obj.slug: obj for obj in nodes}

    def option_tree(self, vocabulary):
        nodes = getattr(vocabulary, self.name)
        by_pk = {obj.pk: obj for obj in nodes.values()}
        children = {}
        for obj in nodes.values():
            if obj.parent_id in by_pk:
                children.setdefault(obj.parent_id, []).append((obj.slug, obj.name, []))
        roots = [obj for obj in nodes.values() if obj.parent_id not in by_pk]

        def options(objs):
            return [(obj.slug, obj.name, children.get(obj.pk, [])) for obj in objs]

        if not self.group_by:
            return [(None, options(roots))]
        heads = {getattr(obj, self.group_by) for obj in roots}
        ordered = sorted(heads, key=lambda head: (head.position, head.name))
        return [
            (head.name, options([obj for obj in roots if getattr(obj, self.group_by) == head]))
            for head in ordered
        ]

    def condition(self, values, vocabulary):
        nodes = self.model.objects.with_children(vocabulary.ids(self.name, values))
        return Exists(self.links().filter(offer=OuterRef("pk"), **{f"{self.column}__in": nodes}))

    def sql_counts(self, base, vocabulary, *, with_total=False):
        """A leaf counts its direct links; a top-level node the distinct offers linked to it
        or to a child, grouped by ``COALESCE(parent, node)``: both in one round trip, with
        the number of offers of ``base`` too when ``with_total`` (then a pair is returned).
        A node in the middle of a deeper tree (the portal's are two levels) gets its own
        ``COUNT``."""
        base = base.order_by()
        links = self.links(base)
        column = self.column
        leaf = links.annotate(key=F(column), top=Value(False)).values_list("key", "top")
        top = links.annotate(key=Coalesce(f"{column}__parent", column), top=Value(True))
        rows = leaf.annotate(n=Count("offer")).union(
            top.values_list("key", "top").annotate(n=Count("offer", distinct=True)), all=True
        )
        if with_total:
            total = base.annotate(key=Value(None, output_field=BigIntegerField()))
            total = total.values_list("key", Value(True)).annotate(n=Count("pk"))
            rows = rows.union(total, all=True)
        nodes = getattr(vocabulary, self.name)
        with_children = {obj.parent_id for obj in nodes.values()}
        counts, offers = {}, 0
        for key, is_top, n in rows:
            if key is None:
                offers = n
            elif is_top == (key in with_children):
                counts[key] = n
        result = self._by_key(vocabulary, counts)
        for slug, obj in nodes.items():
            if obj.parent_id and obj.pk in with_children:
                result[slug] = base.filter(self.condition((slug,), vocabulary)).count()
        return (offers, result) if with_total else result

    def pairs(self, build):
        """Each link yields a pair for its node and one for the node's parent."""
        positions, values = build.links(self.relation, self.column)
        table = self._codes(build.vocabulary)
        nodes = getattr(build.vocabulary, self.name).values()
        parents = {obj.pk: table.get(obj.parent_id, -1) for obj in nodes}
        return (
            np.concatenate([positions, positions]),
            np.concatenate([codes(table, values), codes(parents, values)]),
        )


class RangeBandFacet(Facet):
    """Bands of a range stored as two columns (a duration from shortest to longest): an
    offer is in every band its range touches; a missing end counts as the other end."""

    def __init__(self, name, label, low_column, high_column, bands):
        super().__init__(name, label)
        self.low_column, self.high_column = low_column, high_column
        self.bands = bands  # key → (label, lowest, highest or None)
        self.columns = (low_column, high_column)

    def choices(self, vocabulary):
        return [(key, band[0]) for key, band in self.bands.items()]

    def band_condition(self, key):
        _label, low, high = self.bands[key]
        shortest = Coalesce(F(self.low_column), F(self.high_column))
        longest = Coalesce(F(self.high_column), F(self.low_column))
        conditions = [GreaterThanOrEqual(longest, low)]
        if high is not None:
            conditions.append(LessThanOrEqual(shortest, high))
        return Q(*conditions)

    def condition(self, values, vocabulary):
        return Q.create([self.band_condition(key) for key in values], connector=Q.OR)

    def sql_counts(self, base, vocabulary):
        keys = list(self.bands)
        per_band = base.aggregate(
            **{f"band_{i}": Count("pk", filter=self.band_condition(k)) for i, k in enumerate(keys)}
        )
        return {key: per_band[f"band_{i}"] for i, key in enumerate(keys)}

    def pairs(self, build):
        # NaN (no value at all) compares false like SQL's NULL.
        shortest, longest = build.numbers(self.low_column), build.numbers(self.high_column)
        shortest, longest = (
            np.where(np.isnan(shortest), longest, shortest),
            np.where(np.isnan(longest), shortest, longest),
        )
        groups = []
        for _label, low, high in self.bands.values():
            inside = longest >= low
            if high is not None:
                inside &= shortest <= high
            groups.append(inside)
        return _pairs_of_groups(build, groups)


class GradeFacet(Facet):
    """One grade; an offer matches when its range of grades includes it."""

    multiple = False

    def __init__(self, name, label, low_column, high_column, grades):
        super().__init__(name, label)
        self.low_column, self.high_column = low_column, high_column
        self.grades = grades
        self.columns = (low_column, high_column)
        self.bounds = (grades[0], grades[-1])

    def choices(self, vocabulary):
        return [(grade, str(grade)) for grade in self.grades]

    def value_label(self, value, vocabulary):
        return str(value)

    def condition(self, values, vocabulary):
        (grade,) = values
        return Q(**{f"{self.low_column}__lte": grade, f"{self.high_column}__gte": grade})

    def sql_counts(self, base, vocabulary):
        per_grade = base.aggregate(
            **{
                f"grade_{g}": Count("pk", filter=self.condition((g,), vocabulary))
                for g in self.grades
            }
        )
        return {grade: per_grade[f"grade_{grade}"] for grade in self.grades}

    def pairs(self, build):
        low, high = build.numbers(self.low_column), build.numbers(self.high_column)
        return _pairs_of_groups(build, [(low <= grade) & (high >= grade) for grade in self.grades])


class AtLeastFacet(Facet):
    """A number an offer's maximum must reach (a class of 28 pupils); an offer without a
    maximum takes any number. Not counted: every number would be a value."""

    multiple = False
    counted = False

    def __init__(self, name, label, column, bounds):
        super().__init__(name, label)
        self.column = column
        self.columns = (column,)
        self.bounds = bounds

    def choices(self, vocabulary):
        return []

    def value_label(self, value, vocabulary):
        return str(value)

    def condition(self, values, vocabulary):
        (number,) = values
        return Q(**{f"{self.column}__isnull": True}) | Q(**{f"{self.column}__gte": number})

    def bitsets(self, build):
        return _Threshold(np.zeros(0)).patched(np.zeros(0, dtype=np.int64), build, self.column)

    def patched(self, part, build, cleared):
        return part.patched(cleared, build, self.column)


class _Threshold:
    """The index's answer for an ``AtLeastFacet``: each slot's maximum (NaN: none), and a
    mask made per number asked (the index ANDs it with the slots that hold offers)."""

    def __init__(self, maxima):
        self.maxima = maxima

    def mask(self, values):
        with np.errstate(invalid="ignore"):
            return pack(np.isnan(self.maxima) | (self.maxima >= values[0]))

    def patched(self, cleared, build, column):
        maxima = np.full(build.size, np.nan)
        maxima[: len(self.maxima)] = self.maxima
        maxima[cleared] = np.nan
        maxima[build.slots] = build.numbers(column)
        return _Threshold(maxima)


def _pairs_of_groups(build, groups):
    """Pairs from one boolean mask over the build's rows per value, in key order."""
    positions = [build.slots[inside] for inside in groups]
    value_codes = [np.full(len(group), code) for code, group in enumerate(positions)]
    if not positions:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(positions), np.concatenate(value_codes)


def table_keys(facet, vocabulary):
    return [key for key, _label in vocabulary.choices(facet.name)]
