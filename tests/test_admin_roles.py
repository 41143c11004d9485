"""The three admin roles: coordinators do everything, provider editors only their own
organisation's offers and contacts (and never publish), readers only look."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from offers.models import ContactPerson, Offer
from tests import factories
from tests.admin_support import admin_form_data, make_user, setup_roles


@pytest.fixture
def world(taxonomy):
    setup_roles()
    own = factories.make_provider(taxonomy, name="IT Haus GmbH")
    other = factories.make_provider(taxonomy, name="Universität Trier")
    own_offer = factories.make_offer(taxonomy, provider=own, title="Betriebsbesichtigung IT")
    other_offer = factories.make_offer(taxonomy, provider=other, title="Geheimes Laborpraktikum")
    other_contact = ContactPerson.objects.create(provider=other, name="Dr. Verborgen")
    ContactPerson.objects.create(provider=own, name="Frau Sichtbar")
    return {
        "taxonomy": taxonomy,
        "own": own,
        "other": other,
        "own_offer": own_offer,
        "other_offer": other_offer,
        "other_contact": other_contact,
        "editor": make_user("Anbieter-Redaktion", providers=[own]),
        "coordinator": make_user("Koordination"),
        "reader": make_user("Lesezugriff"),
    }


def offer_url(name, offer, *args):
    return reverse(f"admin:offers_offer_{name}", args=[offer.pk, *args])


def test_setup_roles_creates_the_three_groups_and_can_run_twice(world):
    from django.contrib.auth.models import Group

    setup_roles()
    editors = Group.objects.get(name="Anbieter-Redaktion")
    codenames = set(editors.permissions.values_list("codename", flat=True))
    assert {"view_offer", "add_offer", "change_offer", "change_contactperson"} <= codenames
    assert "publish_offer" not in codenames
    assert "access_all_providers" not in codenames
    assert "delete_offer" not in codenames
    readers = set(
        Group.objects.get(name="Lesezugriff").permissions.values_list("codename", flat=True)
    )
    assert all(c.startswith("view_") or c == "access_all_providers" for c in readers)
    assert (
        Group.objects.filter(name__in=["Koordination", "Anbieter-Redaktion", "Lesezugriff"]).count()
        == 3
    )


def test_provider_editor_lists_only_own_offers(client, world):
    client.force_login(world["editor"])
    response = client.get(reverse("admin:offers_offer_changelist"))
    assert response.status_code == 200
    assert "Betriebsbesichtigung IT" in response.text
    assert "Geheimes Laborpraktikum" not in response.text
    # The provider filter does not name other providers either.
    assert "Universität Trier" not in response.text


@pytest.mark.parametrize(
    "url_name, extra",
    [("change", ()), ("history", ()), ("delete", ())],
)
def test_provider_editor_cannot_reach_another_providers_offer_by_url(
    client, world, url_name, extra
):
    client.force_login(world["editor"])
    response = client.get(offer_url(url_name, world["other_offer"], *extra), follow=True)
    assert "Geheimes Laborpraktikum" not in response.text
    assert response.redirect_chain or response.status_code in (403, 404)


def test_provider_editor_cannot_open_an_old_version_of_another_providers_offer(client, world):
    record = world["other_offer"].history.first()
    client.force_login(world["editor"])
    url = reverse(
        "admin:offers_offer_simple_history", args=[world["other_offer"].pk, record.history_id]
    )
    response = client.get(url)
    assert response.status_code == 404
    assert "Geheimes Laborpraktikum" not in response.text


def test_provider_editor_cannot_change_another_providers_offer_by_post(client, world):
    client.force_login(world["editor"])
    data = offer_form_data(world["taxonomy"], world["other"], title="Übernommen")
    client.post(offer_url("change", world["other_offer"]), data)
    world["other_offer"].refresh_from_db()
    assert world["other_offer"].title == "Geheimes Laborpraktikum"


def test_provider_editor_cannot_see_other_providers_or_their_contacts(client, world):
    client.force_login(world["editor"])
    providers = client.get(reverse("admin:offers_provider_changelist"))
    assert "IT Haus GmbH" in providers.text
    assert "Universität Trier" not in providers.text
    contacts = client.get(reverse("admin:offers_contactperson_changelist"))
    assert "Frau Sichtbar" in contacts.text
    assert "Dr. Verborgen" not in contacts.text
    response = client.get(
        reverse("admin:offers_provider_change", args=[world["other"].pk]), follow=True
    )
    assert "Universität Trier" not in response.text


@pytest.mark.parametrize(
    "field_name, hidden",
    [("provider", "Universität Trier"), ("contact", "Dr. Verborgen")],
)
def test_provider_editor_autocomplete_offers_only_own_organisation(
    client, world, field_name, hidden
):
    client.force_login(world["editor"])
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "offers", "model_name": "offer", "field_name": field_name, "term": ""},
    )
    assert response.status_code == 200
    names = [result["text"] for result in response.json()["results"]]
    assert names and hidden not in names


def offer_form_data(taxonomy, provider, **overrides):
    data = {
        "provider": provider.pk,
        "offer_type": taxonomy["praktikum"].pk,
        "title": "Neues Praktikum",
        "sectors": [taxonomy["it"].pk],
        "regions": [taxonomy["trier"].pk],
        "grade_min": 9,
        "grade_max": 13,
        "venue": "provider",
        "audience": "students",
        "year_round": "on",
        "status": "published",
    }
    data.update(overrides)
    return data


def test_provider_editor_cannot_create_an_offer_for_another_provider(client, world):
    client.force_login(world["editor"])
    response = client.post(
        reverse("admin:offers_offer_add"), offer_form_data(world["taxonomy"], world["other"])
    )
    assert response.status_code == 200  # the form again, with an error
    assert not Offer.objects.filter(title="Neues Praktikum").exists()


def test_provider_editor_cannot_publish_saving_sends_to_review(client, world):
    client.force_login(world["editor"])
    add_url = reverse("admin:offers_offer_add")
    data = admin_form_data(client.get(add_url))  # with the inlines' management forms
    data.update(offer_form_data(world["taxonomy"], world["own"]))
    response = client.post(add_url, data)
    assert response.status_code == 302
    offer = Offer.objects.get(title="Neues Praktikum")
    assert offer.status == Offer.Status.REVIEW  # the posted "published" was ignored

    # Editing a published offer keeps it online; the change waits for review
    # (tests/test_offer_revisions.py).
    published = world["own_offer"]
    data = admin_form_data(client.get(offer_url("change", published)))
    data.update(title="Betriebsbesichtigung IT neu", status="draft")
    client.post(offer_url("change", published), data)
    published.refresh_from_db()
    assert published.title == "Betriebsbesichtigung IT"
    assert published.status == Offer.Status.PUBLISHED
    assert published.revisions.get().values == {"title": "Betriebsbesichtigung IT neu"}


def test_provider_editor_has_no_publish_action_and_cannot_post_it(client, world):
    draft = factories.make_offer(world["taxonomy"], provider=world["own"], status="draft")
    client.force_login(world["editor"])
    changelist = reverse("admin:offers_offer_changelist")
    page = client.get(changelist)
    actions = re.findall(r'<option value="(\w+)"', page.text)
    assert "confirm_today" in actions
    assert "publish" not in actions and "archive" not in actions
    client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Offer.Status.DRAFT


def test_reader_sees_everything_but_changes_nothing(client, world):
    client.force_login(world["reader"])
    page = client.get(reverse("admin:offers_offer_changelist"))
    assert "Geheimes Laborpraktikum" in page.text and "Betriebsbesichtigung IT" in page.text
    view = client.get(offer_url("change", world["other_offer"]))
    assert view.status_code == 200
    assert 'name="_save"' not in view.text
    response = client.post(
        offer_url("change", world["other_offer"]),
        offer_form_data(world["taxonomy"], world["other"], title="Geändert"),
    )
    assert response.status_code == 403
    world["other_offer"].refresh_from_db()
    assert world["other_offer"].title == "Geheimes Laborpraktikum"
    assert client.get(reverse("admin:offers_offer_import")).status_code == 403


def test_coordinator_publishes_and_sees_every_provider(client, world):
    draft = factories.make_offer(world["taxonomy"], provider=world["other"], status="review")
    client.force_login(world["coordinator"])
    page = client.get(reverse("admin:offers_offer_changelist"))
    assert "Geheimes Laborpraktikum" in page.text
    client.post(
        reverse("admin:offers_offer_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == Offer.Status.PUBLISHED


def test_coordinator_invites_a_provider_editor_who_sets_a_password_and_logs_in(client, world):
    world["own"].name = "Müller & Söhne"
    world["own"].save()
    client.force_login(world["coordinator"])
    url = reverse("admin:offers_provider_invite", args=[world["own"].pk])
    response = client.post(url, {"name": "Erika Muster", "email": "erika@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "Müller & Söhne" in mail.outbox[0].subject
    link = re.search(r"http://testserver(/\S+)", mail.outbox[0].body).group(1)
    client.logout()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "Kooperation-2026!", "new_password2": "Kooperation-2026!"}
    )
    assert done.status_code == 302
    from django.contrib.auth import get_user_model

    erika = get_user_model().objects.get(email="erika@example.org")
    assert erika.check_password("Kooperation-2026!")
    assert list(erika.edited_providers.all()) == [world["own"]]
    client.force_login(erika)
    page = client.get(reverse("admin:offers_offer_changelist"))
    assert "Betriebsbesichtigung IT" in page.text
    assert "Geheimes Laborpraktikum" not in page.text


def test_provider_editor_cannot_invite_anyone(client, world):
    client.force_login(world["editor"])
    url = reverse("admin:offers_provider_invite", args=[world["own"].pk])
    response = client.post(url, {"name": "Eve", "email": "eve@example.org"})
    assert response.status_code == 403
    assert not mail.outbox


def test_password_reset_by_email_is_linked_from_the_admin_login(client, world):
    world["editor"].set_password("alt-und-vergessen-1")
    world["editor"].save()
    login = client.get(reverse("admin:login"))
    assert reverse("admin_password_reset") in login.text
    client.post(reverse("admin_password_reset"), {"email": world["editor"].email})
    assert len(mail.outbox) == 1
    assert "/admin/reset/" in mail.outbox[0].body
