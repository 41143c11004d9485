"""Inviting a provider editor whose address clashes with another account's user name gets a
form message instead of an error page, and the confirmation shows the address as typed; the
public provider page lists no contact person named only on unpublished offers."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import translation

from offers.models import ContactPerson
from tests import factories
from tests.admin_support import make_user, setup_roles


@pytest.fixture
def coordinator(taxonomy):
    setup_roles()
    return make_user("Koordination")


def invite(client, provider, email, name="Erika Muster"):
    url = reverse("admin:offers_provider_invite", args=[provider.pk])
    return client.post(url, {"name": name, "email": email}, follow=True)


def test_a_user_name_clash_is_a_form_message_not_an_error_page(client, taxonomy, coordinator):
    provider = factories.make_provider(taxonomy, name="IT Haus GmbH")
    get_user_model().objects.create_user(
        username="erika@example.org", email="erika.privat@example.net"
    )
    client.force_login(coordinator)
    response = invite(client, provider, "Erika@Example.org")
    assert response.status_code == 200
    assert not response.redirect_chain  # the form again
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        message = translation.gettext(
            "An account with the user name “%(username)s” but another e-mail address exists "
            "already. Invite that account by its own e-mail address, or ask an administrator."
        ) % {"username": "erika@example.org"}
    assert response.context["form"].errors["email"] == [message]
    assert not mail.outbox
    assert not provider.editors.exists()


def test_the_confirmation_shows_the_address_as_typed(client, taxonomy, coordinator):
    provider = factories.make_provider(taxonomy, name="IT Haus GmbH")
    client.force_login(coordinator)
    response = invite(client, provider, "erika.muster@Example.org")
    assert response.redirect_chain
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    assert "erika.muster@Example.org" in messages[0]
    assert "erika.muster@Example.org" in response.text  # not “Erika.muster…” on the page
    assert "Erika.muster" not in response.text
    assert mail.outbox[0].to == ["erika.muster@Example.org"]


def test_the_provider_page_lists_no_contact_named_only_on_drafts(client, taxonomy):
    provider = factories.make_provider(taxonomy, name="IT Haus GmbH")
    general = ContactPerson.objects.create(provider=provider, name="Frau Allgemein")
    public = ContactPerson.objects.create(provider=provider, name="Herr Veröffentlicht")
    hidden = ContactPerson.objects.create(provider=provider, name="Frau Entwurf")
    factories.make_offer(taxonomy, provider=provider, contact=public, title="Öffentlich")
    factories.make_offer(taxonomy, provider=provider, contact=hidden, status="draft")
    factories.make_offer(taxonomy, provider=provider, contact=hidden, status="review")
    page = client.get(provider.get_absolute_url())
    assert page.status_code == 200
    assert general.name in page.text and public.name in page.text
    assert hidden.name not in page.text

    # Once an offer naming her is published, she is shown.
    factories.make_offer(taxonomy, provider=provider, contact=hidden, title="Jetzt auch")
    assert hidden.name in client.get(provider.get_absolute_url()).text
