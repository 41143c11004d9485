"""While the database is unreachable, pages answer 503 with a friendly page, then recover."""

import json
import logging
import time
from unittest import mock

import pytest
from django.db import OperationalError, close_old_connections, connection
from django.test import RequestFactory

from operations.views import server_error
from pages.models import LegalPage
from retribus.jsonlog import JsonLineFormatter


def database_down():
    """Every new cursor fails the way a dropped connection does in the driver."""
    error = connection.Database.OperationalError("server closed the connection unexpectedly")
    return mock.patch.object(connection, "create_cursor", side_effect=error)


def assert_friendly_503(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert '<html lang="de">' in html and "<h1>" in html
    assert "Traceback" not in html and "OperationalError" not in html


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    return settings


def test_public_pages_answer_503_while_the_database_is_down_and_recover(
    client, taxonomy, production
):
    for url in ["/", "/impressum/", "/angebote/ausbildung/"]:
        with database_down():
            assert_friendly_503(client.get(url))

        assert client.get(url).status_code == 200, url


def test_the_outage_is_logged_as_one_json_line(client, db, production, caplog):
    with caplog.at_level(logging.ERROR, logger="retribus.outage"), database_down():
        client.get("/")

    [record] = [r for r in caplog.records if r.name == "retribus.outage"]
    entry = json.loads(JsonLineFormatter().format(record))
    assert entry["level"] == "ERROR"
    assert entry["path"] == "/"
    assert entry["status_code"] == 503
    assert entry["exc_type"] == "OperationalError"
    assert "\n" not in JsonLineFormatter().format(record)


def test_an_outage_outside_any_view_is_a_503_too(db, production):
    request = RequestFactory().get("/")
    try:
        raise OperationalError("could not connect to server")
    except OperationalError:
        response = server_error(request)

    assert_friendly_503(response)


def test_other_server_errors_get_the_friendly_500_page(client, db, production):
    client.raise_request_exception = False
    with mock.patch("pages.views.get_object_or_404", side_effect=RuntimeError("bug")):
        response = client.get("/impressum/")

    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="de">' in html and "<h1>" in html and "RuntimeError" not in html


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's in-memory test database cannot be disconnected without losing it",
)
def test_a_refused_postgresql_connection_gives_503_until_it_is_back(
    client, transactional_db, production
):
    # Seeded by a migration, but an earlier transactional test's flush may have removed it.
    LegalPage.objects.get_or_create(kind="impressum", defaults={"title": "Impressum", "body": "x"})
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"  # nothing listens there: connection refused
    try:
        assert_friendly_503(client.get("/impressum/"))
        assert_friendly_503(client.get("/"))
    finally:
        connection.settings_dict["PORT"] = real_port

    assert client.get("/impressum/").status_code == 200


class Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def error_lines():
    """What the outage logger and Django's request logger write, whatever handlers they have."""
    lines = Lines()
    loggers = [logging.getLogger(name) for name in ("retribus.outage", "django.request")]
    for logger in loggers:
        logger.addHandler(lines)
    yield lines.records
    for logger in loggers:
        logger.removeHandler(lines)


def test_an_outage_is_logged_once_per_interval_with_the_number_of_the_rest(
    client, db, production, error_lines, monkeypatch
):
    now = [1000.0]
    monkeypatch.setattr("operations.outage.time.monotonic", lambda: now[0])
    with database_down():
        for _ in range(10):
            assert_friendly_503(client.get("/impressum/"))
            now[0] += 1

    assert len(error_lines) == 1
    assert error_lines[0].getMessage() == "Database unavailable, answered 503"

    now[0] += production.OUTAGE_LOG_INTERVAL
    with database_down():
        assert_friendly_503(client.get("/"))

    assert len(error_lines) == 2
    assert error_lines[1].suppressed == 9
    assert "9 more such requests" in error_lines[1].getMessage()


def test_an_outage_outside_any_view_shares_the_interval(db, production, error_lines):
    request = RequestFactory().get("/")
    for _ in range(3):
        try:
            raise OperationalError("could not connect to server")
        except OperationalError:
            assert_friendly_503(server_error(request))

    assert len(error_lines) == 1


def test_health_probes_during_an_outage_log_it_once_not_a_line_per_probe(
    client, db, production, error_lines
):
    with database_down():
        for _ in range(5):
            assert client.get("/healthz").json()["database"] == "error"

    assert [record.name for record in error_lines] == ["retribus.outage"]


@pytest.fixture
def kept_connection(transactional_db, production):
    """Connections kept between requests and checked before each one, as in production."""
    if connection.vendor != "postgresql":
        pytest.skip("the health check of the PostgreSQL backend")
    saved = {key: connection.settings_dict[key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    connection.close()
    connection.settings_dict.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)
    yield connection
    connection.close()
    connection.settings_dict.update(saved)


def backend_pid(conn):
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def terminate(pid):
    """End backend ``pid`` from another connection, as an administrator or a restart does,
    and wait until it is gone."""
    from django.db import connections

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _attempt in range(100):
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone()[0] == 0:
                    return
                time.sleep(0.02)
    finally:
        other.close()
    raise AssertionError(f"backend {pid} still runs")


def served(client, url):
    """``url`` as a worker serves it: Django's handler lets every connection check itself at
    the start of a request, which the test client leaves out."""
    close_old_connections()
    return client.get(url)


def test_a_connection_the_server_ended_is_replaced_before_the_next_request(client, kept_connection):
    LegalPage.objects.get_or_create(kind="impressum", defaults={"title": "Impressum", "body": "x"})
    assert served(client, "/impressum/").status_code == 200
    pid = backend_pid(kept_connection)  # the connection the request used, kept
    terminate(pid)

    assert served(client, "/impressum/").status_code == 200
    assert served(client, "/").status_code == 200
    assert backend_pid(kept_connection) != pid


def asked_select_1(conn):
    """Whether ``conn.is_usable()`` asked the server (Django's own check), and its answer."""
    from django.db.backends.postgresql import base

    with mock.patch.object(
        base.DatabaseWrapper, "is_usable", autospec=True, side_effect=base.DatabaseWrapper.is_usable
    ) as asked:
        usable = conn.is_usable()
    return asked.called, usable


def test_a_busy_connection_in_good_order_is_judged_without_a_statement(kept_connection):
    backend_pid(kept_connection)  # connect, and use it just now

    assert asked_select_1(kept_connection) == (False, True)


def test_a_connection_idle_for_a_while_is_asked_as_before(kept_connection):
    from retribus.postgresql.base import ASK_AFTER_IDLE

    backend_pid(kept_connection)
    kept_connection.used_at -= ASK_AFTER_IDLE + 1  # as if its last request was a while ago

    assert asked_select_1(kept_connection) == (True, True)


def test_a_connection_with_a_message_waiting_is_asked_and_kept(kept_connection):
    """Something on the socket that is not a goodbye (here a notification from another
    session) makes the check ask; the connection answers and stays."""
    from django.db import connections

    pid = backend_pid(kept_connection)
    with kept_connection.cursor() as cursor:
        cursor.execute("LISTEN portal_check")
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("NOTIFY portal_check")
    finally:
        other.close()
    time.sleep(0.1)  # the notification travels to the kept connection's socket

    assert asked_select_1(kept_connection) == (True, True)
    assert backend_pid(kept_connection) == pid
