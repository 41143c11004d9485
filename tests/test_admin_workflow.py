"""The offer workflow in the admin: status actions with who and when, duplicate, confirm,
stale offers listed for follow-up, deletion that explains, and a list page of fixed cost."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from offers.models import Offer
from tests import factories
from tests.admin_support import make_user, setup_roles

CHANGELIST = "admin:offers_offer_changelist"


@pytest.fixture
def coordinator(taxonomy):
    setup_roles()
    return make_user("Koordination")


def run_action(client, action, *offers):
    return client.post(
        reverse(CHANGELIST), {"action": action, "_selected_action": [o.pk for o in offers]}
    )


def test_publish_archive_and_back_to_draft_record_who_and_when(client, taxonomy, coordinator):
    offer = factories.make_offer(taxonomy, status="review")
    client.force_login(coordinator)

    run_action(client, "publish", offer)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PUBLISHED
    assert offer.last_confirmed == timezone.localdate()
    latest = offer.history.latest()
    assert latest.history_user == coordinator
    assert latest.history_change_reason  # “Published”, in the user's language
    assert latest.status == "published"

    run_action(client, "archive", offer)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ARCHIVED
    run_action(client, "send_to_draft", offer)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.DRAFT
    statuses = list(offer.history.order_by("history_date").values_list("status", flat=True))
    assert statuses[-3:] == ["published", "archived", "draft"]
    assert {h.history_user for h in offer.history.all()[:3]} == {coordinator}


def test_a_step_the_status_does_not_allow_is_skipped_with_a_warning(client, taxonomy, coordinator):
    archived = factories.make_offer(taxonomy, status="archived")
    draft = factories.make_offer(taxonomy, status="draft")
    versions = archived.history.count()
    client.force_login(coordinator)
    response = run_action(client, "archive", archived, draft)
    archived.refresh_from_db()
    draft.refresh_from_db()
    assert draft.status == "archived"
    assert archived.history.count() == versions  # untouched: no new version
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("1" in m for m in messages) and len(messages) == 2


def test_the_action_menu_lists_the_workflow_steps_in_order_with_their_labels(
    client, taxonomy, coordinator
):
    factories.make_offer(taxonomy)
    client.force_login(coordinator)
    page = client.get(reverse(CHANGELIST))
    options = re.findall(r'<option value="(\w+)">([^<]*)</option>', page.text)
    assert [name for name, _label in options] == [
        "delete_selected",
        "publish",
        "submit_for_review",
        "send_to_draft",
        "archive",
        "confirm_today",
        "duplicate",
        "export_xlsx",
        "export_csv",
        "export_excel_csv",
    ]
    labels = dict(options)
    with translation.override(page.wsgi_request.LANGUAGE_CODE):
        assert labels["publish"] == translation.gettext("Publish selected offers")
        assert labels["confirm_today"] == translation.gettext(
            "Mark selected offers as confirmed today"
        )


def test_submit_for_review_moves_drafts_and_names_what_it_moved(client, taxonomy, coordinator):
    drafts = [factories.make_offer(taxonomy, status="draft") for _ in range(2)]
    published = factories.make_offer(taxonomy, status="published")
    client.force_login(coordinator)
    response = run_action(client, "submit_for_review", *drafts, published)
    assert set(Offer.objects.filter(status="review")) == set(drafts)
    messages = [(m.level_tag, str(m)) for m in response.wsgi_request._messages]
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        done = translation.ngettext(
            "%(count)s offer submitted for review.", "%(count)s offers submitted for review.", 2
        ) % {"count": 2}
        skipped = translation.ngettext(
            "%(count)s offer was skipped: its status does not allow this step.",
            "%(count)s offers were skipped: their status does not allow this step.",
            1,
        ) % {"count": 1}
    assert messages == [("success", done), ("warning", skipped)]


def test_duplicate_makes_a_draft_copy_with_the_same_taxonomies(client, taxonomy, coordinator):
    original = factories.make_offer(
        taxonomy,
        code="N 23",
        title="Grüne Chemie",
        sectors=[taxonomy["it"], taxonomy["chemie"]],
        regions=[taxonomy["trier"], taxonomy["vulkaneifel"]],
        last_confirmed=datetime.date(2026, 1, 5),
        grade_min=11,
    )
    original.school_forms.set([taxonomy["gym"]])
    client.force_login(coordinator)
    response = run_action(client, "duplicate", original)
    copy = Offer.objects.exclude(pk=original.pk).get()
    assert response.url == reverse("admin:offers_offer_change", args=[copy.pk])
    assert copy.status == Offer.Status.DRAFT
    assert copy.code == "" and copy.last_confirmed is None
    assert copy.title.startswith("Grüne Chemie") and copy.title != "Grüne Chemie"
    assert copy.grade_min == 11 and copy.provider == original.provider
    assert set(copy.sectors.all()) == {taxonomy["it"], taxonomy["chemie"]}
    assert set(copy.regions.all()) == {taxonomy["trier"], taxonomy["vulkaneifel"]}
    assert list(copy.school_forms.all()) == [taxonomy["gym"]]
    assert copy.history.latest().history_user == coordinator


def test_confirm_today_keeps_the_status(client, taxonomy, coordinator):
    offer = factories.make_offer(
        taxonomy, status="published", last_confirmed=datetime.date(2020, 1, 1)
    )
    client.force_login(coordinator)
    run_action(client, "confirm_today", offer)
    offer.refresh_from_db()
    assert offer.last_confirmed == timezone.localdate()
    assert offer.status == "published"


def test_stale_published_offers_are_flagged_and_listed_for_follow_up(
    client, taxonomy, coordinator, settings
):
    settings.OFFER_STALE_AFTER_DAYS = 365
    today = timezone.localdate()
    old = factories.make_offer(
        taxonomy, title="Alt bestätigt", last_confirmed=today - datetime.timedelta(days=400)
    )
    never = factories.make_offer(taxonomy, title="Nie bestätigt", last_confirmed=None)
    fresh = factories.make_offer(
        taxonomy, title="Frisch bestätigt", last_confirmed=today - datetime.timedelta(days=30)
    )
    factories.make_offer(taxonomy, title="Alter Entwurf", status="draft", last_confirmed=None)
    assert set(Offer.objects.stale()) == {old, never}
    assert old.is_stale and never.is_stale and not fresh.is_stale

    client.force_login(coordinator)
    page = client.get(reverse(CHANGELIST))
    assert "?confirmation=stale" in page.text
    assert page.context["stale_count"] == 2
    follow_up = client.get(reverse(CHANGELIST), {"confirmation": "stale"})
    result = list(follow_up.context["cl"].result_list)
    assert len(result) == 2 and set(result) == {old, never}

    settings.OFFER_STALE_AFTER_DAYS = 14
    assert set(Offer.objects.stale()) == {old, never, fresh}


def test_deleting_a_provider_with_offers_explains_and_deletes_nothing(
    client, taxonomy, coordinator
):
    offer = factories.make_offer(taxonomy, title="Bleibt erhalten")
    provider = offer.provider
    client.force_login(coordinator)
    url = reverse("admin:offers_provider_delete", args=[provider.pk])
    page = client.get(url)
    assert page.context["protected"]
    assert "Bleibt erhalten" in page.text
    client.post(url, {"post": "yes"})
    assert Offer.objects.filter(pk=offer.pk).exists()
    provider.refresh_from_db()


def changelist_queries(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


def test_offer_list_of_100_offers_runs_a_small_fixed_number_of_queries(
    client, taxonomy, coordinator
):
    provider = factories.make_provider(taxonomy)
    for n in range(10):
        factories.make_offer(
            taxonomy,
            provider=provider,
            regions=[taxonomy["trier"], taxonomy["vulkaneifel"]],
            title=f"Angebot {n:03}",
        )
    ten, shown = changelist_queries(client, coordinator)
    assert shown == 10
    for n in range(10, 100):
        factories.make_offer(
            taxonomy,
            regions=[taxonomy["trier"], taxonomy["vulkaneifel"]],
            title=f"Angebot {n:03}",
        )
    hundred, shown = changelist_queries(client, coordinator)
    assert shown == 100
    assert hundred == ten
    assert hundred <= 16, hundred
