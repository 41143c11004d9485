"""A provider editor's change of a published offer waits as a pending revision: the
published version stays online (page, provider page and counts unchanged) until a
coordinator publishes the change (applied with its links, one history record) or rejects it
(the editor reads why). Nobody publishes their own change; other providers' editors never
see it."""

import pytest
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst

from offers import services
from offers.models import Offer, OfferRevision
from tests import factories
from tests.admin_support import admin_form_data, make_user, setup_roles


@pytest.fixture
def world(taxonomy):
    setup_roles()
    own = factories.make_provider(taxonomy, name="IT Haus GmbH")
    other = factories.make_provider(taxonomy, name="Universität Trier")
    offer = factories.make_offer(
        taxonomy,
        provider=own,
        title="Betriebsbesichtigung IT",
        summary="Ein Tag im Rechenzentrum.",
        sectors=[taxonomy["it"]],
        regions=[taxonomy["trier"]],
    )
    return {
        "taxonomy": taxonomy,
        "own": own,
        "offer": offer,
        "editor": make_user("Anbieter-Redaktion", providers=[own]),
        "stranger": make_user("Anbieter-Redaktion", providers=[other]),
        "coordinator": make_user("Koordination"),
    }


def change_url(offer):
    return reverse("admin:offers_offer_change", args=[offer.pk])


def revision_url(offer):
    return reverse("admin:offers_offer_revision", args=[offer.pk])


def edit(client, offer, **changes):
    data = admin_form_data(client.get(change_url(offer)))
    data.update(changes)
    response = client.post(change_url(offer), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def public_state(client, world):
    """What visitors see of the offer: its page, the provider page, the sector's count
    (rendered afresh, not from the page cache)."""
    for cache in caches.all():
        cache.clear()
    offer_page = client.get(world["offer"].get_absolute_url())
    provider_page = client.get(world["own"].get_absolute_url())
    search = client.get(reverse("offers:search"), {"sector": world["taxonomy"]["it"].slug})
    return offer_page, provider_page, search.context["result"].total


def test_an_editors_save_keeps_the_published_offer_online_unchanged(client, world):
    taxonomy = world["taxonomy"]
    _page, _provider, count_before = public_state(client, world)
    client.force_login(world["editor"])
    response = edit(
        client,
        world["offer"],
        title="Betriebsbesichtigung IT und Netzwerk",
        sectors=[str(taxonomy["chemie"].pk)],
    )
    messages = [str(m) for m in response.wsgi_request._messages]
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        assert (
            translation.gettext(
                "Your change was saved and waits for the coordinators' review. Until they publish "
                "it, the published version stays online unchanged."
            )
            in messages
        )

    offer = Offer.objects.get(pk=world["offer"].pk)
    assert offer.status == Offer.Status.PUBLISHED
    assert offer.title == "Betriebsbesichtigung IT"
    assert list(offer.sectors.all()) == [taxonomy["it"]]
    client.logout()
    offer_page, provider_page, count_after = public_state(client, world)
    assert offer_page.status_code == 200 and provider_page.status_code == 200
    assert "Betriebsbesichtigung IT" in offer_page.text
    assert "und Netzwerk" not in offer_page.text and "und Netzwerk" not in provider_page.text
    assert count_after == count_before == 1

    revision = OfferRevision.objects.pending().get(offer=offer)
    assert revision.author == world["editor"]
    assert revision.values == {
        "title": "Betriebsbesichtigung IT und Netzwerk",
        "sectors": [taxonomy["chemie"].pk],
    }


def test_the_editor_sees_the_waiting_change_and_editing_again_updates_it(client, world):
    client.force_login(world["editor"])
    edit(client, world["offer"], title="Erste Fassung")
    page = client.get(change_url(world["offer"]))
    form = page.context["adminform"].form
    assert form["title"].value() == "Erste Fassung"  # the pending value, not the published
    assert page.context["pending_revision"] is not None
    assert [c.new for c in page.context["revision_changes"]] == ["Erste Fassung"]
    with translation.override(page.wsgi_request.LANGUAGE_CODE):
        assert translation.gettext("Review the change") not in page.text
        assert translation.gettext("Reason:") not in page.text
    edit(client, world["offer"], title="Zweite Fassung")
    revision = OfferRevision.objects.get(offer=world["offer"])  # still one
    assert revision.values == {"title": "Zweite Fassung"}
    # Back to the published values: nothing waits any more.
    edit(client, world["offer"], title="Betriebsbesichtigung IT")
    assert not OfferRevision.objects.exists()


def test_the_coordinator_sees_the_difference_by_field_and_publishes_it(client, world):
    taxonomy = world["taxonomy"]
    client.force_login(world["editor"])
    edit(
        client,
        world["offer"],
        title="Betriebsbesichtigung IT und Netzwerk",
        venue="school",
        regions=[str(taxonomy["trier"].pk), str(taxonomy["vulkaneifel"].pk)],
        end_date="2026-12-01",
        duration_0="2",
        duration_1="20",
        duration_2="weeks",
    )
    client.force_login(world["coordinator"])
    listing = client.get(reverse("admin:offers_offer_changelist"), {"pending_change": "yes"})
    assert [o.pk for o in listing.context["cl"].result_list] == [world["offer"].pk]
    assert revision_url(world["offer"]) in listing.text

    page = client.get(revision_url(world["offer"]))
    assert page.status_code == 200
    rows = {c.name: (c.label, c.old, c.new) for c in page.context["revision_changes"]}
    with translation.override(page.wsgi_request.LANGUAGE_CODE):
        label = {
            name: capfirst(str(Offer._meta.get_field(name).verbose_name))
            for name in rows
            if name != "duration"
        }
        label["duration"] = capfirst(translation.gettext("duration for the search"))
    assert rows == {
        "title": (
            label["title"],
            "Betriebsbesichtigung IT",
            "Betriebsbesichtigung IT und Netzwerk",
        ),
        "venue": (label["venue"], "beim Anbieter", "in der Schule"),
        "end_date": (label["end_date"], "–", "01.12.2026"),
        "regions": (label["regions"], "Stadt Trier", "Landkreis Vulkaneifel, Stadt Trier"),
        # The three stored fields of the duration, as the one field the form has.
        "duration": (label["duration"], "–", "2–20 Wochen"),
    }
    assert label["end_date"] in page.text
    assert "in der Schule" in page.text and "01.12.2026" in page.text

    versions = world["offer"].history.count()
    response = client.post(revision_url(world["offer"]), {"_publish": "1"})
    assert response.status_code == 302
    offer = Offer.objects.get(pk=world["offer"].pk)
    assert offer.status == Offer.Status.PUBLISHED
    assert offer.title == "Betriebsbesichtigung IT und Netzwerk"
    assert offer.venue == "school" and str(offer.end_date) == "2026-12-01"
    assert (offer.duration_min_minutes, offer.duration_max_minutes) == (4800, 48000)
    assert offer.duration_unit == "weeks"
    assert set(offer.regions.all()) == {taxonomy["trier"], taxonomy["vulkaneifel"]}
    assert OfferRevision.objects.get().state == OfferRevision.State.PUBLISHED
    assert offer.history.count() == versions + 1
    latest = offer.history.latest()
    assert latest.history_user == world["coordinator"]
    assert world["editor"].username in latest.history_change_reason
    assert {r.region for r in latest.regions.all()} == {taxonomy["trier"], taxonomy["vulkaneifel"]}
    client.logout()
    assert "und Netzwerk" in client.get(offer.get_absolute_url()).text


def test_rejecting_discards_the_change_and_tells_the_editor_why(client, world):
    client.force_login(world["editor"])
    edit(client, world["offer"], title="Werbung statt Angebot")
    client.force_login(world["coordinator"])
    response = client.post(
        revision_url(world["offer"]), {"_reject": "1", "reason": "Bitte ohne Werbung."}
    )
    assert response.status_code == 302
    offer = Offer.objects.get(pk=world["offer"].pk)
    assert offer.title == "Betriebsbesichtigung IT" and offer.status == "published"
    revision = OfferRevision.objects.get()
    assert revision.state == OfferRevision.State.REJECTED
    assert revision.decided_by == world["coordinator"]

    client.force_login(world["editor"])
    page = client.get(change_url(world["offer"]))
    assert page.context["adminform"].form["title"].value() == "Betriebsbesichtigung IT"
    assert "Bitte ohne Werbung." in page.text


def test_an_editor_cannot_publish_or_reject_his_own_change(client, world):
    client.force_login(world["editor"])
    edit(client, world["offer"], title="Selbst freigegeben")
    page = client.get(revision_url(world["offer"]))
    assert page.status_code == 200 and not page.context["may_decide"]
    assert 'name="_publish"' not in page.text
    assert client.post(revision_url(world["offer"]), {"_publish": "1"}).status_code == 403
    assert client.post(revision_url(world["offer"]), {"_reject": "1"}).status_code == 403
    revision = OfferRevision.objects.get()
    with pytest.raises(PermissionDenied):
        services.offer_revision_publish(revision=revision, user=world["editor"])
    assert Offer.objects.get(pk=world["offer"].pk).title == "Betriebsbesichtigung IT"
    assert revision.state == OfferRevision.State.PENDING


def test_another_providers_editor_cannot_see_the_change(client, world):
    client.force_login(world["editor"])
    edit(client, world["offer"], title="Nur für uns")
    client.force_login(world["stranger"])
    assert client.get(revision_url(world["offer"])).status_code == 404
    assert client.post(revision_url(world["offer"]), {"_publish": "1"}).status_code == 404
    listing = client.get(reverse("admin:offers_offer_changelist"), {"pending_change": "yes"})
    assert list(listing.context["cl"].result_list) == []
    assert "Nur für uns" not in listing.text


def test_drafts_keep_the_review_workflow(client, world):
    draft = factories.make_offer(
        world["taxonomy"], provider=world["own"], status="draft", title="Entwurf"
    )
    client.force_login(world["editor"])
    edit(client, draft, title="Entwurf, überarbeitet")
    draft.refresh_from_db()
    assert draft.title == "Entwurf, überarbeitet" and draft.status == Offer.Status.REVIEW
    assert not OfferRevision.objects.exists()


def test_publishing_a_change_whose_code_was_taken_meanwhile_gives_a_clear_error(client, world):
    # A code, once set, cannot be changed in the form: the editor proposes a first one.
    Offer.objects.filter(pk=world["offer"].pk).update(code="")
    world["offer"].refresh_from_db()
    client.force_login(world["editor"])
    edit(client, world["offer"], code="N 99")
    factories.make_offer(world["taxonomy"], code="N 99", title="Schneller")
    client.force_login(world["coordinator"])
    response = client.post(revision_url(world["offer"]), {"_publish": "1"}, follow=True)
    assert response.status_code == 200
    assert Offer.objects.get(pk=world["offer"].pk).code == world["offer"].code
    assert OfferRevision.objects.get().state == OfferRevision.State.PENDING
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        unique = translation.gettext("Another offer already has this code.")
    assert unique in response.text


def test_restoring_an_old_version_of_a_published_offer_waits_as_a_change_too(client, world):
    offer = world["offer"]
    old_version = offer.history.latest()  # published, as the factory created it
    offer.status = Offer.Status.REVIEW
    offer.save()
    offer.status = Offer.Status.PUBLISHED
    offer.title = "Betriebsbesichtigung IT 2027"
    offer.save()
    review_version = offer.history.filter(status="review").get()
    client.force_login(world["editor"])
    url = reverse("admin:offers_offer_simple_history", args=[offer.pk, review_version.history_id])
    data = admin_form_data(client.get(url))
    response = client.post(url, data)
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PUBLISHED  # the old version's “in review” did not win
    assert offer.title == "Betriebsbesichtigung IT 2027"
    assert OfferRevision.objects.pending().get(offer=offer).values == {"title": old_version.title}
