"""Hostile XLSX files, written byte by byte: what an attacker uploads instead of a survey.

An XLSX is a ZIP archive of XML parts; these builders write the few parts openpyxl needs
(content types, relationships, workbook, one sheet, shared strings) and let the caller put
anything into them. Large parts are streamed into the archive, so building a file that
unpacks to hundreds of megabytes costs the test little memory. Also a command line that
writes the files of issue 12 for measuring by hand::

    python -m tests.crafted_xlsx /tmp/crafted
"""

import io
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

SPREADSHEETML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{SPREADSHEETML}.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SPREADSHEETML}.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="{SPREADSHEETML}.sharedStrings+xml"/>
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{PACKAGE_RELS}">
<Relationship Id="rId1" Type="{DOC_TYPE}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="{MAIN}" xmlns:r="{RELS}">
<sheets><sheet name="Angebote" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{PACKAGE_RELS}">
<Relationship Id="rId1" Type="{DOC_TYPE}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{DOC_TYPE}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""

# A header the import knows and one valid-looking offer (the taxonomy need not exist: the
# reading is what these files attack, not the checks of the cells).
HEADER = ["Anbieter", "Titel", "Angebotsform", "Branche/Fachrichtung", "Einsatzregionen"]
OFFER = ["IT Haus GmbH", "Praktikum Fachinformatik", "Praktikum", "IT, Computer", "Trier"]


def column_letter(number):
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def inline_cell(row, column, text):
    return f'<c r="{column_letter(column)}{row}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def row_xml(row, values):
    cells = "".join(inline_cell(row, column, value) for column, value in enumerate(values, 1))
    return f'<row r="{row}">{cells}</row>'


def offer_row(line):
    """The sample offer in row ``line``, with a title of its own."""
    return row_xml(line, [OFFER[0], f"Angebot {line}", *OFFER[2:]])


def sheet_parts(rows, dimension=None):
    """The sheet XML as an iterable of strings: ``rows`` are XML strings or iterables of them."""
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}">'
    if dimension:
        yield f'<dimension ref="{dimension}"/>'
    yield "<sheetData>"
    for row in rows:
        if isinstance(row, str):
            yield row
        else:
            yield from row
    yield "</sheetData></worksheet>"


def shared_strings_parts(strings):
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{MAIN}">'
    for text in strings:
        yield "<si><t>"
        yield from ([text] if isinstance(text, str) else text)
        yield "</t></si>"
    yield "</sst>"


def xlsx(sheet, shared_strings=(), extra_members=None):
    """The bytes of a workbook whose first sheet is ``sheet`` (an iterable of XML strings)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        _stream(archive, "xl/worksheets/sheet1.xml", sheet)
        _stream(archive, "xl/sharedStrings.xml", shared_strings_parts(shared_strings))
        for name, parts in (extra_members or {}).items():
            _stream(archive, name, parts)
    return buffer.getvalue()


def _stream(archive, name, parts):
    with archive.open(name, "w", force_zip64=True) as member:
        for part in parts:
            member.write(part.encode())


def _repeat(text, times, chunk=1_000_000):
    """``text * times`` as chunks, never the whole string at once."""
    full, rest = divmod(times, chunk)
    for _ in range(full):
        yield text * chunk
    yield text * rest


# --- The attacks of issue 12 ------------------------------------------------------------------


def dimension_claims_the_whole_sheet(offers=1):
    """The header and ``offers`` rows, but the sheet claims A1:XFD1048576: openpyxl's reader
    pads every row to the 16,384 columns claimed."""
    rows = (offer_row(line) for line in range(2, offers + 2))
    return xlsx(sheet_parts([row_xml(1, HEADER), rows], "A1:XFD1048576"))


def huge_cell(characters):
    """One title of ``characters`` characters, a shared string like Excel writes it."""
    title = '<c r="B2" t="s"><v>0</v></c>'
    other = "".join(inline_cell(2, n, v) for n, v in enumerate(OFFER, 1) if n != 2)
    return xlsx(
        sheet_parts([row_xml(1, HEADER), f'<row r="2">{title}{other}</row>']),
        shared_strings=[_repeat("A", characters)],
    )


def many_rows(count):
    """``count`` offers below the header, all alike: a million rows pack into a few kB."""
    cells = "".join(f'<c t="inlineStr"><is><t>{escape(value)}</t></is></c>' for value in OFFER)
    return xlsx(sheet_parts([row_xml(1, HEADER), _repeat(f"<row>{cells}</row>", count, 10_000)]))


def zip_bomb(unpacked_bytes):
    """A sheet that unpacks to ``unpacked_bytes`` (blanks between two rows) from a few kB."""
    padding = _repeat(" ", unpacked_bytes)
    return xlsx(sheet_parts([row_xml(1, HEADER), padding, row_xml(2, OFFER)]))


def far_row(row_number):
    """The header and one offer in row ``row_number``: everything between is empty."""
    return xlsx(sheet_parts([row_xml(1, HEADER), row_xml(row_number, OFFER)]))


def wide_row(column):
    """An offer with one more value far to the right, in column number ``column``."""
    cells = "".join(inline_cell(2, n, v) for n, v in enumerate(OFFER, 1))
    far = inline_cell(2, column, "x")
    return xlsx(sheet_parts([row_xml(1, HEADER), f'<row r="2">{cells}{far}</row>']))


def styled_empty_rows(count):
    """``count`` empty rows with a height each, as formatting leaves them, below one offer."""
    rows = (f'<row r="{line}" ht="15" customHeight="1"/>' for line in range(3, count + 3))
    return xlsx(sheet_parts([row_xml(1, HEADER), row_xml(2, OFFER), rows]))


def countless_styles(formats):
    """A style sheet of ``formats`` cell formats: openpyxl builds an object for each."""
    head = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<styleSheet xmlns="{MAIN}">'
        '<fonts count="1"><font/></fonts>'
        '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        f'<borders count="1"><border/></borders><cellXfs count="{formats}">'
    )
    xf = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    parts = [head, *_repeat(xf, formats, 10_000), "</cellXfs></styleSheet>"]
    sheet = sheet_parts([row_xml(1, HEADER), row_xml(2, OFFER)])
    return xlsx(sheet, extra_members={"xl/styles.xml": parts})


def entity_expansion():
    """The "billion laughs": a document type that defines an entity of entities."""
    entities = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10)
    )
    sheet = [
        f'<?xml version="1.0"?>\n<!DOCTYPE worksheet [{entities}]>',
        f'<worksheet xmlns="{MAIN}"><sheetData>{row_xml(1, HEADER)}',
        '<row r="2"><c r="A2" t="inlineStr"><is><t>&a9;</t></is></c></row>',
        "</sheetData></worksheet>",
    ]
    return xlsx(sheet)


ATTACKS = {
    "dimension.xlsx": lambda: dimension_claims_the_whole_sheet(4000),
    "cell-200mb.xlsx": lambda: huge_cell(200 * 1024 * 1024),
    "cell-6mb.xlsx": lambda: huge_cell(6 * 1024 * 1024),
    "rows-2m.xlsx": lambda: many_rows(2_000_000),
    "bomb-1gb.xlsx": lambda: zip_bomb(1024 * 1024 * 1024),
    "far-row.xlsx": lambda: far_row(1_048_576),
    "wide-row.xlsx": lambda: wide_row(16_384),
    "styled-rows.xlsx": lambda: styled_empty_rows(1_000_000),
    "styles-500k.xlsx": lambda: countless_styles(500_000),
    "laughs.xlsx": entity_expansion,
}


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    target.mkdir(parents=True, exist_ok=True)
    for name, build in ATTACKS.items():
        data = build()
        (target / name).write_bytes(data)
        unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
        print(f"{name}: {len(data):,} bytes, unpacked {unpacked:,}")
