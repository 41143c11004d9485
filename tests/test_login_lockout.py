"""The admin login locks after repeated failures -- per user name and address, and per
address across all names --, and a coordinator or an operator can unlock it."""

import io

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command

from tests.admin_support import make_user, setup_roles

PASSWORD = "Richtig-und-lang-2026"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(
        "redaktion", "redaktion@example.org", PASSWORD, is_staff=True
    )


def attempt(client, username, password, address="203.0.113.7"):
    return client.post(
        "/admin/login/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def fail_until_locked(client, username, address="203.0.113.7"):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, username, "falsch", address)


def test_wrong_passwords_below_the_limit_only_show_the_login_form(client, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client, "redaktion", "falsch")
        assert response.status_code == 200

    assert attempt(client, "redaktion", PASSWORD).status_code == 302


def test_the_right_password_is_refused_once_the_limit_is_reached(client, editor):
    fail_until_locked(client, "redaktion")

    response = attempt(client, "redaktion", PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert '<html lang="de">' in html and "<h1>" in html


def test_a_strangers_wrong_passwords_do_not_lock_the_person_out_at_their_own_address(
    client, editor
):
    # Anyone who knows the coordinator's user name could otherwise lock them out, hourly.
    fail_until_locked(client, "redaktion", address="203.0.113.7")

    assert attempt(client, "redaktion", PASSWORD, address="203.0.113.7").status_code == 429
    assert attempt(client, "redaktion", PASSWORD, address="198.51.100.20").status_code == 302


def test_a_few_mistakes_of_several_people_behind_one_address_lock_nobody_out(client, editor):
    # A school or an office: several people share one address.
    for number in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, f"kollegin-{number}", "vertippt")

    assert attempt(client, "redaktion", PASSWORD).status_code == 302


def test_many_user_names_tried_from_one_address_block_that_address(client, editor):
    for number in range(settings.AXES_IP_FAILURE_LIMIT - 1):
        assert attempt(client, f"bot-{number}", "falsch").status_code == 200
    # Like the limit per name, the failure that reaches the limit is answered by the lock.
    assert attempt(client, "bot-last", "falsch").status_code == 429

    assert attempt(client, "redaktion", PASSWORD).status_code == 429
    assert attempt(client, "noch-ein-name", "falsch").status_code == 429
    assert attempt(client, "redaktion", PASSWORD, address="198.51.100.20").status_code == 302


@pytest.mark.parametrize(
    "command, argument",
    [("axes_reset_username", "redaktion"), ("axes_reset_ip", "203.0.113.7"), ("axes_reset", None)],
)
def test_the_documented_commands_unlock(client, editor, command, argument):
    fail_until_locked(client, "redaktion")
    for number in range(settings.AXES_IP_FAILURE_LIMIT):
        attempt(client, f"bot-{number}", "falsch")
    if command == "axes_reset_username":  # the address stays blocked for the bot's names
        for number in range(settings.AXES_IP_FAILURE_LIMIT):
            call_command(command, f"bot-{number}", stdout=io.StringIO())

    call_command(command, *([argument] if argument else []), stdout=io.StringIO())

    assert attempt(client, "redaktion", PASSWORD).status_code == 302


def test_a_coordinator_unlocks_by_deleting_the_access_attempts(client, editor):
    fail_until_locked(client, "redaktion")
    setup_roles()
    coordinator = make_user("Koordination")
    coordinator_client = client.__class__()
    coordinator_client.force_login(coordinator)
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    assert attempts

    confirm = coordinator_client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )

    assert confirm.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert attempt(client, "redaktion", PASSWORD).status_code == 302


def test_the_proxy_address_is_not_counted_as_the_client(client, editor, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    for number in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/admin/login/",
            {"username": f"bot-{number}", "password": "x"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.7",
        )

    response = client.post(
        "/admin/login/",
        {"username": "redaktion", "password": PASSWORD, "next": "/admin/"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )

    assert response.status_code == 302
    assert AccessAttempt.objects.filter(ip_address="203.0.113.7").exists()


def test_a_10_kb_user_name_is_counted_not_a_server_error(client, db):
    # Found by tests/test_robustness.py: axes stored the name uncut, PostgreSQL refused it.
    response = attempt(client, "x" * 10_000, "falsch")

    assert response.status_code == 200
    [stored] = AccessAttempt.objects.values_list("username", flat=True)
    assert stored == "x" * 255


def test_a_nul_character_in_the_login_form_gets_the_400_page(client, db, settings):
    settings.DEBUG = False

    response = attempt(client, "redaktion\x00", "falsch")

    assert response.status_code == 400
    assert not AccessAttempt.objects.exists()
