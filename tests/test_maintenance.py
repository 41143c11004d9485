"""In maintenance (a restore runs) every page answers 503 at once with a German page, and
/healthz tells the load balancer to take the node out (operations/maintenance.py)."""

import logging
from io import StringIO

import pytest
from django.core.management import call_command

from operations import maintenance


@pytest.fixture
def in_maintenance(db):
    maintenance.switch_on("test")
    yield
    maintenance.switch_off()


@pytest.mark.parametrize("url", ["/", "/suche/?q=Roboter", "/impressum/", "/admin/", "/en/"])
def test_in_maintenance_every_page_answers_503_with_the_german_page(
    client, in_maintenance, url, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get(url)

    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "Das Portal wird gerade gewartet" in html


def test_in_maintenance_healthz_answers_503_and_says_why(client, in_maintenance):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "ok", "maintenance": True}


def test_maintenance_is_no_error_in_the_log(client, in_maintenance, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/")

    assert not [record for record in caplog.records if record.name == "django.request"]


def test_the_maintenance_command_shows_and_switches_the_state(client, db):
    output = StringIO()
    call_command("maintenance", "on", stdout=output)
    assert "in maintenance since" in output.getvalue()
    assert client.get("/").status_code == 503

    output = StringIO()
    call_command("maintenance", "off", stdout=output)
    assert "not in maintenance" in output.getvalue()
    assert client.get("/").status_code == 200
