"""Reading and writing the offer spreadsheet: an XLSX or CSV upload into a ``Table`` of
text cells, and the export of offers as XLSX or CSV in the columns of ``columns.COLUMNS``.

Reading knows nothing about the database: ``offers.importing.services.offers_import``
validates the cells and writes. It does not trust the file either: an upload may be crafted
to cost a worker gigabytes or minutes (a sheet that claims a million rows and sixteen
thousand columns, a cell of 200 MB, an archive that unpacks a thousandfold), so the limits
of ``ReadingLimits`` are checked before and while reading, never after
(docs/import-format.md, "Limits").
"""

import csv
import datetime
import io
import xml.parsers.expat
import zipfile
from dataclasses import dataclass

import openpyxl
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl.styles import Font
from openpyxl.utils import column_index_from_string, get_column_letter

from .columns import (
    ALL_SCHOOL_FORMS,
    AUDIENCE_WORDS,
    COLUMNS,
    JOINER,
    STATUS_WORDS,
    VENUE_WORDS,
)
from .report import row_error


class UnreadableFile(Exception):
    """The upload is neither an XLSX workbook nor a CSV text file."""


class FileTooLarge(UnreadableFile):
    """The upload exceeds a limit of ``ReadingLimits``; ``str()`` says which, for the
    coordinator, and ``source_format`` is the kind of file it was read as."""

    def __init__(self, message, source_format):
        super().__init__(message)
        self.source_format = source_format


@dataclass
class Table:
    """The cells of a sheet as text. ``rows`` pairs each row with its spreadsheet row number."""

    headers: list
    rows: list  # [(line number, [cell text, ...]), ...]
    source_format: str


@dataclass(frozen=True)
class ReadingLimits:
    """What one import file may hold (the ``OFFER_IMPORT_MAX_*`` settings)."""

    rows: int  # rows of the sheet, the header and empty rows included
    columns: int  # the last column with a value
    cell_characters: int
    unpacked_bytes: int  # the whole file, an XLSX unpacked

    @classmethod
    def from_settings(cls):
        return cls(
            rows=settings.OFFER_IMPORT_MAX_ROWS,
            columns=settings.OFFER_IMPORT_MAX_COLUMNS,
            cell_characters=settings.OFFER_IMPORT_MAX_CELL_CHARACTERS,
            unpacked_bytes=settings.OFFER_IMPORT_MAX_UNPACKED_BYTES,
        )

    def megabytes(self):
        return number_format(self.unpacked_bytes / 1024 / 1024, 0, force_grouping=True)

    def too_many_rows(self, source_format):
        return FileTooLarge(
            gettext(
                "The file has more than %(max)s rows (the header and empty rows count too). "
                "Split it into several files."
            )
            % {"max": number_format(self.rows, force_grouping=True)},
            source_format,
        )


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


def read_table(data, limits=None):
    """Read an uploaded XLSX or CSV file into a ``Table``; raises ``UnreadableFile``, or its
    ``FileTooLarge`` when the file exceeds ``limits`` (by default the settings')."""
    limits = limits or ReadingLimits.from_settings()
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, limits)
    if b"\x00" in data[:1024]:
        raise UnreadableFile("binary data")
    return _read_csv(data, limits)


class _Cells:
    """Turns the values of one row into cell texts, refusing a cell that is too long or a
    value beyond the last column allowed."""

    def __init__(self, limits, source_format):
        self.limits = limits
        self.source_format = source_format
        self.headers = None  # the first non-empty row, to name columns in messages

    def texts(self, line, values, clean=lambda text: text):
        allowed = self.limits.columns
        if len(values) > allowed:
            # Counted in C: a row padded to Excel's 16,384 columns costs microseconds.
            beyond = values[allowed:]
            if beyond.count(None) + beyond.count("") < len(beyond):
                for column, value in enumerate(beyond, allowed + 1):
                    if _cell_text(value):
                        raise self._too_wide(line, column)
            values = values[:allowed]
        cells = [clean(_cell_text(value)) for value in values]
        for column, text in enumerate(cells, 1):
            if len(text) > self.limits.cell_characters:
                raise self.too_long(line, column)
        if self.headers is None and any(cells):
            self.headers = cells
        return cells

    def _column_name(self, column):
        header = self.headers[column - 1] if self.headers and column <= len(self.headers) else ""
        return header or gettext("column %(letter)s") % {"letter": get_column_letter(column)}

    def too_long(self, line, column=None):
        """The message for a cell that is too long; ``column`` None when it is not known."""
        problem = gettext(
            "the cell holds more than %(max)s characters; a cell may hold at most %(max)s"
        ) % {"max": number_format(self.limits.cell_characters, force_grouping=True)}
        if column is None:
            message = gettext("Row %(row)s: %(problem)s") % {"row": line, "problem": problem}
        else:
            message = row_error(line, self._column_name(column), problem)
        return FileTooLarge(message, self.source_format)

    def _too_wide(self, line, column):
        return FileTooLarge(
            gettext(
                "Row %(row)s has a value in column %(letter)s; the import reads at most "
                "%(max)s columns. Delete what stands to the right of the table."
            )
            % {"row": line, "letter": get_column_letter(column), "max": self.limits.columns},
            self.source_format,
        )


# --- XLSX -------------------------------------------------------------------------------------

# An XLSX from Excel or LibreOffice has a dozen parts; more is not a spreadsheet.
MAX_ARCHIVE_MEMBERS = 500
# XML elements that openpyxl turns into objects one by one (styles, formatting, hyperlinks,
# merged cells …), as opposed to rows, cells and strings: each costs up to 70 µs, so a sheet
# or style sheet made of millions of them would hold a worker for minutes.
MAX_OTHER_XML_ELEMENTS = 25_000
CELL_DATA_ELEMENTS = frozenset({"row", "c", "v", "f", "is", "t", "r", "si", "rPh"})
TEXT_ELEMENTS = frozenset({"v", "f", "t"})  # the elements that hold what a cell shows
# openpyxl pads a row to its last cell, even an empty one with only a style: a few stray
# cells far right cost nothing, thousands of rows padded to column XFD cost seconds.
MAX_CELLS_BEYOND_LAST_COLUMN = 1_000


def unusual_structure():
    return FileTooLarge(
        gettext(
            "The XLSX file is built in a way the import does not read (too many cells, "
            "styles or other parts). Save it again from Excel or LibreOffice, or as CSV."
        ),
        "XLSX",
    )


class _XmlBudget:
    """Counts the elements of the XML parts with expat before openpyxl builds anything.

    Refuses document type declarations (entity expansion: openpyxl's parser would expand
    them) and stops at the first limit exceeded: rows or cells of a sheet, strings of the
    shared-string table, characters of one text, other elements of the whole archive.
    """

    def __init__(self, limits):
        self.limits = limits
        self.cells_max = limits.rows * limits.columns
        self.other = 0
        self.far_cells = 0

    def _far_right(self, reference):
        letters = reference.rstrip("0123456789")
        try:
            return column_index_from_string(letters) > self.limits.columns
        except ValueError:
            return False  # no column in the reference: openpyxl counts on from the last

    def scan(self, member):
        counts = {"row": 0, "c": 0, "si": 0}
        text_length = None  # characters of the current cell text, None outside one
        cell = ""  # the reference of the current cell of a sheet, like "B2"

        def start(name, attributes):
            nonlocal text_length, cell
            local = name.rpartition(":")[2]
            text_length = 0 if local in TEXT_ELEMENTS else None
            if local == "c":
                cell = attributes.get("r", "")
            if local in counts:
                counts[local] += 1
                if counts["row"] > self.limits.rows:
                    raise self.limits.too_many_rows("XLSX")
                if counts["c"] > self.cells_max or counts["si"] > self.cells_max:
                    raise unusual_structure()
                if local == "c" and self._far_right(attributes.get("r", "")):
                    self.far_cells += 1
                    if self.far_cells > MAX_CELLS_BEYOND_LAST_COLUMN:
                        raise unusual_structure()
            elif local not in CELL_DATA_ELEMENTS:
                self.other += 1
                if self.other > MAX_OTHER_XML_ELEMENTS:
                    raise unusual_structure()

        def end(_name):
            nonlocal text_length
            text_length = None

        def characters(data):
            nonlocal text_length
            if text_length is None:
                return
            text_length += len(data)
            if text_length > self.limits.cell_characters:
                values = {
                    "cell": cell,
                    "max": number_format(self.limits.cell_characters, force_grouping=True),
                }
                if cell:
                    message = gettext(
                        "Cell %(cell)s holds more than %(max)s characters; "
                        "a cell may hold at most %(max)s."
                    )
                else:  # a shared string: which cells show it is not known yet
                    message = gettext(
                        "A cell holds more than %(max)s characters; "
                        "a cell may hold at most %(max)s."
                    )
                raise FileTooLarge(message % values, "XLSX")

        def no_dtd(*_args):
            raise unusual_structure()

        parser = xml.parsers.expat.ParserCreate()
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = characters
        parser.StartDoctypeDeclHandler = no_dtd
        parser.EntityDeclHandler = no_dtd
        try:
            while chunk := member.read(64 * 1024):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except xml.parsers.expat.ExpatError:
            # Not XML (an image, a printer setting) or broken: openpyxl parses XML parts with
            # expat as well and gets no further than this, or fails on its own.
            return


def _check_archive(data, limits):
    """Refuse an archive by its table of contents (a zip bomb, thousands of parts), then by
    the structure of its XML, before openpyxl opens it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as error:
        raise UnreadableFile(str(error)) from error
    # The sizes come from the archive's directory; zipfile stops every member at its
    # declared size (and fails its checksum), so a member cannot unpack to more.
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise unusual_structure()
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.unpacked_bytes:
        raise FileTooLarge(
            gettext(
                "The XLSX file unpacks to more than %(max)s MB; the import reads at most "
                "%(max)s MB. Split it into several files, or save it as CSV."
            )
            % {"max": limits.megabytes()},
            "XLSX",
        )
    budget = _XmlBudget(limits)
    try:
        for member in members:
            with archive.open(member) as stream:
                budget.scan(stream)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError) as error:
        raise UnreadableFile(str(error)) from error  # encrypted, unknown compression, broken


def _read_xlsx(data, limits):
    _check_archive(data, limits)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for broken archives
        raise UnreadableFile(str(error)) from error
    try:
        sheet = workbook.worksheets[0]
        # The sheet's own <dimension> is a claim, not a fact: openpyxl would pad every row
        # to it (A1:XFD1048576 makes each row 16,384 cells). Without it, rows are as wide as
        # their last cell, and missing rows come as empty ones.
        sheet.reset_dimensions()
        cells = _Cells(limits, "XLSX")
        rows = []
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if line > limits.rows:
                raise limits.too_many_rows("XLSX")
            if values:
                rows.append((line, cells.texts(line, values)))
    except FileTooLarge:
        raise
    except Exception as error:  # a sheet that breaks openpyxl half way
        raise UnreadableFile(str(error)) from error
    finally:
        workbook.close()
    return _table_from_rows(rows, "XLSX")


# --- CSV --------------------------------------------------------------------------------------


def _read_csv(data, limits):
    if len(data) > limits.unpacked_bytes:
        raise FileTooLarge(
            gettext("The file is larger than %(max)s MB; the import reads at most %(max)s MB.")
            % {"max": limits.megabytes()},
            "CSV",
        )
    text, encoding = decode_csv(data)
    newline = text.find("\n")
    first_line = text if newline < 0 else text[:newline]
    delimiter = max(";,\t", key=first_line.count)
    name = {";": _("semicolon"), ",": _("comma"), "\t": _("tab")}[delimiter]
    source_format = f"CSV ({encoding}, {name})"
    cells = _Cells(limits, source_format)
    # A row is at most every column full; a longer line is refused before the csv module
    # splits it into fields, and a field longer than the csv module's own limit (128 kB)
    # stops it there.
    longest_line = limits.columns * (limits.cell_characters + 3)
    lines = _bounded_lines(text, longest_line, limits, source_format)
    reader = csv.reader(lines, delimiter=delimiter)
    rows = []
    line = 0
    try:
        for line, values in enumerate(reader, 1):
            if line > limits.rows:
                raise limits.too_many_rows(source_format)
            rows.append((line, cells.texts(line, values, clean=_csv_cell_in)))
    except csv.Error as error:
        if "field limit" in str(error):  # a field longer than the csv module's 128 kB
            raise cells.too_long(line + 1) from error
        raise UnreadableFile(str(error)) from error
    return _table_from_rows(rows, source_format)


def _bounded_lines(text, longest, limits, source_format):
    for number, line in enumerate(io.StringIO(text, newline=""), 1):
        if len(line) > longest:
            raise FileTooLarge(
                gettext(
                    "Line %(line)s is longer than %(max)s characters; the import reads at most "
                    "%(columns)s columns of at most %(characters)s characters each."
                )
                % {
                    "line": number,
                    "max": number_format(longest, force_grouping=True),
                    "columns": limits.columns,
                    "characters": number_format(limits.cell_characters, force_grouping=True),
                },
                source_format,
            )
        yield line


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
