"""Writes of the network: a support declaration comes in, coordinators approve or decline it.

Each function changes the partner and sends the e-mails that belong to that step, so the
public form and the admin cannot drift apart in what they tell people.
"""

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from offers.slugs import unique_slug

from .models import NetworkProfile, Partner

logger = logging.getLogger(__name__)


def _send(*, subject_template, body_template, context, recipients):
    """Send one plain-text mail in the site's language; a mail server failure is logged.

    The declaration is already saved when the mail goes out: a broken mail server must not
    turn a kept submission into an error page that invites the declarant to send it again.
    """
    recipients = [address for address in recipients if address]
    if not recipients:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(subject_template, context).split())
        body = render_to_string(body_template, context)
    try:
        send_mail(subject, body, None, recipients)
    except (smtplib.SMTPException, OSError):
        logger.exception("Could not send %s to %s", subject_template, recipients)
        return False
    return True


def declaration_submit(*, partner, absolute_url):
    """Save a declaration from the public form as a pending partner and confirm it by mail.

    ``partner`` is the unsaved instance the form built; ``absolute_url(path)`` turns a path
    into a full address (the request's ``build_absolute_uri``) for the coordinators' link
    to the partner's admin page.
    """
    profile = NetworkProfile.load()
    partner.slug = unique_slug(Partner, partner.name, fallback="partner", length=190)
    partner.status = Partner.Status.PENDING
    partner.ambassador_since = None
    partner.declaration_date = timezone.localdate()
    partner.declaration_text = profile.declaration_text
    partner._change_reason = translation.gettext("Support declaration submitted online")
    partner.save()
    context = {
        "partner": partner,
        "profile": profile,
        "admin_url": absolute_url(reverse("admin:network_partner_change", args=[partner.pk])),
    }
    _send(
        subject_template="network/email/declaration_received_subject.txt",
        body_template="network/email/declaration_received.txt",
        context=context,
        recipients=[partner.email],
    )
    _send(
        subject_template="network/email/coordinator_notification_subject.txt",
        body_template="network/email/coordinator_notification.txt",
        context=context,
        recipients=[profile.notification_recipient],
    )
    return partner


def partner_approve(*, partner, absolute_url, award_ambassador=False):
    """Approve a partner, optionally award "MINT-Botschafter"; mail the declarant once.

    ``absolute_url(path)`` turns a path into a full address for the mail (the request's
    ``build_absolute_uri``). Returns True if the declarant was told by mail, which happens
    only when the partner was not approved before.
    """
    newly_approved = partner.status != Partner.Status.APPROVED
    today = timezone.localdate()
    partner.status = Partner.Status.APPROVED
    if partner.declaration_date is None:
        partner.declaration_date = today
    if award_ambassador and partner.ambassador_since is None:
        partner.ambassador_since = today
    partner._change_reason = translation.gettext("Approved")
    partner.save()
    if newly_approved:
        return approval_mail_send(partner=partner, absolute_url=absolute_url)
    return False


def approval_mail_send(*, partner, absolute_url):
    """Tell the declarant that the network accepted them (and whether they are ambassador)."""
    return _send(
        subject_template="network/email/approved_subject.txt",
        body_template="network/email/approved.txt",
        context={
            "partner": partner,
            "profile": NetworkProfile.load(),
            "partner_url": absolute_url(partner.get_absolute_url()),
            "certificate_url": absolute_url(
                reverse("network:certificate", kwargs={"slug": partner.slug})
            ),
        },
        recipients=[partner.email],
    )


def partner_decline(*, partner):
    """Decline a declaration; a declined partner is never public and holds no award."""
    partner.status = Partner.Status.DECLINED
    partner.ambassador_since = None
    partner._change_reason = translation.gettext("Declined")
    partner.save()
