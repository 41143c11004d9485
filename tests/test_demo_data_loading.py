"""`make run` as a newcomer meets it: the demo data is loaded once and edits survive the next
start, its confirmation dates are relative to the day of loading, and the printed login
address has the port the server really listens on."""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from demo.management.commands import load_demo_data
from offers.models import Offer, Region

pytestmark = pytest.mark.django_db


def load(**options):
    out = io.StringIO()
    call_command("load_demo_data", stdout=out, **options)
    return out.getvalue()


def test_a_second_load_keeps_what_was_edited_in_the_admin(db):
    load(verbosity=0)
    offer = Offer.objects.order_by("pk").first()
    offer.title = "Von Hand geändert"
    offer.save()
    Region.objects.filter(slug="stadt-trier").update(name="Trier (Stadt)")
    deleted = Offer.objects.order_by("-pk").first().pk
    Offer.objects.filter(pk=deleted).delete()

    said = load(verbosity=1)

    assert Offer.objects.get(pk=offer.pk).title == "Von Hand geändert"
    assert Region.objects.get(slug="stadt-trier").name == "Trier (Stadt)"
    assert not Offer.objects.filter(pk=deleted).exists()
    assert "not loaded again" in said and "--force" in said


def fixture_confirmations():
    """Offer pk -> "last confirmed" as written in fixtures/demo.json."""
    rows = json.loads(load_demo_data.DEMO.read_text(encoding="utf-8"))
    return {
        row["pk"]: datetime.date.fromisoformat(row["fields"]["last_confirmed"])
        for row in rows
        if row["model"] == "offers.offer"
    }


def test_confirmation_dates_are_relative_to_the_day_of_loading(db, monkeypatch, settings):
    # Years after the fixture was written: the demo must not have turned stale as a whole.
    today = datetime.date(2031, 6, 15)
    monkeypatch.setattr(load_demo_data.timezone, "localdate", lambda: today)
    load(verbosity=0)
    year_ago = today - datetime.timedelta(days=settings.OFFER_STALE_AFTER_DAYS)
    written = fixture_confirmations()
    fixture_year_ago = load_demo_data.FIXTURE_DAY - datetime.timedelta(
        days=settings.OFFER_STALE_AFTER_DAYS
    )
    should_be_stale = {pk for pk, day in written.items() if day < fixture_year_ago}

    confirmed = dict(Offer.objects.values_list("pk", "last_confirmed"))
    published = set(Offer.objects.published().values_list("pk", flat=True))
    stale = {pk for pk in published if confirmed[pk] < year_ago}

    assert max(confirmed.values()) <= today
    # The same few offers wait for confirmation whenever the demo is loaded, not all of them.
    assert stale == should_be_stale & published
    assert 0 < len(stale) < len(published) / 5
    # Each date keeps its distance to the day of loading.
    for pk, day in written.items():
        assert (load_demo_data.FIXTURE_DAY - day) == (today - confirmed[pk])
    offer = Offer.objects.get(pk=1)
    assert offer.created_at.date() <= offer.updated_at.date() <= today


def test_the_demo_coordinator_is_told_the_real_port(db, settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("PORT", "8123")
    out = io.StringIO()

    call_command("ensure_demo_coordinator", stdout=out)

    assert "http://127.0.0.1:8123/admin/" in out.getvalue()
    monkeypatch.delenv("PORT")
    out = io.StringIO()
    call_command("ensure_demo_coordinator", stdout=out)
    assert "http://127.0.0.1:8000/admin/" in out.getvalue()
