"""Impressum, privacy policy and accessibility statement: seeded, linked, edited by coordinators."""

import pytest

from pages.models import LegalPage
from tests.factories import make_offer


@pytest.mark.parametrize(
    ("url", "heading", "required"),
    [
        ("/impressum/", "Impressum", "Stadt Trier – Kommunales Bildungsmanagement"),
        ("/datenschutz/", "Datenschutzerklärung", "Landesbeauftragte"),
        ("/barrierefreiheit/", "Erklärung zur Barrierefreiheit", "Durchsetzungsverfahren"),
    ],
)
def test_legal_pages_have_german_default_texts(client, db, url, heading, required):
    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert required in html
    assert "@example.org" in html


def test_every_page_links_the_legal_pages_in_the_footer(client, db):
    html = client.get("/").content.decode()

    footer = html[html.index('<footer class="site-footer">') :]
    for url in ["/impressum/", "/datenschutz/", "/barrierefreiheit/"]:
        assert f'href="{url}"' in footer


def test_a_coordinators_edit_appears_on_the_page(admin_client):
    page = LegalPage.objects.get(kind="impressum")

    response = admin_client.post(
        f"/admin/pages/legalpage/{page.pk}/change/",
        {"title": "Impressum", "body": "## Kontakt\nneu@example.org\n\n- eins\n- zwei"},
    )

    assert response.status_code == 302
    html = admin_client.get("/impressum/").content.decode()
    assert "<h2>Kontakt</h2>" in html
    assert '<a href="mailto:neu@example.org">neu@example.org</a>' in html
    assert "<ul><li>eins</li><li>zwei</li></ul>" in html


def test_html_typed_into_a_legal_page_is_shown_as_text(client, db):
    LegalPage.objects.filter(kind="impressum").update(
        body='<script>alert(1)</script>\n<p style="color:red">x</p>'
    )

    html = client.get("/impressum/").content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_legal_pages_can_be_edited_but_not_deleted_or_added(admin_client):
    page = LegalPage.objects.get(kind="datenschutz")

    assert admin_client.get("/admin/pages/legalpage/add/").status_code == 403
    assert admin_client.get(f"/admin/pages/legalpage/{page.pk}/delete/").status_code == 403
    assert LegalPage.objects.count() == 3


def test_the_language_switch_is_a_link_to_the_same_page_in_english(client, db):
    html = client.get("/impressum/").content.decode()

    assert 'href="/en/impressum/" lang="en" hreflang="en"' in html
    assert 'href="/impressum/" lang="de" hreflang="de" aria-current="true"' in html


def test_the_language_switch_keeps_the_page_its_arguments_and_its_query(client, taxonomy):
    offer = make_offer(taxonomy, title="Laborführung")
    html = client.get(f"/en/angebot/{offer.pk}/").content.decode()
    assert f'href="/angebot/{offer.pk}/" lang="de" hreflang="de"' in html
    assert f'href="/en/angebot/{offer.pk}/" lang="en" hreflang="en" aria-current="true"' in html

    html = client.get("/suche/?q=Labor&grade=9").content.decode()
    assert 'href="/en/suche/?q=Labor&amp;grade=9" lang="en"' in html


def test_the_header_and_footer_links_follow_the_language_of_each_page(client, db):
    for _ in range(2):  # rendered once per language, then reused
        german = client.get("/impressum/").text
        english = client.get("/en/impressum/").text
        assert ">Angebote finden<" in german and 'href="/datenschutz/"' in german
        assert ">Find offers<" in english and 'href="/en/datenschutz/"' in english
        assert ">Find offers<" not in german and 'href="/en/datenschutz/"' not in german
