"""The MINT network: member organisations that signed the support declaration."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from offers.models import Provider, Region, SlugManager


class PartnerQuerySet(models.QuerySet):
    def public(self):
        """Approved partners who agreed to be listed."""
        return self.filter(status=Partner.Status.APPROVED, public_listing=True)


class Partner(models.Model):
    """A member of the network, as listed on its support declaration."""

    class Kind(models.TextChoices):
        KITA = "kita", _("day-care centre")
        PRIMARY_SCHOOL = "primary_school", _("primary school")
        SECONDARY_SCHOOL = "secondary_school", _("secondary school")
        VOCATIONAL_SCHOOL = "vocational_school", _("vocational school (BBS)")
        UNIVERSITY = "university", _("university")
        CITY_OFFICE = "city_office", _("city office")
        EXTRACURRICULAR = "extracurricular", _("extracurricular place of learning")
        COMPANY = "company", _("company")
        CHAMBER = "chamber", _("chamber or association")
        FOUNDATION = "foundation", _("foundation")
        PRIVATE_PERSON = "private_person", _("private person")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")

    name = models.CharField(
        _("organisation"),
        max_length=200,
        help_text=_("Name of the organisation, or of the person for private members."),
    )
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partners",
    )
    representative_name = models.CharField(_("representative"), max_length=150, blank=True)
    representative_function = models.CharField(
        _("function"), max_length=150, blank=True, help_text=_("E.g. “Hauptgeschäftsführer”.")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    declaration_date = models.DateField(_("support declaration signed"), null=True, blank=True)
    ambassador_since = models.DateField(
        _("MINT ambassador since"),
        null=True,
        blank=True,
        help_text=_("Date of the “MINT-Botschafter” award; empty if not awarded."),
    )
    public_listing = models.BooleanField(
        _("may be listed publicly"),
        default=False,
        help_text=_("The partner agreed to appear in the public directory."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PENDING, db_index=True
    )
    provider = models.OneToOneField(
        Provider,
        verbose_name=_("provider"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner",
        help_text=_("The provider entry of this partner, if it also offers orientation."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SlugManager.from_queryset(PartnerQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("network partner")
        verbose_name_plural = _("network partners")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ambassador_since__isnull=True) | ~Q(status="declined"),
                name="partner_declined_not_ambassador",
                violation_error_message=_("A declined partner cannot be a MINT ambassador."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("network:partner_detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)

    @property
    def is_ambassador(self):
        return self.ambassador_since is not None
