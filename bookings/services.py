"""Writes of the request flow: a request comes in, its sender confirms it, places are held
or the request waits, the provider answers, the teacher cancels.

Places are never oversold: every change of a session's places first locks the session's
row (``select_for_update``), so requests for one session are handled one after another,
and the counter itself only moves by a conditional UPDATE that the database refuses when
it would go past the places (or below zero; the table's check constraints say the same).
"""

import logging
import smtplib

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import BookingRequest, Session

logger = logging.getLogger(__name__)

CONFIRM_SALT = "bookings.request.confirm"
CANCEL_SALT = "bookings.request.cancel"
# A confirmation link works this long; unconfirmed requests are deleted soon after (erasure).
CONFIRM_MAX_AGE = 3 * 24 * 60 * 60


# --- links without accounts --------------------------------------------------------------


def confirm_token(booking):
    return signing.dumps(booking.pk, salt=CONFIRM_SALT)


def cancel_token(booking):
    return signing.dumps(booking.pk, salt=CANCEL_SALT)


def _read_token(token, salt, max_age=None):
    try:
        pk = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    return pk if isinstance(pk, int) else None


def request_for_confirm_token(token):
    """The request the confirmation link names, or None (forged, expired or erased)."""
    pk = _read_token(token, CONFIRM_SALT, CONFIRM_MAX_AGE)
    return BookingRequest.objects.filter(pk=pk).select_related("offer").first() if pk else None


def request_for_cancel_token(token):
    pk = _read_token(token, CANCEL_SALT)
    return BookingRequest.objects.filter(pk=pk).select_related("offer").first() if pk else None


# --- mail --------------------------------------------------------------------------------


def send_mail(*, template, context, recipients, reply_to=None):
    """One mail in the site's language, plain text plus HTML, no tracking: no images, no
    redirecting links. ``template``: the base name under templates/bookings/email/
    (``_subject.txt``, ``.txt`` and ``.html``). A failing mail server is logged, never
    raised: the request is saved already and the teacher must not send it twice."""
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(
            render_to_string(f"bookings/email/{template}_subject.txt", context).split()
        )
        text = render_to_string(f"bookings/email/{template}.txt", context)
        html = render_to_string(f"bookings/email/{template}.html", context)
    mail = EmailMultiAlternatives(subject, text, None, recipients, reply_to=reply_to)
    mail.attach_alternative(html, "text/html")
    try:
        mail.send()
    except (smtplib.SMTPException, OSError):
        logger.exception("Could not send the mail %s", template)
        return False
    return True


def provider_recipients(offer):
    """Who hears of a request: the offer's contact person, else the provider's contact
    persons with an address, else the provider's general address."""
    if offer.contact_id and offer.contact.email:
        return [offer.contact.email]
    addresses = [c.email for c in offer.provider.contacts.all() if c.email]
    return addresses or [offer.provider.email]


def _context(booking, absolute_url):
    return {
        "booking": booking,
        "offer": booking.offer,
        "session": booking.session,
        "offer_url": absolute_url(booking.offer.get_absolute_url()),
        "cancel_url": absolute_url(
            reverse("bookings:cancel", kwargs={"token": cancel_token(booking)})
        ),
    }


# --- the flow ----------------------------------------------------------------------------


def request_submit(*, booking, absolute_url):
    """Save a request from the public form, unconfirmed, and mail its sender the link that
    confirms it. Nobody else hears of it before that."""
    booking._change_reason = translation.gettext("Sent from the public form")
    booking.save()
    context = {
        **_context(booking, absolute_url),
        "confirm_url": absolute_url(
            reverse("bookings:confirm", kwargs={"token": confirm_token(booking)})
        ),
        "valid_days": CONFIRM_MAX_AGE // (24 * 60 * 60),
    }
    send_mail(template="confirm", context=context, recipients=[booking.email])
    return booking


def _hold(session_id, pupils):
    """Take ``pupils`` places of the session if that many are left: True if taken."""
    return bool(
        Session.objects.filter(pk=session_id, places_taken__lte=F("places") - pupils).update(
            places_taken=F("places_taken") + pupils
        )
    )


def _free(session_id, pupils):
    Session.objects.filter(pk=session_id, places_taken__gte=pupils).update(
        places_taken=F("places_taken") - pupils
    )


def _lock(booking_id):
    """Lock the request's session (if any), then the request, in this order everywhere,
    so that two place changes never wait for each other's locks. Call in a transaction."""
    session_id = (
        BookingRequest.objects.filter(pk=booking_id).values_list("session_id", flat=True).get()
    )
    session = None
    if session_id is not None:
        session = Session.objects.select_for_update().get(pk=session_id)
    return session, BookingRequest.objects.select_for_update().get(pk=booking_id)


def request_confirm(*, booking_id, absolute_url):
    """The sender clicked the link: the request is sent to the provider. For a session with
    places it holds its places, or waits when they are not enough (or others wait already:
    first come, first served). Returns (request, whether this call confirmed it)."""
    with transaction.atomic():
        session, booking = _lock(booking_id)
        if booking.confirmed_at is not None:
            return booking, False
        booking.confirmed_at = timezone.now()
        if session is not None and session.places is not None:
            waiting = BookingRequest.objects.waiting_for(session).exists()
            if not waiting and _hold(session.pk, booking.pupils):
                booking.places = BookingRequest.Places.HELD
            else:
                booking.places = BookingRequest.Places.WAITING
        booking._change_reason = translation.gettext("Confirmed by the sender")
        booking.save()
    booking = BookingRequest.objects.select_related(
        "offer__provider", "offer__contact", "session", "school_form"
    ).get(pk=booking.pk)
    context = _context(booking, absolute_url)
    context["admin_url"] = absolute_url(
        reverse("admin:bookings_bookingrequest_change", args=[booking.pk])
    )
    send_mail(
        template="provider_new",
        context=context,
        recipients=provider_recipients(booking.offer),
        reply_to=[booking.email],
    )
    send_mail(template="received", context=context, recipients=[booking.email])
    return booking, True


def _release(booking):
    """Give a request's held places back (or take it off the waiting list) and move the
    waiting list up, inside the transaction holding the session's lock. The caller saves
    ``booking``. Returns the ids of the requests that moved up."""
    if booking.places == BookingRequest.Places.HELD:
        _free(booking.session_id, booking.pupils)
        booking.places = BookingRequest.Places.FREED
    elif booking.places == BookingRequest.Places.WAITING:
        booking.places = BookingRequest.Places.NONE
    else:
        return []
    moved = []
    waiting = BookingRequest.objects.waiting_for(booking.session_id).exclude(pk=booking.pk)
    for candidate in waiting.select_for_update():
        # Strictly in order: a large class first in line is not skipped by a smaller one.
        if not _hold(candidate.session_id, candidate.pupils):
            break
        candidate.places = BookingRequest.Places.HELD
        candidate._change_reason = translation.gettext("Moved up from the waiting list")
        candidate.save()
        moved.append(candidate.pk)
    return moved


def _mail_moved_up(ids, absolute_url):
    for booking in BookingRequest.objects.filter(pk__in=ids).select_related("offer", "session"):
        send_mail(
            template="moved_up",
            context=_context(booking, absolute_url),
            recipients=[booking.email],
        )


def request_cancel(*, booking_id, absolute_url):
    """The teacher cancels by the link in a mail: places freed, the waiting list moves up
    (each request that moved up is told by mail), the provider is told. Idempotent."""
    with transaction.atomic():
        _session, booking = _lock(booking_id)
        if booking.status == BookingRequest.Status.CANCELLED:
            return booking, False
        booking.status = BookingRequest.Status.CANCELLED
        moved = _release(booking)
        booking._change_reason = translation.gettext("Cancelled by the teacher")
        booking.save()
    _mail_moved_up(moved, absolute_url)
    if booking.confirmed_at is not None:
        booking = BookingRequest.objects.select_related(
            "offer__provider", "offer__contact", "session"
        ).get(pk=booking.pk)
        context = _context(booking, absolute_url)
        context["admin_url"] = absolute_url(
            reverse("admin:bookings_bookingrequest_change", args=[booking.pk])
        )
        send_mail(
            template="provider_cancelled",
            context=context,
            recipients=provider_recipients(booking.offer),
        )
    return booking, True


FREEING = {BookingRequest.Status.DECLINED, BookingRequest.Status.CANCELLED}


def request_answer(*, booking, notify, absolute_url):
    """Save the provider's answer (status and text, from the admin's form in ``booking``)
    and, if ``notify``, mail it to the teacher. A declined or cancelled request frees its
    places for the waiting list; an accepted one on the waiting list takes places if enough
    are free. Returns whether the request holds places it needs (False: still waiting)."""
    with transaction.atomic():
        session, current = _lock(booking.pk)
        booking.places = current.places
        moved = []
        if booking.status in FREEING:
            moved = _release(booking)
        elif (
            booking.status == BookingRequest.Status.ACCEPTED
            and booking.places == BookingRequest.Places.WAITING
            and not BookingRequest.objects.waiting_for(session)
            .filter(confirmed_at__lt=current.confirmed_at)
            .exists()
            and _hold(session.pk, booking.pupils)
        ):
            booking.places = BookingRequest.Places.HELD
        if booking.answered_at is None and (
            booking.status != BookingRequest.Status.NEW or booking.answer.strip()
        ):
            booking.answered_at = timezone.now()
        booking._change_reason = translation.gettext("Answered in the admin")
        booking.save()
    _mail_moved_up(moved, absolute_url)
    if notify:
        send_mail(
            template="answer",
            context=_context(booking, absolute_url),
            recipients=[booking.email],
            reply_to=provider_recipients(booking.offer)[:1],
        )
    return booking.places != BookingRequest.Places.WAITING
