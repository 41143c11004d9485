"""The yearly import and export of offers: German checklist columns, CSV (UTF-8 and Excel's
Windows-1252 with semicolons) and XLSX, a dry run that names every bad cell, nothing written
unless every row is valid, re-imports that change nothing, and exports that round-trip."""

import csv
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from offers.importing import columns, services, spreadsheet
from offers.models import ContactPerson, Offer, Provider
from tests import factories
from tests.admin_support import make_user, setup_roles

HEADER = [
    "Anbieter",
    "Ansprechperson",
    "Straße",
    "PLZ",
    "Ort",
    "Region",
    "Telefon",
    "E-Mail",
    "Website",
    "Code",
    "Angebotsform",
    "Titel",
    "Kurzbeschreibung",
    "Dauer",
    "TN min",
    "TN max",
    "TN Hinweis",
    "Klasse von",
    "Klasse bis",
    "MINT-Fach",
    "Schulform",
    "Bereich",
    "Branche/Fachrichtung",
    "Einsatzregionen",
    "Zielgruppe",
    "Kosten",
    "Status",
]


def row(**cells):
    """A row of the IT Haus GmbH with sensible values; keyword names are header keys."""
    values = {
        "Anbieter": "IT Haus GmbH",
        "Ansprechperson": "Erika Muster",
        "Straße": "Europa-Allee 3",
        "PLZ": "54343",
        "Ort": "Föhren",
        "Region": "Stadt Trier",
        "Telefon": "06502 1234",
        "E-Mail": "info@it-haus.example.org",
        "Website": "it-haus.example.org",
        "Angebotsform": "Praktikum",
        "Kurzbeschreibung": "Einblick in den Alltag",
        "Dauer": "2 - 20 Wochen",
        "TN min": "1",
        "TN max": "2",
        "TN Hinweis": "nach Absprache",
        "Klasse von": "9",
        "Klasse bis": "13",
        "MINT-Fach": "Informatik",
        "Schulform": "alle",
        "Bereich": "Ausbildung",
        "Branche/Fachrichtung": "IT, Computer",
        "Einsatzregionen": "Stadt Trier; Landkreis Vulkaneifel",
        "Zielgruppe": "Schüler:innen",
        "Kosten": "",
        "Status": "Veröffentlicht",
    }
    values.update({key.replace("_", " "): value for key, value in cells.items()})
    return [values.get(column, "") for column in HEADER]


def good_rows():
    return [
        row(Code="IT 1", Titel="Praktikum Fachinformatik"),
        row(Code="IT 2", Titel="Betriebsbesichtigung", **{"Klasse von": "5", "TN max": "30"}),
        row(Code="IT 3", Titel="Vortrag in Schulen", Schulform="Gym.; Gymnasium"),
        row(Code="IT 4", Titel="Projekttag Netzwerke", **{"Klasse von": "7", "Klasse bis": "10"}),
        row(Code="IT 5", Titel="Ferienkurs Programmieren"),
        row(Code="IT 6", Titel="Roboter bauen", **{"MINT-Fach": "informatik"}),
        row(Code="", Titel="Schnuppertag ohne Code", Zielgruppe="Lehrkräfte"),
    ]


def bad_rows():
    rows = good_rows()
    rows[1][HEADER.index("Klasse bis")] = "neun"  # row 3
    rows[2][HEADER.index("Einsatzregionen")] = "Stadt Trier; Trier-Nord"  # row 4
    rows[3][HEADER.index("Klasse von")] = "10"  # row 5: grades 10–7
    rows[3][HEADER.index("Klasse bis")] = "7"
    rows[4][HEADER.index("Titel")] = ""  # row 6
    rows[5][HEADER.index("Code")] = "IT 1"  # row 7: the code of row 2
    rows[6][HEADER.index("Code")] = "N 23"  # row 8: another provider's code
    return rows


# The four ways a spreadsheet reaches the portal.


def as_xlsx(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for cells in rows:
        sheet.append([int(c) if c.isdigit() else c for c in cells])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def as_csv(rows, encoding="utf-8", delimiter=","):
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows([HEADER, *rows])
    return text.getvalue().encode(encoding)


FLAVOURS = {
    "xlsx": as_xlsx,
    "csv-utf8": as_csv,
    "csv-utf8-bom-semicolon": lambda rows: b"\xef\xbb\xbf" + as_csv(rows, delimiter=";"),
    "csv-excel-windows-1252": lambda rows: as_csv(rows, encoding="cp1252", delimiter=";"),
}


@pytest.fixture
def coordinator(taxonomy):
    setup_roles()
    other = factories.make_provider(taxonomy, name="Universität Trier")
    factories.make_offer(taxonomy, provider=other, code="N 23", title="Grüne Chemie")
    return make_user("Koordination")


def run(data, user, dry_run):
    return services.offers_import(dataset=spreadsheet.read_table(data), dry_run=dry_run, user=user)


def errors_of(report, line):
    return next(r.errors for r in report.rows if r.line == line)


def snapshot():
    """Everything an import could change, to prove that nothing was written."""
    return (
        list(Offer.objects.order_by("pk").values()),
        list(Provider.objects.order_by("pk").values()),
        ContactPerson.objects.count(),
        Offer.history.count(),
        Provider.history.count(),
    )


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_bad_rows_are_all_named_and_nothing_is_written(coordinator, flavour):
    before = snapshot()
    data = FLAVOURS[flavour](bad_rows())
    report = run(data, coordinator, dry_run=False)
    assert not report.is_valid and not report.written
    assert snapshot() == before

    assert errors_of(report, 2) == []
    (grade,) = errors_of(report, 3)
    assert grade.startswith("Row 3, Klasse bis:") or "3, Klasse bis" in grade
    # The quotes around the value follow the language (German „neun“, English “neun”).
    assert "neun" in grade
    (region,) = errors_of(report, 4)
    assert "Einsatzregionen" in region and "Trier-Nord" in region and "4" in region
    (band,) = errors_of(report, 5)
    assert "Klasse bis" in band and "7" in band and "10" in band
    (title,) = errors_of(report, 6)
    assert "6, Titel" in title
    (duplicate,) = errors_of(report, 7)
    assert "Code" in duplicate and "IT 1" in duplicate and "2" in duplicate
    (foreign,) = errors_of(report, 8)
    assert "N 23" in foreign and "Universität Trier" in foreign
    assert len(report.errors) == 6


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_corrected_file_imports_and_importing_it_again_changes_nothing(coordinator, flavour):
    data = FLAVOURS[flavour](good_rows())
    preview = run(data, coordinator, dry_run=True)
    assert preview.is_valid, preview.errors
    assert [r.action for r in preview.rows] == ["new"] * 7
    assert preview.new_providers == ["IT Haus GmbH"]
    assert not Offer.objects.filter(provider__name="IT Haus GmbH").exists()  # a dry run

    report = run(data, coordinator, dry_run=False)
    assert report.written
    provider = Provider.objects.get(name="IT Haus GmbH")
    assert provider.city == "Föhren" and provider.region.name == "Stadt Trier"
    assert provider.website == "https://it-haus.example.org"
    offers = Offer.objects.filter(provider=provider)
    assert offers.count() == 7
    visit = offers.get(code="IT 2")
    assert (visit.grade_min, visit.grade_max, visit.participants_max) == (5, 13, 30)
    assert visit.all_school_forms and visit.status == "published"
    assert {r.name for r in visit.regions.all()} == {"Stadt Trier", "Landkreis Vulkaneifel"}
    assert visit.contact.name == "Erika Muster"
    assert ContactPerson.objects.filter(provider=provider).count() == 1
    assert offers.get(code="IT 3").school_forms.get().name == "Gymnasium"
    assert offers.get(title="Schnuppertag ohne Code").audience == "teachers"
    assert visit.history.latest().history_user == coordinator

    before = snapshot()
    again = run(data, coordinator, dry_run=False)
    assert again.is_valid
    assert [r.action for r in again.rows] == ["unchanged"] * 7
    assert snapshot() == before


def test_a_changed_cell_is_reported_and_only_that_offer_changes(coordinator):
    run(as_csv(good_rows()), coordinator, dry_run=False)
    rows = good_rows()
    rows[0][HEADER.index("TN max")] = "4"
    rows[0][HEADER.index("Einsatzregionen")] = "Stadt Trier"
    report = run(as_csv(rows), coordinator, dry_run=True)
    assert [r.action for r in report.rows] == ["changed"] + ["unchanged"] * 6
    assert report.rows[0].changes == ["TN max", "Einsatzregionen"]
    run(as_csv(rows), coordinator, dry_run=False)
    offer = Offer.objects.get(code="IT 1")
    assert offer.participants_max == 4
    assert [r.name for r in offer.regions.all()] == ["Stadt Trier"]


def test_rows_match_existing_offers_by_provider_and_title_without_a_code(coordinator, taxonomy):
    provider = factories.make_provider(taxonomy, name="IT Haus GmbH")
    existing = factories.make_offer(
        taxonomy, provider=provider, title="Schnuppertag ohne Code", status="draft"
    )
    report = run(as_csv(good_rows()), coordinator, dry_run=False)
    assert report.written
    existing.refresh_from_db()
    assert existing.audience == "teachers" and existing.status == "published"
    assert Offer.objects.filter(title="Schnuppertag ohne Code").count() == 1


def test_provider_columns_repeated_with_different_values_are_an_error(coordinator):
    rows = good_rows()
    rows[3][HEADER.index("PLZ")] = "54290"
    report = run(as_csv(rows), coordinator, dry_run=True)
    (error,) = report.errors
    assert "Row 5, PLZ" in error or ("5" in error and "PLZ" in error and "54290" in error)


def test_unknown_and_missing_columns_are_named(coordinator):
    data = b"Anbieter;Titel;Lieblingsfarbe\nIT Haus GmbH;Praktikum;blau\n"
    report = run(data, coordinator, dry_run=True)
    text = " ".join(report.errors)
    assert "Lieblingsfarbe" in text
    for column in ("Angebotsform", "Branche/Fachrichtung", "Einsatzregionen"):
        assert column in text
    assert not report.rows


@pytest.mark.parametrize("export_format", ["xlsx", "csv", "excel-csv"])
def test_export_round_trips_through_the_import(coordinator, export_format):
    run(as_xlsx(good_rows()), coordinator, dry_run=False)
    offers = spreadsheet.export_queryset(Offer.objects.order_by("pk"))
    if export_format == "xlsx":
        data = spreadsheet.write_xlsx(offers)
    else:
        data, lost = spreadsheet.write_csv(offers, "utf8" if export_format == "csv" else "excel")
        assert lost == 0
    table = spreadsheet.read_table(data)
    assert table.headers == list(columns.COLUMNS.values())
    before = snapshot()
    report = services.offers_import(dataset=table, dry_run=False, user=coordinator)
    assert report.is_valid, report.errors
    assert {r.action for r in report.rows} == {"unchanged"}
    assert len(report.rows) == Offer.objects.count() == 8
    assert snapshot() == before


def test_xlsx_export_writes_text_that_looks_like_a_formula_as_text(coordinator):
    """A provider editor's title such as "=HYPERLINK(...)" must not become a live formula
    in the coordinators' Excel, and must come back unchanged through the import."""
    title = '=HYPERLINK("https://evil.example.org","Klick")'
    run(as_xlsx([row(Code="IT 1", Titel="Praktikum")]), coordinator, dry_run=False)
    Offer.objects.filter(code="IT 1").update(title=title, summary="=1+1")
    data = spreadsheet.write_xlsx(spreadsheet.export_queryset(Offer.objects.filter(code="IT 1")))

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [cell for cell in sheet[2] if isinstance(cell.value, str) and cell.value[:1] == "="]
    assert [cell.value for cell in cells] == [title, "=1+1"]
    assert {cell.data_type for cell in cells} == {"s"}
    report = services.offers_import(
        dataset=spreadsheet.read_table(data), dry_run=True, user=coordinator
    )
    assert report.is_valid, report.errors
    assert [r.action for r in report.rows] == ["unchanged"]


@pytest.mark.parametrize("flavour", ["utf8", "excel"])
def test_csv_export_defuses_text_that_looks_like_a_formula(coordinator, flavour):
    """Excel runs a CSV cell starting with =, +, - or @ as a formula: the export writes it
    behind an apostrophe, and the import reads the original text back."""
    title = '=HYPERLINK("https://evil.example.org","Klick")'
    run(as_xlsx([row(Code="IT 1", Titel="Praktikum")]), coordinator, dry_run=False)
    Offer.objects.filter(code="IT 1").update(title=title, summary="@SUM(1)")
    data, _lost = spreadsheet.write_csv(
        spreadsheet.export_queryset(Offer.objects.filter(code="IT 1")), flavour
    )

    text = data.decode("utf-8" if flavour == "utf8" else "cp1252")
    assert "'=HYPERLINK" in text and "'@SUM(1)" in text
    assert not any(
        cell.startswith(("=", "@"))
        for line in text.splitlines()
        for cell in line.split(";" if flavour == "excel" else ",")
    )
    report = services.offers_import(
        dataset=spreadsheet.read_table(data), dry_run=True, user=coordinator
    )
    assert report.is_valid, report.errors
    assert [r.action for r in report.rows] == ["unchanged"]


def test_excel_csv_export_is_windows_1252_with_semicolons(coordinator):
    offers = spreadsheet.export_queryset(Offer.objects.all())
    data, _lost = spreadsheet.write_csv(offers, "excel")
    text = data.decode("cp1252")
    assert text.startswith("Anbieter;Ansprechperson;Straße;PLZ;")
    assert "Universität Trier" in text
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_provider_editors_cannot_import(taxonomy):
    setup_roles()
    editor = make_user("Anbieter-Redaktion")
    with pytest.raises(PermissionDenied):
        run(as_csv(good_rows()), editor, dry_run=True)


# The admin pages: upload, dry run, confirm.


def upload(client, data, name="angebote.csv"):
    return client.post(
        reverse("admin:offers_offer_import"), {"file": SimpleUploadedFile(name, data)}
    )


def test_admin_import_preview_shows_errors_and_offers_no_confirmation(client, coordinator):
    client.force_login(coordinator)
    response = upload(client, as_csv(bad_rows()))
    assert response.status_code == 200
    assert "neun" in response.text and "Trier-Nord" in response.text
    assert 'name="confirm"' not in response.text
    assert not Offer.objects.filter(provider__name="IT Haus GmbH").exists()


def test_admin_import_confirms_the_uploaded_file_after_a_clean_dry_run(client, coordinator):
    client.force_login(coordinator)
    preview = upload(client, as_xlsx(good_rows()), "angebote.xlsx")
    assert 'name="confirm"' in preview.text
    token = preview.context["token"]
    assert not Offer.objects.filter(provider__name="IT Haus GmbH").exists()

    forged = client.post(reverse("admin:offers_offer_import"), {"confirm": "1", "token": "x" * 32})
    assert forged.status_code == 302
    assert not Offer.objects.filter(provider__name="IT Haus GmbH").exists()

    preview = upload(client, as_xlsx(good_rows()), "angebote.xlsx")
    token = preview.context["token"]
    done = client.post(reverse("admin:offers_offer_import"), {"confirm": "1", "token": token})
    assert done.status_code == 302
    assert Offer.objects.filter(provider__name="IT Haus GmbH").count() == 7


def test_admin_export_action_downloads_the_import_format(client, coordinator):
    client.force_login(coordinator)
    offer = Offer.objects.get()
    response = client.post(
        reverse("admin:offers_offer_changelist"),
        {"action": "export_excel_csv", "_selected_action": [offer.pk]},
    )
    assert response["Content-Type"] == "text/csv; charset=windows-1252"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode("cp1252").splitlines()[1].startswith("Universität Trier;")


def test_unreadable_upload_is_a_form_error_not_a_crash(client, coordinator):
    client.force_login(coordinator)
    response = upload(client, b"PK\x03\x04 this is no workbook", "kaputt.xlsx")
    assert response.status_code == 200
    assert response.context["form"].errors


def test_the_documented_sample_file_imports_cleanly(db):
    from django.conf import settings
    from django.core.management import call_command

    call_command("loaddata", str(settings.BASE_DIR / "fixtures" / "taxonomies.json"), verbosity=0)
    setup_roles()
    coordinator = make_user("Koordination")
    data = (settings.BASE_DIR / "docs" / "import-sample.csv").read_bytes()
    report = run(data, coordinator, dry_run=False)
    assert report.errors == []
    assert report.written and [r.action for r in report.rows] == ["new"] * 4
    visit = Offer.objects.get(title="Betriebsbesichtigung mit Werkstatt")
    assert {f.short_name for f in visit.school_forms.all()} == {"RS+", "IGS", "Gym."}
    assert {s.name for s in visit.sectors.all()} == {"IT, Computer", "Elektro"}
