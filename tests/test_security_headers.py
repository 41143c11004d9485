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


def test_public_pages_set_no_cookie(client, taxonomy, production):
    for url in public_pages(taxonomy):
        response = client.get(url, secure=True)

        assert response.status_code == 200, url
        assert not response.cookies, f"{url} sets {list(response.cookies)}"


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
