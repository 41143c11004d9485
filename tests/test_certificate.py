"""The printable "MINT-Botschafter" certificate, generated from the partner's data."""

import datetime

from django.contrib.staticfiles import finders
from django.urls import reverse

from network.models import Partner
from tests import factories


def certificate_url(partner):
    return reverse("network:certificate", kwargs={"slug": partner.slug})


def test_certificate_names_partner_network_patron_and_award_date(client, taxonomy):
    factories.make_network_profile(
        name="MINT-Initiativkreis Trier",
        patron_name="Wolfram Leibe",
        patron_function="Oberbürgermeister",
        certificate_text="für das Engagement in der MINT-Förderung.",
    )
    partner = factories.make_partner(
        taxonomy,
        name="Hochschule Trier",
        representative_name="Prof. Dr. Eva Test",
        ambassador_since=datetime.date(2014, 6, 1),
    )

    response = client.get(certificate_url(partner))

    assert response.status_code == 200
    html = response.content.decode()
    for expected in (
        "Hochschule Trier",
        "Prof. Dr. Eva Test",
        "MINT-Initiativkreis Trier",
        "Wolfram Leibe",
        "Oberbürgermeister",
        "für das Engagement in der MINT-Förderung.",
        "2014",
    ):
        assert expected in html
    assert "certificate.css" in html


def test_certificate_is_an_a4_landscape_print_page():
    with open(finders.find("css/certificate.css"), encoding="utf-8") as css:
        stylesheet = css.read()

    assert "@page { size: A4 landscape;" in stylesheet
    assert "@media print" in stylesheet


def test_no_certificate_without_award_or_approval(client, taxonomy):
    not_awarded = factories.make_partner(taxonomy, ambassador_since=None)
    declined = factories.make_partner(
        taxonomy, status=Partner.Status.DECLINED, ambassador_since=None
    )
    pending = factories.make_partner(taxonomy, status=Partner.Status.PENDING, ambassador_since=None)

    for partner in (not_awarded, declined, pending):
        assert client.get(certificate_url(partner)).status_code == 404


def test_certificate_of_an_unlisted_ambassador_is_for_coordinators_only(
    client, admin_client, taxonomy
):
    partner = factories.make_partner(taxonomy, public_listing=False)

    assert client.get(certificate_url(partner)).status_code == 404
    assert admin_client.get(certificate_url(partner)).status_code == 200


def test_admin_links_the_certificate_of_an_ambassador(admin_client, taxonomy):
    partner = factories.make_partner(taxonomy)

    response = admin_client.get(f"/admin/network/partner/{partner.pk}/change/")

    assert certificate_url(partner) in response.content.decode()
