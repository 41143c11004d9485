"""Dated sessions (bookings): catalogue data, the "Zeitraum" facet that moves with the day
without a write, and the dates on cards and offer pages."""

import datetime
import re

import pytest
from django.utils import timezone

from bookings.models import Session
from bookings.search import BANDS
from offers.models import CatalogChange, CatalogVersion
from offers.search import sql
from offers.search.index import SearchIndex
from offers.search.patching import patched
from offers.search.spec import SearchSpec, Vocabulary
from tests.factories import make_offer

# A Monday in March: the school half-year runs until 31 July.
TODAY = datetime.datetime(2027, 3, 1, 10, 0)


pytestmark = pytest.mark.usefixtures("fresh_index")


@pytest.fixture
def clock(monkeypatch):
    """``timezone.now`` set to ``TODAY`` (local time); ``clock.move(days)`` moves it on."""

    class Clock:
        now = timezone.make_aware(TODAY)

        def move(self, days):
            self.now += datetime.timedelta(days=days)

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


def at(days, hour=9):
    """A local date-time ``days`` after TODAY."""
    return timezone.make_aware(TODAY.replace(hour=hour) + datetime.timedelta(days=days))


def add_session(offer, days, **fields):
    start = at(days)
    return Session.objects.create(
        offer=offer, starts_at=start, ends_at=start + datetime.timedelta(hours=3), **fields
    )


@pytest.fixture
def dated(taxonomy, clock):
    """Offers with sessions in each band, one by arrangement, one with only a past date."""
    offers = {
        "soon": make_offer(taxonomy, title="Bald"),
        "summer": make_offer(taxonomy, title="Im Sommer"),
        "autumn": make_offer(taxonomy, title="Im Herbst"),
        "arranged": make_offer(taxonomy, title="Nach Absprache"),
        "past": make_offer(taxonomy, title="Vorbei"),
        "closed": make_offer(taxonomy, title="Frist vorbei"),
    }
    add_session(offers["soon"], 10, places=20)
    add_session(offers["summer"], 60)  # 30 April
    add_session(offers["autumn"], 200)  # September: next school half-year
    add_session(offers["past"], -3)
    add_session(
        offers["closed"], 5, registration_deadline=(TODAY - datetime.timedelta(days=1)).date()
    )
    return offers


def counts_of_both_engines(spec=None):
    spec = spec or SearchSpec()
    vocabulary = Vocabulary.load()
    by_sql = sql.search(spec, vocabulary).counts["period"]
    by_reference = sql.reference_counts(spec, vocabulary)["period"]
    by_index = SearchIndex.build().search(spec).counts["period"]
    assert by_sql == by_index == by_reference
    return by_index


def test_period_counts_are_equal_in_both_engines_and_follow_the_bands(dated):
    assert counts_of_both_engines() == {
        "naechste-4-wochen": 1,  # soon (closed: its deadline passed yesterday)
        "dieses-halbjahr": 2,  # soon, summer
        "spaeter": 1,  # autumn
        "nach-absprache": 1,  # arranged; "past" has dates, just none left
    }
    vocabulary = Vocabulary.load()
    index = SearchIndex.build()
    for keys, titles in [
        (("naechste-4-wochen",), ["Bald"]),
        (("spaeter", "nach-absprache"), ["Im Herbst", "Nach Absprache"]),
    ]:
        spec = SearchSpec(period=keys, sort="title")
        assert [o.title for o in index.search(spec).page] == titles
        assert [o.title for o in sql.search(spec, vocabulary).page] == titles


def test_past_sessions_leave_the_counts_at_midnight_without_a_write(dated, clock):
    index = SearchIndex.build()
    version, changes = CatalogVersion.current(), CatalogChange.objects.count()
    # Asked today first, so that the index has worked the bands out for today.
    assert index.search(SearchSpec()).counts["period"]["naechste-4-wochen"] == 1
    clock.move(11)  # "soon" started yesterday
    assert counts_of_both_engines()["naechste-4-wochen"] == 0
    # The same index, no write: the bands are worked out for the day they are asked on.
    assert index.search(SearchSpec()).counts["period"]["naechste-4-wochen"] == 0
    assert index.search(SearchSpec()).counts["period"]["dieses-halbjahr"] == 1
    clock.move(170)  # 29 August: a new school half-year, autumn's date (17 September) in it
    assert counts_of_both_engines() == {
        "naechste-4-wochen": 1,
        "dieses-halbjahr": 1,
        "spaeter": 0,
        "nach-absprache": 1,
    }
    assert (CatalogVersion.current(), CatalogChange.objects.count()) == (version, changes)


def test_a_session_write_replaces_the_token_and_logs_its_offer(dated):
    offer = dated["arranged"]
    before = CatalogVersion.current()
    last = CatalogChange.objects.order_by("-pk").first().pk
    session = add_session(offer, 3, places=12)
    assert CatalogVersion.current() != before
    logged = CatalogChange.objects.filter(pk__gt=last).values_list("offer_id", flat=True)
    assert set(logged) == {offer.pk}
    Session.objects.filter(pk=session.pk).update(places_taken=5)
    assert CatalogVersion.current() != before


def test_a_patched_index_knows_new_and_deleted_sessions(dated):
    index = SearchIndex.build()
    last = CatalogChange.objects.order_by("-pk").first().pk
    add_session(dated["arranged"], 3)
    Session.objects.filter(offer=dated["autumn"]).delete()
    changed = CatalogChange.objects.filter(pk__gt=last).values_list("offer_id", flat=True)
    patch = patched(index, CatalogVersion.current(), None, set(changed))
    fresh = SearchIndex.build()
    for spec in (SearchSpec(), SearchSpec(period=("naechste-4-wochen",)), SearchSpec(q="Bald")):
        assert patch.search(spec).counts == fresh.search(spec).counts
    assert patch.search(SearchSpec()).counts["period"] == {
        "naechste-4-wochen": 2,
        "dieses-halbjahr": 3,
        "spaeter": 0,
        "nach-absprache": 1,  # autumn lost its date
    }


def test_the_search_page_is_cached_per_day(client, dated, clock):
    def period_options():
        page = client.get("/suche/").content.decode()
        return dict(re.findall(r'for="f-period-([a-z0-9-]+)">[^<]*<span class="count">(\d+)', page))

    assert period_options()["naechste-4-wochen"] == "1"
    assert period_options()["naechste-4-wochen"] == "1"  # from the page cache
    clock.move(11)  # no write: the cached page of yesterday is not served
    assert "naechste-4-wochen" not in period_options()  # an empty band is not offered
    assert period_options()["dieses-halbjahr"] == "1"


def test_cards_and_the_offer_page_show_next_dates_and_free_places(client, dated):
    page = client.get("/suche/", {"q": "Bald"}).content.decode()
    assert "Nächste Termine" in page and "11.03.2027 (20 Plätze frei)" in page
    offer_page = client.get(dated["soon"].get_absolute_url()).content.decode()
    assert "Do, 11.03.2027, 09:00–12:00 Uhr" in offer_page
    assert "20 Plätze frei" in offer_page
    assert f'href="/angebot/{dated["soon"].pk}/anfrage/"' in offer_page
    assert (
        "csrfmiddlewaretoken"
        not in offer_page.split("Termine und Anfrage")[1].split("</section>")[0]
    )
    arranged = client.get(dated["arranged"].get_absolute_url()).content.decode()
    assert "Keine festen Termine" in arranged
    # The past date is not shown.
    past = client.get(dated["past"].get_absolute_url()).content.decode()
    assert "26.02.2027" not in past


def test_a_card_the_index_keeps_leaves_out_dates_past_since(client, dated, clock):
    """The index keeps the offer with its dates, and its card for the day: the next day,
    without a write, the card is made again without the date that is over."""
    add_session(dated["soon"], 12, places=5)
    card = client.get("/suche/", {"q": "Bald"}).content.decode()
    assert "11.03.2027 (20 Plätze frei), 13.03.2027 (5 Plätze frei)" in card
    clock.move(11)  # 12 March: the first date is over
    card = client.get("/suche/", {"q": "Bald"}).content.decode()
    assert "11.03.2027" not in card
    assert "13.03.2027 (5 Plätze frei)" in card


def test_a_date_added_to_an_offer_without_dates_shows_on_its_page(client, dated):
    """The page of an offer the index knows has no dates asks no sessions; a date added
    later patches the index, and the page shows it."""
    url = dated["arranged"].get_absolute_url()
    assert "Keine festen Termine" in client.get(url).content.decode()
    add_session(dated["arranged"], 4, places=8)
    page = client.get(url).content.decode()
    assert "Fr, 05.03.2027, 09:00–12:00 Uhr" in page and "8 Plätze frei" in page
    assert "Keine festen Termine" not in page


def test_band_labels_are_german(client, dated):
    page = client.get("/suche/").content.decode()
    page = page.replace("\xad", "")  # soft hyphens in long words
    for label in ("Zeitraum", "in den nächsten 4 Wochen", "in diesem Schulhalbjahr", "später"):
        assert label in page
    assert set(BANDS) == {"naechste-4-wochen", "dieses-halbjahr", "spaeter", "nach-absprache"}


def test_the_calendar_files_hold_the_upcoming_sessions(dated):
    from schooldesk.calendar import calendar_for

    offers = [dated["soon"], dated["past"], dated["arranged"]]
    calendar = calendar_for(offers, lambda path: f"https://portal.example.org{path}")
    events = [e for e in calendar.walk("VEVENT") if str(e["uid"]).startswith("session-")]
    assert [(str(e["summary"]).split(" (")[0], e["dtstart"].dt) for e in events] == [
        ("Bald", at(10))
    ]
    assert "20 Plätze frei" in str(events[0]["description"])


def test_an_offer_with_dates_but_no_first_day_serves_them_as_a_calendar_file(
    client, taxonomy, clock
):
    from icalendar import Calendar

    offer = make_offer(taxonomy, title="Laborpraktikum", year_round=True, place="Labor 3")
    first = add_session(offer, 10, note="Vormittagsgruppe")
    second = add_session(offer, 40)
    add_session(offer, -2)  # over: not in the file
    assert offer.start_date is None

    page = client.get(offer.get_absolute_url()).content.decode()
    assert f'href="/angebot/{offer.pk}/kalender.ics"' in page
    response = client.get(f"/angebot/{offer.pk}/kalender.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [(e["dtstart"].dt, e["dtend"].dt) for e in events] == [
        (first.starts_at, first.ends_at),
        (second.starts_at, second.ends_at),
    ]
    for event in events:
        assert "Labor 3" in str(event["location"])
    assert "Vormittagsgruppe" in str(events[0]["description"])

    # Without upcoming dates there is nothing to add to a calendar: no link, and a 404.
    Session.objects.filter(offer=offer).delete()
    assert "kalender.ics" not in client.get(offer.get_absolute_url()).content.decode()
    assert client.get(f"/angebot/{offer.pk}/kalender.ics").status_code == 404


def test_the_facts_point_to_the_dates_instead_of_contradicting_them(client, taxonomy, clock):
    offer = make_offer(taxonomy, title="Schnupperkurs", year_round=True)
    add_session(offer, 10)
    add_session(offer, 12)

    def dates_fact():
        page = client.get(offer.get_absolute_url()).content.decode()
        return re.search(r"<dt>Termine</dt><dd>(.*?)</dd>", page, re.S).group(1).strip()

    fact = dates_fact()
    assert "ganzjährig nach Absprache" not in fact
    assert fact == '<a href="#dates-heading">2 kommende Termine, siehe unten</a>'
    Session.objects.filter(offer=offer).delete()
    assert dates_fact() == "ganzjährig nach Absprache"
