"""Personal contact data appears only with published offers, on no other public page."""

from io import BytesIO

from django.urls import reverse
from pypdf import PdfReader

from offers.models import ContactPerson, Offer
from tests.factories import make_offer, make_provider
from tests.public_urls import populate, public_urls

HANDOUTS = ["schooldesk:search_handout", "schooldesk:search_handout_pdf"]


def test_contacts_of_unpublished_offers_appear_on_no_public_page(client, taxonomy):
    values = populate(taxonomy)
    hidden = make_provider(taxonomy, name="Geheim GmbH", slug="geheim-gmbh")
    person = ContactPerson.objects.create(
        provider=hidden, name="Erika Verborgen", email="verborgen@example.org", phone="0651 999"
    )
    for status in (Offer.Status.DRAFT, Offer.Status.REVIEW, Offer.Status.ARCHIVED):
        make_offer(
            taxonomy, provider=hidden, contact=person, title=f"Verborgen {status}", status=status
        )
    values["slug"].append(hidden.slug)
    values["pk"].extend(Offer.objects.filter(provider=hidden).values_list("pk", flat=True))

    urls = public_urls(client, values)
    pages = [*urls.values(), f"/anbieter/{hidden.slug}/", "/suche/?q=Verborgen"]
    pages += [
        f"/angebot/{pk}/"
        for pk in Offer.objects.filter(provider=hidden).values_list("pk", flat=True)
    ]
    # The handouts of a search that finds those offers' words, as a page and on paper.
    pages += [reverse(name) + "?q=Verborgen" for name in HANDOUTS]
    for url in pages:
        text = text_of(client.get(url))
        for secret in (person.name, person.email, person.phone):
            assert secret not in text, f"{url} shows {secret!r}"
    # The PDFs are read as words: the handout of every offer names the published one.
    assert "Praktikum Robotik" in text_of(client.get(urls["schooldesk:search_handout_pdf"]))


def text_of(response):
    """What a reader sees of ``response``: a PDF's text, a page's or a download's content
    (getvalue(): also a streamed download's, opendata/exports.py)."""
    if response["Content-Type"] != "application/pdf":
        return response.getvalue().decode()
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert text.strip(), f"{response.request['PATH_INFO']}: no text in the PDF to check"
    return " ".join(text.split())


def test_the_contact_of_a_published_offer_is_shown_on_its_page(client, taxonomy):
    provider = make_provider(taxonomy, name="Offen GmbH", slug="offen-gmbh")
    person = ContactPerson.objects.create(
        provider=provider, name="Max Sichtbar", email="sichtbar@example.org"
    )
    offer = make_offer(taxonomy, provider=provider, contact=person)

    html = client.get(offer.get_absolute_url()).content.decode()

    assert "Max Sichtbar" in html
    # The address only on request, never in the page (tests/test_email_harvesting.py).
    assert "sichtbar@example.org" not in html
    assert f'action="/kontakt/{person.pk}/e-mail/"' in html
