"""Writes that touch several rows or models: the offer workflow, duplication, the yearly
import, and inviting a provider's editor.

Every function takes keyword arguments only and records who did what in the history
(django-simple-history) through ``_history_user`` and ``_change_reason``.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import spreadsheet
from .models import (
    GRADE_MAX,
    GRADE_MIN,
    ContactPerson,
    Offer,
    OfferType,
    Provider,
    Region,
    SchoolForm,
    Sector,
    Subject,
    Track,
)

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


def offer_submit_for_review(*, offer, user):
    """Draft → in review; what a provider editor's save does."""
    return _move(
        offer=offer,
        user=user,
        to=Offer.Status.REVIEW,
        allowed_from={Offer.Status.DRAFT},
        reason=_("Submitted for review"),
        needs_publish_permission=False,
    )


def offer_publish(*, offer, user):
    S = Offer.Status
    return _move(
        offer=offer,
        user=user,
        to=S.PUBLISHED,
        allowed_from={S.DRAFT, S.REVIEW, S.ARCHIVED},
        reason=_("Published"),
    )


def offer_archive(*, offer, user):
    S = Offer.Status
    return _move(
        offer=offer,
        user=user,
        to=S.ARCHIVED,
        allowed_from={S.DRAFT, S.REVIEW, S.PUBLISHED},
        reason=_("Archived"),
    )


def offer_send_to_draft(*, offer, user):
    S = Offer.Status
    return _move(
        offer=offer,
        user=user,
        to=S.DRAFT,
        allowed_from={S.REVIEW, S.PUBLISHED, S.ARCHIVED},
        reason=_("Sent back to draft"),
    )


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


# --- Import ---------------------------------------------------------------------------------


@dataclass
class RowReport:
    """What the import does with one spreadsheet row, or why it cannot."""

    line: int
    provider: str = ""
    code: str = ""
    title: str = ""
    action: str = ""  # "new", "changed" or "unchanged"; empty while the row has errors
    changes: list = field(default_factory=list)  # headers of the columns that change
    errors: list = field(default_factory=list)  # complete messages naming row and column


@dataclass
class ImportReport:
    source_format: str
    rows: list
    problems: list = field(default_factory=list)  # problems of the file as a whole
    new_providers: list = field(default_factory=list)
    written: bool = False

    @property
    def errors(self):
        return self.problems + [error for row in self.rows for error in row.errors]

    @property
    def is_valid(self):
        return not self.errors

    def count(self, action):
        return sum(1 for row in self.rows if row.action == action)

    @property
    def new_count(self):
        return self.count("new")

    @property
    def changed_count(self):
        return self.count("changed")

    @property
    def unchanged_count(self):
        return self.count("unchanged")


class _Rollback(Exception):
    pass


def cell_error(line, key, problem):
    """“Row 14, Klasse bis: ‘neun’ is not a number” — the row as the spreadsheet numbers it."""
    return _("Row %(row)s, %(column)s: %(problem)s") % {
        "row": line,
        "column": spreadsheet.COLUMNS[key],
        "problem": problem,
    }


class _Vocabulary:
    """A taxonomy looked up by name, slug (and extra keys), case-insensitively."""

    def __init__(self, objects, *extra_keys):
        self.by_key = {}
        for obj in objects:
            keys = {obj.name, obj.slug, *(getattr(obj, k) for k in extra_keys)}
            for key in {spreadsheet.normalize(key) for key in keys if key}:
                self.by_key.setdefault(key, []).append(obj)

    def find(self, value):
        return self.by_key.get(spreadsheet.normalize(value), [])


class _RowParser:
    """Turns the cells of one row into field values, collecting every problem."""

    def __init__(self, line, cells, vocabularies, user):
        self.line = line
        self.cells = cells
        self.vocabularies = vocabularies
        self.user = user
        self.errors = []
        self.values = {}

    def problem(self, key, message):
        self.errors.append(cell_error(self.line, key, message))

    def text(self, key, model=Offer, model_field=None):
        value = self.cells[key]
        max_length = model._meta.get_field(model_field or key).max_length
        if max_length and len(value) > max_length:
            self.problem(key, _("is longer than %(max)s characters") % {"max": max_length})
        return value

    def number(self, key, low, high):
        value = self.cells[key]
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            self.problem(key, _("“%(value)s” is not a number") % {"value": value})
            return None
        if not low <= number <= high:
            self.problem(
                key,
                _("%(value)s is not between %(low)s and %(high)s")
                % {"value": number, "low": low, "high": high},
            )
            return None
        return number

    def choice(self, key, words):
        value = self.cells[key]
        found = spreadsheet.choice_lookup(words).get(spreadsheet.normalize(value))
        if found is None:
            known = ", ".join(spellings[0] for spellings in words.values())
            self.problem(
                key,
                _("“%(value)s” is unknown; use one of: %(known)s")
                % {"value": value, "known": known},
            )
        return found

    def one(self, key, vocabulary):
        value = self.cells[key]
        found = self.vocabularies[vocabulary].find(value)
        if len(found) != 1:
            self.problem(key, _("“%(value)s” is unknown") % {"value": value})
            return None
        return found[0]

    def many(self, key, vocabulary, keep=None):
        objects = []
        for value in spreadsheet.split_values(self.cells[key]):
            found = [
                obj
                for obj in self.vocabularies[vocabulary].find(value)
                if keep is None or keep(obj)
            ]
            if not found and self.vocabularies[vocabulary].find(value):
                self.problem(
                    key,
                    _("“%(value)s” does not belong to the Bereich given in this row")
                    % {"value": value},
                )
            elif not found:
                self.problem(key, _("“%(value)s” is unknown") % {"value": value})
            elif len(found) > 1:
                self.problem(
                    key,
                    _("“%(value)s” is ambiguous; name the Bereich (Ausbildung or Studium)")
                    % {"value": value},
                )
            elif found[0] not in objects:
                objects.append(found[0])
        return objects

    def date(self, key):
        value = self.cells[key]
        if not value:
            return None
        for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
            try:
                return datetime.datetime.strptime(value, pattern).date()
            except ValueError:
                continue
        self.problem(key, _("“%(value)s” is not a date (DD.MM.YYYY)") % {"value": value})
        return None

    def parse(self):
        """Fill ``self.values`` with the parsed cells of the columns the file has."""
        cells, values = self.cells, self.values
        for key in ("provider", "title", "offer_type", "sectors", "regions"):
            if key in cells and not cells[key]:
                self.problem(key, _("is missing"))
        if cells.get("provider"):
            values["provider"] = self.text("provider", Provider, "name")
        for key, model_field in (
            ("street", "street"),
            ("postal_code", "postal_code"),
            ("city", "city"),
            ("phone", "phone"),
        ):
            if key in cells:
                values[key] = self.text(key, Provider, model_field)
        if "region" in cells:
            values["region"] = self.one("region", "regions") if cells["region"] else None
        if cells.get("email"):
            try:
                EmailValidator()(cells["email"])
                values["email"] = cells["email"]
            except ValidationError:
                self.problem(
                    "email", _("“%(value)s” is not an e-mail address") % {"value": cells["email"]}
                )
        elif "email" in cells:
            values["email"] = ""
        if cells.get("website"):
            url = cells["website"]
            if "://" not in url:
                url = "https://" + url
            try:
                URLValidator(schemes=["http", "https"])(url)
                values["website"] = url
            except ValidationError:
                self.problem(
                    "website", _("“%(value)s” is not a web address") % {"value": cells["website"]}
                )
        elif "website" in cells:
            values["website"] = ""

        if "contact" in cells:
            values["contact"] = self.text("contact", ContactPerson, "name")
        for key in (
            "code",
            "title",
            "summary",
            "description",
            "duration_text",
            "participants_note",
            "place",
            "dates_note",
            "cost",
        ):
            if key in cells:
                values[key] = self.text(key)
        if spreadsheet.normalize(values.get("cost", "")) in spreadsheet.FREE_WORDS:
            values["cost"] = ""
        if cells.get("offer_type"):
            values["offer_type"] = self.one("offer_type", "offer_types")
        for key in ("grade_min", "grade_max"):
            if key in cells:
                number = self.number(key, GRADE_MIN, GRADE_MAX)
                if number is None and not cells[key]:
                    number = GRADE_MIN if key == "grade_min" else GRADE_MAX
                values[key] = number
        for key in ("participants_min", "participants_max"):
            if key in cells:
                values[key] = self.number(key, 1, 9999)
        if "subjects" in cells:
            values["subjects"] = self.many("subjects", "subjects")
        if "school_forms" in cells:
            if spreadsheet.normalize(cells["school_forms"]) == spreadsheet.ALL_SCHOOL_FORMS:
                values["all_school_forms"] = True
            else:
                values["all_school_forms"] = False
                values["school_forms"] = self.many("school_forms", "school_forms")
        tracks = None
        if cells.get("tracks"):
            tracks = self.many("tracks", "tracks")
        if cells.get("sectors"):
            values["sectors"] = self.many(
                "sectors", "sectors", keep=(lambda s: s.track in tracks) if tracks else None
            )
        if cells.get("regions"):
            values["regions"] = self.many("regions", "regions")
        if cells.get("venue"):
            values["venue"] = self.choice("venue", spreadsheet.VENUE_WORDS)
        elif "venue" in cells:
            values["venue"] = Offer.Venue.PROVIDER
        if cells.get("audience"):
            values["audience"] = self.choice("audience", spreadsheet.AUDIENCE_WORDS)
        elif "audience" in cells:
            values["audience"] = Offer.Audience.STUDENTS
        # Empty "Ganzjährig" and "Status" keep what the offer has (see docs/import-format.md).
        if cells.get("year_round"):
            values["year_round"] = self.choice("year_round", spreadsheet.YES_NO_WORDS)
        if cells.get("status"):
            status = self.choice("status", spreadsheet.STATUS_WORDS)
            if status in (Offer.Status.PUBLISHED, Offer.Status.ARCHIVED) and not self.user.has_perm(
                "offers.publish_offer"
            ):
                self.problem("status", _("you may not publish or archive offers"))
            values["status"] = status
        if "last_confirmed" in cells:
            values["last_confirmed"] = self.date("last_confirmed")
        return values


def _check_ranges(parser, offer):
    """Grade and participant ranges, taking the offer's value for a column the file lacks."""
    values, cells = parser.values, parser.cells
    for low_key, high_key in (("grade_min", "grade_max"), ("participants_min", "participants_max")):
        if any(cells.get(k) and values.get(k) is None for k in (low_key, high_key)):
            continue  # a bad number is reported already
        low = values.get(low_key, getattr(offer, low_key, None))
        high = values.get(high_key, getattr(offer, high_key, None))
        if low_key == "grade_min":
            low = GRADE_MIN if low is None else low
            high = GRADE_MAX if high is None else high
        if low is not None and high is not None and low > high:
            parser.problem(
                high_key,
                _("%(high)s is lower than %(column)s %(low)s")
                % {"high": high, "low": low, "column": spreadsheet.COLUMNS[low_key]},
            )


OFFER_SCALARS = (
    "code",
    "title",
    "summary",
    "description",
    "offer_type",
    "duration_text",
    "participants_min",
    "participants_max",
    "participants_note",
    "grade_min",
    "grade_max",
    "all_school_forms",
    "venue",
    "place",
    "audience",
    "year_round",
    "dates_note",
    "cost",
    "status",
    "last_confirmed",
)
OFFER_M2M = ("sectors", "subjects", "school_forms", "regions")
PROVIDER_FIELDS = ("street", "postal_code", "city", "region", "phone", "email", "website")


def _offer_changes(offer, values, contact_name):
    """The column keys whose values differ from ``offer`` (all of them for a new offer)."""
    changed = []
    for key in OFFER_SCALARS:
        if key in values and (offer is None or getattr(offer, key) != values[key]):
            changed.append(key)
    for key in OFFER_M2M:
        if key in values:
            wanted = {obj.pk for obj in values[key]}
            if offer is None or wanted != {obj.pk for obj in getattr(offer, key).all()}:
                changed.append(key)
    if contact_name is not None:
        current = offer.contact.name if offer is not None and offer.contact else ""
        if spreadsheet.normalize(current) != spreadsheet.normalize(contact_name):
            changed.append("contact")
    return changed


def _column_header(key):
    return spreadsheet.COLUMNS["school_forms" if key == "all_school_forms" else key]


def offers_import(*, dataset, dry_run, user):
    """Validate every cell of ``dataset`` (a ``spreadsheet.Table``) and, if all rows are valid
    and ``dry_run`` is false, write all of them in one transaction.

    Rows are matched to existing offers by code, else by provider and title; a row that
    matches and equals the offer changes nothing, so importing a file twice is harmless.
    Returns an ``ImportReport`` naming every problem in every row.
    """
    report = ImportReport(source_format=dataset.source_format, rows=[])
    if not user.has_perm("offers.import_offers"):
        raise PermissionDenied

    # The columns.
    keys = []
    for header in dataset.headers:
        key = spreadsheet.header_key(header) if header else None
        if header and key is None:
            report.problems.append(_("Column “%(column)s” is unknown.") % {"column": header})
        elif key is not None and key in keys:
            report.problems.append(_("Column “%(column)s” appears twice.") % {"column": header})
            key = None
        elif not header:
            key = None
        keys.append(key)
    for key in spreadsheet.REQUIRED_KEYS:
        if key not in keys:
            report.problems.append(
                _("Column “%(column)s” is missing.") % {"column": spreadsheet.COLUMNS[key]}
            )
    if not dataset.rows:
        report.problems.append(_("The file has no rows below the header."))
    if report.problems:
        return report

    vocabularies = {
        "regions": _Vocabulary(Region.objects.all(), "official_key"),
        "tracks": _Vocabulary(Track.objects.all()),
        "sectors": _Vocabulary(Sector.objects.select_related("track")),
        "offer_types": _Vocabulary(OfferType.objects.all()),
        "school_forms": _Vocabulary(SchoolForm.objects.all(), "short_name"),
        "subjects": _Vocabulary(Subject.objects.all()),
    }

    # Parse every row on its own.
    parsed = []
    for line, raw_cells in dataset.rows:
        cells = {key: cell for key, cell in zip(keys, raw_cells, strict=False) if key}
        row = RowReport(
            line=line,
            provider=cells.get("provider", ""),
            code=cells.get("code", ""),
            title=cells.get("title", ""),
        )
        extra = [cell for cell in raw_cells[len(keys) :] if cell]
        if extra:
            row.errors.append(
                _("Row %(row)s: “%(value)s” stands in a column without a header")
                % {"row": line, "value": extra[0]}
            )
        parser = _RowParser(line, cells, vocabularies, user)
        parser.parse()
        parsed.append((row, parser))

    # Providers: existing ones by name or slug; the repeated columns must agree.
    providers = {}
    for provider in Provider.objects.select_related("region"):
        providers.setdefault(spreadsheet.normalize(provider.name), provider)
        providers.setdefault(spreadsheet.normalize(provider.slug), provider)
    provider_values = {}  # normalized name -> {key: (value, line)}
    for row, parser in parsed:
        name = parser.values.get("provider")
        if not name:
            continue
        seen = provider_values.setdefault(spreadsheet.normalize(name), {})
        for key in PROVIDER_FIELDS:
            if key not in parser.values or parser.cells.get(key, "") == "":
                continue
            value = parser.values[key]
            if key in seen and seen[key][0] != value:
                parser.problem(
                    key,
                    _("“%(value)s” differs from row %(other)s of the same provider")
                    % {"value": parser.cells[key], "other": seen[key][1]},
                )
            seen.setdefault(key, (value, row.line))
    for normalized, seen in provider_values.items():
        if normalized not in providers and "region" not in seen:
            first = next(
                p
                for r, p in parsed
                if spreadsheet.normalize(p.values.get("provider", "")) == normalized
            )
            first.problem("region", _("is missing; a new provider needs a region"))

    # Existing offers that rows may match.
    known_providers = {providers[n].pk for n in provider_values if n in providers}
    candidates = (
        Offer.objects.filter(
            Q(provider__in=known_providers)
            | Q(code__in=[p.values["code"] for _r, p in parsed if p.values.get("code")])
        )
        .select_related("provider", "contact", "offer_type")
        .prefetch_related(*OFFER_M2M)
    )
    by_code, by_title = {}, {}
    for offer in candidates:
        if offer.code:
            by_code[spreadsheet.normalize(offer.code)] = offer
        by_title.setdefault((offer.provider_id, spreadsheet.normalize(offer.title)), []).append(
            offer
        )

    # Match rows to offers, check ranges and duplicates, and work out the changes.
    code_lines, offer_lines, title_lines = {}, {}, {}
    plans = []
    for row, parser in parsed:
        values = parser.values
        provider = providers.get(spreadsheet.normalize(values.get("provider", "")))
        offer = None
        code = values.get("code", "")
        duplicate_code = False
        if code:
            normalized_code = spreadsheet.normalize(code)
            duplicate_code = normalized_code in code_lines
            if duplicate_code:
                parser.problem(
                    "code",
                    _("“%(value)s” is already used in row %(other)s")
                    % {"value": code, "other": code_lines[normalized_code]},
                )
            code_lines.setdefault(normalized_code, row.line)
            offer = by_code.get(normalized_code)
            if offer is not None and (provider is None or offer.provider_id != provider.pk):
                parser.problem(
                    "code",
                    _("“%(value)s” is the code of “%(title)s” of %(provider)s")
                    % {"value": code, "title": offer.title, "provider": offer.provider.name},
                )
                offer = None
        if offer is None and provider is not None and values.get("title"):
            matches = by_title.get((provider.pk, spreadsheet.normalize(values["title"])), [])
            if code:
                matches = [m for m in matches if not m.code]
            if len(matches) > 1:
                parser.problem(
                    "title", _("several offers of this provider have this title; add the code")
                )
            elif matches:
                offer = matches[0]
        if values.get("provider") and values.get("title") and not code:
            title_key = (
                spreadsheet.normalize(values["provider"]),
                spreadsheet.normalize(values["title"]),
            )
            if title_key in title_lines:
                parser.problem(
                    "title",
                    _("the same offer is already in row %(other)s")
                    % {"other": title_lines[title_key]},
                )
            title_lines.setdefault(title_key, row.line)
        if offer is not None:
            if offer.pk in offer_lines and not duplicate_code:
                parser.problem(
                    "title",
                    _("the same offer is already in row %(other)s")
                    % {"other": offer_lines[offer.pk]},
                )
            offer_lines.setdefault(offer.pk, row.line)
        if code == "" and offer is not None:
            values.pop("code", None)  # an empty Code cell never removes a catalogue code
        if offer is None:
            values.setdefault("status", Offer.Status.DRAFT)
        _check_ranges(parser, offer)
        row.errors.extend(parser.errors)
        plans.append((row, parser, provider, offer))

    # What would change.
    provider_changed = {}
    for normalized, seen in provider_values.items():
        provider = providers.get(normalized)
        changed = [
            key
            for key, (value, _line) in seen.items()
            if provider is None or getattr(provider, key) != value
        ]
        if provider is not None:
            # A provider column present but empty in every row clears the field (not Region).
            for key in PROVIDER_FIELDS:
                if (
                    key != "region"
                    and key not in seen
                    and any(
                        key in p.cells
                        and spreadsheet.normalize(p.values.get("provider", "")) == normalized
                        for _r, p in parsed
                    )
                    and getattr(provider, key)
                ):
                    changed.append(key)
        provider_changed[normalized] = changed
    reported = set()
    for row, parser, provider, offer in plans:
        if row.errors:
            continue
        changes = _offer_changes(offer, parser.values, parser.values.get("contact"))
        normalized = spreadsheet.normalize(parser.values["provider"])
        if normalized not in reported:
            reported.add(normalized)
            changes = [k for k in provider_changed[normalized] if k not in changes] + changes
            if provider is None:
                report.new_providers.append(parser.values["provider"])
        row.changes = list(dict.fromkeys(_column_header(k) for k in changes))
        row.action = "new" if offer is None else ("changed" if changes else "unchanged")

    report.rows = [row for row, *_rest in plans]
    if dry_run or not report.is_valid:
        return report
    try:
        with transaction.atomic():
            _write(plans, provider_values, provider_changed, providers, user)
    except _Rollback:
        return report
    report.written = True
    return report


def _unique_slug(model, name):
    base = slugify(name)[:180] or "anbieter"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _write(plans, provider_values, provider_changed, providers, user):
    reason = _("Imported from spreadsheet")
    saved_providers = {}
    for normalized, seen in provider_values.items():
        provider = providers.get(normalized)
        changed = provider_changed[normalized]
        if provider is None:
            name = next(
                p.values["provider"]
                for _r, p, *_x in plans
                if spreadsheet.normalize(p.values["provider"]) == normalized
            )
            provider = Provider(name=name, slug=_unique_slug(Provider, name))
        if changed or provider.pk is None:
            for key in PROVIDER_FIELDS:
                if key in seen:
                    setattr(provider, key, seen[key][0])
                elif key in changed:
                    setattr(provider, key, "")
            provider._history_user = user
            provider._change_reason = reason
            provider.save()
        saved_providers[normalized] = provider

    for row, parser, _provider, offer in plans:
        values = parser.values
        if row.action == "unchanged":
            continue
        provider = saved_providers[spreadsheet.normalize(values["provider"])]
        if offer is None:
            offer = Offer(provider=provider)
        for key in OFFER_SCALARS:
            if key in values:
                setattr(offer, key, values[key])
        if "contact" in values:
            offer.contact = _contact(provider, values["contact"], user)
        offer._history_user = user
        offer._change_reason = reason
        try:
            offer.full_clean()
        except ValidationError as error:
            for field_name, messages in error.message_dict.items():
                for message in messages:
                    row.errors.append(
                        _("Row %(row)s, %(column)s: %(problem)s")
                        % {"row": row.line, "column": field_name, "problem": message}
                    )
            raise _Rollback from error
        offer.save()
        for key in OFFER_M2M:
            if key in values:
                getattr(offer, key).set(values[key])


def _contact(provider, name, user):
    if not name:
        return None
    for contact in provider.contacts.all():
        if spreadsheet.normalize(contact.name) == spreadsheet.normalize(name):
            return contact
    contact = ContactPerson(provider=provider, name=name)
    contact._history_user = user
    contact.save()
    return contact
