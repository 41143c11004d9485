"""An offer's duration entered as a value or range with a unit (“2 bis 20 Wochen”), stored
in minutes for the search's duration facet, shown in that unit when no duration text is
given; bad input gets a German form error, not a 500."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from offers.durations import DurationRangeField, duration_label
from tests import factories
from tests.admin_support import admin_form_data, make_user, setup_roles


@pytest.mark.parametrize(
    "low, high, unit, stored",
    [
        ("2", "20", "weeks", (4800, 48000, "weeks")),
        ("1,5", "", "hours", (90, 90, "hours")),
        ("90", "", "minutes", (90, 90, "minutes")),
        ("", "3", "days", (None, 1440, "days")),
        (" 2 ", "2,5", "days", (960, 1200, "days")),
        ("", "", "", (None, None, "")),
        ("", "", "weeks", (None, None, "")),
    ],
)
def test_a_value_or_range_with_a_unit_is_stored_in_minutes(low, high, unit, stored):
    assert DurationRangeField(required=False).clean([low, high, unit]) == stored


@pytest.mark.parametrize(
    "low, high, unit, message",
    [
        ("zwei", "", "weeks", "Enter the duration as a number, e.g. 2 or 1,5."),
        ("2", "", "", "Choose the unit of the duration (minutes, hours, days or weeks)."),
        ("20", "2", "weeks", "The end of the range must not be below its start."),
        ("0,5", "", "minutes", "The duration must come to whole minutes."),
        ("-1", "", "hours", "The duration must be more than zero."),
        ("600", "", "weeks", "The duration cannot be longer than ten years."),
        ("NaN", "", "hours", "Enter the duration as a number, e.g. 2 or 1,5."),
    ],
)
def test_bad_input_gets_a_german_message(low, high, unit, message):
    with translation.override("de"), pytest.raises(ValidationError) as error:
        DurationRangeField(required=False).clean([low, high, unit])
    with translation.override("de"):
        assert error.value.messages == [translation.gettext(message)]
        assert translation.gettext(message) != message  # translated


@pytest.mark.parametrize(
    "low, high, unit, label",
    [
        (4800, 48000, "weeks", "2–20 Wochen"),
        (90, 90, "minutes", "90 Minuten"),
        (90, 90, "hours", "1,5 Stunden"),
        (480, 480, "days", "1 Tag"),
        (None, 1440, "days", "bis zu 3 Tage"),
        (4800, 48000, "", "2–20 Wochen"),  # imported minutes: the largest fitting unit
        (480, 480, "hours", "8 Stunden"),
        (None, None, "", ""),
    ],
)
def test_the_label_speaks_the_unit_it_was_entered_in(low, high, unit, label):
    with translation.override("de"):
        assert duration_label(low, high, unit) == label


@pytest.fixture
def coordinator(taxonomy):
    setup_roles()
    return make_user("Koordination")


def test_the_admin_form_takes_and_shows_a_range_with_its_unit(client, taxonomy, coordinator):
    offer = factories.make_offer(taxonomy, title="Praxissemester")
    url = reverse("admin:offers_offer_change", args=[offer.pk])
    client.force_login(coordinator)
    data = admin_form_data(client.get(url))
    data.update(duration_0="2", duration_1="20", duration_2="weeks")
    assert client.post(url, data).status_code == 302
    offer.refresh_from_db()
    assert (offer.duration_min_minutes, offer.duration_max_minutes) == (4800, 48000)
    assert offer.duration_unit == "weeks"

    page = client.get(url)
    assert page.context["adminform"].form["duration"].value() == (4800, 48000, "weeks")
    assert 'name="duration_0" value="2"' in page.text
    assert 'name="duration_1" value="20"' in page.text
    assert '<option value="weeks" selected>' in page.text

    data.update(duration_0="2", duration_1="zwanzig")
    response = client.post(url, data)
    assert response.status_code == 200
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        expected = translation.gettext("Enter the duration as a number, e.g. 2 or 1,5.")
    assert response.context["adminform"].form.errors["duration"] == [expected]
    offer.refresh_from_db()
    assert offer.duration_max_minutes == 48000


def test_public_pages_show_the_duration_in_its_unit_unless_a_text_is_given(client, taxonomy):
    offer = factories.make_offer(
        taxonomy,
        title="Praxissemester",
        duration_min_minutes=4800,
        duration_max_minutes=48000,
        duration_unit="weeks",
    )
    written = factories.make_offer(
        taxonomy,
        title="Schnuppertag",
        duration_text="ein Vormittag",
        duration_min_minutes=240,
        duration_max_minutes=240,
        duration_unit="hours",
    )
    with translation.override("de"):
        assert "2–20 Wochen" in client.get(offer.get_absolute_url()).text
        page = client.get(written.get_absolute_url()).text
        assert "ein Vormittag" in page and "4 Stunden" not in page
        provider_page = client.get(offer.provider.get_absolute_url()).text
        assert "2–20 Wochen" in provider_page
        # The search's duration facet reads the minutes as before.
        found = client.get(reverse("offers:search"), {"duration": "wochen"})
        assert [o.pk for o in found.context["page_obj"].object_list] == [offer.pk]
        assert "2–20 Wochen" in found.text
