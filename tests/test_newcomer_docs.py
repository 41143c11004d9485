"""What a newcomer reads: the README points only to files in the repository, and the import
page leads to the spreadsheet's format inside the admin (every column described) and to the
sample file, instead of to a file on the developers' disk."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from offers.importing import columns
from tests.admin_support import make_user, setup_roles

REPO = Path(settings.BASE_DIR).resolve()
README = REPO / "README.md"
# [text](target) links, and paths in backticks such as `docs/operations.md` or `../x/y.md`.
LINK = re.compile(r"\]\(([^)\s]+)\)")
CODE_PATH = re.compile(r"`((?:\.\.?/)?[\w.-]+(?:/[\w.-]+)+\.(?:md|py|json|csv|yml|yaml|conf|txt))`")


def referenced_paths(markdown):
    targets = [t for t in LINK.findall(markdown) if not re.match(r"[a-z]+:|#", t)]
    return [t.split("#")[0] for t in targets] + CODE_PATH.findall(markdown)


@pytest.mark.parametrize("document", ["README.md", "docs/product.md"])
def test_every_file_the_document_names_is_in_the_repository(document):
    path = REPO / document
    named = referenced_paths(path.read_text(encoding="utf-8"))

    assert named, "the pattern finds the document's links"
    for target in named:
        resolved = (path.parent / target).resolve()
        if not resolved.exists():  # `offers/search/index.py` is meant from the top
            resolved = (REPO / target).resolve()
        assert resolved.is_relative_to(REPO), f"{target} lies outside the repository"
        assert resolved.exists(), f"{target} does not exist"


def test_readme_says_how_to_serve_on_another_port():
    text = README.read_text(encoding="utf-8")
    assert "make run PORT=" in text
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^PORT \?= 8000$", makefile, re.M)
    assert "PORT=$(PORT)" in makefile  # the demo coordinator's printed address follows it


@pytest.fixture
def coordinator(db):
    setup_roles()
    return make_user("Koordination")


def test_import_page_links_to_the_format_in_the_admin(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("admin:offers_offer_import"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "docs/import-format.md" not in html
    format_url = reverse("admin:offers_offer_import_format")
    sample_url = reverse("admin:offers_offer_import_sample")
    assert f'href="{format_url}"' in html and f'href="{sample_url}"' in html

    format_page = client.get(format_url)

    assert format_page.status_code == 200
    rows = re.findall(
        r'<th scope="row"><code>(.*?)</code></th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>',
        format_page.content.decode(),
        re.S,
    )
    described = {header: (required.strip(), text.strip()) for header, required, text in rows}
    assert list(described) == [h.replace("&", "&amp;") for h in columns.COLUMNS.values()]
    for key, header in columns.COLUMNS.items():
        required, text = described[header]
        assert len(text) > 15, header
        assert (required == "ja") == (key in columns.REQUIRED_KEYS), header
    # The choices are named as the import reads them, in German.
    assert "„Veröffentlicht“" in described["Status"][1]
    assert "„in der Schule“" in described["Lernort"][1]
    assert "Format der Angebotstabelle" in format_page.content.decode()


def test_the_sample_file_downloads_and_uses_every_column(client, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("admin:offers_offer_import_sample"))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    header = next(csv.reader(io.StringIO(text), delimiter=";"))
    assert header == list(columns.COLUMNS.values())


def test_format_pages_need_a_login(client, db):
    for name in ("admin:offers_offer_import_format", "admin:offers_offer_import_sample"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]
