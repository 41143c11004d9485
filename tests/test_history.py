"""History and restore: every change to offers and providers is kept with who and when,
the admin shows what changed, and restoring an earlier version brings its values back."""

import pytest
from django.urls import reverse

from offers.models import Offer
from tests import factories
from tests.admin_support import admin_form_data, make_user, setup_roles


@pytest.fixture
def coordinator(taxonomy):
    setup_roles()
    return make_user("Koordination")


def post_data(form):
    """What a browser would send for ``form`` as the admin renders it."""
    data = {}
    for bound in form:
        value = bound.value()
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        elif value is not None:
            data[bound.html_name] = value if not hasattr(value, "isoformat") else value.isoformat()
    return data


def edit_offer(client, offer, **changes):
    url = reverse("admin:offers_offer_change", args=[offer.pk])
    data = admin_form_data(client.get(url))
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    offer.refresh_from_db()


def test_admin_changes_are_kept_with_who_and_what_changed(client, taxonomy, coordinator):
    offer = factories.make_offer(taxonomy, title="Betriebsbesichtigung", participants_max=30)
    client.force_login(coordinator)
    edit_offer(client, offer, title="Betriebsbesichtigung mit Werkstatt", participants_max="25")

    latest = offer.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == coordinator
    assert latest.title == "Betriebsbesichtigung mit Werkstatt"

    page = client.get(reverse("admin:offers_offer_history", args=[offer.pk]))
    assert page.status_code == 200
    assert coordinator.username in page.text
    # The history page shows the change itself, old and new value.
    assert "Betriebsbesichtigung mit Werkstatt" in page.text
    assert "30" in page.text and "25" in page.text


def test_restoring_an_earlier_version_brings_back_the_old_values(client, taxonomy, coordinator):
    offer = factories.make_offer(
        taxonomy,
        title="Laborpraktikum Chemie",
        grade_min=11,
        regions=[taxonomy["trier"]],
        sectors=[taxonomy["chemie"]],
    )
    old_version = offer.history.order_by("-history_date", "-history_id").first()
    client.force_login(coordinator)
    edit_offer(
        client,
        offer,
        title="Laborpraktikum Chemie (neu)",
        grade_min="9",
        regions=[str(taxonomy["vulkaneifel"].pk)],
    )
    assert offer.title == "Laborpraktikum Chemie (neu)"
    assert list(offer.regions.all()) == [taxonomy["vulkaneifel"]]

    url = reverse("admin:offers_offer_simple_history", args=[offer.pk, old_version.history_id])
    form = client.get(url).context["adminform"].form
    assert form["title"].value() == "Laborpraktikum Chemie"
    assert [int(pk) for pk in form["regions"].value()] == [taxonomy["trier"].pk]
    response = client.post(url, post_data(form))
    assert response.status_code == 302

    offer.refresh_from_db()
    assert offer.title == "Laborpraktikum Chemie"
    assert offer.grade_min == 11
    assert list(offer.regions.all()) == [taxonomy["trier"]]
    restored = offer.history.filter(title="Laborpraktikum Chemie").latest()
    assert restored.history_user == coordinator
    assert str(old_version.history_id) in restored.history_change_reason


def test_provider_history_restores_the_old_address(client, taxonomy, coordinator):
    provider = factories.make_provider(taxonomy, name="IT Haus GmbH", city="Föhren")
    client.force_login(coordinator)
    provider.city = "Trier"
    provider.save()
    old = provider.history.filter(city="Föhren").get()
    url = reverse("admin:offers_provider_simple_history", args=[provider.pk, old.history_id])
    form = client.get(url).context["adminform"].form
    assert form["city"].value() == "Föhren"
    client.post(url, post_data(form))
    provider.refresh_from_db()
    assert provider.city == "Föhren"


def test_a_deleted_offer_stays_in_the_history(client, taxonomy, coordinator):
    offer = factories.make_offer(taxonomy, title="Wird gelöscht")
    pk = offer.pk
    offer.delete()
    assert not Offer.objects.filter(pk=pk).exists()
    assert Offer.history.filter(id=pk, history_type="-").exists()
    client.force_login(coordinator)
    page = client.get(reverse("admin:offers_offer_history", args=[pk]))
    assert page.status_code == 200
    assert "Wird gelöscht" in page.text


def test_partner_changes_are_kept_with_who(client, taxonomy, coordinator):
    from network.models import Partner

    partner = Partner.objects.create(
        name="Kita Sonnenschein", slug="kita-sonnenschein", kind="kita"
    )
    partner._history_user = coordinator
    partner.name = "Kita Regenbogen"
    partner.save()
    assert partner.history.latest().history_user == coordinator
    client.force_login(coordinator)
    page = client.get(reverse("admin:network_partner_history", args=[partner.pk]))
    assert page.status_code == 200
    assert "Kita Regenbogen" in page.text
