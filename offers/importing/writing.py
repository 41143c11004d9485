"""Saving an ``ImportPlan`` in bulk and in one transaction: providers, contact persons,
offers, their links, and one history entry per saved row.

A few queries per table for the whole file, not per row (``tests/test_import_background.py``
pins it): 1,000 offers are written in seconds, not minutes. Every saved provider, contact
person and offer gets one history entry "Imported from spreadsheet" by the user; an offer's
entry records its links as they are after the import.
"""

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from insights.codes import assign_codes

from ..models import ContactPerson, Offer, Provider
from .columns import OFFER_SCALARS, PROVIDER_KEYS, normalize
from .links import write_links

BATCH = 500


def write_plan(plan, user, *, problems, progress=None):
    """Save ``plan`` (whose rows are all valid); True if it was saved.

    The dry run has checked every value against the models' fields and constraints; should
    the database still refuse a row, nothing is written, the refusal is added to
    ``problems`` and the result is False. ``progress(step, steps)`` is told each step.
    """
    reason = _("Imported from spreadsheet")
    progress = progress or (lambda step, steps: None)
    try:
        with transaction.atomic():
            providers = _save_providers(plan.providers, user, reason)
            progress(1, 4)
            contacts = _save_contacts(plan.rows, providers, user, reason)
            progress(2, 4)
            saved = _save_offers(plan.rows, providers, contacts)
            progress(3, 4)
            write_links(saved, user, reason)
            # Published offers get their catalogue code, as publishing one in the admin does.
            assign_codes([offer for _row_plan, offer, _is_new in saved])
            progress(4, 4)
    except DatabaseError as error:
        problems.append(
            _("The database refused the import, nothing was written: %(error)s")
            % {"error": str(error)[:300]}
        )
        return False
    return True


def _free_slug(name, taken):
    base = slugify(name)[:180] or "anbieter"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


def _save_providers(providers, user, reason):
    """Create the new providers and update the changed ones; all of them by normalized name."""
    saved, new, changed, fields = {}, [], [], {"updated_at"}
    taken = None
    now = timezone.now()
    for normalized, plan in providers.items():
        provider = plan.existing
        if provider is None:
            if taken is None:
                taken = set(Provider.objects.values_list("slug", flat=True))
            provider = Provider(name=plan.name, slug=_free_slug(plan.name, taken))
            new.append(provider)
        elif plan.changes:
            changed.append(provider)
            fields.update(plan.changes)
        for key in PROVIDER_KEYS:
            if key in plan.columns:
                setattr(provider, key, plan.columns[key][0])
            elif key in plan.changes:
                setattr(provider, key, "")
        provider.updated_at = now
        saved[normalized] = provider
    history = {"default_user": user, "default_change_reason": reason, "batch_size": BATCH}
    if new:
        created = bulk_create_with_history(new, Provider, **history)
        for provider, row in zip(new, created, strict=True):
            provider.pk = row.pk
    if changed:
        bulk_update_with_history(changed, Provider, sorted(fields), **history)
    return saved


def _save_contacts(rows, providers, user, reason):
    """The contact persons the rows name, by (provider id, normalized name); the missing
    ones are created."""
    wanted = {}
    for row_plan in _written(rows):
        name = row_plan.values.get("contact")
        if name:
            provider = providers[normalize(row_plan.values["provider"])]
            wanted.setdefault((provider.pk, normalize(name)), (provider, name))
    contacts = {}
    provider_ids = {provider_id for provider_id, _name in wanted}
    for contact in ContactPerson.objects.filter(provider__in=provider_ids).order_by("pk"):
        contacts.setdefault((contact.provider_id, normalize(contact.name)), contact)
    new = [
        ContactPerson(provider=provider, name=name)
        for key, (provider, name) in wanted.items()
        if key not in contacts
    ]
    if new:
        created = bulk_create_with_history(
            new, ContactPerson, default_user=user, default_change_reason=reason
        )
        for contact, row in zip(new, created, strict=True):
            contact.pk = row.pk
            contacts[(contact.provider_id, normalize(contact.name))] = contact
    return contacts


def _written(rows):
    return [row_plan for row_plan in rows if row_plan.row.action in ("new", "changed")]


def _save_offers(rows, providers, contacts):
    """Create the new offers and update the changed ones; returns [(RowPlan, offer, is_new)]
    for every offer saved, in file order."""
    saved, new, changed, fields = [], [], [], {"updated_at"}
    now = timezone.now()
    for row_plan in _written(rows):
        values = row_plan.values
        provider = providers[normalize(values["provider"])]
        offer = row_plan.offer or Offer(provider=provider)
        keys = [key for key in OFFER_SCALARS if key in values]
        for key in keys:
            setattr(offer, key, values[key])
        if "contact" in values:
            name = values["contact"]
            offer.contact = contacts[(provider.pk, normalize(name))] if name else None
            keys.append("contact")
        offer.updated_at = now
        if row_plan.offer is None:
            new.append(offer)
        else:
            changed.append(offer)
            fields.update(keys)
        saved.append((row_plan, offer, row_plan.offer is None))
    if new:
        Offer.objects.bulk_create(new, batch_size=BATCH)
    if changed:
        Offer.objects.bulk_update(changed, sorted(fields), batch_size=BATCH)
    return saved
