"""The offer import checked with the models' own rules, written in bulk, and run as a
background job with a progress page (issue 13, "Imports in bulk and off the request")."""

import contextlib
import datetime
import socket
import threading
import time

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from offers.importing import jobs, links
from offers.models import ImportJob, Offer
from tests.admin_support import make_user, setup_roles
from tests.test_import_export import HEADER, as_csv, good_rows, row, run, snapshot, upload

REASON_DE = "Aus Tabelle importiert"


@pytest.fixture
def coordinator(taxonomy):
    setup_roles()
    return make_user("Koordination")


def many_rows(count, *, providers=5, regions="Stadt Trier; Landkreis Vulkaneifel"):
    """``count`` distinct offers of a few providers (the first is IT Haus GmbH)."""
    return [
        row(
            Anbieter="IT Haus GmbH" if n % providers == 0 else f"Firma {n % providers}",
            Code=f"B {n}",
            Titel=f"Angebot {n}",
            Ansprechperson=f"Person {n % 3}",
            Einsatzregionen=regions,
        )
        for n in range(count)
    ]


# Checked with the models' own rules in the dry run.


def test_dry_run_reports_a_website_longer_than_the_database_allows(coordinator):
    website = "https://example.org/" + "a" * 250  # 270 characters; the field takes 200
    rows = good_rows()
    for cells in rows:
        cells[HEADER.index("Website")] = website
    before = snapshot()
    with translation.override("de"):
        report = run(as_csv(rows), coordinator, dry_run=True)
        assert not report.is_valid
        error = report.errors[0]
        assert len(report.errors) == len(rows)  # each row names the provider's website
        assert error.startswith("Zeile 2, Website: ")
        assert "200" in error and "270" in error
        assert not run(as_csv(rows), coordinator, dry_run=False).written
    assert snapshot() == before


# Written in bulk, with one history entry per saved row.


def queries_of_import(rows, user):
    with CaptureQueriesContext(connection) as queries:
        report = run(as_csv(rows), user, dry_run=False)
    assert report.written, report.errors
    return len(queries)


def test_import_costs_about_the_same_queries_for_50_and_500_offers(coordinator):
    small = queries_of_import(many_rows(50), coordinator)
    Offer.objects.filter(code__startswith="B ").delete()
    large = queries_of_import(many_rows(500), coordinator)
    # Only the database's batch size adds queries (SQLite takes ~30 rows per INSERT):
    # under 0.1 queries for each further offer, where it was ~54 per offer.
    assert large - small <= 45, (small, large)
    # Changing every offer again: bulk updates, not a save per row.
    changed = queries_of_import(many_rows(500, regions="Stadt Trier"), coordinator)
    assert changed - small <= 60, (small, changed)


def test_each_saved_offer_gets_one_history_entry_with_its_links_and_the_user(coordinator):
    with translation.override("de"):
        run(as_csv(many_rows(12)), coordinator, dry_run=False)
    offers = Offer.objects.filter(code__startswith="B ")
    assert offers.count() == 12
    entries = Offer.history.filter(code__startswith="B ")
    assert entries.count() == 12
    entry = entries.first()
    assert entry.history_type == "+"
    assert entry.history_user == coordinator
    assert entry.history_change_reason == REASON_DE
    assert {s.sector.name for s in entry.sectors.all()} == {"IT, Computer"}
    assert entry.regions.count() == 2

    with translation.override("de"):
        again = run(as_csv(many_rows(12)), coordinator, dry_run=False)
    assert again.count("unchanged") == 12
    assert entries.count() == 12  # importing the same file twice writes nothing

    with translation.override("de"):
        changed = run(as_csv(many_rows(12, regions="Stadt Trier")), coordinator, dry_run=False)
    assert changed.count("changed") == 12
    newest = Offer.history.filter(code="B 3").first()
    assert newest.history_type == "~"
    assert [r.region.name for r in newest.regions.all()] == ["Stadt Trier"]
    assert [r.name for r in Offer.objects.get(code="B 3").regions.all()] == ["Stadt Trier"]


def test_a_database_error_mid_import_leaves_nothing_written(coordinator, monkeypatch):
    real = links._replace_links

    def failing(key, saved):
        if key == "school_forms":
            raise IntegrityError("simulated failure")
        real(key, saved)

    monkeypatch.setattr(links, "_replace_links", failing)
    before = snapshot()
    report = run(as_csv(many_rows(20)), coordinator, dry_run=False)
    assert not report.written
    assert any("simulated failure" in problem for problem in report.problems)
    assert snapshot() == before


# The background job and its progress page.


@pytest.fixture
def fake_queue(settings, monkeypatch):
    """A queue that keeps the jobs until the test runs them (as a worker would)."""
    import django_rq

    settings.OFFER_IMPORT_QUEUE = "default"
    queued = []

    class Queue:
        def enqueue(self, function, *args, job_timeout, on_failure):
            assert job_timeout == settings.OFFER_IMPORT_TIMEOUT
            assert on_failure.func is jobs.queue_job_failed
            queued.append((function, args))

    monkeypatch.setattr(django_rq, "get_queue", lambda name, connection, commit_mode: Queue())
    return queued


def confirm(client, data):
    preview = upload(client, data)
    assert 'name="confirm"' in preview.text
    token = preview.context["token"]
    return client.post(reverse("admin:offers_offer_import"), {"confirm": "1", "token": token})


def test_confirmed_import_runs_as_a_job_with_a_german_progress_page(
    client, coordinator, fake_queue, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(client, as_csv(good_rows()))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:offers_offer_import_job", args=[job.pk])
    assert job.user == coordinator and job.state == ImportJob.State.QUEUED
    assert not Offer.objects.filter(provider__name="IT Haus GmbH").exists()

    waiting = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="de")
    # The page updates itself by script (static/js/import-progress.js), not by a timed
    # refresh that would move a screen reader to the top every two seconds.
    assert "data-import-running" in waiting.text and "http-equiv" not in waiting.text
    assert "import-progress.js" in waiting.text
    assert "<progress" in waiting.text
    assert "im Hintergrund" in waiting.text

    ((function, args),) = fake_queue
    function(*args)  # the worker
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.data == b""
    assert Offer.objects.filter(provider__name="IT Haus GmbH").count() == 7

    done = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="de")
    assert "data-import-running" not in done.text
    assert 'value="100"' in done.text
    assert "Import abgeschlossen: 7 neue" in done.text
    assert "Praktikum Fachinformatik" in done.text


def silent_server():
    """A port that accepts connections and never answers, as a hung Redis does."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []

    def accept():
        with contextlib.suppress(OSError):
            while True:
                accepted.append(listener.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    return listener, accepted


@pytest.mark.parametrize("redis_state", ["stopped", "hung"])
def test_a_queue_that_cannot_be_reached_fails_the_job_at_once_with_a_reason(
    client, coordinator, settings, django_capture_on_commit_callbacks, redis_state
):
    settings.OFFER_IMPORT_QUEUE = "default"
    settings.QUEUE_ENQUEUE_TIMEOUT = 0.5
    listener, accepted = silent_server()
    port = listener.getsockname()[1]
    if redis_state == "stopped":
        listener.close()
    settings.RQ_QUEUES = {"default": {"URL": f"redis://127.0.0.1:{port}/0"}}
    client.force_login(coordinator)
    started = time.monotonic()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = confirm(client, as_csv(good_rows()))
    finally:
        listener.close()
        for connection in accepted:
            connection.close()
    assert time.monotonic() - started < 10
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.FAILED and job.data == b""
    assert not Offer.objects.filter(provider__name="IT Haus GmbH").exists()
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="de")
    assert "Die Auftragswarteschlange war nicht erreichbar" in page.text
    assert "data-import-running" not in page.text


def test_without_a_queue_the_job_runs_at_once(client, coordinator, settings):
    settings.OFFER_IMPORT_QUEUE = None
    client.force_login(coordinator)
    response = confirm(client, as_csv(good_rows()))
    assert ImportJob.objects.get().state == ImportJob.State.DONE
    assert Offer.objects.filter(provider__name="IT Haus GmbH").count() == 7
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="de")
    assert "Import abgeschlossen" in page.text


def test_a_job_that_fails_writes_nothing_and_shows_why(client, coordinator, monkeypatch):
    def failing(key, saved):
        raise IntegrityError("kaputt")

    monkeypatch.setattr(links, "_replace_links", failing)
    client.force_login(coordinator)
    before = snapshot()
    response = confirm(client, as_csv(good_rows()))
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.FAILED
    assert snapshot() == before
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="de")
    assert "nichts wurde geschrieben" in page.text and "kaputt" in page.text


def test_only_importers_can_start_or_see_an_import_job(client, coordinator):
    job = jobs.start_import(
        data=as_csv(good_rows()), file_name="a.csv", user=coordinator, language="de"
    )
    editor = make_user("Anbieter-Redaktion")
    client.force_login(editor)
    assert client.get(reverse("admin:offers_offer_import_job", args=[job.pk])).status_code == 403
    started = client.post(reverse("admin:offers_offer_import"), {"confirm": "1", "token": "x"})
    assert started.status_code == 403
    client.force_login(coordinator)
    assert client.get(reverse("admin:offers_offer_import_job", args=[job.pk])).status_code == 200


# Outside the web.


def test_import_offers_command_checks_and_imports_a_file(coordinator, tmp_path):
    path = tmp_path / "angebote.csv"
    path.write_bytes(as_csv(good_rows()))
    call_command("import_offers", str(path), "--user", coordinator.username, "--dry-run")
    assert not Offer.objects.filter(provider__name="IT Haus GmbH").exists()
    call_command("import_offers", str(path), "--user", coordinator.username)
    assert Offer.objects.filter(provider__name="IT Haus GmbH").count() == 7
    editor = make_user("Anbieter-Redaktion")
    with pytest.raises(CommandError):
        call_command("import_offers", str(path), "--user", editor.username)


def test_a_job_the_queue_stopped_or_whose_worker_died_shows_as_failed(
    client, coordinator, fake_queue, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        stopped_at = confirm(client, as_csv(good_rows()))["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        died_at = confirm(client, as_csv(good_rows()))["Location"]
    stopped, died = ImportJob.objects.order_by("pk")
    ImportJob.objects.filter(pk=died.pk).update(state=ImportJob.State.RUNNING)

    class RqJob:  # what the queue hands its failure callback
        args = (stopped.pk,)

    jobs.queue_job_failed(RqJob, None, TimeoutError, TimeoutError("job timeout"), None)
    page = client.get(stopped_at, HTTP_ACCEPT_LANGUAGE="de")
    assert "abgebrochen" in page.text and "nichts wurde geschrieben" in page.text
    assert "data-import-running" not in page.text

    # Still "running" a while after the time limit: its worker is gone.
    still = client.get(died_at, HTTP_ACCEPT_LANGUAGE="de")
    assert "data-import-running" in still.text
    long_ago = died.created_at - datetime.timedelta(
        seconds=settings.OFFER_IMPORT_TIMEOUT + jobs.STALE_AFTER_TIMEOUT + 1
    )
    ImportJob.objects.filter(pk=died.pk).update(created_at=long_ago)
    given_up = client.get(died_at, HTTP_ACCEPT_LANGUAGE="de")
    assert "data-import-running" not in given_up.text
    assert "nicht innerhalb von 40 Minuten" in given_up.text
    assert {job.state for job in ImportJob.objects.all()} == {ImportJob.State.FAILED}
    assert not Offer.objects.filter(provider__name="IT Haus GmbH").exists()
