"""From the cells of a ``Table`` to field values: the headers to column keys, and each row's
cells to the values of a provider and an offer, with every problem a cell has.

Each row is parsed on its own here; checks across rows and against existing offers are the
planning's (``planning``).
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..models import GRADE_MAX, GRADE_MIN, ContactPerson, Offer, Provider
from .columns import (
    ALL_SCHOOL_FORMS,
    AUDIENCE_WORDS,
    COLUMNS,
    FREE_WORDS,
    PROVIDER_KEYS,
    REQUIRED_KEYS,
    SEPARATOR,
    STATUS_WORDS,
    VENUE_WORDS,
    YES_NO_WORDS,
    choice_lookup,
    header_key,
    normalize,
    split_values,
)
from .report import LISTED, RowReport, cell_error, shown
from .vocabulary import load_vocabularies

# A cell of several values names at most this many (all 400 districts and 16 states of
# Germany fit); the problems of one such cell are listed up to MAX_PROBLEMS_PER_CELL, the
# rest counted.
MAX_VALUES_PER_CELL = 500
MAX_PROBLEMS_PER_CELL = 10
# What a value of a cell of several values can be wrong with (translated when used).
NOT_IN_TRACK = gettext_noop("“%(value)s” does not belong to the Bereich given in this row")
UNKNOWN = gettext_noop("“%(value)s” is unknown")
AMBIGUOUS = gettext_noop("“%(value)s” is ambiguous; name the Bereich (Ausbildung or Studium)")

OFFER_TEXT_KEYS = (
    "code",
    "title",
    "summary",
    "description",
    "duration_text",
    "participants_note",
    "place",
    "dates_note",
    "cost",
)


# The model field each column fills, where it is not the ``Offer`` field of the same name.
_MODEL_FIELDS = {
    "provider": (Provider, "name"),
    "contact": (ContactPerson, "name"),
    **{key: (Provider, key) for key in PROVIDER_KEYS},
}


def column_keys(headers):
    """The column key of each header (None for an empty one) and the problems of the headers."""
    keys, problems = [], []
    for header in headers:
        key = header_key(header) if header else None
        if header and key is None:
            problems.append(_("Column “%(column)s” is unknown.") % {"column": shown(header)})
        elif key is not None and key in keys:
            problems.append(_("Column “%(column)s” appears twice.") % {"column": shown(header)})
            key = None
        elif not header:
            key = None
        keys.append(key)
    for key in REQUIRED_KEYS:
        if key not in keys:
            problems.append(_("Column “%(column)s” is missing.") % {"column": COLUMNS[key]})
    return keys, problems


def parse_rows(dataset, keys, user):
    """A ``RowReport`` and a parsed ``RowParser`` for each row of ``dataset``, in order."""
    vocabularies = load_vocabularies()
    parsed = []
    for line, raw_cells in dataset.rows:
        cells = {key: cell for key, cell in zip(keys, raw_cells, strict=False) if key}
        row = RowReport(
            line=line,
            provider=shown(cells.get("provider", ""), LISTED),
            code=shown(cells.get("code", ""), LISTED),
            title=shown(cells.get("title", ""), LISTED),
        )
        extra = [cell for cell in raw_cells[len(keys) :] if cell]
        if extra:
            row.errors.append(
                _("Row %(row)s: “%(value)s” stands in a column without a header")
                % {"row": line, "value": shown(extra[0])}
            )
        parser = RowParser(line, cells, vocabularies, user)
        parser.parse()
        parsed.append((row, parser))
    return parsed


def _with_scheme(url):
    """Providers often write ``www.example.de``; the portal links need a scheme."""
    return url if "://" in url else "https://" + url


class RowParser:
    """Turns the cells of one row into field values, collecting every problem.

    ``cells`` and ``values`` hold only the columns the file has: a column the file lacks
    leaves the offer's field as it is.
    """

    def __init__(self, line, cells, vocabularies, user):
        self.line = line
        self.cells = cells
        self.vocabularies = vocabularies
        self.user = user
        self.errors = []
        self.values = {}
        self.failed = set()  # keys of the columns with a problem

    def problem(self, key, message):
        self.failed.add(key)
        self.errors.append(cell_error(self.line, key, message))

    # -- one cell --

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
            self.problem(key, _("“%(value)s” is not a number") % {"value": shown(value)})
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
        found = choice_lookup(words).get(normalize(value))
        if found is None:
            known = ", ".join(spellings[0] for spellings in words.values())
            self.problem(
                key,
                _("“%(value)s” is unknown; use one of: %(known)s")
                % {"value": shown(value), "known": known},
            )
        return found

    def one(self, key, vocabulary):
        value = self.cells[key]
        found = self.vocabularies[vocabulary].find(value)
        if len(found) != 1:
            self.problem(key, _("“%(value)s” is unknown") % {"value": shown(value)})
            return None
        return found[0]

    def many(self, key, vocabulary, keep=None):
        if self.cells[key].count(SEPARATOR) >= MAX_VALUES_PER_CELL:
            self.problem(key, _("holds more than %(max)s values") % {"max": MAX_VALUES_PER_CELL})
            return []
        objects, problems = [], 0

        def complain(message, value):
            # A cell of thousands of invented values would otherwise fill the page (and
            # take a minute to translate): the first few are named, the rest counted.
            nonlocal problems
            problems += 1
            if problems <= MAX_PROBLEMS_PER_CELL:
                self.problem(key, _(message) % {"value": shown(value)})

        for value in split_values(self.cells[key]):
            everywhere = self.vocabularies[vocabulary].find(value)
            found = [obj for obj in everywhere if keep is None or keep(obj)]
            if not found and everywhere:
                complain(NOT_IN_TRACK, value)
            elif not found:
                complain(UNKNOWN, value)
            elif len(found) > 1:
                complain(AMBIGUOUS, value)
            elif found[0] not in objects:
                objects.append(found[0])
        if problems > MAX_PROBLEMS_PER_CELL:
            self.problem(
                key,
                _("%(count)s more values cannot be used either")
                % {"count": problems - MAX_PROBLEMS_PER_CELL},
            )
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
        self.problem(key, _("“%(value)s” is not a date (DD.MM.YYYY)") % {"value": shown(value)})
        return None

    def address(self, key, validator, message, prepare=str):
        """The cell, as ``prepare`` completes it, if ``validator`` accepts it; an empty cell
        clears the field."""
        if not self.cells[key]:
            self.values[key] = ""
            return
        value = prepare(self.cells[key])
        try:
            validator(value)
        except ValidationError:
            self.problem(key, message % {"value": shown(self.cells[key])})
            return
        self.values[key] = value

    # -- the row, in the order of the columns, so its problems read in that order --

    def parse(self):
        """Fill ``self.values`` with the parsed cells of the columns the file has."""
        for key in REQUIRED_KEYS:
            if key in self.cells and not self.cells[key]:
                self.problem(key, _("is missing"))
        self._provider()
        self._offer_texts()
        self._offer_numbers()
        self._offer_taxonomies()
        self._offer_choices()
        self._model_checks()
        return self.values

    def _model_checks(self):
        """Every value against its model field's own validation (lengths, web addresses,
        choices, validators), so that the dry run reports what the database would refuse.

        Relations are checked by the vocabularies; the check constraints an import can touch
        (grade and participant ranges) by ``matching.check_ranges``. Queries nothing.
        """
        for key, value in self.values.items():
            model, name = _MODEL_FIELDS.get(key, (Offer, key))
            field = model._meta.get_field(name)
            # An empty cell means "none" (a required one is reported as missing already).
            skip = value in ("", None) or key in self.failed or key not in COLUMNS
            if skip or field.is_relation:
                continue
            try:
                field.clean(value, None)
            except ValidationError as error:
                for message in error.messages:
                    self.problem(key, message)

    def _provider(self):
        cells, values = self.cells, self.values
        if cells.get("provider"):
            values["provider"] = self.text("provider", Provider, "name")
        for key in ("street", "postal_code", "city", "phone"):
            if key in cells:
                values[key] = self.text(key, Provider)
        if "region" in cells:
            values["region"] = self.one("region", "regions") if cells["region"] else None
        if "email" in cells:
            self.address("email", EmailValidator(), _("“%(value)s” is not an e-mail address"))
        if "website" in cells:
            self.address(
                "website",
                URLValidator(schemes=["http", "https"]),
                _("“%(value)s” is not a web address"),
                prepare=_with_scheme,
            )

    def _offer_texts(self):
        cells, values = self.cells, self.values
        if "contact" in cells:
            values["contact"] = self.text("contact", ContactPerson, "name")
        for key in OFFER_TEXT_KEYS:
            if key in cells:
                values[key] = self.text(key)
        if normalize(values.get("cost", "")) in FREE_WORDS:
            values["cost"] = ""
        if cells.get("offer_type"):
            values["offer_type"] = self.one("offer_type", "offer_types")

    def _offer_numbers(self):
        cells, values = self.cells, self.values
        for key in ("grade_min", "grade_max"):
            if key in cells:
                number = self.number(key, GRADE_MIN, GRADE_MAX)
                if number is None and not cells[key]:
                    number = GRADE_MIN if key == "grade_min" else GRADE_MAX
                values[key] = number
        for key in ("participants_min", "participants_max"):
            if key in cells:
                values[key] = self.number(key, 1, 9999)

    def _offer_taxonomies(self):
        cells, values = self.cells, self.values
        if "subjects" in cells:
            values["subjects"] = self.many("subjects", "subjects")
        if "school_forms" in cells:
            if normalize(cells["school_forms"]) == ALL_SCHOOL_FORMS:
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

    def _offer_choices(self):
        cells, values = self.cells, self.values
        if cells.get("venue"):
            values["venue"] = self.choice("venue", VENUE_WORDS)
        elif "venue" in cells:
            values["venue"] = Offer.Venue.PROVIDER
        if cells.get("audience"):
            values["audience"] = self.choice("audience", AUDIENCE_WORDS)
        elif "audience" in cells:
            values["audience"] = Offer.Audience.STUDENTS
        # Empty "Ganzjährig" and "Status" keep what the offer has (see docs/import-format.md).
        if cells.get("year_round"):
            values["year_round"] = self.choice("year_round", YES_NO_WORDS)
        if cells.get("status"):
            status = self.choice("status", STATUS_WORDS)
            if status in (Offer.Status.PUBLISHED, Offer.Status.ARCHIVED) and not self.user.has_perm(
                "offers.publish_offer"
            ):
                self.problem("status", _("you may not publish or archive offers"))
            values["status"] = status
        if "last_confirmed" in cells:
            values["last_confirmed"] = self.date("last_confirmed")
