"""Catalogue codes (“N 23”): given when an offer is first published, never changed, never
given twice, not even after the offer is deleted."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from insights.codes import assign_codes
from insights.models import IssuedCode
from offers.models import Offer, Provider, Subject
from tests import factories
from tests.admin_support import admin_form_data, make_user, setup_roles

pytestmark = pytest.mark.django_db


def run_action(client, action, offer):
    return client.post(
        reverse("admin:offers_offer_changelist"),
        {"action": action, "_selected_action": [offer.pk]},
    )


@pytest.fixture
def university_draft(taxonomy):
    chemistry = Subject.objects.create(name="Naturwissenschaften", slug="nawi", letter="N")
    provider = factories.make_provider(taxonomy, kind=Provider.Kind.UNIVERSITY)
    offer = factories.make_offer(taxonomy, provider=provider, status=Offer.Status.DRAFT)
    offer.subjects.set([chemistry])
    return offer


def test_publishing_in_the_admin_gives_the_next_code_of_the_subject(
    client, taxonomy, university_draft
):
    # The printed handbook's codes run up to N 28; the next university offer continues.
    other = factories.make_offer(taxonomy, code="N 28", status=Offer.Status.PUBLISHED)
    setup_roles()
    client.force_login(make_user("Koordination"))

    run_action(client, "publish", university_draft)

    university_draft.refresh_from_db()
    assert university_draft.status == Offer.Status.PUBLISHED
    assert university_draft.code == "N 29"
    assert other.code == "N 28"
    page = client.get(university_draft.get_absolute_url())
    assert "N 29" in page.content.decode()


def test_a_code_survives_edits_archiving_and_publishing_again(client, taxonomy, university_draft):
    setup_roles()
    client.force_login(make_user("Koordination"))
    run_action(client, "publish", university_draft)
    university_draft.refresh_from_db()
    code = university_draft.code
    assert code.startswith("N ")

    university_draft.title = "Grüne Chemie, neu beschrieben"
    university_draft.save()
    run_action(client, "archive", university_draft)
    run_action(client, "send_to_draft", university_draft)
    run_action(client, "publish", university_draft)

    university_draft.refresh_from_db()
    assert university_draft.status == Offer.Status.PUBLISHED
    assert university_draft.code == code
    assert IssuedCode.objects.filter(offer=university_draft).count() == 1


def test_a_deleted_offers_code_is_never_given_again(taxonomy):
    provider = factories.make_provider(taxonomy, kind=Provider.Kind.COMPANY)
    first = factories.make_offer(taxonomy, provider=provider)
    code = first.code
    assert code == "B 1"
    first.delete()

    second = factories.make_offer(taxonomy, provider=provider)
    assert second.code == "B 2"
    assert IssuedCode.objects.get(code="B 1").offer is None


def test_a_code_from_an_import_stays_taken_after_its_offer_is_deleted(taxonomy):
    provider = factories.make_provider(taxonomy, kind=Provider.Kind.COMPANY)
    # As the import writes them: bulk_create sends no signal.
    imported = Offer.objects.bulk_create(
        [Offer(provider=provider, offer_type=taxonomy["praktikum"], title="X", code="B 7",
               status=Offer.Status.PUBLISHED)]
    )  # fmt: skip
    assign_codes(imported)
    Offer.objects.filter(code="B 7").delete()

    later = factories.make_offer(taxonomy, provider=provider)
    assert later.code == "B 8"


def test_drafts_get_no_code_and_codes_follow_the_provider_kind(taxonomy):
    draft = factories.make_offer(taxonomy, status=Offer.Status.DRAFT)
    school = factories.make_provider(taxonomy, kind=Provider.Kind.SCHOOL)
    chamber = factories.make_provider(taxonomy, kind=Provider.Kind.CHAMBER)
    assert draft.code == ""
    assert factories.make_offer(taxonomy, provider=school).code == "SCH 1"
    assert factories.make_offer(taxonomy, provider=chamber).code == "K 1"
    assert factories.make_offer(taxonomy, provider=chamber).code == "K 2"


def test_the_command_codes_bulk_written_offers_in_order_and_leaves_codes_alone(taxonomy):
    provider = factories.make_provider(taxonomy, kind=Provider.Kind.COMPANY)
    rows = [
        Offer(provider=provider, offer_type=taxonomy["praktikum"], title=f"Offer {n}",
              status=Offer.Status.PUBLISHED, code="B 3" if n == 1 else "")
        for n in range(4)
    ]  # fmt: skip
    Offer.objects.bulk_create(rows)

    call_command("assign_offer_codes", verbosity=0)

    codes = list(
        Offer.objects.filter(provider=provider).order_by("pk").values_list("code", flat=True)
    )
    assert codes == ["B 4", "B 3", "B 5", "B 6"]


def test_a_given_code_cannot_be_changed_in_the_admin(client, taxonomy):
    offer = factories.make_offer(taxonomy, code="N 23", status=Offer.Status.PUBLISHED)
    setup_roles()
    client.force_login(make_user("Koordination"))
    url = reverse("admin:offers_offer_change", args=[offer.pk])
    page = client.get(url)
    data = admin_form_data(page)
    assert "code" not in data  # shown, not editable
    data.update(code="N 99", title="Neu beschrieben")
    response = client.post(url, data)
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.title == "Neu beschrieben"
    assert offer.code == "N 23"

    # An offer without a code: the coordinator may still give one (e.g. from the print).
    uncoded = factories.make_offer(taxonomy, status=Offer.Status.DRAFT)
    url = reverse("admin:offers_offer_change", args=[uncoded.pk])
    data = admin_form_data(client.get(url))
    assert "code" in data
    data["code"] = "N 24"
    assert client.post(url, data).status_code == 302
    uncoded.refresh_from_db()
    assert uncoded.code == "N 24"
