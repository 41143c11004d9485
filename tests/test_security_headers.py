"""Security headers on the public pages, as a browser sees them over HTTPS in production."""

import pytest
from django.urls import Resolver404, resolve

from tests.factories import make_offer

EXPECTED = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@pytest.fixture
def production(settings):
    """The header-related settings as production has them (tests run with DEBUG=1)."""
    settings.DEBUG = False
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


def search_exists():
    try:
        resolve("/suche/")
    except Resolver404:
        return False
    return True


def directives(csp):
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in csp.split(";")) if part
    }


def public_pages(taxonomy):
    """Home, an offer page and -- once it exists -- a search with text."""
    offer = make_offer(taxonomy, title="Praktikum Robotik")
    search = ["/suche/?q=Praktikum"] if search_exists() else []
    return ["/", *search, offer.get_absolute_url()]


def test_home_search_and_offer_pages_send_every_security_header(client, taxonomy, production):
    for url in public_pages(taxonomy):
        response = client.get(url, secure=True)

        assert response.status_code == 200, url
        for header, value in EXPECTED.items():
            assert response.get(header) == value, f"{url}: {header}"
        assert "camera=()" in response["Permissions-Policy"], url
        policy = directives(response["Content-Security-Policy"])
        assert policy["default-src"] == ["'none'"], url
        for directive in ("script-src", "style-src", "img-src", "font-src"):
            assert policy[directive] == ["'self'"], f"{url}: {directive}"
        assert policy["frame-ancestors"] == ["'none'"], url


def test_public_pages_set_no_cookie_but_the_csrf_cookie(client, taxonomy, production):
    """No session and no language cookie for a visitor who only looks; the Merken forms
    need the CSRF cookie (test_the_cookies_of_the_merkliste_are_secure_http_only_and_lax)."""
    for url in public_pages(taxonomy):
        response = client.get(url, secure=True)

        assert response.status_code == 200, url
        assert set(response.cookies) <= {"csrftoken"}, f"{url} sets {list(response.cookies)}"


def test_the_cookies_of_the_merkliste_are_secure_http_only_and_lax(client, taxonomy, production):
    """The CSRF cookie of the Merken forms on every card and offer page, and the session a
    visitor gets by saving an offer: technically necessary (§ 25 Abs. 2 Nr. 2 TDDDG), so
    no consent is asked for, but named in the Datenschutz text."""
    offer = make_offer(taxonomy, title="Praktikum Robotik")
    page = client.get(offer.get_absolute_url(), secure=True)
    saved = client.post("/merkliste/merken/", {"offer": offer.pk}, secure=True)

    assert saved.status_code == 302
    assert list(saved.cookies) == ["sessionid"]
    for cookie in (page.cookies["csrftoken"], saved.cookies["sessionid"]):
        assert cookie["secure"] is True, cookie.key
        assert cookie["httponly"] is True, cookie.key
        assert cookie["samesite"] == "Lax", cookie.key
    privacy = client.get("/datenschutz/", secure=True).content.decode()
    assert "csrftoken: schützt Formulare" in privacy
    assert "Schaltfläche „Merken“" in privacy
    assert "sessionid: erst wenn Sie ein Angebot auf Ihre Merkliste setzen" in privacy
    assert "<h2>Merkliste</h2>" in privacy


def test_plain_http_is_redirected_to_https(client, db, production):
    response = client.get("/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"


def test_only_the_admin_allows_inline_styles(client, admin_client, db, production):
    public = directives(client.get("/", secure=True)["Content-Security-Policy"])
    admin = directives(admin_client.get("/admin/", secure=True)["Content-Security-Policy"])

    assert "'unsafe-inline'" not in public["style-src"]
    assert admin["style-src"] == ["'self'", "'unsafe-inline'"]
    assert admin["script-src"] == ["'self'"]


def test_admin_cookies_are_secure_and_http_only(client, django_user_model, db, production):
    django_user_model.objects.create_superuser("koordination", "k@example.org", "S3cure-pass!")
    login = client.get("/admin/login/", secure=True)
    response = client.post(
        "/admin/login/",
        {"username": "koordination", "password": "S3cure-pass!", "next": "/admin/"},
        secure=True,
    )

    assert response.status_code == 302
    for cookie in [*login.cookies.values(), *response.cookies.values()]:
        assert cookie["secure"] is True, cookie.key
        assert cookie["httponly"] is True, cookie.key
        assert cookie["samesite"] == "Lax", cookie.key
