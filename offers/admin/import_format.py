"""The offer spreadsheet's format as a page of the admin, beside the import, and its sample
file for download: what docs/import-format.md says for developers, in German for the
coordinators and providers who fill in the sheets.

The columns, their required ones, the provider's columns, other accepted header spellings and
the words of the choices come from ``offers.importing.columns`` and the limits from the
settings, so the page describes what the import really reads.
"""

from django.conf import settings
from django.http import FileResponse
from django.template.response import TemplateResponse
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..importing import columns, parsing

SAMPLE_CSV = settings.BASE_DIR / "docs" / "import-sample.csv"


def _words(table):
    """The words a choice column accepts first (what the export writes), for the help text."""
    return ", ".join(f"„{spellings[0]}“" for spellings in table.values())


# What each column holds, in the words of the providers' checklist.
COLUMN_HELP = {
    "provider": _(
        "Name of the provider. Matched to an existing provider by name or slug; otherwise a "
        "new provider is created."
    ),
    "contact": _(
        "Contact person of the offer: a name. An unknown name becomes a new contact person of "
        "the provider; empty means none."
    ),
    "street": _("Street of the provider's address."),
    "postal_code": _("Postal code of the provider's address."),
    "city": _("Town of the provider's address."),
    "region": _(
        "Region of the provider: a region's name, slug or official key (AGS). Needed for a "
        "new provider."
    ),
    "phone": _("Phone number of the provider."),
    "email": _("E-mail address of the provider; it must be valid."),
    "website": _("Website of the provider; an address without “https://” gets it."),
    "code": _(
        "Catalogue code, e.g. “N 23”. Unique across all providers; an empty cell never "
        "removes an existing code."
    ),
    "offer_type": _("Form of the offer: one name or slug, e.g. „Praktikum“, „Labor-Exkursion“."),
    "title": _("Title of the offer."),
    "summary": _("Short description, at most 500 characters."),
    "description": _("Description of the offer."),
    "duration_text": _("Duration as shown, e.g. „2 - 20 Wochen“."),
    "participants_min": _("Fewest participants: a whole number from 1 to 9999; empty: no limit."),
    "participants_max": _(
        "Most participants: a whole number from 1 to 9999, not below TN min; empty: no limit."
    ),
    "participants_note": _("Note on the participants, e.g. „nach Absprache“."),
    "grade_min": _("Lowest grade: a whole number from 1 to 13; empty: 1."),
    "grade_max": _("Highest grade: a whole number from 1 to 13, not below Klasse von; empty: 13."),
    "subjects": _("MINT subjects, several, e.g. „Informatik; Technik“."),
    "school_forms": _(
        "School forms, several names, slugs or short names (e.g. „Gym.; RS+; IGS“), or „alle“."
    ),
    "tracks": _(
        "„Ausbildung“ and/or „Studium“. Optional; when given, the sectors must belong to it "
        "(and it settles names used in both)."
    ),
    "sectors": _("Sectors or fields of study, several."),
    "venue": _("Where the offer takes place: one of %(values)s."),
    "place": _("Place of the event, e.g. „Schulen in Trier“."),
    "regions": _("Regions the offer serves, several region names."),
    "audience": _("For whom: one of %(values)s."),
    "year_round": _(
        "All year by arrangement: „ja“ or „nein“; empty keeps the current value (a new offer: ja)."
    ),
    "dates_note": _("Dates, e.g. „in den Herbstferien“."),
    "cost": _("Cost as text; empty or „kostenlos“: free."),
    "status": _(
        "Status: one of %(values)s; empty keeps the current status (a new offer: Entwurf)."
    ),
    "last_confirmed": _(
        "When the provider last confirmed the offer: a date DD.MM.YYYY (or YYYY-MM-DD); "
        "empty: never."
    ),
}
CHOICE_WORDS = {
    "venue": columns.VENUE_WORDS,
    "audience": columns.AUDIENCE_WORDS,
    "status": columns.STATUS_WORDS,
}


def column_rows():
    """One row per column of the format, in the file's order."""
    rows = []
    for key, header in columns.COLUMNS.items():
        text = str(COLUMN_HELP[key])
        if key in CHOICE_WORDS:
            text = text % {"values": _words(CHOICE_WORDS[key])}
        rows.append(
            {
                "header": header,
                "required": key in columns.REQUIRED_KEYS,
                "provider": key in columns.PROVIDER_KEYS,
                "several": key in columns.OFFER_M2M,
                "help": text,
                "aliases": sorted(
                    alias for alias, target in columns.HEADER_ALIASES.items() if target == key
                ),
            }
        )
    return rows


def limits(upload_bytes):
    """The limits of one file, as the import checks them."""
    return [
        (gettext("upload"), gettext("%(mb)s MB") % {"mb": upload_bytes >> 20}),
        (
            gettext("rows, the header and empty rows included"),
            number_format(settings.OFFER_IMPORT_MAX_ROWS, force_grouping=True),
        ),
        (gettext("columns"), number_format(settings.OFFER_IMPORT_MAX_COLUMNS)),
        (
            gettext("characters in one cell"),
            number_format(settings.OFFER_IMPORT_MAX_CELL_CHARACTERS, force_grouping=True),
        ),
        (
            gettext("an XLSX file unpacked"),
            gettext("%(mb)s MB") % {"mb": settings.OFFER_IMPORT_MAX_UNPACKED_BYTES >> 20},
        ),
        (gettext("values in one cell"), number_format(parsing.MAX_VALUES_PER_CELL)),
    ]


def import_format_view(model_admin, request, *, upload_bytes):
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Format of the offer spreadsheet"),
        "opts": model_admin.opts,
        "columns": column_rows(),
        "separator": columns.SEPARATOR,
        "limits": limits(upload_bytes),
        "may_import": model_admin.has_import_permission(request),
    }
    return TemplateResponse(request, "admin/offers/offer/import_format.html", context)


def import_sample_view(model_admin, request):
    """The sample file as a download (UTF-8, semicolons)."""
    return FileResponse(
        SAMPLE_CSV.open("rb"),
        as_attachment=True,
        filename="angebote-beispiel.csv",
        content_type="text/csv; charset=utf-8",
    )
