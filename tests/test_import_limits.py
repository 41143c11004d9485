"""A crafted import file costs a worker neither gigabytes nor minutes (issue 12).

The files are written byte by byte in the test (tests/crafted_xlsx.py): a sheet that claims
the whole grid, a cell of megabytes, more rows than the limit, a zip bomb, a document type
of nested entities. Each is refused before or while it is read, with a message that says
which limit and how to get under it; memory is measured with tracemalloc (Python's own
allocations: openpyxl's rows, cells and strings), time with the clock.
"""

import csv
import io
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from offers.importing import spreadsheet
from offers.importing.spreadsheet import FileTooLarge, ReadingLimits, UnreadableFile
from offers.models import Offer
from tests import crafted_xlsx
from tests.admin_support import make_user, setup_roles

MB = 1024 * 1024


def measured(data, limits=None):
    """What ``read_table`` makes of ``data`` (a table or the exception), the peak of the
    memory it allocated and the seconds it took."""
    tracemalloc.start()
    start = time.monotonic()
    try:
        outcome = spreadsheet.read_table(data, limits)
    except UnreadableFile as error:
        outcome = error
    finally:
        took = time.monotonic() - start
        _size, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return outcome, peak, took


def small_limits(**overrides):
    values = {"rows": 20, "columns": 10, "cell_characters": 1000, "unpacked_bytes": MB}
    return ReadingLimits(**{**values, **overrides})


def german(error):
    assert isinstance(error, FileTooLarge), error
    return str(error)


@pytest.fixture(autouse=True)
def in_german():
    with translation.override("de"):
        yield


# --- XLSX -------------------------------------------------------------------------------------


def test_a_sheet_that_claims_the_whole_grid_is_read_only_as_wide_as_its_cells():
    # openpyxl pads every row to the claimed A1:XFD1048576: 16,384 cells a row.
    data = crafted_xlsx.dimension_claims_the_whole_sheet(offers=300)
    table, peak, took = measured(data)
    assert isinstance(table, spreadsheet.Table), table
    assert len(table.rows) == 300
    assert max(len(cells) for _line, cells in table.rows) == 5
    assert peak < 20 * MB, f"{peak / MB:.0f} MB"
    assert took < 5


def test_a_cell_of_megabytes_is_refused_before_openpyxl_reads_it():
    data = crafted_xlsx.huge_cell(6 * MB)
    error, peak, took = measured(data)
    assert german(error) == (
        "Eine Zelle enthält mehr als 32.767 Zeichen; eine Zelle darf höchstens 32.767 enthalten."
    )
    assert peak < 5 * MB, f"{peak / MB:.0f} MB"  # the 6 MB string was never built
    assert took < 5


def test_a_long_inline_cell_is_named_by_its_reference():
    sheet = crafted_xlsx.sheet_parts(
        [
            crafted_xlsx.row_xml(1, crafted_xlsx.HEADER),
            crafted_xlsx.row_xml(2, ["IT Haus GmbH", "T" * 1001]),
        ]
    )
    error, _peak, _took = measured(crafted_xlsx.xlsx(sheet), small_limits())
    assert german(error).startswith("Zelle B2 enthält mehr als 1.000 Zeichen")


def test_more_rows_than_the_limit_are_refused_while_reading():
    # 5,000 offers and the header: one row more than OFFER_IMPORT_MAX_ROWS.
    data = crafted_xlsx.many_rows(5000)
    error, peak, took = measured(data)
    assert german(error) == (
        "Die Datei hat mehr als 5.000 Zeilen (Kopfzeile und leere Zeilen zählen mit). "
        "Teilen Sie sie auf mehrere Dateien auf."
    )
    assert peak < 10 * MB, f"{peak / MB:.0f} MB"
    assert took < 5


def test_the_last_row_allowed_is_read():
    table, _peak, _took = measured(crafted_xlsx.many_rows(19), small_limits())
    assert len(table.rows) == 19
    error, _peak, _took = measured(crafted_xlsx.many_rows(20), small_limits())
    assert isinstance(error, FileTooLarge)


def test_a_zip_bomb_is_refused_by_the_sizes_in_its_directory():
    data = crafted_xlsx.zip_bomb(60 * MB)
    assert len(data) < MB
    error, peak, took = measured(data)
    assert german(error).startswith("Die XLSX-Datei ist entpackt größer als 50 MB")
    assert peak < 2 * MB, f"{peak / MB:.1f} MB"
    assert took < 1


def test_a_member_that_unpacks_to_more_than_its_directory_says_is_cut_off():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet>" + " " * (8 * MB))
    data = bytearray(buffer.getvalue())
    # Claim 1 kB in the central directory (the uncompressed size at offset 24 of the entry).
    entry = data.rindex(b"PK\x01\x02")
    data[entry + 24 : entry + 28] = (1024).to_bytes(4, "little")
    error, peak, _took = measured(bytes(data))
    assert isinstance(error, UnreadableFile) and not isinstance(error, FileTooLarge)
    assert peak < 2 * MB, f"{peak / MB:.1f} MB"


def test_a_row_far_below_the_table_is_refused_without_walking_the_rows_between():
    error, _peak, took = measured(crafted_xlsx.far_row(1_048_576))
    assert german(error).startswith("Die Datei hat mehr als 5.000 Zeilen")
    assert took < 2


def test_empty_rows_with_a_format_count_as_rows():
    error, _peak, took = measured(crafted_xlsx.styled_empty_rows(6000))
    assert german(error).startswith("Die Datei hat mehr als 5.000 Zeilen")
    assert took < 2


def test_a_value_far_to_the_right_is_refused():
    error, _peak, _took = measured(crafted_xlsx.wide_row(16_384))
    assert german(error) == (
        "Zeile 2 hat einen Wert in Spalte XFD; der Import liest höchstens 50 Spalten. "
        "Löschen Sie, was rechts neben der Tabelle steht."
    )


def test_a_style_sheet_of_countless_formats_is_refused_before_openpyxl_builds_them():
    error, peak, took = measured(crafted_xlsx.countless_styles(30_000))
    assert german(error).startswith("Die XLSX-Datei ist so aufgebaut")
    assert peak < 5 * MB, f"{peak / MB:.1f} MB"
    assert took < 2


def test_a_document_type_with_entities_is_refused():
    error, _peak, _took = measured(crafted_xlsx.entity_expansion())
    assert german(error).startswith("Die XLSX-Datei ist so aufgebaut")


# --- CSV --------------------------------------------------------------------------------------


def as_csv(rows):
    text = io.StringIO()
    csv.writer(text, delimiter=";").writerows(rows)
    return text.getvalue().encode()


HEADER = crafted_xlsx.HEADER


def test_csv_rows_beyond_the_limit_are_refused():
    rows = [HEADER] + [crafted_xlsx.OFFER] * 19
    table, _peak, _took = measured(as_csv(rows), small_limits())
    assert len(table.rows) == 19
    error, _peak, _took = measured(as_csv([*rows, crafted_xlsx.OFFER]), small_limits())
    assert german(error).startswith("Die Datei hat mehr als 20 Zeilen")


def test_a_csv_cell_over_the_limit_is_named_by_row_and_column():
    rows = [HEADER, crafted_xlsx.OFFER, ["IT Haus GmbH", "T" * 1001]]
    error, _peak, _took = measured(as_csv(rows), small_limits())
    assert german(error) == (
        "Zeile 3, Titel: die Zelle enthält mehr als 1.000 Zeichen; "
        "eine Zelle darf höchstens 1.000 enthalten"
    )


def test_a_csv_field_longer_than_the_csv_module_reads_is_refused_as_too_long():
    data = as_csv([HEADER, crafted_xlsx.OFFER]) + b'"' + b"x" * 200_000 + b'";x\r\n'
    error, peak, _took = measured(data)
    assert german(error).startswith("Zeile 3: die Zelle enthält mehr als 32.767 Zeichen")
    assert peak < 5 * MB


def test_a_csv_line_longer_than_a_full_row_is_refused_before_it_is_split():
    data = as_csv([HEADER]) + b";" * 20_000 + b"\r\n"
    error, peak, _took = measured(data, small_limits())
    assert german(error).startswith("Zeile 2 ist länger als 10.030 Zeichen")
    assert peak < 2 * MB


def test_a_csv_value_beyond_the_last_column_is_refused():
    data = as_csv([HEADER, [*crafted_xlsx.OFFER, *[""] * 20, "x"]])
    error, _peak, _took = measured(data, small_limits())
    assert german(error).startswith("Zeile 2 hat einen Wert in Spalte Z")


def test_a_csv_larger_than_the_limit_is_refused_unread():
    data = as_csv([HEADER] + [crafted_xlsx.OFFER] * 20_000)
    error, _peak, _took = measured(data, small_limits(rows=100_000))
    assert german(error) == ("Die Datei ist größer als 1 MB; der Import liest höchstens 1 MB.")


# --- The admin's dry run ----------------------------------------------------------------------


@pytest.fixture
def coordinator_client(client, taxonomy):
    setup_roles()
    client.force_login(make_user("Koordination"))
    return client


def upload(client, data, name):
    return client.post(
        reverse("admin:offers_offer_import"), {"file": SimpleUploadedFile(name, data)}
    )


def test_the_dry_run_names_the_limit_a_file_exceeds(coordinator_client):
    response = upload(coordinator_client, crafted_xlsx.huge_cell(6 * MB), "angebote.xlsx")
    assert response.status_code == 200
    assert "Eine Zelle enthält mehr als 32.767 Zeichen" in response.text
    assert 'name="confirm"' not in response.text
    assert len(response.content) < 100_000


def test_the_dry_run_repeats_no_huge_cell(coordinator_client):
    title = "Ein sehr langer Titel " * 1400  # 30,800 characters: under the cell limit
    regions = "; ".join(f"Nirgendwo {n}" for n in range(500))
    rows = [
        ["Anbieter", "Titel", "Angebotsform", "Branche/Fachrichtung", "Einsatzregionen"],
        ["IT Haus GmbH", title, "Praktikum", "IT, Computer", regions],
    ]
    response = upload(coordinator_client, as_csv(rows), "angebote.csv")
    assert response.status_code == 200
    assert response.context["report"].rows[0].title == title[:249] + "…"
    region_errors = [e for e in response.context["report"].errors if "Einsatzregionen" in e]
    assert len(region_errors) == 11  # ten named, the other 490 counted
    assert "490 weitere Werte" in region_errors[-1]
    assert title not in response.text
    assert len(response.content) < 60_000
    assert not Offer.objects.exists()


def test_a_cell_of_more_values_than_germany_has_districts_is_not_looked_up(coordinator_client):
    regions = "; ".join(f"Nirgendwo {n}" for n in range(501))
    rows = [
        ["Anbieter", "Titel", "Angebotsform", "Branche/Fachrichtung", "Einsatzregionen"],
        ["IT Haus GmbH", "Praktikum", "Praktikum", "IT, Computer", regions],
    ]
    response = upload(coordinator_client, as_csv(rows), "angebote.csv")
    region_errors = [e for e in response.context["report"].errors if "Einsatzregionen" in e]
    assert region_errors == ["Zeile 2, Einsatzregionen: enthält mehr als 500 Werte"]
