"""The MINT network: member organisations that signed the support declaration."""

import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from offers.models import Provider, Region, SchoolForm, SlugManager, TimeStamped
from retribus.validators import validate_logo

logger = logging.getLogger(__name__)


class LogoField(models.ImageField):
    """An image field that keeps the stored width and height when the file is gone.

    Django re-reads the image whenever the field is assigned (also in ``full_clean``), so
    a logo file lost from the media volume would otherwise break every edit of its partner.
    """

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        try:
            super().update_dimension_fields(instance, force, *args, **kwargs)
        except FileNotFoundError:
            logger.warning("Logo file missing: %s", getattr(instance, self.attname, None))


class NetworkProfile(models.Model):
    """The network's own texts and contacts: one row, edited by the coordinators.

    Another MINT region runs the network pages by editing this row, not the templates.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    name = models.CharField(
        _("name of the network"), max_length=200, help_text=_("E.g. “MINT-Initiativkreis Trier”.")
    )
    introduction = models.TextField(
        _("introduction"), blank=True, help_text=_("A short paragraph on what the network is.")
    )
    goals = models.TextField(
        _("goals"), blank=True, help_text=_("One goal per line; shown as a list.")
    )
    benefits = models.TextField(
        _("benefits for members"),
        blank=True,
        help_text=_("One benefit per line, e.g. the use of the network’s logo; shown as a list."),
    )
    patron_name = models.CharField(_("patron"), max_length=200, blank=True)
    patron_function = models.CharField(
        _("function of the patron"),
        max_length=200,
        blank=True,
        help_text=_("E.g. “Oberbürgermeister”."),
    )
    office_name = models.CharField(
        _("coordinating office"),
        max_length=200,
        blank=True,
        help_text=_("E.g. “Kommunales Bildungsmanagement der Stadt Trier”."),
    )
    office_address = models.TextField(_("address of the office"), blank=True)
    office_email = models.EmailField(_("e-mail of the office"), blank=True)
    office_phone = models.CharField(_("phone of the office"), max_length=50, blank=True)
    declaration_text = models.TextField(
        _("text of the support declaration"),
        help_text=_(
            "What a new partner agrees to on the online form; paragraphs separated by a blank line."
        ),
    )
    certificate_text = models.TextField(
        _("certificate text"),
        blank=True,
        help_text=_("Printed on the “MINT-Botschafter” certificate below the partner’s name."),
    )
    notification_email = models.EmailField(
        _("notification e-mail"),
        blank=True,
        help_text=_("Where new support declarations are reported; the office’s e-mail when empty."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("network profile")
        verbose_name_plural = _("network profile")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="network_profile_single_row")]

    def __str__(self):
        return self.name

    @classmethod
    def load(cls):
        """The network's row, or an unsaved blank one before the coordinators filled it in.

        Costs one query; never writes, so a GET request does not create data.
        """
        return cls.objects.filter(pk=1).first() or cls(name=_("MINT network"))

    @property
    def notification_recipient(self):
        return self.notification_email or self.office_email

    @staticmethod
    def _lines(text):
        return [line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t")]

    @property
    def goal_list(self):
        return self._lines(self.goals)

    @property
    def benefit_list(self):
        return self._lines(self.benefits)


class PartnerQuerySet(models.QuerySet):
    def public(self):
        """Approved partners who agreed to be listed."""
        return self.filter(status=Partner.Status.APPROVED, public_listing=True)

    def pending(self):
        return self.filter(status=Partner.Status.PENDING)


class Partner(TimeStamped):
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

    SCHOOL_KINDS = frozenset({Kind.PRIMARY_SCHOOL, Kind.SECONDARY_SCHOOL, Kind.VOCATIONAL_SCHOOL})

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
    school_form = models.ForeignKey(
        SchoolForm,
        verbose_name=_("school form"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partners",
        help_text=_("For schools: the directory lists schools by their form."),
    )
    logo = LogoField(
        _("logo"),
        upload_to="partner-logos/",
        width_field="logo_width",
        height_field="logo_height",
        blank=True,
        validators=[validate_logo],
        help_text=_("A PNG, JPEG or WebP image; SVG is not accepted."),
    )
    logo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    logo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    representative_name = models.CharField(_("representative"), max_length=150, blank=True)
    representative_function = models.CharField(
        _("function"), max_length=150, blank=True, help_text=_("E.g. “Hauptgeschäftsführer”.")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    declaration_date = models.DateField(_("support declaration signed"), null=True, blank=True)
    declaration_text = models.TextField(
        _("declaration agreed to"),
        blank=True,
        help_text=_("The text of the support declaration as it read when the partner agreed."),
    )
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

    @property
    def is_private_person(self):
        """Private persons are shown by name only, never with contact or representative."""
        return self.kind == self.Kind.PRIVATE_PERSON


class ErasureRecord(models.Model):
    """That a person's data was erased: by whom, when and of which object, never the data.

    Written by ``network.erasure`` for a coordinator's erasure (Art. 17 DSGVO) and for each
    run of ``purge_personal_data`` that found something past its retention period, so that
    the network can show what it deleted (Art. 5 Abs. 2 DSGVO) without keeping it.
    """

    class Reason(models.TextChoices):
        REQUEST = "request", _("erased on request")
        RETENTION = "retention", _("retention period over")

    erased_at = models.DateTimeField(_("erased at"), default=timezone.now, db_index=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erased by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    erased_by_name = models.CharField(
        _("erased by (user name)"),
        max_length=150,
        blank=True,
        help_text=_("Kept when the account is deleted; empty for the scheduled command."),
    )
    reason = models.CharField(_("reason"), max_length=10, choices=Reason)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("kind of object"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(
        _("object id"),
        null=True,
        blank=True,
        help_text=_("Empty when a scheduled run scrubbed old history of many objects."),
    )
    row_deleted = models.BooleanField(
        _("object deleted"),
        default=False,
        help_text=_("Deleted altogether rather than cleared of its personal fields."),
    )
    history_rows = models.PositiveIntegerField(_("history entries cleared"), default=0)

    class Meta:
        verbose_name = _("erasure of personal data")
        verbose_name_plural = _("erasures of personal data")
        ordering = ["-erased_at", "-id"]
        permissions = [("erase_personal_data", _("Can erase a person's data"))]

    def __str__(self):
        return f"{self.content_type.name} {self.object_id or '*'} ({self.erased_at:%Y-%m-%d})"
