"""Reading and writing the offer spreadsheet: an XLSX or CSV upload into a ``Table`` of
text cells, and the export of offers as XLSX or CSV in the columns of ``columns.COLUMNS``.

Reading knows nothing about the database: ``offers.importing.services.offers_import``
validates the cells and writes.
"""

import csv
import datetime
import io
from dataclasses import dataclass

import openpyxl
from django.utils.translation import gettext_lazy as _
from openpyxl.styles import Font

from .columns import (
    ALL_SCHOOL_FORMS,
    AUDIENCE_WORDS,
    COLUMNS,
    JOINER,
    STATUS_WORDS,
    VENUE_WORDS,
)


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
