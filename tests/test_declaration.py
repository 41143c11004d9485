"""The online support declaration: submission, spam guard, review in the admin, e-mails."""

import time
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import gettext

from network import spam
from network.models import Partner
from tests import factories

FORM = "/netzwerk/unterstuetzen/"
DIRECTORY = "/netzwerk/partner/"
CHANGELIST = "/admin/network/partner/"


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def profile(db):
    return factories.make_network_profile(
        name="MINT-Initiativkreis Trier",
        declaration_text="Wir fördern MINT von der Kita bis zum Abitur.",
        office_email="buero@example.org",
        notification_email="koordination@example.org",
    )


def old_stamp(seconds=60):
    """A form stamp as if the form had been opened ``seconds`` ago."""
    with mock.patch("django.core.signing.time.time", return_value=time.time() - seconds):
        return spam.form_stamp()


def declaration(**overrides):
    data = {
        "name": "Stadtwerke Trier",
        "kind": "company",
        "region": "",
        "school_form": "",
        "representative_name": "Erika Beispiel",
        "representative_function": "Personalleiterin",
        "email": "erika@example.org",
        "phone": "0651 123456",
        "website": "https://www.example.org",
        "description": "Workshops zu Wasser und Energie.",
        "public_listing": "on",
        "accept_declaration": "on",
        "homepage": "",
        "started": old_stamp(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def companies_in_directory(client):
    groups = client.get(DIRECTORY).context["groups"]
    return next((group.count for group in groups if group.key == "companies"), 0)


def test_declaration_goes_pending_then_approved_and_appears_in_directory(
    client, admin_client, taxonomy, profile
):
    factories.make_partner(taxonomy, kind=Partner.Kind.COMPANY)
    assert companies_in_directory(client) == 1

    response = client.post(FORM, declaration(region=taxonomy["trier"].pk))

    assert response.status_code == 302
    assert response["Location"] == reverse("network:declaration_thanks")
    partner = Partner.objects.get(name="Stadtwerke Trier")
    assert partner.status == Partner.Status.PENDING
    assert partner.region == taxonomy["trier"]
    assert partner.declaration_text == profile.declaration_text
    assert partner.declaration_date is not None
    assert companies_in_directory(client) == 1
    assert client.get(partner.get_absolute_url()).status_code == 404

    # Declarant and coordinators are told at once.
    assert sorted(message.to[0] for message in mail.outbox) == [
        "erika@example.org",
        "koordination@example.org",
    ]
    to_coordinators = next(m for m in mail.outbox if m.to == ["koordination@example.org"])
    assert f"/admin/network/partner/{partner.pk}/change/" in to_coordinators.body
    assert "Stadtwerke Trier" in to_coordinators.subject
    mail.outbox.clear()

    response = admin_client.post(
        CHANGELIST,
        {"action": "approve_and_award", "_selected_action": [partner.pk]},
    )

    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.status == Partner.Status.APPROVED
    assert partner.is_ambassador
    assert companies_in_directory(client) == 2
    assert client.get(partner.get_absolute_url()).status_code == 200
    assert [message.to for message in mail.outbox] == [["erika@example.org"]]
    assert partner.get_absolute_url() in mail.outbox[0].body
    assert (
        partner.history.first().history_change_reason == "Angenommen"
    )  # recorded in the language of the request (German)


def test_approval_without_award_leaves_ambassador_empty(admin_client, taxonomy, profile):
    partner = factories.make_partner(
        taxonomy, status=Partner.Status.PENDING, ambassador_since=None, email="a@example.org"
    )

    admin_client.post(CHANGELIST, {"action": "approve", "_selected_action": [partner.pk]})

    partner.refresh_from_db()
    assert partner.status == Partner.Status.APPROVED
    assert not partner.is_ambassador
    assert len(mail.outbox) == 1


def test_declined_declaration_never_appears(client, admin_client, profile):
    client.post(FORM, declaration(name="Spam und Söhne"))
    partner = Partner.objects.get(name="Spam und Söhne")
    mail.outbox.clear()

    admin_client.post(CHANGELIST, {"action": "decline", "_selected_action": [partner.pk]})

    partner.refresh_from_db()
    assert partner.status == Partner.Status.DECLINED
    assert "Spam und Söhne" not in client.get(DIRECTORY).content.decode()
    assert client.get(partner.get_absolute_url()).status_code == 404
    assert mail.outbox == []


def test_approving_in_the_change_form_also_sends_the_welcome_mail(admin_client, taxonomy, profile):
    partner = factories.make_partner(
        taxonomy,
        status=Partner.Status.PENDING,
        ambassador_since=None,
        email="b@example.org",
        kind=Partner.Kind.KITA,
    )
    change_url = f"/admin/network/partner/{partner.pk}/change/"
    form = admin_client.get(change_url).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update(status="approved", public_listing="on", region=taxonomy["trier"].pk)
    data.pop("logo", None)
    data["declaration_date"] = "2026-11-20"

    response = admin_client.post(change_url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Partner.objects.get(pk=partner.pk).status == Partner.Status.APPROVED
    assert [message.to for message in mail.outbox] == [["b@example.org"]]


def test_admin_lists_the_pending_queue_first(admin_client, taxonomy):
    factories.make_partner(taxonomy, name="Aaa approved")
    factories.make_partner(
        taxonomy, name="Zzz pending", status=Partner.Status.PENDING, ambassador_since=None
    )

    response = admin_client.get(CHANGELIST)

    names = [partner.name for partner in response.context["cl"].result_list]
    assert names[0] == "Zzz pending"


def test_admin_filters_by_ambassador_and_consent(admin_client, taxonomy):
    factories.make_partner(taxonomy, name="Botschafter")
    factories.make_partner(taxonomy, name="Ohne Urkunde", ambassador_since=None)
    factories.make_partner(taxonomy, name="Nicht gelistet", public_listing=False)

    ambassadors = admin_client.get(CHANGELIST, {"ambassador": "no"}).context["cl"].result_list
    unlisted = admin_client.get(CHANGELIST, {"public_listing__exact": "0"}).context["cl"]

    assert [partner.name for partner in ambassadors] == ["Ohne Urkunde"]
    assert [partner.name for partner in unlisted.result_list] == ["Nicht gelistet"]


def test_form_with_mistakes_comes_back_filled_in_with_clear_messages(client, profile):
    response = client.post(
        FORM,
        declaration(email="erika-at-example", accept_declaration=None, name="Kita Sonnenschein"),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Kita Sonnenschein"' in html
    assert 'value="erika-at-example"' in html
    assert "Workshops zu Wasser und Energie." in html
    assert gettext("Please enter a valid e-mail address, such as name@example.org.") in html
    assert (
        gettext(
            "Please agree to the support declaration; without it we cannot add you to the network."
        )
        in html
    )
    assert 'aria-invalid="true"' in html
    assert not Partner.objects.exists()
    assert mail.outbox == []


def test_a_bot_filling_the_honeypot_is_rejected(client, profile):
    response = client.post(FORM, declaration(homepage="https://cheap-pills.example"))

    assert response.status_code == 200
    assert not Partner.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("stamp", ["", "forged:stamp", "now"])
def test_a_post_without_a_plausible_fill_time_is_rejected(client, profile, stamp):
    response = client.post(
        FORM, declaration(started=spam.form_stamp() if stamp == "now" else stamp)
    )

    assert response.status_code == 200
    assert not Partner.objects.exists()
    assert mail.outbox == []


def test_a_flood_from_one_address_is_stopped_and_keeps_the_input(client, profile):
    for n in range(spam.SUBMISSIONS_PER_HOUR):
        assert client.post(FORM, declaration(name=f"Firma {n}")).status_code == 302

    response = client.post(FORM, declaration(name="Firma zu viel"))

    assert response.status_code == 429
    assert 'value="Firma zu viel"' in response.content.decode()
    assert Partner.objects.count() == spam.SUBMISSIONS_PER_HOUR
    assert not Partner.objects.filter(name="Firma zu viel").exists()
    # Another address is not affected.
    other = client.post(FORM, declaration(name="Andere Firma"), REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 302


def test_mail_failure_keeps_the_declaration(client, profile, settings):
    settings.EMAIL_BACKEND = "tests.test_declaration.BrokenMailBackend"

    response = client.post(FORM, declaration())

    assert response.status_code == 302
    assert Partner.objects.filter(status=Partner.Status.PENDING).count() == 1


class BrokenMailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_school_form_is_kept_only_for_schools(client, taxonomy, profile):
    client.post(FORM, declaration(name="Firma", school_form=taxonomy["gym"].pk))
    client.post(
        FORM,
        declaration(name="AVG", kind="secondary_school", school_form=taxonomy["gym"].pk),
    )

    assert Partner.objects.get(name="Firma").school_form is None
    assert Partner.objects.get(name="AVG").school_form == taxonomy["gym"]


def test_mail_subjects_show_names_with_ampersands_and_quotes_as_typed(client, profile):
    profile.name = "MINT & Co „Trier“"
    profile.save()
    client.post(FORM, declaration(name="Müller & Söhne's <GmbH>"))

    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert "Müller & Söhne's <GmbH>" in subjects["koordination@example.org"]
    assert "MINT & Co „Trier“" in subjects["erika@example.org"]
    assert not any("&amp;" in s or "&#x27;" in s or "&lt;" in s for s in subjects.values())
