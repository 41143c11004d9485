"""Writes that touch several rows or models: the offer workflow, duplication, and inviting a
provider's editor. The yearly import is ``offers.importing``.

Every function takes keyword arguments only and records who did what in the history
(django-simple-history) through ``_history_user`` and ``_change_reason``.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import changes
from .models import OFFER_HISTORY, Offer, OfferRevision

PROVIDER_EDITOR_GROUP = "Anbieter-Redaktion"


# --- Workflow -------------------------------------------------------------------------------


class TransitionNotAllowed(Exception):
    """The offer's status does not allow this step (e.g. archiving an archived offer)."""


def _save(offer, *, user, reason, fields):
    offer._history_user = user
    offer._change_reason = reason
    offer.save(update_fields=[*fields, "updated_at"])


def _move(*, offer, user, to, allowed_from, reason, needs_publish_permission=True):
    if needs_publish_permission and not user.has_perm("offers.publish_offer"):
        raise PermissionDenied
    if offer.status not in allowed_from:
        raise TransitionNotAllowed(offer.status)
    offer.status = to
    fields = ["status"]
    if to == Offer.Status.PUBLISHED and offer.last_confirmed is None:
        # A coordinator who publishes has just checked the offer.
        offer.last_confirmed = timezone.localdate()
        fields.append("last_confirmed")
    _save(offer, user=user, reason=reason, fields=fields)
    return offer


S = Offer.Status
# The workflow's steps: the status each leads to, the statuses it may start from, the note
# in the history, and whether it needs the right to publish.
STEPS = {
    "submit_for_review": (S.REVIEW, {S.DRAFT}, gettext_lazy("Submitted for review"), False),
    "publish": (S.PUBLISHED, {S.DRAFT, S.REVIEW, S.ARCHIVED}, gettext_lazy("Published"), True),
    "archive": (S.ARCHIVED, {S.DRAFT, S.REVIEW, S.PUBLISHED}, gettext_lazy("Archived"), True),
    "send_to_draft": (
        S.DRAFT,
        {S.REVIEW, S.PUBLISHED, S.ARCHIVED},
        gettext_lazy("Sent back to draft"),
        True,
    ),
}


def _step(step, offer, user):
    to, allowed_from, reason, needs_publish_permission = STEPS[step]
    return _move(
        offer=offer,
        user=user,
        to=to,
        allowed_from=allowed_from,
        reason=str(reason),
        needs_publish_permission=needs_publish_permission,
    )


def offer_submit_for_review(*, offer, user):
    """Draft → in review; what a provider editor's save does."""
    return _step("submit_for_review", offer, user)


def offer_publish(*, offer, user):
    return _step("publish", offer, user)


def offer_archive(*, offer, user):
    return _step("archive", offer, user)


def offer_send_to_draft(*, offer, user):
    return _step("send_to_draft", offer, user)


def offer_confirm(*, offer, user, on=None):
    """Record that the provider confirmed the offer as current; the status stays."""
    offer.last_confirmed = on or timezone.localdate()
    _save(offer, user=user, reason=_("Confirmed as current"), fields=["last_confirmed"])
    return offer


@transaction.atomic
def offer_duplicate(*, offer, user):
    """A draft copy without code or confirmation, for a similar offer of the same provider."""
    copy = Offer(provider=offer.provider)
    for model_field in Offer._meta.concrete_fields:
        if model_field.editable and not model_field.primary_key:
            setattr(copy, model_field.attname, getattr(offer, model_field.attname))
    copy.code = ""
    copy.title = _("%(title)s (copy)") % {"title": offer.title}
    copy.title = copy.title[: Offer._meta.get_field("title").max_length]
    copy.status = Offer.Status.DRAFT
    copy.last_confirmed = None
    copy.created_at = timezone.now()
    copy._history_user = user
    copy._change_reason = _("Copied from offer %(pk)s") % {"pk": offer.pk}
    copy.save()
    for name in ("sectors", "subjects", "school_forms", "regions"):
        getattr(copy, name).set(getattr(offer, name).all())
    return copy


def offer_record_history(*, offer, user, reason, history_type="~"):
    """One history record of ``offer`` as it is now, its links included.

    For saves that set many-to-many links too (the admin's form, a published revision):
    they save with ``skip_history_when_saving`` and call this once, instead of the one
    record per save and per link table the history's signals would write.
    """
    offer._history_user = user
    offer._change_reason = reason
    OFFER_HISTORY.create_historical_record(offer, history_type)


# --- Pending revisions of published offers ---------------------------------------------------


def _decide_revision(revision, user):
    if not user.has_perm("offers.publish_offer") or revision.author_id == user.pk:
        # Nobody publishes their own change: a second pair of eyes is the point.
        raise PermissionDenied
    locked = OfferRevision.objects.select_for_update().get(pk=revision.pk)
    if locked.state != OfferRevision.State.PENDING:
        raise TransitionNotAllowed(locked.state)
    return locked


@transaction.atomic
def offer_revision_propose(*, offer, values, user):
    """Keep a provider editor's change of a published offer as its pending revision; the
    published offer stays as it is. ``values`` are JSON values of the revised fields
    (``changes.revised_fields``); only those that differ from the offer are kept. A pending
    revision is updated (one per offer); a change back to the published values withdraws
    it. Returns the revision, or None when nothing differs."""
    fields = {field.name: field for field in changes.revised_fields()}
    current = changes.offer_values(offer)
    proposed = {
        name: value
        for name, value in values.items()
        if name in fields and changes.differs(fields[name], current[name], value)
    }
    revision = OfferRevision.objects.select_for_update().pending().filter(offer=offer).first()
    if not proposed:
        if revision is not None:
            revision.delete()
        return None
    now = timezone.now()
    if revision is None:
        revision = OfferRevision(offer=offer, created_at=now)
    revision.values = proposed
    revision.author = user
    revision.updated_at = now
    revision.save()
    return revision


@transaction.atomic
def offer_revision_publish(*, revision, user):
    """Write a pending revision's values to its offer, which stays published, in one
    transaction with one history record. Raises ``ValidationError`` if the values no
    longer fit (e.g. another offer took the code meanwhile)."""
    revision = _decide_revision(revision, user)
    offer = Offer.objects.select_for_update().get(pk=revision.offer_id)
    fields = {field.name: field for field in changes.revised_fields()}
    updated, links = [], {}
    for name, value in revision.values.items():
        field = fields.get(name)
        if field is None:
            continue
        if field.many_to_many:
            # Values deleted since the proposal are left out.
            links[field] = field.related_model.objects.filter(pk__in=value or [])
        else:
            setattr(offer, field.attname, changes.from_json(field, value))
            updated.append(name)
    offer.full_clean()
    offer.skip_history_when_saving = True
    try:
        offer.save(update_fields=[*updated, "updated_at"])
        for field, targets in links.items():
            getattr(offer, field.name).set(targets)
    finally:
        del offer.skip_history_when_saving
    author = revision.author.get_username() if revision.author else "–"
    offer_record_history(
        offer=offer,
        user=user,
        reason=_("Published the change proposed by %(author)s") % {"author": author},
    )
    revision.state = OfferRevision.State.PUBLISHED
    revision.decided_by = user
    revision.decided_at = timezone.now()
    revision.save(update_fields=["state", "decided_by", "decided_at"])
    return offer


@transaction.atomic
def offer_revision_reject(*, revision, user, reason=""):
    """Discard a pending revision; the editor reads ``reason`` on the offer's form."""
    revision = _decide_revision(revision, user)
    revision.state = OfferRevision.State.REJECTED
    revision.reason = reason.strip()
    revision.decided_by = user
    revision.decided_at = timezone.now()
    revision.save(update_fields=["state", "reason", "decided_by", "decided_at"])
    return revision


# --- Provider editors ---------------------------------------------------------------------


@transaction.atomic
def provider_invite_editor(*, provider, email, name, invited_by, base_url):
    """Give ``email`` editor access to ``provider`` and mail a link to set a password.

    An existing account with that e-mail address is reused, so one person can edit
    several organisations. The link is a normal password-reset link (valid for
    PASSWORD_RESET_TIMEOUT).
    """
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        first_name, _sep, last_name = name.strip().rpartition(" ")
        user = User(username=email.lower(), email=email, first_name=first_name, last_name=last_name)
        if not first_name:
            user.first_name, user.last_name = last_name, ""
        user.set_unusable_password()
    user.is_staff = True
    user.save()
    group, _created = Group.objects.get_or_create(name=PROVIDER_EDITOR_GROUP)
    user.groups.add(group)
    provider.editors.add(user)
    link = base_url + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {"user": user, "provider": provider, "link": link, "invited_by": invited_by}
    subject = render_to_string("offers/email/editor_invitation_subject.txt", context).strip()
    body = render_to_string("offers/email/editor_invitation.txt", context)
    send_mail(subject, body, None, [email])
    return user
