"""An offer's field values as the curation screens compare and show them.

A pending revision (``OfferRevision``) keeps proposed values as JSON; the revision page and
the history pages show a change field by field, with the field's German label and values as
people read them: a choice by its name, a date in German format, a foreign key or a
many-to-many link by name, yes/no, a dash for nothing.
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.formats import date_format, localize
from django.utils.text import capfirst
from django.utils.translation import gettext

from .models import Offer

# What a provider editor's revision may change: every field of the form but the status and
# the confirmation, which are the coordinators'.
NOT_REVISED = {"id", "status", "last_confirmed", "created_at", "updated_at", "search_vector"}


def revised_fields():
    """The model fields a revision carries, in the model's order (concrete, then m2m)."""
    return [
        field
        for field in [*Offer._meta.concrete_fields, *Offer._meta.many_to_many]
        if field.editable and field.name not in NOT_REVISED
    ]


def to_json(field, value):
    """A Python value of ``field`` (a model instance or primary key for a foreign key, an
    iterable of instances or keys for many-to-many) as JSON."""
    if isinstance(field, models.ManyToManyField):
        return sorted(getattr(item, "pk", item) for item in value)
    if isinstance(field, models.ForeignKey):
        return getattr(value, "pk", value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def from_json(field, value):
    """The Python value of ``field`` from JSON: a primary key for a foreign key, a list of
    them for many-to-many."""
    if isinstance(field, models.ManyToManyField):
        return list(value or [])
    if isinstance(field, models.ForeignKey):
        return value
    return field.to_python(value)


def offer_values(offer, fields=None):
    """The current values of ``offer`` as JSON, for ``fields`` (default: the revised ones).
    One query per many-to-many field."""
    values = {}
    for field in fields or revised_fields():
        if isinstance(field, models.ManyToManyField):
            raw = getattr(offer, field.name).values_list("pk", flat=True)
        else:
            raw = getattr(offer, field.attname)
        values[field.name] = to_json(field, raw)
    return values


def _names(model, pks):
    """``{pk: str(object)}`` of ``model`` for ``pks``, in one query."""
    return {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=set(pks))}


def display(field, value, names=None):
    """``value`` of ``field`` as people read it: “in Prüfung”, “01.12.2026”, “ja”, “Trier,
    Vulkaneifel”, “–” for nothing. ``value`` is a Python value; for a foreign key or
    many-to-many field an object, a primary key or a list of them (``names`` maps primary
    keys to names; without it they are looked up)."""
    empty = "–"
    if isinstance(field, models.ManyToManyField):
        items = list(value or [])
        if not items:
            return empty
        keys = [item for item in items if isinstance(item, int | str)]
        if keys:
            known = names if names is not None else _names(field.related_model, keys)
            items = [known.get(item, f"#{item}") if item in keys else item for item in items]
        return ", ".join(sorted(map(str, items)))
    if value is None or value == "":
        return empty
    if isinstance(field, models.ForeignKey):
        if not isinstance(value, int | str):
            return str(value)  # an object, or the history's stand-in for a deleted one
        known = names if names is not None else _names(field.related_model, [value])
        return known.get(value, f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, datetime.datetime):
        return date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, int | float):
        return localize(value)
    return str(value)


def label(field):
    return capfirst(str(field.verbose_name))


@dataclass(frozen=True)
class Change:
    name: str
    label: str
    old: str
    new: str


def compare(old_values, new_values):
    """The fields whose JSON values differ, as ``Change`` rows in the model's field order,
    with display values; related names are read in one query per related model."""
    fields = [f for f in revised_fields() if f.name in new_values]
    changed = [f for f in fields if differs(f, old_values.get(f.name), new_values[f.name])]
    names = {}
    for field in changed:
        if field.is_relation:
            pks = []
            for values in (old_values, new_values):
                value = values.get(field.name)
                pks.extend(value if isinstance(value, list) else [value])
            names.setdefault(field.related_model, set()).update(p for p in pks if p is not None)
    looked_up = {model: _names(model, pks) for model, pks in names.items()}
    rows = []
    for field in changed:
        if field.name in DURATION_FIELDS:
            if not any(row.name == "duration" for row in rows):
                rows.append(duration_change(old_values, new_values))
            continue
        names_of = looked_up.get(field.related_model)
        old = display(field, from_json(field, old_values.get(field.name)), names_of)
        new = display(field, from_json(field, new_values[field.name]), names_of)
        rows.append(Change(field.name, label(field), old, new))
    return rows


# The duration is entered as one field (``offers.durations``) and shown as one change.
DURATION_FIELDS = ("duration_min_minutes", "duration_max_minutes", "duration_unit")


def duration_change(old_values, new_values):
    """The duration's three stored fields as one change, each side in its own unit (“60–90
    Minuten → 2–20 Wochen”); values missing from ``new_values`` are unchanged."""
    from .durations import duration_label

    new_values = {**old_values, **new_values}
    old, new = (
        duration_label(*(values.get(name) for name in DURATION_FIELDS)) or "–"
        for values in (old_values, new_values)
    )
    return Change("duration", capfirst(gettext("duration for the search")), old, new)


def differs(field, old, new):
    """Whether two JSON values of ``field`` mean different things."""
    return _normal(field, old) != _normal(field, new)


def _normal(field, value):
    """Values that mean the same compare equal (an empty text and None, key order)."""
    if isinstance(field, models.ManyToManyField):
        return sorted(value or [])
    if value == "":
        return None
    return value
