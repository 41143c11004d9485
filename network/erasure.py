"""Erasing people's data everywhere the portal keeps it, on request and after retention.

A person's name, e-mail address and phone number live in the row of a network partner or a
provider's contact person, in every version of that row in the change history
(django-simple-history, which also keeps a copy when a row is deleted) and, for names, in
the admin's log of changes. All of them go into ``backup_data``. So erasing means: clear
the row (or delete it), clear the same fields in every history version, and replace the
name in the admin log; then write an ``ErasureRecord`` saying who did it, when and to which
object, never what was erased. docs/operations.md, "Personal data", explains the rules.
"""

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext

from offers.models import ContactPerson, Provider

from .models import ErasureRecord, Partner

logger = logging.getLogger(__name__)

# Written in place of a name the database requires; empty fields stay empty.
ERASED = "[gelöscht]"

# Per kind of person: the personal fields and the value written in their place.
CONTACT_FIELDS = {"name": ERASED, "role": "", "email": "", "phone": ""}
PARTNER_FIELDS = {
    "representative_name": "",
    "representative_function": "",
    "email": "",
    "phone": "",
}
# A private member's entry is the person: their name and all they wrote about themselves.
PRIVATE_PERSON_FIELDS = {
    **PARTNER_FIELDS,
    "name": ERASED,
    "slug": "",
    "description": "",
    "website": "",
    "logo": "",
}


def _not_cleared(fields):
    """Rows in which any of ``fields`` still holds something other than its erased value."""
    condition = Q()
    for name, value in fields.items():
        condition |= ~Q(**{name: value})
    return condition


def _record(*, model, reason, user=None, object_id=None, row_deleted=False, history_rows=0):
    return ErasureRecord.objects.create(
        erased_by=user,
        erased_by_name=user.get_username() if user else "",
        reason=reason,
        content_type=ContentType.objects.get_for_model(model),
        object_id=object_id,
        row_deleted=row_deleted,
        history_rows=history_rows,
    )


def _forget_in_admin_log(model, object_id, names, *, parent=None):
    """Replace ``names`` in the admin's log: the entries of the object itself, and the
    entries of ``parent`` whose message names it (contacts are edited inline)."""
    if not names:
        return
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=str(object_id)
    ).update(object_repr=ERASED)
    if parent is None:
        return
    parent_model, parent_ids = parent
    for entry in LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(parent_model),
        object_id__in=[str(pk) for pk in parent_ids],
    ):
        message = _without_names(entry.change_message, names)
        if message != entry.change_message:
            entry.change_message = message
            entry.save(update_fields=["change_message"])


def _without_names(change_message, names=None):
    """The admin's change message (JSON, or plain text) with ``names`` replaced; with
    ``names`` None, the names of all inline objects (a provider's are its contacts)."""
    try:
        parts = json.loads(change_message)
    except ValueError:
        parts = None
    if not isinstance(parts, list):
        for name in names or ():
            change_message = change_message.replace(name, ERASED)
        return change_message
    for part in parts:
        for detail in part.values() if isinstance(part, dict) else ():
            named = isinstance(detail, dict) and "object" in detail
            if named and (names is None or detail["object"] in names):
                detail["object"] = ERASED
    return json.dumps(parts)


def _delete_files(names):
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("Could not delete the erased partner's logo %s", name)


@transaction.atomic
def contact_erase(*, contact_id, user=None, reason=ErasureRecord.Reason.REQUEST):
    """Delete a provider's contact person and clear them from the history and the admin log.

    Works for a contact deleted before, too: then only the history is cleared. Offers that
    named the contact keep their provider's other contacts.
    """
    history = ContactPerson.history.model.objects.filter(id=contact_id)
    names = set(history.exclude(name=ERASED).values_list("name", flat=True))
    provider_ids = set(history.values_list("provider_id", flat=True))
    deleted, _ = ContactPerson.objects.filter(pk=contact_id).delete()
    rows = history.update(**CONTACT_FIELDS)
    _forget_in_admin_log(ContactPerson, contact_id, names, parent=(Provider, provider_ids))
    return _record(
        model=ContactPerson,
        reason=reason,
        user=user,
        object_id=contact_id,
        row_deleted=bool(deleted),
        history_rows=rows,
    )


@transaction.atomic
def partner_erase(*, partner_id, user=None, reason=ErasureRecord.Reason.REQUEST, delete=False):
    """Clear a partner's personal fields in its row and in every history version.

    A private member's entry is the person, so it is deleted with its name, slug, text,
    website and logo; an organisation stays a member without its representative's name,
    function, e-mail and phone, unless ``delete`` (a declaration past its retention).
    """
    history = Partner.history.model.objects.filter(id=partner_id)
    partner = Partner.objects.filter(pk=partner_id).first()
    private = history.filter(kind=Partner.Kind.PRIVATE_PERSON).exists() or (
        partner is not None and partner.is_private_person
    )
    fields = PRIVATE_PERSON_FIELDS if private else PARTNER_FIELDS
    names = set(history.exclude(name=ERASED).values_list("name", flat=True)) if private else ()
    logos = set(history.exclude(logo="").values_list("logo", flat=True)) if private else ()
    deleted = False
    if partner is not None and (private or delete):
        partner.delete()
        deleted = True
    elif partner is not None:
        for name, value in fields.items():
            setattr(partner, name, value)
        partner._change_reason = gettext("Personal data erased")
        partner.save()
    rows = history.update(
        **fields, **({"logo_width": None, "logo_height": None} if private else {})
    )
    _forget_in_admin_log(Partner, partner_id, names)
    transaction.on_commit(lambda: _delete_files(logos))
    return _record(
        model=Partner,
        reason=reason,
        user=user,
        object_id=partner_id,
        row_deleted=deleted,
        history_rows=rows,
    )


def expired_declarations(now=None):
    """Support declarations kept past their retention: declined ones, and ones still
    pending (nobody decided on them) — see the settings' retention block."""
    now = now or timezone.now()
    declined = now - timedelta(days=settings.DECLARATION_DECLINED_RETENTION_DAYS)
    pending = now - timedelta(days=settings.DECLARATION_PENDING_RETENTION_DAYS)
    # A pending declaration counts from the later of its arrival and its date, so that one
    # entered late (or loaded with old time stamps) is never deleted before anyone saw it.
    undecided = Q(status=Partner.Status.PENDING, created_at__lt=pending) & (
        Q(declaration_date__isnull=True) | Q(declaration_date__lt=pending.date())
    )
    return Partner.objects.filter(
        Q(status=Partner.Status.DECLINED, updated_at__lt=declined) | undecided
    )


def _old_versions(model, cutoff):
    """History versions older than ``cutoff``, except each live object's newest one: that
    one holds what the live row holds, which stays as long as the person is listed."""
    history = model.history.model.objects
    newest_of_live = (
        history.filter(id__in=model.objects.values("pk"))
        .values("id")
        .annotate(newest=Max("history_id"))
        .values("newest")
    )
    return history.filter(history_date__lt=cutoff).exclude(history_id__in=newest_of_live)


def old_history_purge(now=None):
    """Clear the personal fields of history versions past their retention; returns the
    number of versions cleared per model."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PERSONAL_HISTORY_RETENTION_DAYS)
    contacts = _old_versions(ContactPerson, cutoff).filter(_not_cleared(CONTACT_FIELDS))
    partners = _old_versions(Partner, cutoff)
    private = partners.filter(kind=Partner.Kind.PRIVATE_PERSON)
    counts = {
        ContactPerson: contacts.update(**CONTACT_FIELDS),
        Partner: private.filter(_not_cleared(PRIVATE_PERSON_FIELDS)).update(**PRIVATE_PERSON_FIELDS)
        + partners.exclude(kind=Partner.Kind.PRIVATE_PERSON)
        .filter(_not_cleared(PARTNER_FIELDS))
        .update(**PARTNER_FIELDS),
    }
    _forget_old_contacts_in_admin_log(cutoff)
    return counts


def _forget_old_contacts_in_admin_log(cutoff):
    """The admin log's entries older than ``cutoff`` name contact persons: as the object
    changed, or as an inline row of their provider's change."""
    old = LogEntry.objects.filter(action_time__lt=cutoff)
    old.filter(content_type=ContentType.objects.get_for_model(ContactPerson)).exclude(
        object_repr=ERASED
    ).update(object_repr=ERASED)
    provider_entries = old.filter(
        content_type=ContentType.objects.get_for_model(Provider), change_message__contains="object"
    )
    for entry in provider_entries:
        message = _without_names(entry.change_message)
        if message != entry.change_message:
            entry.change_message = message
            entry.save(update_fields=["change_message"])


@transaction.atomic
def personal_data_purge(now=None):
    """Everything past its retention period: expired declarations deleted (each with its
    own record), old history versions cleared (one record per model and run).

    Returns (number of declarations deleted, {model: history versions cleared}).
    """
    declarations = 0
    for partner_id in expired_declarations(now).values_list("pk", flat=True):
        partner_erase(partner_id=partner_id, reason=ErasureRecord.Reason.RETENTION, delete=True)
        declarations += 1
    counts = old_history_purge(now)
    for model, rows in counts.items():
        if rows:
            _record(model=model, reason=ErasureRecord.Reason.RETENTION, history_rows=rows)
    return declarations, counts


def contacts_naming(partners):
    """Contact persons with a name or e-mail address of these partners' people."""
    names = {p.representative_name for p in partners if p.representative_name}
    names |= {p.name for p in partners if p.is_private_person}
    emails = {p.email for p in partners if p.email}
    return ContactPerson.objects.filter(Q(name__in=names) | Q(email__in=emails)).select_related(
        "provider"
    )


def partners_naming(contacts):
    """Partners whose representative (or private member) has a name or e-mail address of
    these contact persons."""
    names = {c.name for c in contacts}
    emails = {c.email for c in contacts if c.email}
    return Partner.objects.filter(
        Q(representative_name__in=names)
        | Q(kind=Partner.Kind.PRIVATE_PERSON, name__in=names)
        | Q(email__in=emails)
    )
