"""What the coordinators' view keeps of its own: the register of issued offer codes and the
anonymous counts of public searches. Everything else it shows is read from the catalogue."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IssuedCode(models.Model):
    """Every catalogue code ever given to an offer. A row outlives its offer, so a code
    that teachers may still quote from an old print is never handed to another offer."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8)
    number = models.PositiveIntegerField(_("number"))
    offer = models.ForeignKey(
        "offers.Offer",
        verbose_name=_("offer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty once the offer has been deleted; the code stays taken."),
    )
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)

    class Meta:
        verbose_name = _("issued offer code")
        verbose_name_plural = _("issued offer codes")
        ordering = ["prefix", "number"]
        indexes = [models.Index(fields=["prefix", "-number"])]

    def __str__(self):
        return self.code


class SearchCount(models.Model):
    """How often a public search was made on one day. One row per day, normalised words and
    filters, with a counter, rather than a row per search: storage grows with the variety of
    searches, not with traffic, and no row can be tied to a visitor. Holds no address, no
    session, no browser and no time of day; rows older than 12 months are deleted
    (``manage.py prune_search_counts``)."""

    day = models.DateField(_("day"))
    words = models.CharField(
        _("search words"), max_length=200, blank=True, help_text=_("Lower case, spaces folded.")
    )
    filters = models.CharField(
        _("filters"),
        max_length=500,
        blank=True,
        help_text=_("The facets as a query string in canonical order, e.g. “grade=9&sector=it”."),
    )
    results = models.PositiveIntegerField(_("results"))
    searches = models.PositiveIntegerField(_("searches"), default=0)

    class Meta:
        verbose_name = _("search count")
        verbose_name_plural = _("search counts")
        ordering = ["-day", "-searches"]
        constraints = [
            models.UniqueConstraint(fields=["day", "words", "filters"], name="search_count_unique")
        ]

    def __str__(self):
        return f"{self.day} {self.words} {self.filters}".strip()


class Dashboard(models.Model):
    """No table: the admin lists this as the coordinators' dashboard, and its ``view``
    permission is what lets a role open it."""

    class Meta:
        managed = False
        default_permissions = ("view",)
        verbose_name = _("dashboard")
        verbose_name_plural = _("dashboard")

    def __str__(self):
        return str(self._meta.verbose_name)
