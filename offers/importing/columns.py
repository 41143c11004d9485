"""The columns of the offer spreadsheet and the words its cells use.

One row per offer; the provider's columns repeat on every row of its offers; several values
share one cell, separated by ``;``. The column headers are the German words of the providers'
checklist ("Checkliste: Kooperationsangebote"). They are part of the file format, like the
names of a CSV dialect, so they are not translated. docs/import-format.md describes the format.

This module knows nothing about files and does not query the database.
"""

from ..models import Offer

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
# The provider's columns that repeat on every row of its offers; each key is also the name of
# the ``Provider`` field it fills.
PROVIDER_KEYS = ("street", "postal_code", "city", "region", "phone", "email", "website")
REQUIRED_KEYS = ("provider", "title", "offer_type", "sectors", "regions")
# The ``Offer`` fields the columns fill: one value each, and several values each.
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
        key = part.casefold()  # what normalize() makes of a part already joined
        if part and key not in seen:
            seen.add(key)
            values.append(part)
    return values


def header_key(header):
    """The column key of a header cell, or None if the header is not part of the format."""
    wanted = normalize(header)
    for key, name in COLUMNS.items():
        if normalize(name) == wanted:
            return key
    return HEADER_ALIASES.get(wanted)
