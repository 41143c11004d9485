"""The offer spreadsheet of the yearly survey: its columns, and reading and writing the files.

One row per offer; the provider's columns repeat on every row of its offers; several values
share one cell, separated by ``;``. The column headers are the German words of the providers'
checklist ("Checkliste: Kooperationsangebote"). They are part of the file format, like the
names of a CSV dialect, so they are not translated. docs/import-format.md describes the format.

This module knows nothing about the database: ``offers.services.offers_import`` validates the
cells against it and writes.
"""

import csv
import datetime
import io
from dataclasses import dataclass

import openpyxl
from django.utils.translation import gettext_lazy as _
from openpyxl.styles import Font

from .models import Offer

SEPARATOR = ";"
JOINER = SEPARATOR + " "  # what the export writes between values, for readability

# Column key -> header, in the order of the providers' checklist: who and where, then the offer
# (form, title and description, duration, participants, grades, MINT subject, school form),
# then what the portal needs beyond the checklist.
COLUMNS = {
    "provider": "Anbieter",
    "contact": "Ansprechperson",
    "street": "Straße",
    "postal_code": "PLZ",
    "city": "Ort",
    "region": "Region",
    "phone": "Telefon",
    "email": "E-Mail",
    "website": "Website",
    "code": "Code",
    "offer_type": "Angebotsform",
    "title": "Titel",
    "summary": "Kurzbeschreibung",
    "description": "Beschreibung",
    "duration_text": "Dauer",
    "participants_min": "TN min",
    "participants_max": "TN max",
    "participants_note": "TN Hinweis",
    "grade_min": "Klasse von",
    "grade_max": "Klasse bis",
    "subjects": "MINT-Fach",
    "school_forms": "Schulform",
    "tracks": "Bereich",
    "sectors": "Branche/Fachrichtung",
    "venue": "Lernort",
    "place": "Ort der Veranstaltung",
    "regions": "Einsatzregionen",
    "audience": "Zielgruppe",
    "year_round": "Ganzjährig",
    "dates_note": "Termine",
    "cost": "Kosten",
    "status": "Status",
    "last_confirmed": "Bestätigt am",
}
PROVIDER_KEYS = ("street", "postal_code", "city", "region", "phone", "email", "website")
REQUIRED_KEYS = ("provider", "title", "offer_type", "sectors", "regions")

# Other spellings of headers that providers' sheets use.
HEADER_ALIASES = {
    "bereich (ausbildung/studium)": "tracks",
    "branche": "sectors",
    "fachrichtung": "sectors",
    "mint-schulfach": "subjects",
    "mint fach": "subjects",
    "ansprechpartner": "contact",
    "e-mail-adresse": "email",
    "email": "email",
    "homepage": "website",
    "titel des angebots": "title",
    "art des angebots": "offer_type",
    "teilnehmer min": "participants_min",
    "teilnehmer max": "participants_max",
}

# The German words the file uses for the choices (file format, not UI text). The first word of
# each entry is what the export writes; every word is accepted on import, case-insensitively.
STATUS_WORDS = {
    Offer.Status.DRAFT: ("Entwurf", "draft"),
    Offer.Status.REVIEW: ("In Prüfung", "Prüfung", "review"),
    Offer.Status.PUBLISHED: ("Veröffentlicht", "published"),
    Offer.Status.ARCHIVED: ("Archiviert", "archived"),
}
AUDIENCE_WORDS = {
    Offer.Audience.STUDENTS: ("Schüler:innen", "Schüler", "Schülerinnen und Schüler", "students"),
    Offer.Audience.TEACHERS: ("Lehrkräfte", "Lehrer", "Lehrerinnen und Lehrer", "teachers"),
    Offer.Audience.BOTH: ("Schüler:innen und Lehrkräfte", "beide", "both"),
}
VENUE_WORDS = {
    Offer.Venue.PROVIDER: ("beim Anbieter", "vor Ort", "provider"),
    Offer.Venue.SCHOOL: ("in der Schule", "Schule", "school"),
    Offer.Venue.ONLINE: ("online",),
    Offer.Venue.ELSEWHERE: ("anderswo", "elsewhere"),
}
YES_NO_WORDS = {True: ("ja", "x", "1", "yes", "true"), False: ("nein", "0", "no", "false")}
ALL_SCHOOL_FORMS = "alle"
FREE_WORDS = ("kostenlos", "kostenfrei", "keine", "frei")


def normalize(text):
    """Case- and space-insensitive form of a cell or header, for matching."""
    return " ".join(str(text).split()).casefold()


def choice_lookup(words):
    """Map every accepted word of a choice table to its value."""
    return {normalize(word): value for value, spellings in words.items() for word in spellings}


def split_values(cell):
    """The values of a multi-value cell, in order, without blanks or repeats."""
    seen, values = set(), []
    for part in cell.split(SEPARATOR):
        part = " ".join(part.split())
        if part and normalize(part) not in seen:
            seen.add(normalize(part))
            values.append(part)
    return values


def header_key(header):
    """The column key of a header cell, or None if the header is not part of the format."""
    wanted = normalize(header)
    for key, name in COLUMNS.items():
        if normalize(name) == wanted:
            return key
    return HEADER_ALIASES.get(wanted)


class UnreadableFile(Exception):
    """The upload is neither an XLSX workbook nor a CSV text file."""


@dataclass
class Table:
    """The cells of a sheet as text. ``rows`` pairs each row with its spreadsheet row number."""

    headers: list
    rows: list  # [(line number, [cell text, ...]), ...]
    source_format: str


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d.%m.%Y")
    return str(value).strip()


def _table_from_rows(numbered_rows, source_format):
    """Split off the header (the first non-empty row) and drop empty rows, keeping row numbers."""
    filled = [(line, cells) for line, cells in numbered_rows if any(c.strip() for c in cells)]
    if not filled:
        return Table(headers=[], rows=[], source_format=source_format)
    (_line, headers), *rows = filled
    width = len(headers)
    rows = [(line, (cells + [""] * width)[: max(width, len(cells))]) for line, cells in rows]
    return Table(headers=[h.strip() for h in headers], rows=rows, source_format=source_format)


# Spreadsheet programs run a CSV cell that starts with one of these as a formula; the
# export writes such text behind an apostrophe and the import takes it off again.
FORMULA_STARTS = ("=", "+", "-", "@")


def _csv_cell_out(text):
    if len(text) > 1 and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _csv_cell_in(text):
    if len(text) > 2 and text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def decode_csv(data):
    """Text and a name of the flavour: UTF-8 (with or without BOM) or Windows-1252 (Excel)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "UTF-8"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "Windows-1252"


def read_table(data):
    """Read an uploaded XLSX or CSV file into a ``Table``; raises ``UnreadableFile``."""
    if data.startswith(b"PK\x03\x04"):
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for broken archives
            raise UnreadableFile(str(error)) from error
        sheet = workbook.worksheets[0]
        rows = [
            (line, [_cell_text(value) for value in values])
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
        workbook.close()
        return _table_from_rows(rows, "XLSX")
    if b"\x00" in data[:1024]:
        raise UnreadableFile("binary data")
    text, encoding = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [
            (line, [_csv_cell_in(cell.strip()) for cell in cells])
            for line, cells in enumerate(reader, 1)
        ]
    except csv.Error as error:
        raise UnreadableFile(str(error)) from error
    name = {";": _("semicolon"), ",": _("comma"), "\t": _("tab")}[delimiter]
    return _table_from_rows(rows, f"CSV ({encoding}, {name})")


# --- Export -------------------------------------------------------------------------------


def _words(words, value):
    return words[value][0]


def offer_row(offer):
    """The cells of one offer as the export writes them (needs the relations prefetched)."""
    provider = offer.provider
    sectors = list(offer.sectors.all())
    tracks = []
    for sector in sectors:
        if sector.track.name not in tracks:
            tracks.append(sector.track.name)
    school_forms = (
        ALL_SCHOOL_FORMS
        if offer.all_school_forms
        else JOINER.join(f.name for f in offer.school_forms.all())
    )
    return {
        "provider": provider.name,
        "contact": offer.contact.name if offer.contact else "",
        "street": provider.street,
        "postal_code": provider.postal_code,
        "city": provider.city,
        "region": provider.region.name,
        "phone": provider.phone,
        "email": provider.email,
        "website": provider.website,
        "code": offer.code,
        "offer_type": offer.offer_type.name,
        "title": offer.title,
        "summary": offer.summary,
        "description": offer.description,
        "duration_text": offer.duration_text,
        "participants_min": offer.participants_min,
        "participants_max": offer.participants_max,
        "participants_note": offer.participants_note,
        "grade_min": offer.grade_min,
        "grade_max": offer.grade_max,
        "subjects": JOINER.join(s.name for s in offer.subjects.all()),
        "school_forms": school_forms,
        "tracks": JOINER.join(tracks),
        "sectors": JOINER.join(s.name for s in sectors),
        "venue": _words(VENUE_WORDS, offer.venue),
        "place": offer.place,
        "regions": JOINER.join(r.name for r in offer.regions.all()),
        "audience": _words(AUDIENCE_WORDS, offer.audience),
        "year_round": "ja" if offer.year_round else "nein",
        "dates_note": offer.dates_note,
        "cost": offer.cost,
        "status": _words(STATUS_WORDS, offer.status),
        "last_confirmed": offer.last_confirmed,
    }


def export_queryset(offers):
    """The offers with everything ``offer_row`` reads, in a fixed number of queries."""
    return offers.select_related("provider__region", "offer_type", "contact").prefetch_related(
        "sectors__track", "subjects", "school_forms", "regions"
    )


def write_xlsx(offers):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Angebote"
    sheet.append(list(COLUMNS.values()))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for offer in offers:
        row = offer_row(offer)
        sheet.append([row[key] for key in COLUMNS])
        # openpyxl stores any text starting with "=" as a formula: a title typed by a provider
        # editor would run in the coordinators' Excel and read back empty on import.
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":
                cell.data_type = "s"
    date_column = list(COLUMNS).index("last_confirmed") + 1
    for (cell,) in sheet.iter_rows(min_row=2, min_col=date_column, max_col=date_column):
        cell.number_format = "DD.MM.YYYY"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


CSV_FLAVOURS = {
    # Plain UTF-8 with commas, as LibreOffice and most tools write it.
    "utf8": {"encoding": "utf-8", "delimiter": ","},
    # What German Excel writes with "CSV (Trennzeichen-getrennt)": semicolons, Windows-1252.
    "excel": {"encoding": "cp1252", "delimiter": ";"},
}


def write_csv(offers, flavour):
    """The CSV bytes and the number of characters Windows-1252 could not hold (shown as ``?``)."""
    options = CSV_FLAVOURS[flavour]
    text = io.StringIO()
    writer = csv.writer(text, delimiter=options["delimiter"], lineterminator="\r\n")
    writer.writerow(COLUMNS.values())
    for offer in offers:
        row = offer_row(offer)
        writer.writerow([_csv_cell_out(_cell_text(row[key])) for key in COLUMNS])
    value = text.getvalue()
    data = value.encode(options["encoding"], errors="replace")
    lost = 0 if flavour == "utf8" else sum(1 for ch in value if not _fits_cp1252(ch))
    return data, lost


def _fits_cp1252(character):
    try:
        character.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


EXPORT_FORMATS = {
    "xlsx": (_("Excel workbook (XLSX)"), "xlsx"),
    "csv": (_("CSV, UTF-8, comma"), "csv"),
    "excel-csv": (_("CSV for Excel, Windows-1252, semicolon"), "csv"),
}
