"""A coordinator erases a person's data: from the live row, from every history version, from
the admin log and so from backups, with a record of who did it, when and to what."""

import io
import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse

from network.models import Partner
from offers.models import ContactPerson
from tests import factories
from tests.admin_support import make_user, setup_roles

SECRETS = ("Rainer Hoffmann", "rainer@example.org", "0651 4711", "Kerstin Vertreterin")


@pytest.fixture
def coordinator(taxonomy):
    setup_roles()
    return make_user("Koordination")


@pytest.fixture
def partners(taxonomy):
    """A private member and an organisation's representative, each with a history."""
    private = factories.make_partner(
        taxonomy,
        name="Rainer Hoffmann",
        slug="rainer-hoffmann",
        kind=Partner.Kind.PRIVATE_PERSON,
        representative_name="Rainer Hoffmann",
        email="rainer@example.org",
    )
    private.phone = "0651 4711"
    private.save()
    company = factories.make_partner(
        taxonomy,
        name="Eifel Solartechnik GmbH",
        representative_name="Kerstin Vertreterin",
        representative_function="Geschäftsführerin",
        email="k.vertreterin@example.org",
    )
    company.phone = "0651 4711-2"
    company.save()
    LogEntry.objects.log_actions(
        user_id=make_user_id(),
        queryset=[private],
        action_flag=CHANGE,
        change_message="[]",
        single_object=True,
    )
    return private, company


def make_user_id():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username="logger").pk


def everything_kept(tmp_path):
    """The history tables, the admin log and a backup_data file, as one text."""
    path = tmp_path / "backup.json"
    call_command("backup_data", str(path), stdout=io.StringIO())
    history = [
        *Partner.history.model.objects.values(),
        *ContactPerson.history.model.objects.values(),
        *LogEntry.objects.values("object_repr", "change_message"),
    ]
    return path.read_text() + json.dumps(history, default=str, ensure_ascii=False)


def run_action(client, model, objects, *, confirm):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    data = {"action": "erase_personal_data", "_selected_action": [obj.pk for obj in objects]}
    if confirm:
        data["post"] = "yes"
    return client.post(url, data)


def test_the_erase_action_removes_partners_data_from_history_and_backups(
    client, coordinator, partners, tmp_path
):
    private, company = partners
    assert all(secret in everything_kept(tmp_path) for secret in SECRETS)
    client.force_login(coordinator)

    confirmation = run_action(client, Partner, partners, confirm=False)
    assert confirmation.status_code == 200
    assert Partner.objects.filter(pk=private.pk).exists()  # nothing before the confirmation
    run_action(client, Partner, partners, confirm=True)

    kept = everything_kept(tmp_path)
    for secret in SECRETS:
        assert secret not in kept, f"{secret!r} is still kept"
    assert not Partner.objects.filter(pk=private.pk).exists()
    company.refresh_from_db()
    assert company.name == "Eifel Solartechnik GmbH"  # the organisation stays a member
    assert (company.representative_name, company.email, company.phone) == ("", "", "")

    from network.models import ErasureRecord

    records = ErasureRecord.objects.order_by("object_id")
    assert [(r.object_id, r.row_deleted) for r in records] == [
        (private.pk, True),
        (company.pk, False),
    ]
    assert {r.erased_by for r in records} == {coordinator}
    assert all(r.history_rows >= 2 for r in records)


def test_the_erase_action_deletes_contact_persons_and_their_history(
    client, coordinator, taxonomy, tmp_path
):
    provider = factories.make_provider(taxonomy, slug="it-haus")
    person = ContactPerson.objects.create(
        provider=provider, name="Dana Muster", email="dana@example.org", phone="0651 1"
    )
    person.email = "d.muster@example.org"
    person.save()
    offer = factories.make_offer(taxonomy, provider=provider, contact=person)
    # The provider's admin log names the contact added in its inline.
    LogEntry.objects.log_actions(
        user_id=coordinator.pk,
        queryset=[provider],
        action_flag=CHANGE,
        change_message=json.dumps([{"added": {"name": "contact person", "object": "Dana Muster"}}]),
        single_object=True,
    )
    client.force_login(coordinator)

    run_action(client, ContactPerson, [person], confirm=True)

    kept = everything_kept(tmp_path)
    for secret in ("Dana Muster", "dana@example.org", "d.muster@example.org", "0651 1"):
        assert secret not in kept, f"{secret!r} is still kept"
    offer.refresh_from_db()
    assert offer.contact is None

    from network.models import ErasureRecord

    record = ErasureRecord.objects.get()
    assert (record.object_id, record.row_deleted, record.history_rows) == (person.pk, True, 3)
    assert record.content_type == ContentType.objects.get_for_model(ContactPerson)
    assert record.erased_by_name == coordinator.username


def test_only_coordinators_may_erase(client, taxonomy, coordinator, partners):
    provider = factories.make_provider(taxonomy)
    editor = make_user("Anbieter-Redaktion", providers=[provider])
    reader = make_user("Lesezugriff")
    person = ContactPerson.objects.create(provider=provider, name="Eva", email="eva@example.org")
    for user in (editor, reader):
        client.force_login(user)
        run_action(client, ContactPerson, [person], confirm=True)
        run_action(client, Partner, partners, confirm=True)
    assert ContactPerson.objects.filter(pk=person.pk).exists()
    assert Partner.objects.count() == 2
    assert not ContactPerson.history.model.objects.filter(name="[gelöscht]").exists()


def test_the_record_keeps_no_personal_data_and_is_read_only(client, coordinator, partners):
    client.force_login(coordinator)
    run_action(client, Partner, partners, confirm=True)

    page = client.get(reverse("admin:network_erasurerecord_changelist"))

    assert page.status_code == 200
    for secret in SECRETS:
        assert secret not in page.text
    assert client.get(reverse("admin:network_erasurerecord_add")).status_code == 403


def test_a_partner_deleted_before_is_erased_by_the_command(partners, tmp_path):
    private, company = partners
    partner_id = private.pk
    private.delete()  # the ordinary delete keeps the history
    assert "rainer@example.org" in everything_kept(tmp_path)

    call_command("erase_personal_data", "partner", str(partner_id), stdout=io.StringIO())

    kept = everything_kept(tmp_path)
    assert "rainer@example.org" not in kept and "Rainer Hoffmann" not in kept
    assert "Kerstin Vertreterin" in kept  # nobody else's data


def test_the_confirmation_names_the_same_person_elsewhere(client, coordinator, partners, taxonomy):
    private, company = partners
    provider = factories.make_provider(taxonomy, name="Solar GmbH")
    contact = ContactPerson.objects.create(provider=provider, name="Kerstin Vertreterin")
    client.force_login(coordinator)

    partner_page = run_action(client, Partner, [company], confirm=False).content.decode()
    contact_page = run_action(client, ContactPerson, [contact], confirm=False).content.decode()

    contact_url = reverse("admin:offers_contactperson_change", args=[contact.pk])
    assert f'href="{contact_url}"' in partner_page and "Solar GmbH" in partner_page
    assert reverse("admin:network_partner_change", args=[company.pk]) in contact_page
