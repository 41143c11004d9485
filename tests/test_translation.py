"""The German translation is complete and is what visitors see; English stays under /en/.

The catalogue is read from locale/de/LC_MESSAGES/django.po itself (a small parser, no extra
dependency): makemessages leaves new strings empty and guesses changed ones as "fuzzy", and
Django shows neither, so an English word would appear on a German page. The page tests compile
the committed .po into a temporary directory, so they test the file in the repository, not a
stale .mo left in the working tree.
"""

import ast
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation

from tests.browser_support import unavailable
from tests.factories import make_offer

PO_FILE = Path(django_settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES" / "django.po"

# %(name)s, %s, %d, %% and {name}: Django fills these in, so a translation must keep each one.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif%]|\{\w*\}")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def label(self):
        context = f"[{self.msgctxt}] " if self.msgctxt else ""
        return f"line {self.line}: {context}{self.msgid!r}"


def parse_po(text):
    """The active entries of a .po file (obsolete "#~" entries are left out), header included."""
    entries, entry, key = [], None, None

    def finish():
        if entry is not None:
            entries.append(entry)

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            entry, key = None, None
            continue
        if line.startswith("#"):
            if line.startswith("#,"):
                if entry is None or key is not None:
                    finish()
                    entry, key = Entry(line=number), None
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value, keyword = ast.literal_eval(line), None
        else:
            value = ast.literal_eval(rest)
        if keyword is None:
            pass  # a continuation line of the current key
        elif keyword == "msgctxt" or (keyword == "msgid" and (entry is None or key != "msgctxt")):
            if entry is None or key is not None:
                finish()
                entry = Entry(line=number)
            key = keyword
        else:
            key = keyword
        if key == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + value
        elif key == "msgid":
            entry.msgid += value
        elif key == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + value
        elif key == "msgstr":
            entry.msgstr[0] = entry.msgstr.get(0, "") + value
        else:
            index = int(re.fullmatch(r"msgstr\[(\d+)\]", key).group(1))
            entry.msgstr[index] = entry.msgstr.get(index, "") + value
    finish()
    return entries


@pytest.fixture(scope="module")
def catalogue():
    return parse_po(PO_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def messages(catalogue):
    return [entry for entry in catalogue if entry.msgid]


def test_parser_reads_plurals_contexts_continuations_and_fuzzy_flags():
    sample = (
        'msgid ""\nmsgstr ""\n"Language: de\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgctxt "sort order"\nmsgid "ti"\n"tle"\n'
        'msgstr "Titel"\n\n'
        'msgid "offer"\nmsgid_plural "offers"\nmsgstr[0] "Angebot"\nmsgstr[1] ""\n\n'
        '#~ msgid "gone"\n#~ msgstr "weg"\n'
    )
    header, title, offer = parse_po(sample)
    assert header.msgid == "" and header.msgstr[0] == "Language: de\n"
    assert (title.msgctxt, title.msgid, title.msgstr) == ("sort order", "title", {0: "Titel"})
    assert title.flags == {"fuzzy", "python-format"}
    assert (offer.msgid_plural, offer.msgstr) == ("offers", {0: "Angebot", 1: ""})


def test_catalogue_is_german_with_two_plural_forms_and_a_usable_header(catalogue):
    header = catalogue[0]
    assert header.msgid == "" and "fuzzy" not in header.flags
    assert "Language: de\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]


def test_catalogue_has_no_untranslated_messages(messages):
    assert len(messages) > 300, "the catalogue looks truncated"
    missing = [
        entry.label
        for entry in messages
        if not entry.msgstr
        or any(not text for text in entry.msgstr.values())
        or (entry.msgid_plural and sorted(entry.msgstr) != [0, 1])
    ]
    assert missing == [], "untranslated: run makemessages and translate these"


def test_catalogue_has_no_fuzzy_messages(messages):
    fuzzy = [entry.label for entry in messages if "fuzzy" in entry.flags]
    assert fuzzy == [], "Django ignores fuzzy entries: check each one and drop the flag"


def test_translations_keep_every_placeholder_and_html_tag(messages):
    broken = []
    for entry in messages:
        for index, text in entry.msgstr.items():
            source = entry.msgid_plural if index and entry.msgid_plural else entry.msgid
            for pattern in (PLACEHOLDER, HTML_TAG):
                wanted = sorted(set(pattern.findall(source)))
                found = sorted(set(pattern.findall(text)))
                if wanted != found:
                    broken.append(f"{entry.label} [{index}]: {wanted} != {found}")
    assert broken == []


def test_translations_use_german_quotation_marks(messages):
    # German quotes open low and close high („…“); the English closing quote ” never belongs.
    english_quotes = [
        entry.label for entry in messages if any("”" in text for text in entry.msgstr.values())
    ]
    assert english_quotes == [], "use „…“ in German text"


def test_msgfmt_accepts_the_catalogue():
    if shutil.which("msgfmt") is None:
        unavailable("msgfmt (GNU gettext) is not installed: format check skipped")
    result = subprocess.run(
        ["msgfmt", "--check-format", "--check-header", "-o", "/dev/null", str(PO_FILE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture
def compiled_catalogue(tmp_path, settings):
    """The committed .po compiled on its own, so that only it (and Django's own) is used."""
    if shutil.which("msgfmt") is None:
        unavailable("msgfmt (GNU gettext) is not installed: translated pages not checked")
    target = tmp_path / "de" / "LC_MESSAGES"
    target.mkdir(parents=True)
    subprocess.run(["msgfmt", "-o", str(target / "django.mo"), str(PO_FILE)], check=True)
    # Changing LOCALE_PATHS makes Django drop the translations it has cached.
    settings.LOCALE_PATHS = [tmp_path]


def test_plural_and_singular_lookups_find_their_german_text(compiled_catalogue):
    with translation.override("de"):
        assert translation.ngettext("offer", "offers", 1) == "Angebot"
        assert translation.ngettext("offer", "offers", 2) == "Angebote"
        # These msgids are used both alone and with a plural; the lone lookup must still hit.
        assert translation.gettext("offer") == "Angebot"
        assert translation.gettext("MINT ambassador") == "MINT-Botschafter"
        assert translation.pgettext("sort order", "title") == "Titel"


@pytest.fixture
def offer(taxonomy):
    return make_offer(
        taxonomy,
        title="Schulpraktikum im IT-Haus",
        grade_min=9,
        grade_max=13,
        duration_text="2 - 20 Wochen",
    )


def page(client, name, language, **kwargs):
    with translation.override(language):
        url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.django_db
def test_home_page_is_german_at_the_root_and_english_under_en(client, compiled_catalogue, offer):
    german = page(client, "offers:home", "de")
    assert '<html lang="de"' in german
    for text in ("Zum Inhalt springen", "Schritt 1: Ausbildung oder Studium?", "Impressum"):
        assert text in german
    assert "Skip to content" not in german and "Step 1" not in german

    english = page(client, "offers:home", "en")
    assert '<html lang="en"' in english
    for text in ("Skip to content", "Step 1: Vocational training or university studies?"):
        assert text in english
    assert "Zum Inhalt springen" not in english


@pytest.mark.django_db
def test_offer_page_is_german_at_the_root_and_english_under_en(client, compiled_catalogue, offer):
    german = page(client, "offers:offer_detail", "de", pk=offer.pk)
    for text in ("Auf einen Blick", "Ort der Veranstaltung", "Klassenstufen", "Kontakt"):
        assert text in german
    assert "At a glance" not in german

    english = page(client, "offers:offer_detail", "en", pk=offer.pk)
    for text in ("At a glance", "Venue", "Grades", "Contact"):
        assert text in english
    assert "Auf einen Blick" not in english


def test_our_catalogue_does_not_override_djangos_own_words(messages):
    """A msgid without context that Django's admin uses too would change the admin: "Save"
    once became "Merken" (the Merkliste's button) on every admin save button."""
    with translation.override("de"):
        from django.utils.translation import gettext

        assert gettext("Save") == "Sichern"
        assert gettext("Delete") == "Löschen"
        assert gettext("Search") == "Suchen"


# What makemessages reads: Python files, templates and text files (e-mails). The copy leaves
# out what it would skip or what the real run is told to ignore (`--ignore=.venv`).
SCANNED_SUFFIXES = {".py", ".html", ".txt"}
NOT_SCANNED_DIRS = {"node_modules", "__pycache__", "locale", "media", "staticfiles"}


def copy_scanned_sources(target):
    """The project's files that makemessages scans, and our catalogue, copied to ``target``."""
    base = Path(django_settings.BASE_DIR)
    for folder, dirs, files in os.walk(base):
        dirs[:] = [
            name for name in dirs if not name.startswith(".") and name not in NOT_SCANNED_DIRS
        ]
        for name in files:
            if Path(name).suffix in SCANNED_SUFFIXES:
                source = Path(folder, name)
                copy = target / source.relative_to(base)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, copy)
    po_copy = target / PO_FILE.relative_to(base)
    po_copy.parent.mkdir(parents=True)
    shutil.copyfile(PO_FILE, po_copy)
    return po_copy


def key(entry):
    return (entry.msgctxt, entry.msgid)


def lookups_of(entry):
    """(English, the active language's text) of each form of ``entry``."""
    context, singular, plural = entry.msgctxt, entry.msgid, entry.msgid_plural
    if plural and context:
        return [
            (english, translation.npgettext(context, singular, plural, n))
            for english, n in ((singular, 1), (plural, 2))
        ]
    if plural:
        return [
            (english, translation.ngettext(singular, plural, n))
            for english, n in ((singular, 1), (plural, 2))
        ]
    if context:
        return [(singular, translation.pgettext(context, singular))]
    return [(singular, translation.gettext(singular))]


def test_makemessages_keeps_every_translation_and_finds_nothing_untranslated(
    tmp_path, settings, monkeypatch
):
    """What the next `makemessages -l de` would do to the catalogue, run on a copy of the
    source tree. xgettext finds a message only in a gettext call with a literal outside any
    f-string: a message built by a helper or inside an f-string shows in German today (the
    .mo has it), but makemessages would mark it obsolete ("#~") and its German would be lost."""
    for program in ("xgettext", "msguniq", "msgmerge", "msgattrib"):
        if shutil.which(program) is None:
            unavailable(f"{program} (GNU gettext) is not installed: makemessages not run")
    from django.core.management import call_command

    po_copy = copy_scanned_sources(tmp_path)
    monkeypatch.chdir(tmp_path)
    settings.LOCALE_PATHS = [po_copy.parents[2]]
    call_command("makemessages", locale=["de"], no_location=True, verbosity=0)

    ours = {key(entry): entry for entry in parse_po(PO_FILE.read_text(encoding="utf-8"))}
    found = {key(entry): entry for entry in parse_po(po_copy.read_text(encoding="utf-8"))}
    lost = [entry.label for k, entry in ours.items() if k not in found]
    assert lost == [], (
        "makemessages would make these obsolete: write each message in a gettext call of "
        "its own, outside f-strings, or delete it from the catalogue if no code uses it"
    )

    # The messages the code has and our catalogue lacks must be Django's own words (the admin
    # templates' "Delete"), which Django's catalogues translate: looked up with ours left out.
    settings.LOCALE_PATHS = []
    with translation.override("de"):
        untranslated = [
            entry.label
            for k, entry in found.items()
            if k not in ours and any(german == english for english, german in lookups_of(entry))
        ]
    assert untranslated == [], "no German for these (lines of makemessages' output): translate them"
