"""The generated Kooperationshandbuch: every published offer with its code and title, in
the PDF's text, no draft and no e-mail address; the reader role may fetch it."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from insights import handbook
from offers.models import CatalogVersion, ContactPerson, Offer, Provider
from offers.search.spec import SearchSpec, Vocabulary
from tests import factories
from tests.admin_support import make_user, setup_roles

pytestmark = pytest.mark.django_db


def pdf_text(data):
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


@pytest.fixture
def catalogue(taxonomy):
    university = factories.make_provider(
        taxonomy, name="Universität Trier", kind=Provider.Kind.UNIVERSITY, phone="0651 2010"
    )
    company = factories.make_provider(
        taxonomy, name="IT Haus GmbH", kind=Provider.Kind.COMPANY, email="info@it-haus.example"
    )
    ContactPerson.objects.create(
        provider=company, name="Erika Muster", email="erika@it-haus.example", phone="0651 99"
    )
    offers = [
        factories.make_offer(taxonomy, provider=university, code="N 23", title="Grüne Chemie"),
        factories.make_offer(taxonomy, provider=university, title="Schnupperstudium Informatik"),
        factories.make_offer(taxonomy, provider=company, title="Praktikum Fachinformatik"),
        factories.make_offer(taxonomy, provider=company, title="Betriebsbesichtigung IT"),
    ]
    factories.make_offer(taxonomy, provider=company, title="Entwurf XYZ", status="draft")
    return offers


def test_the_pdf_holds_every_published_offers_code_and_title_and_nothing_else(catalogue):
    book = handbook.build(SearchSpec(), Vocabulary.load())
    text = pdf_text(handbook.render_pdf(book))

    published = Offer.objects.published()
    assert published.count() == 4 and all(offer.code for offer in published)
    for offer in published:
        assert f"{offer.code} {offer.title}" in text, offer
    assert "Entwurf XYZ" not in text
    assert "@" not in text  # contact data as public pages show it: no e-mail address
    assert "Erika Muster" in text and "0651 2010" in text
    # The contents give each provider's page: the cover is page 1, the contents page 2.
    assert re.search(r"Universität Trier \.+ ?\d+", text)
    for column in ("Art der Veranstaltung", "Kurzbeschreibung", "Schulform", "Dauer / Ort"):
        assert column in text
    assert "Klassenstufe" in text and "Teilnehmerzahl" in text


def test_the_handbook_can_be_narrowed_to_a_track(catalogue, taxonomy):
    studies = factories.make_offer(taxonomy, title="Vorlesung Chemie", sectors=[taxonomy["chemie"]])
    book = handbook.build(SearchSpec(track=("studium",)), Vocabulary.load())
    offers = [o for c in book.chapters for p in c.providers for _f, os in p.fields for o in os]
    assert [o.pk for o in offers] == [studies.pk]


def test_the_reader_role_gets_html_and_the_kept_pdf(
    client, catalogue, taxonomy, settings, tmp_path
):
    settings.HANDBOOK_DIR = tmp_path
    setup_roles()
    client.force_login(make_user("Lesezugriff"))
    html = client.get(reverse("admin:insights_handbook"), HTTP_ACCEPT_LANGUAGE="de")
    assert html.status_code == 200
    page = html.content.decode()
    assert "Art der Veranstaltung" in page and "Klassenstufe" in page
    assert "N 23" in page
    # The whole region's PDF is the one build_handbook kept, while the catalogue is unchanged.
    handbook.store(b"%PDF-1.7 kept", CatalogVersion.current())
    pdf = client.get(reverse("admin:insights_handbook_pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content == b"%PDF-1.7 kept"
    factories.make_offer(taxonomy, title="Neu seit dem Druck")
    assert handbook.current_pdf() is None


def test_teachers_get_the_handbook_page_and_the_kept_pdf(client, catalogue, settings, tmp_path):
    settings.HANDBOOK_DIR = tmp_path
    page = client.get("/kooperationshandbuch/", {"track": "ausbildung"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "N 23" in html and "Grüne Chemie" in html and "Entwurf XYZ" not in html
    assert "@" not in html.split("<body", 1)[1]
    assert client.get("/kooperationshandbuch.pdf").status_code == 404
    handbook.store(b"%PDF-1.7 kept", CatalogVersion.current())
    pdf = client.get("/kooperationshandbuch.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content) == b"%PDF-1.7 kept"


def test_a_handbook_pdf_not_kept_is_made_by_the_queue_while_the_coordinator_waits(
    client, catalogue, settings, tmp_path, monkeypatch
):
    from operations import queue

    settings.HANDBOOK_DIR = tmp_path
    settings.PDF_QUEUE = "default"
    jobs = []
    monkeypatch.setattr(queue, "enqueue", lambda name, f, *args, **kw: jobs.append((f, args)))
    setup_roles()
    client.force_login(make_user("Lesezugriff"))
    url = reverse("admin:insights_handbook_pdf") + "?track=ausbildung"
    waiting = client.get(url, HTTP_ACCEPT_LANGUAGE="de")
    assert waiting.status_code == 200 and "Das PDF wird erstellt" in waiting.text
    assert f'href="{reverse("admin:insights_handbook")}?track=ausbildung"' in waiting.text
    ((function, args),) = jobs
    function(*args)  # the worker
    pdf = client.get(url, HTTP_ACCEPT_LANGUAGE="de")
    assert pdf["Content-Type"] == "application/pdf"
    assert "Praktikum Fachinformatik" in pdf_text(pdf.content)
    assert len(jobs) == 1
