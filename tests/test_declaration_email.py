"""The support declaration mails its confirmation only to addresses at a public domain name.

Django's EmailValidator accepts ``x@[127.0.0.1]`` and ``x@localhost``: the portal would
have its mail server deliver the confirmation to hosts of its own network (issue 12).
"""

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.validators import validate_email
from django.utils import translation

from network import spam
from network.forms import has_mail_domain
from network.models import Partner
from tests import factories
from tests.test_declaration import FORM, declaration


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def profile(db):
    return factories.make_network_profile(
        name="MINT-Initiativkreis Trier",
        office_email="buero@example.org",
        notification_email="koordination@example.org",
    )


# Each passes Django's EmailValidator.
@pytest.mark.parametrize("address", ["x@[127.0.0.1]", "x@[10.0.0.5]", "x@localhost"])
def test_a_declaration_to_an_address_literal_or_a_local_host_is_refused_and_mails_nothing(
    client, profile, address
):
    validate_email(address)
    with translation.override("de"):
        response = client.post(FORM, declaration(email=address))

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "Bitte geben Sie die Adresse mit vollständigem Domainnamen an, etwa name@example.org."
    ]
    assert not Partner.objects.exists()
    assert mail.outbox == []


def test_international_domain_names_are_welcome(client, profile):
    response = client.post(FORM, declaration(email="info@müller-bau.de"))

    assert response.status_code == 302
    assert Partner.objects.get().email == "info@müller-bau.de"
    assert any("info@müller-bau.de" in message.to for message in mail.outbox)


@pytest.mark.parametrize(
    ("address", "deliverable"),
    [
        ("erika@example.org", True),
        ("erika@schule.rlp.de", True),
        ("info@пример.рф", True),
        ("info@xn--mller-kva.de", True),
        ("x@[127.0.0.1]", False),
        ("x@localhost", False),
        ("x@example.123", False),
        ("x@example.d3", False),
    ],
)
def test_mail_domain_rules(address, deliverable):
    assert has_mail_domain(address) is deliverable


def test_the_limit_per_address_still_holds(client, profile):
    for n in range(spam.SUBMISSIONS_PER_HOUR):
        assert client.post(FORM, declaration(name=f"Firma {n}")).status_code == 302

    assert client.post(FORM, declaration(email="x@[127.0.0.1]")).status_code == 429
    assert client.post(FORM, declaration(name="Noch eine")).status_code == 429
    assert Partner.objects.count() == spam.SUBMISSIONS_PER_HOUR
