"""Shared Merklisten: a teacher's list of offers, readable by anyone with its link.

A visitor's own list lives in the session (``merkliste.py``); only when it is shared is it
stored here, under a random token, so that colleagues can open it. It holds offer ids with
the title and provider they had when they were added, so that an offer archived or deleted
since still shows as "no longer available" with its name. No personal data: no account, no
address, only the list and the teacher's note.
"""

import secrets
from datetime import timedelta

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# 32 random bytes: 256 bits, far beyond guessing or enumerating (at least 128 asked for).
TOKEN_BYTES = 32
# A shared list nobody opened or changed for this long is deleted (delete_unused_merklisten).
UNUSED_FOR = timedelta(days=365)
# Opening a list refreshes its "last used" date at most once a day, not a write per view.
USE_RESOLUTION = timedelta(days=1)


def new_token():
    return secrets.token_urlsafe(TOKEN_BYTES)


class SharedListQuerySet(models.QuerySet):
    def unused(self, now=None):
        """Lists neither opened nor changed for ``UNUSED_FOR``."""
        return self.filter(used_at__lt=(now or timezone.now()) - UNUSED_FOR)


class SharedList(models.Model):
    token = models.CharField(
        _("token"),
        max_length=64,
        unique=True,
        default=new_token,
        editable=False,
        help_text=_("The random part of the list's address; whoever knows it can read it."),
    )
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("E.g. “Klasse 8b, Mai”.")
    )
    items = models.JSONField(
        _("offers"),
        default=list,
        help_text=_("Offer ids with the title and provider they had when added."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    used_at = models.DateTimeField(_("last used"), default=timezone.now, db_index=True)

    objects = SharedListQuerySet.as_manager()

    class Meta:
        verbose_name = _("shared shortlist")
        verbose_name_plural = _("shared shortlists")
        ordering = ["-used_at"]

    def __str__(self):
        return self.note or self.token[:8]

    def get_absolute_url(self):
        return reverse("schooldesk:shared", kwargs={"token": self.token})

    def touch(self):
        """Note that the list was used today (one write a day at most)."""
        now = timezone.now()
        if now - self.used_at >= USE_RESOLUTION:
            SharedList.objects.filter(pk=self.pk).update(used_at=now)
            self.used_at = now
