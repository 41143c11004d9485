"""What the Datenschutz text promises about retention, ``purge_personal_data`` does: old
history versions lose their personal fields, expired support declarations are deleted."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from network.models import ErasureRecord, Partner
from offers.models import ContactPerson
from tests import factories


def age(queryset, days):
    """Move rows (history versions or partners) ``days`` into the past."""
    then = timezone.now() - timedelta(days=days)
    field = "history_date" if hasattr(queryset.model, "history_id") else "updated_at"
    queryset.update(**{field: then, **({"created_at": then} if field == "updated_at" else {})})


def purge(*args):
    out = io.StringIO()
    call_command("purge_personal_data", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def contact(taxonomy):
    provider = factories.make_provider(taxonomy, slug="it-haus")
    person = ContactPerson.objects.create(
        provider=provider, name="Dana Muster", email="alt@example.org", phone="0651 1"
    )
    person.email = "neu@example.org"
    person.save()
    return person


def test_old_history_versions_lose_personal_fields_but_the_live_ones_stay(contact, settings):
    settings.PERSONAL_HISTORY_RETENTION_DAYS = 730
    age(contact.history.all(), 731)

    purge()

    versions = contact.history.order_by("history_id")
    assert [(v.name, v.email) for v in versions] == [
        ("[gelöscht]", ""),
        ("Dana Muster", "neu@example.org"),  # the newest version is the live row
    ]
    contact.refresh_from_db()
    assert (contact.name, contact.email, contact.phone) == (
        "Dana Muster",
        "neu@example.org",
        "0651 1",
    )
    record = ErasureRecord.objects.get()
    assert (record.reason, record.object_id, record.history_rows) == ("retention", None, 1)


def test_the_history_of_deleted_entries_is_cleared_after_the_period(contact):
    contact_id = contact.pk
    contact.delete()
    history = ContactPerson.history.model.objects.filter(id=contact_id)
    age(history, 731)

    purge()

    assert set(history.values_list("name", "email", "phone")) == {("[gelöscht]", "", "")}


def test_recent_history_is_kept(contact):
    age(contact.history.all(), 700)

    purge()

    assert "alt@example.org" in contact.history.values_list("email", flat=True)
    assert not ErasureRecord.objects.exists()


def test_expired_support_declarations_are_deleted(taxonomy):
    declined = factories.make_partner(
        taxonomy, status=Partner.Status.DECLINED, ambassador_since=None, email="d@example.org"
    )
    pending = factories.make_partner(
        taxonomy, status=Partner.Status.PENDING, ambassador_since=None, email="p@example.org"
    )
    recent = factories.make_partner(taxonomy, status=Partner.Status.DECLINED, ambassador_since=None)
    # Entered long ago, but signed (and so come in) only last week: not yet expired.
    late = factories.make_partner(
        taxonomy,
        status=Partner.Status.PENDING,
        ambassador_since=None,
        declaration_date=timezone.localdate() - timedelta(days=7),
    )
    age(Partner.objects.filter(pk=late.pk), 400)
    member = factories.make_partner(taxonomy)
    age(Partner.objects.filter(pk=declined.pk), 31)
    age(Partner.objects.filter(pk=pending.pk), 91)
    age(Partner.objects.filter(pk=member.pk), 5000)

    output = purge()

    assert set(Partner.objects.all()) == {recent, member, late}
    assert "Deleted 2 support declaration(s)" in output
    emails = Partner.history.model.objects.values_list("email", flat=True)
    assert "d@example.org" not in emails and "p@example.org" not in emails
    assert set(ErasureRecord.objects.values_list("object_id", "reason", "row_deleted")) == {
        (declined.pk, "retention", True),
        (pending.pk, "retention", True),
    }


def test_a_dry_run_changes_nothing(contact, taxonomy):
    age(contact.history.all(), 800)
    declined = factories.make_partner(taxonomy, status="declined", ambassador_since=None)
    age(Partner.objects.filter(pk=declined.pk), 40)

    output = purge("--dry-run")

    assert "Would delete 1 support declaration(s)" in output
    assert "offers.ContactPerson: 1" in output
    assert Partner.objects.filter(pk=declined.pk).exists()
    assert "alt@example.org" in contact.history.values_list("email", flat=True)
    assert not ErasureRecord.objects.exists()


def test_the_privacy_page_names_the_retention_periods(client, db, settings):
    text = client.get("/datenschutz/").content.decode()

    assert "Speicherdauer" in text
    assert f"{settings.PERSONAL_HISTORY_RETENTION_DAYS // 365 * 12} Monaten" in text
    assert f"{settings.DECLARATION_DECLINED_RETENTION_DAYS} Tage nach der Entscheidung" in text
    assert f"nach {settings.DECLARATION_PENDING_RETENTION_DAYS} Tagen" in text
    assert "E-Mail-Adresse anzeigen" in text
