"""Saving an ``ImportPlan``: providers first, then every new or changed offer, in one
transaction. Each saved row is recorded in the history as imported by the user."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import ContactPerson, Offer, Provider
from ..slugs import unique_slug
from .columns import OFFER_M2M, OFFER_SCALARS, PROVIDER_KEYS, normalize
from .report import row_error


class _Rollback(Exception):
    pass


def write_plan(plan, user):
    """Save ``plan`` (whose rows are all valid); True if it was saved.

    An offer the model's own validation rejects undoes the whole import; its problems are
    added to its row's report and the result is False.
    """
    reason = _("Imported from spreadsheet")
    try:
        with transaction.atomic():
            saved = _save_providers(plan.providers, user, reason)
            for row_plan in plan.rows:
                if row_plan.row.action != "unchanged":
                    provider = saved[normalize(row_plan.values["provider"])]
                    _save_offer(row_plan, provider, user, reason)
    except _Rollback:
        return False
    return True


def _save_providers(providers, user, reason):
    """Create the new providers and update the changed ones; all of them by normalized name."""
    saved = {}
    for normalized, plan in providers.items():
        provider = plan.existing
        if provider is None:
            slug = unique_slug(Provider, plan.name, fallback="anbieter", length=180)
            provider = Provider(name=plan.name, slug=slug)
        if plan.changes or provider.pk is None:
            for key in PROVIDER_KEYS:
                if key in plan.columns:
                    setattr(provider, key, plan.columns[key][0])
                elif key in plan.changes:
                    setattr(provider, key, "")
            provider._history_user = user
            provider._change_reason = reason
            provider.save()
        saved[normalized] = provider
    return saved


def _save_offer(row_plan, provider, user, reason):
    values, offer = row_plan.values, row_plan.offer
    if offer is None:
        offer = Offer(provider=provider)
    for key in OFFER_SCALARS:
        if key in values:
            setattr(offer, key, values[key])
    if "contact" in values:
        offer.contact = _contact(provider, values["contact"], user)
    offer._history_user = user
    offer._change_reason = reason
    try:
        offer.full_clean()
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            row_plan.row.errors.extend(
                row_error(row_plan.row.line, field_name, message) for message in messages
            )
        raise _Rollback from error
    offer.save()
    for key in OFFER_M2M:
        if key in values:
            getattr(offer, key).set(values[key])


def _contact(provider, name, user):
    """The provider's contact person of that name, created if it has none."""
    if not name:
        return None
    for contact in provider.contacts.all():
        if normalize(contact.name) == normalize(name):
            return contact
    contact = ContactPerson(provider=provider, name=name)
    contact._history_user = user
    contact.save()
    return contact
