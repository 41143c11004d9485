"""The history of an offer as people read it: one entry per save (with the links as
saved), German column and field names, choices by name, dates in German format, links by
name; and a save that costs a bounded number of queries."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from offers import services
from tests import factories
from tests.admin_support import admin_form_data, make_user, setup_roles


@pytest.fixture
def coordinator(taxonomy):
    setup_roles()
    return make_user("Koordination")


def save_in_admin(client, offer, **changes):
    url = reverse("admin:offers_offer_change", args=[offer.pk])
    data = admin_form_data(client.get(url))
    data.update(changes)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return len(queries)


def test_one_save_with_changed_links_writes_one_history_entry(client, taxonomy, coordinator):
    offer = factories.make_offer(taxonomy, title="Laborpraktikum", regions=[taxonomy["trier"]])
    offer.subjects.set([taxonomy["informatik"]])
    client.force_login(coordinator)
    before = offer.history.count()
    save_in_admin(
        client,
        offer,
        title="Laborpraktikum Chemie",
        regions=[str(taxonomy["vulkaneifel"].pk)],
        sectors=[str(taxonomy["it"].pk), str(taxonomy["chemie"].pk)],
    )
    assert offer.history.count() == before + 1
    record = offer.history.latest()
    assert record.title == "Laborpraktikum Chemie"
    assert record.history_user == coordinator
    # The record holds the links as saved, every link table included.
    assert [row.region for row in record.regions.all()] == [taxonomy["vulkaneifel"]]
    assert {row.sector for row in record.sectors.all()} == {taxonomy["it"], taxonomy["chemie"]}
    assert [row.subject for row in record.subjects.all()] == [taxonomy["informatik"]]


def change_cells(page):
    """The texts of the history table's “changes” cells, one string per row."""
    cells = re.findall(r"<td>\s*(<ul>.*?</ul>)\s*</td>", page.text, flags=re.S)
    return [
        re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", cell))).strip() for cell in cells
    ]


def test_the_history_page_speaks_german_with_names_and_dates(client, taxonomy, coordinator):
    offer = factories.make_offer(
        taxonomy, title="Girls' Day", status="review", regions=[taxonomy["trier"]]
    )
    client.force_login(coordinator)
    services.offer_publish(offer=offer, user=coordinator)
    save_in_admin(
        client,
        offer,
        end_date="2026-12-01",
        start_date="2026-11-30",
        regions=[str(taxonomy["trier"].pk), str(taxonomy["vulkaneifel"].pk)],
        year_round="",
    )
    page = client.get(reverse("admin:offers_offer_history", args=[offer.pk]))
    assert page.status_code == 200
    text = "\n".join(change_cells(page))
    with translation.override(page.wsgi_request.LANGUAGE_CODE):
        gettext = translation.gettext
        assert f'<th scope="col">{gettext("Changes")}</th>' in page.text
        assert gettext("Changes") == "Änderungen"
        status = offer._meta.get_field("status").verbose_name
        assert f"{str(status).capitalize()}: {gettext('in review')} → {gettext('published')}" in (
            text
        )
        last_date = str(offer._meta.get_field("end_date").verbose_name)
        assert f"{last_date[0].upper()}{last_date[1:]}: – → 01.12.2026" in text
        today = datetime.date.today().strftime("%d.%m.%Y")
        assert f"– → {today}" in text  # the confirmation the publishing set
        assert f"{gettext('yes')} → {gettext('no')}" in text  # all year by arrangement
        assert "Stadt Trier → Landkreis Vulkaneifel, Stadt Trier" in text
    for raw in ("review", "None", "2026-12-01", "True", "[<"):
        assert raw not in text, raw


def test_a_coordinators_admin_save_runs_a_bounded_number_of_queries(client, taxonomy, coordinator):
    offer = factories.make_offer(taxonomy, regions=[taxonomy["trier"]])
    client.force_login(coordinator)
    queries = save_in_admin(client, offer, title="Neu", regions=[str(taxonomy["vulkaneifel"].pk)])
    # 73 before (one history record per save and per link table, each snapshot of the four
    # link tables joined to the offer and re-reading its search vector); 45 now.
    assert queries <= 47, queries


def test_the_history_shows_a_changed_duration_in_its_units_on_one_line(
    client, taxonomy, coordinator
):
    # Stored before units were entered: shown in minutes, the largest unit that fits.
    offer = factories.make_offer(
        taxonomy, duration_min_minutes=60, duration_max_minutes=90, duration_unit=""
    )
    client.force_login(coordinator)
    # Stating the unit it was shown in changes nothing a reader sees: no line.
    save_in_admin(client, offer, duration_0="60", duration_1="90", duration_2="minutes")
    save_in_admin(client, offer, duration_0="2", duration_1="20", duration_2="weeks")
    offer.refresh_from_db()
    assert (offer.duration_min_minutes, offer.duration_max_minutes) == (4800, 48000)

    page = client.get(reverse("admin:offers_offer_history", args=[offer.pk]))
    assert page.status_code == 200
    # The page lists the records newest first: the second is the save that stated the unit.
    assert [r.duration_unit for r in offer.history.order_by("-history_date")[:3]] == [
        "weeks",
        "minutes",
        "",
    ]
    rows = re.findall(r"<tr>(.*?)</tr>", page.text.split("<tbody>")[1], flags=re.S)
    newest, unit_stated = rows[:2]
    assert "<ul>" not in unit_stated
    cell = re.search(r"<td>\s*<ul>(.*?)</ul>\s*</td>", newest, flags=re.S).group(1)
    lines = [
        re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", item))).strip()
        for item in re.findall(r"<li>(.*?)</li>", cell, flags=re.S)
    ]
    # As the form names and shows it: one line, in the unit each value was entered in.
    assert lines == ["Dauer für die Suche: 60–90 Minuten → 2–20 Wochen"]
