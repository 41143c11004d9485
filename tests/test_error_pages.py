"""Our own 400, 403, 404 and 500 pages: German, styled like the site, no technical details."""

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from tests.test_db_outage import database_down


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    return settings


def assert_site_page(response, status):
    assert response.status_code == status
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert html.count("<h1>") == 1
    assert 'class="wrap error-page"' in html
    assert "/static/css/site.css" in html
    assert "Traceback" not in html


def test_unknown_address_gets_the_404_page(client, db, production):
    assert_site_page(client.get("/gibt-es-nicht/"), 404)


def test_unknown_offer_gets_the_404_page(client, db, production):
    assert_site_page(client.get("/angebot/999999/"), 404)


def test_a_bad_request_gets_the_400_page(client, db, production):
    assert_site_page(client.get("/", HTTP_HOST="evil.example.com"), 400)


def test_an_expired_form_gets_the_friendly_csrf_page(db, production):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post("/admin/login/", {"username": "x", "password": "y"})

    assert_site_page(response, 403)


def test_the_500_page_renders_without_the_database(db, production, django_assert_num_queries):
    with database_down(), django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))

    assert_site_page(response, 500)
