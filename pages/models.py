"""Pages whose text coordinators edit: Impressum, privacy policy, accessibility statement.

German law requires them (§ 5 DDG, Art. 13 DSGVO, § 12b BGG / BITV 2.0); their wording
changes with people and procedures, not with code, so it lives in the database.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class LegalPage(models.Model):
    """One of the fixed legal pages; the kind decides its address and footer link."""

    class Kind(models.TextChoices):
        IMPRINT = "impressum", _("legal notice (Impressum)")
        PRIVACY = "datenschutz", _("privacy policy (Datenschutzerklärung)")
        ACCESSIBILITY = "barrierefreiheit", _("accessibility statement")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind, unique=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Plain text. An empty line starts a new paragraph; a line starting with “## ” "
            "is a heading; lines starting with “- ” form a list. Web and e-mail "
            "addresses become links."
        ),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("legal page")
        verbose_name_plural = _("legal pages")
        ordering = ["kind"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(f"pages:{self.kind}")
