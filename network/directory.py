"""The sections of the public partner directory, in the order the network presents itself.

Schools form one section, split by school form; every other section is one kind (or, for
chambers and associations, one kind that covers both).
"""

from dataclasses import dataclass, field

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import Partner

Kind = Partner.Kind
SCHOOL_KINDS = [Kind.PRIMARY_SCHOOL, Kind.SECONDARY_SCHOOL, Kind.VOCATIONAL_SCHOOL]

SECTIONS = [
    ("kitas", _("Day-care centres (Kitas)"), [Kind.KITA]),
    ("schools", _("Schools"), SCHOOL_KINDS),
    ("universities", _("Universities"), [Kind.UNIVERSITY]),
    ("city-offices", _("City offices"), [Kind.CITY_OFFICE]),
    ("extracurricular", _("Extracurricular places of learning"), [Kind.EXTRACURRICULAR]),
    ("companies", _("Companies"), [Kind.COMPANY]),
    ("chambers", _("Chambers and associations"), [Kind.CHAMBER]),
    ("foundations", _("Foundations"), [Kind.FOUNDATION]),
    ("private-persons", _("Private persons"), [Kind.PRIVATE_PERSON]),
]


@dataclass
class Group:
    key: str
    label: str
    partners: list = field(default_factory=list)
    subgroups: list = field(default_factory=list)

    @property
    def count(self):
        return len(self.partners)


def _school_subgroups(partners):
    """Schools by school form (in the forms' own order), then those without a form by kind."""
    by_form, by_kind = {}, {}
    for partner in partners:
        if partner.school_form_id:
            by_form.setdefault(partner.school_form, []).append(partner)
        else:
            by_kind.setdefault(partner.kind, []).append(partner)
    subgroups = [
        Group(key=f"schools-{form.slug}", label=form.name, partners=members)
        for form, members in sorted(
            by_form.items(), key=lambda item: (item[0].position, item[0].name)
        )
    ]
    subgroups += [
        Group(key=f"schools-{kind}", label=capfirst(Kind(kind).label), partners=by_kind[kind])
        for kind in SCHOOL_KINDS
        if kind in by_kind
    ]
    return subgroups


def group_partners(partners):
    """The non-empty directory groups of ``partners``, each with its count.

    ``partners`` is evaluated once; give it ``school_form`` selected to avoid a query per school.
    """
    groups = []
    for key, label, kinds in SECTIONS:
        members = [partner for partner in partners if partner.kind in kinds]
        if not members:
            continue
        group = Group(key=key, label=label, partners=members)
        if key == "schools":
            group.subgroups = _school_subgroups(members)
        groups.append(group)
    return groups
