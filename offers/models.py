"""The offer database: taxonomies coordinators edit, providers and their offers.

Taxonomies are plain data with slug natural keys, so another MINT region runs its
own portal by loading other fixtures, not by changing code.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.signals import (
    post_create_historical_m2m_records,
    pre_create_historical_m2m_records,
)
from simple_history.utils import get_m2m_field_name

GRADE_MIN = 1
GRADE_MAX = 13
grade_validators = [MinValueValidator(GRADE_MIN), MaxValueValidator(GRADE_MAX)]


class SlugManager(models.Manager):
    """Looks taxonomy rows up by slug, which is what fixtures refer to."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Taxonomy(models.Model):
    """Fields shared by every editable vocabulary."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        help_text=_("Short name used in web addresses; lower case letters, digits and hyphens."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Lower numbers are listed first.")
    )

    objects = SlugManager()

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class TimeStamped(models.Model):
    """When a row was created and last changed."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class TreeQuerySet(models.QuerySet):
    """Regions and sectors: two levels, a node with the nodes directly below it."""

    def node_and_children(self, node):
        """``node`` and the nodes whose parent it is.

        Used as a subquery (``region__in=...``), it lets the database find an offer's links
        through the index on the link table, which ``Q(region=…) | Q(region__parent=…)``
        across the join would not: that reads every link.
        """
        return self.with_children([node.pk])

    def with_children(self, ids):
        """The nodes with primary keys ``ids`` and the nodes directly below them: what a
        node of the walk or of a search facet stands for."""
        return self.filter(Q(pk__in=ids) | Q(parent__in=ids))


TreeManager = SlugManager.from_queryset(TreeQuerySet)


def parent_field(help_text):
    """The node directly above in a two-level taxonomy; ``children`` are those below it."""
    return models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=help_text,
    )


class Region(Taxonomy):
    """A state, district or city; districts may sit below a state."""

    class Level(models.TextChoices):
        STATE = "state", _("state")
        DISTRICT = "district", _("district or independent city")

    official_key = models.CharField(
        _("official key"),
        max_length=12,
        blank=True,
        help_text=_("Amtlicher Gemeindeschlüssel (AGS), e.g. 07211000 for Stadt Trier."),
    )
    level = models.CharField(_("level"), max_length=10, choices=Level, default=Level.DISTRICT)
    parent = parent_field(_("The state a district belongs to; empty for a portal with one level."))

    objects = TreeManager()

    class Meta(Taxonomy.Meta):
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Track(Taxonomy):
    """The first step of the walk: vocational training or university studies."""

    description = models.TextField(_("description"), blank=True)

    class Meta(Taxonomy.Meta):
        verbose_name = _("track")
        verbose_name_plural = _("tracks")

    def get_absolute_url(self):
        return reverse("offers:walk_track", kwargs={"track": self.slug})


class Sector(Taxonomy):
    """An occupational field (Ausbildung) or a field of study (Studium)."""

    track = models.ForeignKey(
        Track, verbose_name=_("track"), on_delete=models.PROTECT, related_name="sectors"
    )
    parent = parent_field(_("A finer field of study names the broad field it belongs to."))

    objects = TreeManager()

    class Meta(Taxonomy.Meta):
        verbose_name = _("sector or field of study")
        verbose_name_plural = _("sectors and fields of study")

    def clean(self):
        if self.parent_id and self.parent.track_id != self.track_id:
            raise ValidationError({"parent": _("The broader field must belong to the same track.")})


class OfferType(Taxonomy):
    class Meta(Taxonomy.Meta):
        verbose_name = _("offer type")
        verbose_name_plural = _("offer types")


class SchoolForm(Taxonomy):
    short_name = models.CharField(
        _("short name"),
        max_length=20,
        blank=True,
        help_text=_("Abbreviation such as “Gym.” or “RS+”."),
    )

    class Meta(Taxonomy.Meta):
        verbose_name = _("school form")
        verbose_name_plural = _("school forms")


class Subject(Taxonomy):
    """A MINT subject: Mathematik, Informatik, Naturwissenschaften, Technik, Sonstige."""

    letter = models.CharField(
        _("letter"),
        max_length=2,
        blank=True,
        help_text=_("Prefix of the catalogue codes of this subject, e.g. “N” for N 23."),
    )

    class Meta(Taxonomy.Meta):
        verbose_name = _("MINT subject")
        verbose_name_plural = _("MINT subjects")


class ProviderQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Every provider for coordinators and readers; a provider editor's own otherwise."""
        if user.has_perm("offers.access_all_providers"):
            return self
        return self.filter(editors=user)


class Provider(TimeStamped):
    """A company, university, association or office that offers orientation."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("company")
        UNIVERSITY = "university", _("university")
        SCHOOL = "school", _("school")
        CHAMBER = "chamber", _("chamber or association")
        PUBLIC = "public", _("public authority")
        EXTRACURRICULAR = "extracurricular", _("extracurricular place of learning")
        FOUNDATION = "foundation", _("foundation or society")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.COMPANY)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("town"), max_length=100, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="providers",
        help_text=_("Where the provider is located."),
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("provider editors"),
        related_name="edited_providers",
        blank=True,
        help_text=_(
            "Staff of this organisation who may edit its offers and contact persons "
            "in the admin (role “Anbieter-Redaktion”)."
        ),
    )
    objects = SlugManager.from_queryset(ProviderQuerySet)()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["name"]
        permissions = [
            ("access_all_providers", _("Can see the data of every provider")),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("offers:provider_detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)


class ContactPersonQuerySet(models.QuerySet):
    def public(self):
        """Contacts the public pages show: those of providers with a published offer."""
        return self.filter(
            Exists(Offer.objects.published().filter(provider_id=OuterRef("provider_id")))
        )

    def visible_to(self, user):
        """Every contact for coordinators and readers; a provider editor's own otherwise."""
        if user.has_perm("offers.access_all_providers"):
            return self
        return self.filter(provider__editors=user)


class ContactPerson(models.Model):
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    # What the person agreed to have published. The e-mail address is never written into a
    # public page (robots harvest those): visitors press a button to have it shown
    # (offers/views/contact.py).
    show_email = models.BooleanField(
        _("show e-mail address"),
        default=True,
        help_text=_(
            "Visitors of the offer and provider pages can have the address shown with a "
            "button; it never appears in the page itself."
        ),
    )
    show_phone = models.BooleanField(
        _("show phone number"),
        default=True,
        help_text=_("The phone number is shown on the offer and provider pages."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = ContactPersonQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["provider", "position", "name"]

    def __str__(self):
        return self.name


def stale_before():
    """The date before which a confirmation counts as out of date (OFFER_STALE_AFTER_DAYS)."""
    return timezone.localdate() - timedelta(days=settings.OFFER_STALE_AFTER_DAYS)


def grades_label(grade_min, grade_max):
    """The grade band as the seed's tables print it: “9–13”, or “10” for one grade."""
    return str(grade_min) if grade_min == grade_max else f"{grade_min}–{grade_max}"


class OfferQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Offer.Status.PUBLISHED)

    def for_lists(self):
        """Without the columns no list of offers shows: the description, and the search
        vector, which alone is half of an offer's row."""
        return self.defer("description", "search_vector")

    def for_cards(self):
        """With what a result card shows (provider, type, school forms, upcoming dates as
        ``upcoming_sessions``), without a query per card."""
        from bookings.models import Session  # bookings builds on offers, not the reverse

        return (
            self.select_related("provider", "offer_type")
            .prefetch_related(
                "school_forms",
                models.Prefetch(
                    "sessions", queryset=Session.objects.upcoming(), to_attr="upcoming_sessions"
                ),
            )
            .for_lists()
        )

    def by_provider(self):
        """Grouped by provider, as the walk's last step lists them."""
        return self.order_by("provider__name", "provider_id", "title", "pk")

    def in_order_of(self, ids):
        """The offers whose primary keys are ``ids``, as a list in that order (one query);
        ids this QuerySet does not hold are left out."""
        by_pk = {offer.pk: offer for offer in self.filter(pk__in=ids)}
        return [by_pk[pk] for pk in ids if pk in by_pk]

    def visible_to(self, user):
        """Every offer for coordinators and readers; a provider editor's own offers otherwise."""
        if user.has_perm("offers.access_all_providers"):
            return self
        return self.filter(provider__editors=user)

    def stale(self):
        """Published offers never confirmed, or not confirmed for OFFER_STALE_AFTER_DAYS."""
        return self.published().filter(
            Q(last_confirmed__isnull=True) | Q(last_confirmed__lt=stale_before())
        )

    def in_track(self, track):
        """Offers with at least one sector of the track (an ``EXISTS`` subquery)."""
        return self.filter(
            Exists(Offer.sectors.through.objects.filter(offer=OuterRef("pk"), sector__track=track))
        )

    def in_sector(self, sector):
        """Offers in the sector or in any finer field below it."""
        return self.filter(
            Exists(
                Offer.sectors.through.objects.filter(
                    offer=OuterRef("pk"), sector__in=Sector.objects.node_and_children(sector)
                )
            )
        )

    def in_region(self, region):
        """Offers served in the region, or in any district of it if it is a state."""
        return self.filter(
            Exists(
                Offer.regions.through.objects.filter(
                    offer=OuterRef("pk"), region__in=Region.objects.node_and_children(region)
                )
            )
        )


class LinkSnapshotHistory(HistoricalRecords):
    """History whose record copies the link rows by their ids alone.

    django-simple-history reads them joined to both ends, after rebuilding the object from
    the record, which for an offer reads the excluded search vector once per link table.
    """

    def create_historical_record_m2ms(self, history_instance, instance):
        for field in history_instance._history_m2m_fields:
            m2m_history_model = self.m2m_models[field]
            through_model = getattr(instance, field.name).through
            names = [f.attname for f in through_model._meta.fields]
            rows = through_model.objects.filter(**{get_m2m_field_name(field): instance}).values(
                *names
            )
            insert_rows = [m2m_history_model(history=history_instance, **row) for row in rows]
            pre_create_historical_m2m_records.send(
                sender=m2m_history_model,
                rows=insert_rows,
                history_instance=history_instance,
                instance=instance,
                field=field,
            )
            created_rows = m2m_history_model.objects.bulk_create(insert_rows)
            post_create_historical_m2m_records.send(
                sender=m2m_history_model,
                created_rows=created_rows,
                history_instance=history_instance,
                instance=instance,
                field=field,
            )


# Kept at module level so that a save in the admin can skip the records the signals would
# write (one for the row, one more for each link table set) and write a single one after
# the links are set: ``offers.services.offer_record_history``.
OFFER_HISTORY = LinkSnapshotHistory(
    m2m_fields=["sectors", "subjects", "school_forms", "regions"],
    excluded_fields=["search_vector"],
)


class DurationUnit(models.TextChoices):
    """The units an offer's duration is entered and shown in; ``minutes`` is how many
    minutes one of them counts (a day 480, a week five days, as the search facet's bands)."""

    MINUTES = "minutes", _("minutes")
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")
    WEEKS = "weeks", _("weeks")

    @property
    def minutes(self):
        return {"minutes": 1, "hours": 60, "days": 480, "weeks": 2400}[self.value]


class Offer(models.Model):
    """One orientation offer of one provider, as a teacher would book it."""

    DurationUnit = DurationUnit

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        REVIEW = "review", _("in review")
        PUBLISHED = "published", _("published")
        ARCHIVED = "archived", _("archived")

    class Venue(models.TextChoices):
        PROVIDER = "provider", _("at the provider")
        SCHOOL = "school", _("in the school")
        ONLINE = "online", _("online")
        ELSEWHERE = "elsewhere", _("elsewhere")

    class Audience(models.TextChoices):
        STUDENTS = "students", _("students")
        TEACHERS = "teachers", _("teachers")
        BOTH = "both", _("students and teachers")

    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="offers"
    )
    code = models.CharField(
        _("code"),
        max_length=20,
        blank=True,
        help_text=_("Stable catalogue code such as “N 23”; unique when given."),
    )
    title = models.CharField(_("title"), max_length=250)
    summary = models.CharField(
        _("short description"),
        max_length=500,
        blank=True,
        help_text=_("One or two sentences shown in lists."),
    )
    description = models.TextField(_("description"), blank=True)
    offer_type = models.ForeignKey(
        OfferType, verbose_name=_("offer type"), on_delete=models.PROTECT, related_name="offers"
    )
    sectors = models.ManyToManyField(
        Sector,
        verbose_name=_("sectors and fields of study"),
        related_name="offers",
        help_text=_(
            "Occupational fields (Ausbildung) or fields of study (Studium) the offer shows."
        ),
    )
    subjects = models.ManyToManyField(
        Subject, verbose_name=_("MINT subjects"), related_name="offers", blank=True
    )
    grade_min = models.PositiveSmallIntegerField(
        _("from grade"), default=GRADE_MIN, validators=grade_validators
    )
    grade_max = models.PositiveSmallIntegerField(
        _("to grade"), default=GRADE_MAX, validators=grade_validators
    )
    all_school_forms = models.BooleanField(
        _("all school forms"),
        default=False,
        help_text=_("Open to every school form; the list of school forms is then ignored."),
    )
    school_forms = models.ManyToManyField(
        SchoolForm, verbose_name=_("school forms"), related_name="offers", blank=True
    )
    participants_min = models.PositiveSmallIntegerField(
        _("minimum participants"), null=True, blank=True
    )
    participants_max = models.PositiveSmallIntegerField(
        _("maximum participants"),
        null=True,
        blank=True,
        help_text=_("Empty when there is no fixed maximum."),
    )
    participants_note = models.CharField(
        _("participants note"),
        max_length=100,
        blank=True,
        help_text=_("Shown instead of or beside the numbers, e.g. “nach Absprache” or “offen”."),
    )
    duration_text = models.CharField(
        _("duration"), max_length=100, blank=True, help_text=_("As shown, e.g. “2 - 20 Wochen”.")
    )
    duration_min_minutes = models.PositiveIntegerField(
        _("shortest duration in minutes"),
        null=True,
        blank=True,
        help_text=_("For filtering; a day counts 480 minutes, a week five days."),
    )
    duration_max_minutes = models.PositiveIntegerField(
        _("longest duration in minutes"), null=True, blank=True
    )
    duration_unit = models.CharField(
        _("duration unit"),
        max_length=10,
        choices=DurationUnit,
        blank=True,
        help_text=_("The unit the duration was entered in and is shown in."),
    )
    venue = models.CharField(_("venue"), max_length=10, choices=Venue, default=Venue.PROVIDER)
    place = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("E.g. “Schulen in Trier”.")
    )
    regions = models.ManyToManyField(
        Region,
        verbose_name=_("served regions"),
        related_name="offers",
        help_text=_("Where schools can take up the offer."),
    )
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience, default=Audience.STUDENTS
    )
    year_round = models.BooleanField(
        _("all year by arrangement"), default=True, help_text=_("“ganzjährig nach Absprache”.")
    )
    start_date = models.DateField(_("first date"), null=True, blank=True)
    end_date = models.DateField(_("last date"), null=True, blank=True)
    dates_note = models.CharField(
        _("dates note"), max_length=200, blank=True, help_text=_("E.g. “in den Herbstferien”.")
    )
    cost = models.CharField(
        _("cost"), max_length=100, blank=True, help_text=_("Empty means free of charge.")
    )
    contact = models.ForeignKey(
        ContactPerson,
        verbose_name=_("contact person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offers",
        help_text=_("Whom to call about this offer; one of the provider's contact persons."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT, db_index=True
    )
    last_confirmed = models.DateField(
        _("last confirmed"),
        null=True,
        blank=True,
        help_text=_("When the provider last confirmed that the offer is still current."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Filled by a PostgreSQL trigger (migration 0003_offer_search_vector), so that bulk_create,
    # queryset updates and provider renames keep it current; stays empty on SQLite.
    search_vector = SearchVectorField(_("search vector"), null=True, editable=False)

    objects = OfferQuerySet.as_manager()
    history = OFFER_HISTORY

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade_min__gte=GRADE_MIN)
                & Q(grade_max__lte=GRADE_MAX)
                & Q(grade_min__lte=models.F("grade_max")),
                name="offer_grade_range_valid",
                violation_error_message=_("The grade range must run from low to high within 1–13."),
            ),
            models.CheckConstraint(
                condition=Q(participants_min__isnull=True)
                | Q(participants_max__isnull=True)
                | Q(participants_min__lte=models.F("participants_max")),
                name="offer_participants_range_valid",
                violation_error_message=_(
                    "The maximum number of participants must not be below the minimum."
                ),
            ),
            models.CheckConstraint(
                condition=Q(duration_min_minutes__isnull=True)
                | Q(duration_max_minutes__isnull=True)
                | Q(duration_min_minutes__lte=models.F("duration_max_minutes")),
                name="offer_duration_range_valid",
                violation_error_message=_("The longest duration must not be below the shortest."),
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(start_date__lte=models.F("end_date")),
                name="offer_date_range_valid",
                violation_error_message=_("The last date must not be before the first date."),
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="offer_code_unique",
                violation_error_message=_("Another offer already has this code."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "grade_min", "grade_max"]),
            GinIndex(fields=["search_vector"], name="offer_search_vector_gin"),
            # Every public count starts from the published offers: with this narrow index
            # PostgreSQL reads their ids without touching the wide offer rows.
            models.Index(
                fields=["id"],
                condition=Q(status="published"),
                name="offer_published_id_idx",
            ),
            # The search page's sort orders: its first page reads 20 rows from these instead
            # of sorting every match.
            models.Index(
                fields=["title", "id"],
                condition=Q(status="published"),
                name="offer_published_title_idx",
            ),
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(status="published"),
                name="offer_published_newest_idx",
            ),
            # A provider's offers as its page lists them (by type, then title) and as an offer
            # page lists the provider's other offers (by title): a page of them reads its own
            # rows, not every offer of a provider with thousands.
            models.Index(
                fields=["provider", "offer_type", "title", "id"],
                condition=Q(status="published"),
                name="offer_published_prov_type_idx",
            ),
            models.Index(
                fields=["provider", "title", "id"],
                condition=Q(status="published"),
                name="offer_published_prov_title_idx",
            ),
        ]
        permissions = [
            ("publish_offer", _("Can publish, archive and return offers to draft")),
            ("import_offers", _("Can import offers from spreadsheets")),
        ]

    def __str__(self):
        return f"{self.code} {self.title}".strip()

    def get_absolute_url(self):
        return reverse("offers:offer_detail", kwargs={"pk": self.pk})

    def get_venue_display(self):
        """The venue's label. Replaces Django's generated method, which builds a dict of all
        choices on every call and so looks up the translation of each of them: a list of fifty
        offers paid for two hundred lookups."""
        return str(self.Venue(self.venue).label) if self.venue in self.Venue else self.venue

    def get_audience_display(self):
        """The audience's label, without Django's dict of all choices (``get_venue_display``)."""
        if self.audience in self.Audience:
            return str(self.Audience(self.audience).label)
        return self.audience

    def clean(self):
        if self.contact_id and self.contact.provider_id != self.provider_id:
            raise ValidationError({"contact": _("The contact person must belong to the provider.")})

    @property
    def is_stale(self):
        """Published, but not confirmed within OFFER_STALE_AFTER_DAYS (see ``stale()``)."""
        return self.status == self.Status.PUBLISHED and (
            self.last_confirmed is None or self.last_confirmed < stale_before()
        )

    @property
    def grades_label(self):
        return grades_label(self.grade_min, self.grade_max)

    @property
    def duration_label(self):
        """The duration as the provider wrote it, or else from the minutes in the unit it
        was entered in: “2–20 Wochen”, “90 Minuten”; empty if neither is given."""
        if self.duration_text:
            return self.duration_text
        from .durations import duration_label

        return duration_label(
            self.duration_min_minutes, self.duration_max_minutes, self.duration_unit
        )

    @property
    def participants_label(self):
        """Class sizes as the provider gave them: “max. 30”, “10–20”, or the note alone."""
        low, high = self.participants_min, self.participants_max
        if low and high:
            numbers = _("%(low)s–%(high)s") % {"low": low, "high": high}
        elif high:
            numbers = _("max. %(high)s") % {"high": high}
        elif low:
            numbers = _("min. %(low)s") % {"low": low}
        else:
            numbers = ""
        return ", ".join(part for part in (numbers, self.participants_note) if part)


class OfferRevisionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=OfferRevision.State.PENDING)

    def visible_to(self, user):
        """Every revision for coordinators and readers; those of a provider editor's own
        organisations otherwise."""
        if user.has_perm("offers.access_all_providers"):
            return self
        return self.filter(offer__provider__editors=user)


class OfferRevision(models.Model):
    """A provider editor's change of a published offer, waiting for a coordinator.

    The published offer stays online as it is; ``values`` holds the proposed values of the
    fields the editor changed (field name → value as JSON: a foreign key's primary key, a
    list of primary keys for a many-to-many field, dates in ISO format). A coordinator
    publishes it (the values are written to the offer, which stays published) or rejects it
    with a reason the editor reads. One pending revision per offer; editing again updates it.
    Writes: ``offers.services.offer_revision_*``; the values: ``offers.changes``.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for review")
        PUBLISHED = "published", _("published")
        REJECTED = "rejected", _("rejected")

    offer = models.ForeignKey(
        Offer, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="revisions"
    )
    values = models.JSONField(_("proposed values"), default=dict)
    state = models.CharField(
        _("state"), max_length=10, choices=State, default=State.PENDING, db_index=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("Why the change was rejected; the editor reads it.")
    )

    objects = OfferRevisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("change of an offer")
        verbose_name_plural = _("changes of offers")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer"],
                condition=Q(state="pending"),
                name="offer_revision_one_pending",
            )
        ]

    def __str__(self):
        return f"{self.offer} ({self.get_state_display()})"


# What a write to a catalogue table means for the search index (``CATALOG_TABLES``).
REBUILD = "*"  # the index is built anew (a taxonomy or a provider changed)
PAGES_ONLY = "-"  # only pages show the table; the index stays as it is
# What the change log holds for a write to a PAGES_ONLY table (no offer has id 0): the
# index stays, the pages that show such rows (offer and provider pages) are rendered anew.
PAGES_ONLY_CHANGE = 0

# Every table a public catalogue page or the search index reads, as model labels
# ("Offer.sectors": its link table), each with the column that names the offer a row
# belongs to (a change patches the index for those offers), or REBUILD or PAGES_ONLY. A
# write to any of them replaces the token of ``CatalogVersion`` and logs the offers it
# touched in ``CatalogChange``, through database triggers (``offers/freshness.py``);
# tests/test_freshness.py fails when a table a public page reads is missing here.
CATALOG_TABLES = {
    "Offer": "id",
    "Offer.sectors": "offer_id",
    "Offer.regions": "offer_id",
    "Offer.subjects": "offer_id",
    "Offer.school_forms": "offer_id",
    "Sector": REBUILD,
    "Region": REBUILD,
    "Track": REBUILD,
    "OfferType": REBUILD,
    "SchoolForm": REBUILD,
    "Subject": REBUILD,
    "Provider": REBUILD,
    "ContactPerson": PAGES_ONLY,
    # Dated sessions (cards and offer pages show their dates and free places).
    "bookings.Session": "offer_id",
}


class CatalogVersion(models.Model):
    """A single row whose token database triggers replace on every write to a table of
    ``CATALOG_TABLES``; the search index, the walk's counts and the page cache are keyed by
    it (docs/architecture.md). Triggers rather than signals, so that bulk inserts, queryset
    updates and imports change it too; a random token rather than a counter, so that a
    rolled-back write can never bring back a number whose cached counts described data that
    was never committed.
    """

    token = models.CharField(_("token"), max_length=64)

    class Meta:
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")

    def __str__(self):
        return self.token

    @classmethod
    def current(cls):
        """The token of the committed catalogue, or None if the row is missing (one query).
        Every catalogue page asks it, a cached one too: the statement is written out, which
        saves the ORM's compiling of it, most of what the question costs."""
        table = connection.ops.quote_name(cls._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT token FROM {table} WHERE id = 1")
            row = cursor.fetchone()
        return row[0] if row else None

    @classmethod
    def state(cls):
        """(token, first and last id in the change log), read in one statement and so from
        one snapshot; None if the row is missing. The log is pruned from its start, so an
        index older than the first entry cannot learn what changed since."""
        log = CatalogChange.objects.order_by()
        return (
            cls.objects.filter(pk=1)
            .annotate(
                first_change=models.Subquery(log.order_by("pk").values("pk")[:1]),
                last_change=models.Subquery(log.order_by("-pk").values("pk")[:1]),
            )
            .values_list("token", "first_change", "last_change")
            .first()
        )


class CatalogChange(models.Model):
    """One offer that a catalogue write touched, logged by the same triggers that replace
    the token (``offers/freshness.py``); ``offer_id`` None: a write the search index cannot
    patch (a taxonomy or a provider changed); ``PAGES_ONLY_CHANGE``: a write only pages show
    (a contact person). A worker whose index is older than the token
    reads the log since its index and patches just those offers (``offers/search/engine.py``).
    Writers are serialised by the lock on the version row, so ids grow in commit order."""

    id = models.BigAutoField(primary_key=True)
    offer_id = models.BigIntegerField(_("offer"), null=True)

    class Meta:
        verbose_name = _("catalogue change")
        verbose_name_plural = _("catalogue changes")

    def __str__(self):
        return f"{self.pk}: {self.offer_id}"


class ImportJob(models.Model):
    """One confirmed offer import, run by the job queue outside the web request
    (``offers.importing.jobs``); its progress lives in the cache, its result here."""

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("finished")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    # The uploaded file, so that a worker on another machine reads it; emptied when done.
    data = models.BinaryField(_("file"), editable=False)
    language = models.CharField(_("language"), max_length=10, default="de")
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.QUEUED)
    report = models.JSONField(_("report"), null=True, blank=True)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"
