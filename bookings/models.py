"""Dated sessions of an offer and teachers' requests (Anfragen) for them.

An offer without sessions is "by arrangement" (nach Absprache). A session is catalogue
data: cached pages show its dates and free places, so its table is one of
``offers.models.CATALOG_TABLES`` and every write to it (an editor's, or places taken and
freed by ``services``) replaces the catalogue token and logs its offer. A request is not
catalogue data; it holds personal data for a limited time (``erasure``).
"""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from offers.models import GRADE_MAX, GRADE_MIN, Offer, SchoolForm

MAX_PUPILS = 999


def start_of_today():
    """Midnight of today in the portal's time zone: sessions starting from then on are
    upcoming all day long."""
    today = timezone.localdate()
    return timezone.make_aware(datetime.datetime.combine(today, datetime.time()))


class SessionQuerySet(models.QuerySet):
    def upcoming(self):
        """Sessions starting today or later (this changes with the date, not with writes)."""
        return self.filter(starts_at__gte=start_of_today())

    def visible_to(self, user):
        """Every date for coordinators and readers; a provider editor's own offers' dates."""
        if user.has_perm("offers.access_all_providers"):
            return self
        return self.filter(offer__provider__editors=user)

    def open_for_requests(self):
        """Upcoming sessions whose registration deadline has not passed."""
        return self.upcoming().filter(
            Q(registration_deadline__isnull=True)
            | Q(registration_deadline__gte=timezone.localdate())
        )


class Session(models.Model):
    """One date of an offer, with its places (none: no limit) and registration deadline."""

    offer = models.ForeignKey(
        Offer, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    places = models.PositiveSmallIntegerField(
        _("places"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PUPILS)],
        help_text=_("Pupils who can take part. Empty: no limit."),
    )
    # Written only by bookings.services, under a row lock and a conditional UPDATE.
    places_taken = models.PositiveSmallIntegerField(_("places taken"), default=0, editable=False)
    registration_deadline = models.DateField(
        _("registration deadline"),
        null=True,
        blank=True,
        help_text=_("Last day on which teachers can ask for this date. Empty: until it starts."),
    )
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("E.g. “only the afternoon group”.")
    )

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("date")
        verbose_name_plural = _("dates")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["offer", "starts_at"], name="session_offer_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")),
                name="session_ends_after_start",
                violation_error_message=_("The end must not be before the start."),
            ),
            models.CheckConstraint(
                condition=Q(places__isnull=True) | Q(places_taken__lte=F("places")),
                name="session_places_never_oversold",
                violation_error_message=_("Fewer places than the confirmed requests already hold."),
            ),
        ]

    def __str__(self):
        start = timezone.localtime(self.starts_at)
        return f"{start:%d.%m.%Y, %H:%M}"

    @property
    def places_left(self):
        """Free places, or None without a limit."""
        if self.places is None:
            return None
        return max(self.places - self.places_taken, 0)

    @property
    def is_upcoming(self):
        return self.starts_at >= start_of_today()

    @property
    def is_open(self):
        """Whether teachers can still ask for this date."""
        return self.is_upcoming and (
            self.registration_deadline is None or self.registration_deadline >= timezone.localdate()
        )


class BookingRequestQuerySet(models.QuerySet):
    def confirmed(self):
        """Requests whose sender clicked the link in the confirmation mail."""
        return self.filter(confirmed_at__isnull=False)

    def visible_to(self, user):
        """Confirmed requests: all for coordinators and readers, a provider editor's own."""
        confirmed = self.confirmed()
        if user.has_perm("offers.access_all_providers"):
            return confirmed
        return confirmed.filter(offer__provider__editors=user)

    def waiting_for(self, session):
        """The waiting list of ``session``, first come first."""
        return self.filter(session=session, places=BookingRequest.Places.WAITING).order_by(
            "confirmed_at", "pk"
        )


class BookingRequest(models.Model):
    """A teacher's request to visit an offer with a class. No pupil names, ever."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        CLARIFYING = "clarifying", _("in clarification")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        CANCELLED = "cancelled", _("cancelled")

    class Places(models.TextChoices):
        NONE = "none", _("no places needed")
        HELD = "held", _("places held")
        WAITING = "waiting", _("on the waiting list")
        FREED = "freed", _("places freed")

    offer = models.ForeignKey(
        Offer, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="booking_requests"
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("date"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="booking_requests",
    )
    preferred_period = models.CharField(_("preferred period"), max_length=200, blank=True)
    school_name = models.CharField(_("school"), max_length=200)
    school_town = models.CharField(_("town"), max_length=100)
    teacher_name = models.CharField(_("teacher's name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    grade = models.PositiveSmallIntegerField(
        _("grade"), validators=[MinValueValidator(GRADE_MIN), MaxValueValidator(GRADE_MAX)]
    )
    school_form = models.ForeignKey(
        SchoolForm, verbose_name=_("school form"), null=True, on_delete=models.SET_NULL
    )
    pupils = models.PositiveSmallIntegerField(
        _("number of pupils"), validators=[MinValueValidator(1), MaxValueValidator(MAX_PUPILS)]
    )
    message = models.TextField(_("message"), max_length=2000, blank=True)
    warnings_confirmed = models.BooleanField(
        _("sent despite warnings"),
        default=False,
        help_text=_("The teacher was told the class does not fit the offer and sent it anyway."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True
    )
    answer = models.TextField(
        _("answer"),
        blank=True,
        help_text=_("Mailed to the teacher when you save a changed answer or status."),
    )
    places = models.CharField(
        _("places"), max_length=8, choices=Places.choices, default=Places.NONE, editable=False
    )
    # One per form handed out: a second submission of the same form is not a second request.
    submission_key = models.CharField(max_length=64, unique=True, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    # Set by services.request_answer the first time the provider answers (the status leaves
    # "new" or an answer is written); the dashboard's median time to an answer counts from
    # confirmed_at to this.
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    personal_data_erased_at = models.DateTimeField(
        _("personal data erased at"), null=True, blank=True, editable=False
    )

    objects = BookingRequestQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["submission_key"])

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-confirmed_at", "-pk"]
        indexes = [
            models.Index(fields=["session", "places", "confirmed_at"], name="request_waiting"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__gte=GRADE_MIN) & Q(grade__lte=GRADE_MAX),
                name="request_grade_valid",
            ),
            models.CheckConstraint(
                condition=Q(pupils__gte=1) & Q(pupils__lte=MAX_PUPILS),
                name="request_pupils_valid",
            ),
        ]

    def __str__(self):
        return f"{self.school_name or _('[erased]')} – {self.offer.title}"

    @property
    def holds_places(self):
        return self.places == self.Places.HELD
