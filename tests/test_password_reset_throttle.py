"""Password-reset mails are limited per e-mail address and per client address, without
telling anybody whether an address has an account; a failing cache sends no mail."""

import logging

import pytest
from django.core import mail
from django.urls import reverse

RESET = "/admin/password_reset/"
# The documented limits per hour (docs/operations.md).
PER_ADDRESS = 3
PER_CLIENT = 10


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def accounts(django_user_model):
    return [
        django_user_model.objects.create_user(
            f"redaktion{number}", f"redaktion{number}@example.org", "x", is_staff=True
        )
        for number in range(15)
    ]


def ask(client, email, address="203.0.113.7"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=address)


def test_21_requests_for_one_address_send_the_limit_of_mails_and_all_see_the_done_page(
    client, accounts, caplog
):
    with caplog.at_level(logging.WARNING, logger="retribus.auth"):
        responses = [ask(client, accounts[0].email) for _ in range(21)]

    assert len(mail.outbox) == PER_ADDRESS
    assert {(r.status_code, r["Location"]) for r in responses} == {
        (302, reverse("password_reset_done"))
    }
    # One log line per limit reached, not one per request of the flood; never the address.
    assert [r.getMessage() for r in caplog.records] == [
        "Password-reset mails held back: the limit per address and hour is reached",
        "Password-reset mails held back: the limit per client and hour is reached",
    ]


def test_the_limit_per_address_holds_from_many_client_addresses(client, accounts):
    for number in range(10):
        ask(client, accounts[0].email.upper(), address=f"198.51.100.{number}")

    assert len(mail.outbox) == PER_ADDRESS


def test_one_client_gets_the_limit_of_mails_across_addresses(client, accounts):
    for account in accounts:
        ask(client, account.email)
    assert len(mail.outbox) == PER_CLIENT

    ask(client, accounts[-1].email, address="198.51.100.20")  # someone else still gets theirs
    assert len(mail.outbox) == PER_CLIENT + 1


def test_the_answer_does_not_tell_whether_an_address_has_an_account(client, accounts):
    known = [ask(client, accounts[0].email) for _ in range(5)]
    unknown = [ask(client, "niemand@example.org", address="198.51.100.20") for _ in range(5)]

    answers = {(r.status_code, r["Location"], r.content) for r in known + unknown}
    assert len(answers) == 1


class BrokenCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache down")

        return fail


def test_a_failing_cache_sends_no_mail_but_shows_the_same_page(
    client, accounts, monkeypatch, caplog
):
    monkeypatch.setattr("retribus.auth.caches", {"default": BrokenCache()}, raising=False)
    monkeypatch.setattr("retribus.auth._last_cache_failure_log", None, raising=False)

    with caplog.at_level(logging.WARNING, logger="retribus.auth"):
        responses = [ask(client, accounts[0].email) for _ in range(5)]

    assert {(r.status_code, r["Location"]) for r in responses} == {
        (302, reverse("password_reset_done"))
    }
    assert not mail.outbox
    # Logged once, not for every request while the cache is down; never the address.
    assert [r.getMessage() for r in caplog.records] == [
        "Password-reset mail not sent: the cache to count requests failed"
    ]
