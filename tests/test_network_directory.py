"""The public side of the network: directory, partner pages and the network page."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from network.models import Partner
from offers.models import Offer
from tests import factories

DIRECTORY = "/netzwerk/partner/"


def group_counts(response):
    return {group.key: group.count for group in response.context["groups"]}


def test_directory_lists_only_approved_and_consenting_partners(client, taxonomy):
    factories.make_partner(taxonomy, name="Approved Listed")
    factories.make_partner(taxonomy, name="Approved Unlisted", public_listing=False)
    factories.make_partner(
        taxonomy, name="Pending Listed", status=Partner.Status.PENDING, ambassador_since=None
    )
    factories.make_partner(
        taxonomy, name="Declined Listed", status=Partner.Status.DECLINED, ambassador_since=None
    )

    response = client.get(DIRECTORY)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Approved Listed" in html
    for hidden in ("Approved Unlisted", "Pending Listed", "Declined Listed"):
        assert hidden not in html
    assert response.context["partner_count"] == 1


def test_partner_pages_exist_only_for_public_partners(client, taxonomy):
    listed = factories.make_partner(taxonomy)
    unlisted = factories.make_partner(taxonomy, public_listing=False)
    pending = factories.make_partner(taxonomy, status=Partner.Status.PENDING, ambassador_since=None)
    declined = factories.make_partner(
        taxonomy, status=Partner.Status.DECLINED, ambassador_since=None
    )

    assert client.get(listed.get_absolute_url()).status_code == 200
    for partner in (unlisted, pending, declined):
        assert client.get(partner.get_absolute_url()).status_code == 404


def test_private_person_without_consent_is_never_shown(client, taxonomy):
    person = factories.make_partner(
        taxonomy,
        name="Grete Geheim",
        kind=Partner.Kind.PRIVATE_PERSON,
        public_listing=False,
    )

    for url in (
        DIRECTORY,
        f"{DIRECTORY}?kind=private_person",
        reverse("network:home"),
    ):
        assert "Grete Geheim" not in client.get(url).content.decode()
    assert client.get(person.get_absolute_url()).status_code == 404
    certificate = reverse("network:certificate", kwargs={"slug": person.slug})
    assert client.get(certificate).status_code == 404


def test_private_person_with_consent_is_shown_by_name_only(client, taxonomy):
    person = factories.make_partner(
        taxonomy,
        name="Hans Ehrenamt",
        kind=Partner.Kind.PRIVATE_PERSON,
        representative_name="Hans Ehrenamt (privat)",
        representative_function="Rentner",
        website="https://hans.example.org",
        email="hans@example.org",
        phone="0651 123",
        description="Lebt in der Südallee 7.",
    )

    directory_html = client.get(DIRECTORY).content.decode()
    page_html = client.get(person.get_absolute_url()).content.decode()

    assert "Hans Ehrenamt" in directory_html
    for private in ("Rentner", "hans.example.org", "hans@example.org", "0651 123", "Südallee"):
        assert private not in directory_html
        assert private not in page_html
    main = page_html.split("<main", 1)[1].split("</main>", 1)[0]
    assert taxonomy["trier"].name not in main


def test_directory_groups_by_kind_with_counts_and_schools_by_form(client, taxonomy):
    factories.make_partner(taxonomy, kind=Partner.Kind.KITA)
    factories.make_partner(taxonomy, kind=Partner.Kind.COMPANY)
    factories.make_partner(taxonomy, kind=Partner.Kind.COMPANY)
    factories.make_partner(taxonomy, kind=Partner.Kind.CHAMBER)
    factories.make_partner(
        taxonomy, kind=Partner.Kind.SECONDARY_SCHOOL, school_form=taxonomy["gym"]
    )
    factories.make_partner(
        taxonomy, kind=Partner.Kind.SECONDARY_SCHOOL, school_form=taxonomy["gym"]
    )
    factories.make_partner(taxonomy, kind=Partner.Kind.PRIMARY_SCHOOL)

    response = client.get(DIRECTORY)

    assert group_counts(response) == {"kitas": 1, "schools": 3, "companies": 2, "chambers": 1}
    schools = next(group for group in response.context["groups"] if group.key == "schools")
    assert [(sub.label, sub.count) for sub in schools.subgroups] == [
        ("Gymnasium", 2),
        (str(Partner.Kind.PRIMARY_SCHOOL.label).capitalize(), 1),
    ]
    keys = [group.key for group in response.context["groups"]]
    assert keys == ["kitas", "schools", "companies", "chambers"]


def test_directory_filters_by_kind_and_region(client, taxonomy):
    factories.make_partner(taxonomy, name="Firma Trier", kind=Partner.Kind.COMPANY)
    factories.make_partner(
        taxonomy, name="Firma Eifel", kind=Partner.Kind.COMPANY, region=taxonomy["vulkaneifel"]
    )
    factories.make_partner(taxonomy, name="Kita Trier", kind=Partner.Kind.KITA)

    response = client.get(DIRECTORY, {"kind": "company", "region": "stadt-trier"})

    html = response.content.decode()
    assert "Firma Trier" in html
    assert "Firma Eifel" not in html
    assert "Kita Trier" not in html
    assert group_counts(response) == {"companies": 1}
    # The kind choices count what the chosen region holds: one company, one Kita in Trier.
    kind_choices = dict(response.context["form"].fields["kind"].choices)
    assert kind_choices["company"].endswith("(1)")
    assert kind_choices["kita"].endswith("(1)")


def test_directory_ignores_unknown_filter_values(client, taxonomy):
    factories.make_partner(taxonomy, name="Firma Trier")

    response = client.get(DIRECTORY, {"kind": "spaceship", "region": "atlantis"})

    assert response.status_code == 200
    assert response.context["partner_count"] == 1


def test_directory_query_count_does_not_grow_with_partners(
    client, taxonomy, django_assert_max_num_queries
):
    for kind in (Partner.Kind.KITA, Partner.Kind.COMPANY, Partner.Kind.SECONDARY_SCHOOL):
        for _ in range(4):
            factories.make_partner(taxonomy, kind=kind, school_form=taxonomy["gym"])

    with django_assert_max_num_queries(4):
        client.get(DIRECTORY)


def test_partner_page_shows_since_when_ambassador_and_live_offers_linked(client, taxonomy):
    provider = factories.make_provider(taxonomy, name="IT Haus GmbH")
    live = factories.make_offer(taxonomy, provider=provider, title="Schulpraktikum IT")
    factories.make_offer(
        taxonomy, provider=provider, title="Entwurf Robotik", status=Offer.Status.DRAFT
    )
    factories.make_offer(taxonomy, title="Fremdes Angebot")
    partner = factories.make_partner(taxonomy, name="IT Haus GmbH", provider=provider)

    response = client.get(partner.get_absolute_url())

    html = response.content.decode()
    assert "Schulpraktikum IT" in html
    assert f'href="{reverse("offers:offer_detail", kwargs={"pk": live.pk})}"' in html
    assert "Entwurf Robotik" not in html
    assert "Fremdes Angebot" not in html
    assert "2013" in html  # supports the network since 1 March 2013
    assert reverse("network:certificate", kwargs={"slug": partner.slug}) in html


def test_partner_page_without_award_does_not_claim_it(client, taxonomy):
    partner = factories.make_partner(taxonomy, ambassador_since=None)

    html = client.get(partner.get_absolute_url()).content.decode()

    assert reverse("network:certificate", kwargs={"slug": partner.slug}) not in html
    assert 'class="badge"' not in html


def test_network_page_shows_editable_texts_and_partner_count(client, taxonomy):
    factories.make_network_profile(
        name="MINT-Initiativkreis Trier",
        goals="Interesse wecken\nBegabungen unterstützen",
        patron_name="Wolfram Leibe",
        patron_function="Oberbürgermeister",
        office_name="Kommunales Bildungsmanagement",
        office_phone="0651 000000",
    )
    factories.make_partner(taxonomy)
    factories.make_partner(taxonomy, public_listing=False, ambassador_since=None)
    factories.make_partner(taxonomy, status=Partner.Status.PENDING, ambassador_since=None)

    response = client.get(reverse("network:home"))

    html = response.content.decode()
    assert "<li>Interesse wecken</li>" in html
    assert "<li>Begabungen unterstützen</li>" in html
    assert "Wolfram Leibe" in html
    assert "Kommunales Bildungsmanagement" in html
    assert "buero@example.org" in html
    assert response.context["member_count"] == 2
    assert response.context["listed_count"] == 1
    assert response.context["ambassador_count"] == 1
    assert reverse("network:declaration") in html


def test_network_pages_work_before_the_profile_is_filled_in(client, db):
    assert client.get(reverse("network:home")).status_code == 200
    response = client.get(reverse("network:declaration"))
    assert response.status_code == 200
    main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert "<form" not in main


def test_main_navigation_links_the_network(client, db):
    assert 'href="/netzwerk/"' in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("logo.png", b"<html>not a png</html>"),
    ],
)
def test_logo_must_be_a_raster_image(taxonomy, name, content):
    partner = factories.make_partner(taxonomy)
    partner.logo = SimpleUploadedFile(name, content)

    with pytest.raises(ValidationError) as error:
        partner.full_clean()

    assert "logo" in error.value.message_dict


def png_bytes(width=120, height=60):
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (width, height), "#0b5c7a").save(buffer, format="PNG")
    return buffer.getvalue()


def test_uploaded_logo_is_shown_with_its_size(client, admin_client, taxonomy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    partner = factories.make_partner(taxonomy, name="Logo GmbH")
    change_url = f"/admin/network/partner/{partner.pk}/change/"
    form = admin_client.get(change_url).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields and name != "logo"
    }
    data.update(
        public_listing="on",
        region=taxonomy["trier"].pk,
        logo=SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png"),
    )

    response = admin_client.post(change_url, data)

    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.logo_width, partner.logo_height) == (120, 60)
    html = client.get(DIRECTORY).content.decode()
    assert f'src="{partner.logo.url}"' in html
    assert 'width="120" height="60"' in html


def test_oversized_logo_is_refused_with_a_message(admin_client, taxonomy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    partner = factories.make_partner(taxonomy)
    change_url = f"/admin/network/partner/{partner.pk}/change/"
    form = admin_client.get(change_url).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields and name != "logo"
    }
    data.update(
        public_listing="on",
        logo=SimpleUploadedFile("logo.png", png_bytes(2400, 100), content_type="image/png"),
    )

    response = admin_client.post(change_url, data)

    assert response.status_code == 200
    assert "logo" in response.context["adminform"].form.errors
    partner.refresh_from_db()
    assert not partner.logo


def test_partner_and_network_pages_run_a_fixed_number_of_queries(
    client, taxonomy, django_assert_max_num_queries
):
    factories.make_network_profile()
    provider = factories.make_provider(taxonomy)
    for _ in range(5):
        offer = factories.make_offer(taxonomy, provider=provider)
        offer.school_forms.set([taxonomy["gym"]])
    partner = factories.make_partner(taxonomy, provider=provider)

    with django_assert_max_num_queries(3):
        client.get(partner.get_absolute_url())
    with django_assert_max_num_queries(4):
        client.get(reverse("network:home"))
