"""Stable catalogue codes such as “N 23”, given to an offer when it is first published.

The printed MINT-Kooperationshandbuch numbered the universities' offers per MINT subject
(M, I, N, T, S); teachers quote those codes on the phone. So a university's offer takes the
letter of its first lettered MINT subject (``Subject.letter``, coordinators edit it), every
other offer a letter for its provider's kind, and the next free number of that prefix.

A code is written once, while the offer has none, and never changed by us again; archiving
and publishing again keep it. Every issued code is kept in ``IssuedCode``, which outlives
the offer, so a deleted offer's code is never given to another one. Codes given elsewhere
(the demo data, an import, the generator) are respected: the next number is above every
code of the prefix in either place.
"""

from django.db import transaction

from offers.models import Offer, Provider

from .models import IssuedCode

# Letters chosen not to collide with the MINT subjects' letters of the handbook.
KIND_PREFIXES = {
    Provider.Kind.COMPANY: "B",  # Betrieb
    Provider.Kind.UNIVERSITY: "H",  # Hochschule, offers without a lettered subject
    Provider.Kind.SCHOOL: "SCH",
    Provider.Kind.CHAMBER: "K",
    Provider.Kind.PUBLIC: "V",  # Verwaltung
    Provider.Kind.EXTRACURRICULAR: "A",  # außerschulischer Lernort
    Provider.Kind.FOUNDATION: "F",
    Provider.Kind.OTHER: "X",
}


def code_prefixes(offers):
    """Offer pk → the prefix of its code: a university's first lettered MINT subject
    (by position), else the letter of its provider's kind. One query for the subjects."""
    offers = list(offers)
    university = [o.pk for o in offers if o.provider.kind == Provider.Kind.UNIVERSITY]
    letters = {}
    links = (
        Offer.subjects.through.objects.filter(offer_id__in=university)
        .exclude(subject__letter="")
        .order_by("subject__position", "subject__name")
        .values_list("offer_id", "subject__letter")
    )
    for offer_id, letter in links:
        letters.setdefault(offer_id, letter)
    return {o.pk: letters.get(o.pk) or KIND_PREFIXES.get(o.provider.kind, "X") for o in offers}


def _numbers_taken(prefix):
    """The numbers of ``prefix`` issued ever or carried by an offer now."""
    taken = set(IssuedCode.objects.filter(prefix=prefix).values_list("number", flat=True))
    for code in Offer.objects.filter(code__startswith=f"{prefix} ").values_list("code", flat=True):
        number = code[len(prefix) + 1 :]
        if number.isdigit():
            taken.add(int(number))
    return taken


def register(offer, *, deleting=False):
    """Note ``offer``'s existing code in the register (a code given by an import or the
    demo data), so that it stays taken after the offer is deleted. ``deleting``: the offer
    is about to go, so the row does not point at it."""
    row = _register_row(offer.code, None if deleting else offer.pk)
    IssuedCode.objects.get_or_create(
        code=row.code,
        defaults={"prefix": row.prefix, "number": row.number, "offer_id": row.offer_id},
    )


def _register_row(code, offer_id):
    prefix, _, number = code.rpartition(" ")
    return IssuedCode(
        code=code,
        prefix=prefix or code,
        number=int(number) if number.isdigit() else 0,
        offer_id=offer_id,
    )


def assign_codes(offers):
    """Give each published offer of ``offers`` that has no code the next free number of its
    prefix, in the order given; returns {pk: code} of those given one. Offers that carry a
    code (from an import) have it registered; the others are left alone.

    Two publishers at once are serialised by a lock on the prefix's newest register row
    (PostgreSQL; SQLite writes one at a time anyway); a prefix's very first code has no
    row to lock, and there the register's unique code refuses the second writer."""
    offers = list(offers)
    IssuedCode.objects.bulk_create(
        [_register_row(offer.code, offer.pk) for offer in offers if offer.code],
        batch_size=500,
        ignore_conflicts=True,
    )
    todo = [o for o in offers if not o.code and o.status == Offer.Status.PUBLISHED]
    if not todo:
        return {}
    prefixes = code_prefixes(todo)
    given = {}
    with transaction.atomic():
        for prefix in sorted(set(prefixes.values())):
            list(
                IssuedCode.objects.select_for_update()
                .filter(prefix=prefix)
                .order_by("-number")
                .values_list("pk", flat=True)[:1]
            )
            taken = _numbers_taken(prefix)
            number = max(taken, default=0)
            for offer in todo:
                if prefixes[offer.pk] != prefix:
                    continue
                number += 1
                given[offer.pk] = (prefix, number)
        # Queryset updates: no second save of an offer, no recursion into the signal; an
        # offer that meanwhile got a code keeps it.
        written = []
        for offer in todo:
            prefix, number = given[offer.pk]
            code = f"{prefix} {number}"
            if Offer.objects.filter(pk=offer.pk, code="").update(code=code):
                offer.code = code
                written.append(
                    IssuedCode(code=code, prefix=prefix, number=number, offer_id=offer.pk)
                )
        IssuedCode.objects.bulk_create(written, batch_size=500)
    return {row.offer_id: row.code for row in written}


def assign_code(offer):
    """``assign_codes`` for one offer; returns its code (empty if not published)."""
    assign_codes([offer])
    return offer.code
