"""Rules on offers hold in the database itself and explain themselves in full_clean()."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from offers.models import Offer, Sector
from tests.factories import make_offer, make_provider


def unsaved_offer(taxonomy, **fields):
    return Offer(
        provider=make_provider(taxonomy),
        title="Praktikum",
        offer_type=taxonomy["praktikum"],
        **fields,
    )


def clean_messages(instance):
    """full_clean()'s messages in the English source text (they are lazy: read them inside)."""
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            instance.full_clean()
        return [str(message) for message in error.value.messages]


@pytest.mark.parametrize(
    "fields",
    [
        {"grade_min": 10, "grade_max": 7},
        {"grade_min": 0, "grade_max": 7},
        {"grade_min": 5, "grade_max": 14},
        {"participants_min": 10, "participants_max": 5},
        {"duration_min_minutes": 480, "duration_max_minutes": 60},
        {"start_date": "2027-05-02", "end_date": "2027-05-01"},
    ],
    ids=["grades-backwards", "grade-0", "grade-14", "participants", "duration", "dates"],
)
def test_database_rejects_inconsistent_ranges(taxonomy, fields):
    offer = unsaved_offer(taxonomy, **fields)

    # Django's save() does not validate, so this reaches the database's CHECK constraints.
    with pytest.raises(IntegrityError), transaction.atomic():
        offer.save()

    assert not Offer.objects.exists()


def test_full_clean_explains_a_backwards_grade_range(taxonomy):
    offer = unsaved_offer(taxonomy, grade_min=10, grade_max=7)

    assert "The grade range must run from low to high within 1–13." in clean_messages(offer)


def test_full_clean_explains_a_maximum_below_the_minimum_of_participants(taxonomy):
    offer = unsaved_offer(taxonomy, participants_min=10, participants_max=5)

    assert "The maximum number of participants must not be below the minimum." in clean_messages(
        offer
    )


def test_open_participant_numbers_are_allowed(taxonomy):
    unsaved_offer(taxonomy, participants_min=None, participants_max=30).full_clean()
    unsaved_offer(taxonomy, participants_min=10, participants_max=None).full_clean()


def test_offer_codes_are_unique_but_many_offers_may_have_none(taxonomy):
    make_offer(taxonomy, code="N 23")
    make_offer(taxonomy, code="")
    make_offer(taxonomy, code="")

    with pytest.raises(IntegrityError), transaction.atomic():
        make_offer(taxonomy, code="N 23")
    duplicate = unsaved_offer(taxonomy, code="N 23")
    assert "Another offer already has this code." in clean_messages(duplicate)


def test_a_finer_field_must_belong_to_the_track_of_its_broad_field(taxonomy):
    field = Sector(name="Informatik", slug="informatik", track=taxonomy["studium"])
    field.parent = taxonomy["it"]  # a Berufsfeld of Ausbildung

    assert "The broader field must belong to the same track." in clean_messages(field)
