"""The coordinators' dashboard: the gap matrix counts what the search page counts, searches
are logged without personal data and show up there, and the read-only role reads it all."""

import csv
import datetime
import io
import random
import threading

import pytest
from django.core.cache import caches
from django.db import DatabaseError, connection, connections
from django.urls import reverse
from django.utils import timezone

from insights import dashboard, search_log
from insights.models import SearchCount
from offers.models import CatalogVersion, Offer
from offers.search import sql
from offers.search.spec import SearchSpec, Vocabulary
from tests import factories
from tests.admin_support import make_user, setup_roles

pytestmark = pytest.mark.django_db

DASHBOARD = "admin:insights_dashboard_changelist"


@pytest.fixture
def catalogue(taxonomy):
    """Forty offers spread at random (a fixed seed) over sectors, regions, types, school
    forms and grades, with gaps among them."""
    t = factories.add_search_vocabulary(taxonomy)
    rng = random.Random(17)
    sectors = [t["it"], t["chemie"], t["physik"], t["metall"], t["mint"]]
    regions = [t["trier"], t["vulkaneifel"], t["rlp"], t["saarland"]]
    types = [t["praktikum"], t["workshop"], t["vortrag"]]
    forms = [t["gym"], t["rs"], t["igs"]]
    provider = factories.make_provider(t)
    offers, links = [], []
    for n in range(40):
        low = rng.randint(5, 11)
        offers.append(
            Offer(
                provider=provider,
                title=f"Angebot {n}",
                offer_type=rng.choice(types),
                grade_min=low,
                grade_max=rng.randint(low, 13),
                all_school_forms=rng.random() < 0.3,
                status=rng.choice(["published"] * 4 + ["draft"]),
            )
        )
        links.append(
            (
                rng.sample(sectors, rng.randint(1, 2)),
                rng.sample(regions, rng.randint(1, 2)),
                rng.sample(forms, rng.randint(0, 2)),
            )
        )
    # In bulk, as an import writes them: the fixture is set up for every test.
    Offer.objects.bulk_create(offers)
    for position, (field, target) in enumerate(
        [("sectors", "sector"), ("regions", "region"), ("school_forms", "schoolform")]
    ):
        through = getattr(Offer, field).through
        through.objects.bulk_create(
            through(offer=offer, **{target: value})
            for offer, chosen in zip(offers, links, strict=True)
            for value in chosen[position]
        )
    return t


@pytest.fixture
def reader():
    setup_roles()
    return make_user("Lesezugriff")


def random_specs(rng, count):
    vocabulary = Vocabulary.load()
    choices = {name: [key for key, _ in vocabulary.choices(name)] for name in ("track", "type")}
    choices["schoolform"] = [key for key, _ in vocabulary.choices("schoolform")]
    for _n in range(count):
        picks = {
            name: tuple(rng.sample(keys, 1)) if rng.random() < 0.5 else ()
            for name, keys in choices.items()
        }
        yield SearchSpec(grade=rng.choice([None, None, 5, 9, 12]), **picks)


def test_every_matrix_cell_equals_the_search_pages_count(catalogue):
    vocabulary = Vocabulary.load()
    rng = random.Random(3)
    compared = gaps = 0
    for spec in random_specs(rng, 8):
        matrix = dashboard.gap_matrix(spec)
        assert {r.slug for r in matrix["columns"]} == {"stadt-trier", "landkreis-vulkaneifel"}
        for sector, cells in matrix["rows"]:
            for region, cell in zip(matrix["columns"], cells, strict=True):
                cell_spec = spec.replace(sector=(sector.slug,), region=(region.slug,))
                expected = sql.search(cell_spec, vocabulary, count_facets=lambda *a: {}).total
                assert cell["value"] == expected, (cell_spec, cell)
                compared += 1
                gaps += expected == 0
    # The random filters found both gaps and filled cells.
    assert compared >= 30 and 0 < gaps < compared


def test_a_cells_link_opens_the_search_page_with_that_many_results(client, catalogue):
    for spec in random_specs(random.Random(5), 25):
        cells = [cell for _sector, row in dashboard.gap_matrix(spec)["rows"] for cell in row]
        if {0} < {cell["value"] for cell in cells}:  # gaps and offers
            break
    else:
        pytest.fail("no filters with both gaps and offers")
    for cell in sorted(cells, key=lambda cell: cell["value"])[:2] + cells[-2:]:
        caches["pages"].clear()  # rendered afresh, so that the test sees its context
        response = client.get(cell["url"])
        assert response.status_code == 200
        assert response.context["result"].total == cell["value"]


def test_the_reader_sees_the_dashboard_with_gaps_marked_and_can_change_nothing(
    client, catalogue, reader
):
    client.force_login(reader)
    page = client.get(reverse(DASHBOARD), {"type": "workshop", "grade": "9"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="insights-gap"' in html
    assert 'href="/suche/?' in html
    assert "<svg" in html and "<title" in html and "<desc" in html

    assert client.post(reverse(DASHBOARD)).status_code in (403, 405)
    for perm in ("insights.add_issuedcode", "insights.change_searchcount", "offers.change_offer"):
        assert not reader.has_perm(perm)
    # The admin offers nothing to add or change in the app.
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse(DASHBOARD) in index
    assert reverse("admin:insights_dashboard_changelist") + "add/" not in index


def test_someone_without_the_role_does_not_see_it(client, catalogue):
    setup_roles()
    client.force_login(make_user("Anbieter-Redaktion"))
    assert client.get(reverse(DASHBOARD)).status_code == 403


def test_unreadable_filters_get_a_german_400(client, catalogue, reader):
    client.force_login(reader)
    page = client.get(reverse(DASHBOARD), {"grade": "neun"}, HTTP_ACCEPT_LANGUAGE="de")
    assert page.status_code == 400
    assert "Filter" in page.content.decode()


def test_a_zero_result_search_reaches_the_dashboard_and_stores_nothing_personal(
    client, catalogue, reader
):
    search_log.reset()
    client.get("/suche/", {"q": "Raketentechnik", "grade": "9"}, HTTP_USER_AGENT="Secret/1.0")
    client.get("/suche/", {"q": "Raketentechnik", "grade": "9"})  # from the page cache
    client.get("/suche/", {"q": "  RAKETENTECHNIK ", "grade": "9"})
    client.get("/suche/", {"q": "Raketentechnik", "grade": "9", "page": "2"})  # not a new search
    client.get("/suche/", {"q": "Angebot"})
    assert search_log.flush() == 2

    row = SearchCount.objects.get(words="raketentechnik")
    assert (row.filters, row.results, row.searches) == ("grade=9", 0, 3)
    assert row.day == timezone.localdate()
    # What a row holds: nothing but these columns, no address, session, agent or time.
    columns = {f.column for f in SearchCount._meta.concrete_fields}
    assert columns == {"id", "day", "words", "filters", "results", "searches"}
    stored = " ".join(str(v) for v in SearchCount.objects.values_list(flat=False)[0])
    assert "Secret" not in stored and "127.0.0.1" not in stored

    client.force_login(reader)
    html = client.get(reverse(DASHBOARD)).content.decode()
    unmet = html.split("no or few results")[1] if "no or few results" in html else html
    assert "raketentechnik" in unmet
    csv_response = client.get(reverse("admin:insights_dashboard_csv", args=["unmet"]))
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig")), delimiter=";"))
    assert any("raketentechnik" in row[0] and row[1] == "3" and row[2] == "0" for row in rows[1:])


def test_the_search_page_answers_and_counts_nothing_when_the_log_store_is_down(
    client, catalogue, monkeypatch
):
    search_log.reset()
    assert client.get("/suche/", {"q": "Angebot"}).status_code == 200
    assert "X-Result-Count" not in client.get("/suche/", {"q": "Angebot"})

    def refuse(*args, **kwargs):
        raise DatabaseError("the log store is down")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.executemany", refuse)
    assert search_log.flush() == 0
    assert search_log.pending() == {}
    monkeypatch.undo()
    assert client.get("/suche/", {"q": "Angebot"}).status_code == 200


def test_the_buffer_is_bounded(monkeypatch):
    search_log.reset()
    monkeypatch.setattr(search_log, "MAX_PENDING", 3)
    today = datetime.date(2026, 1, 5)
    for n in range(10):
        search_log.add(today, f"wort {n}", "", 1)
    search_log.add(today, "wort 1", "", 1)
    assert len(search_log.pending()) == 3
    assert search_log.pending()[(today, "wort 1", "")][0] == 2
    search_log.reset()


def test_counts_older_than_12_months_are_pruned(db):
    today = datetime.date(2026, 6, 15)
    for day in (datetime.date(2025, 6, 14), datetime.date(2025, 6, 15), today):
        SearchCount.objects.create(day=day, words="x", filters="", results=0, searches=1)
    assert search_log.prune(today=today) == 1
    assert sorted(SearchCount.objects.values_list("day", flat=True)) == [
        datetime.date(2025, 6, 15),
        today,
    ]


def test_csv_of_the_gap_matrix_matches_the_page(client, catalogue, reader):
    client.force_login(reader)
    response = client.get(
        reverse("admin:insights_dashboard_csv", args=["gaps"]), {"track": "studium"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    matrix = dashboard.gap_matrix(SearchSpec(track=("studium",)))
    assert len(rows) == 1 + len(matrix["rows"])
    assert rows[1][2:] == [str(cell["value"]) for cell in matrix["rows"][0][1]]
    assert client.get(reverse("admin:insights_dashboard_csv", args=["nothing"])).status_code == 404


def test_waiting_and_stale_offers_are_listed(client, catalogue, reader):
    waiting = factories.make_offer(
        catalogue, title="Wartet auf Prüfung", status=Offer.Status.REVIEW
    )
    factories.make_offer(catalogue, title="Alt", last_confirmed=datetime.date(2020, 1, 1))
    version = CatalogVersion.current()
    review = dashboard.waiting_for_review(version)
    assert [row[0] for row in review.rows] == [waiting.title]
    stale = dashboard.stale_by_provider(version)
    assert sum(row[1] for row in stale.rows) == Offer.objects.stale().count()


def test_demand_counts_confirmed_requests_and_the_share_answered(client, catalogue, reader):
    from bookings.models import BookingRequest

    offer = Offer.objects.published().first()
    for n, status in enumerate(["new", "accepted", "declined"]):
        BookingRequest.objects.create(
            offer=offer, school_name="Schule", school_town="Trier", teacher_name="L",
            email="l@example.org", grade=9, pupils=20, status=status,
            submission_key=f"k{n}", confirmed_at=timezone.now(),
        )  # fmt: skip
    BookingRequest.objects.create(
        offer=offer, school_name="Schule", school_town="Trier", teacher_name="L",
        email="l@example.org", grade=9, pupils=20, submission_key="unconfirmed",
    )  # fmt: skip
    tables = dashboard.demand_tables()
    assert tables["demand_offers"].rows[0][2:] == [3, "67 %"]
    client.force_login(reader)
    html = client.get(reverse(DASHBOARD)).content.decode()
    assert "67 %" in html


def test_demand_shows_the_median_time_to_the_first_answer(client, catalogue, reader):
    from bookings import services
    from bookings.models import BookingRequest

    sector = catalogue["it"]
    offer = factories.make_offer(catalogue, sectors=[sector])
    confirmed = timezone.now() - datetime.timedelta(days=10)

    def request(key):
        return BookingRequest.objects.create(
            offer=offer, school_name="Schule", school_town="Trier", teacher_name="L",
            email="l@example.org", grade=9, pupils=20, submission_key=key,
            confirmed_at=confirmed,
        )  # fmt: skip

    # The provider answers in the admin: the first answer sets the time, a later one not.
    first = request("a")
    first.status = BookingRequest.Status.CLARIFYING
    services.request_answer(booking=first, notify=False, absolute_url=lambda path: path)
    first.refresh_from_db()
    assert first.answered_at is not None
    answered = first.answered_at
    first.status = BookingRequest.Status.ACCEPTED
    services.request_answer(booking=first, notify=False, absolute_url=lambda path: path)
    first.refresh_from_db()
    assert first.answered_at == answered
    untouched = request("n")
    services.request_answer(booking=untouched, notify=False, absolute_url=lambda path: path)
    untouched.refresh_from_db()
    assert untouched.answered_at is None

    # Two answered after 2 h and 6 h (median 4 h); the unanswered one does not count.
    BookingRequest.objects.filter(pk=first.pk).update(
        answered_at=confirmed + datetime.timedelta(hours=2)
    )
    second = request("b")
    BookingRequest.objects.filter(pk=second.pk).update(
        status="declined", answered_at=confirmed + datetime.timedelta(hours=6)
    )
    name = sector.parent.name if sector.parent_id else sector.name
    client.force_login(reader)
    html = client.get(reverse(DASHBOARD)).content.decode()
    row = next(r for r in dashboard.demand_tables()["demand_sectors"].rows if r[0] == name)
    assert row[1:] == [3, "67 %", "4 Stunden"]
    assert "Mittlere Zeit bis zur Antwort (Median)" in html and "4 Stunden" in html
    response = client.get(reverse("admin:insights_dashboard_csv", args=["demand-sectors"]))
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [name, "3", "67 %", "4 Stunden"] in lines

    # Three answers (2 h, 6 h, 3 days): the median is the middle one.
    untouched.refresh_from_db()
    BookingRequest.objects.filter(pk=untouched.pk).update(
        status="accepted", answered_at=confirmed + datetime.timedelta(days=3)
    )
    row = next(r for r in dashboard.demand_tables()["demand_sectors"].rows if r[0] == name)
    assert row[3] == "6 Stunden"
    assert dashboard.format_duration(datetime.timedelta(hours=60)) == "2,5 Tage"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks that can deadlock: PostgreSQL only"
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_flushing_the_same_searches_at_once_lose_no_count():
    """Two gunicorn workers' writers upsert overlapping batches; in different orders they
    deadlocked (PostgreSQL) and a batch's counts were dropped."""
    day = datetime.date(2027, 3, 1)
    keys = [(day, f"wort {n:03d}", "") for n in range(150)]
    rounds = 8

    def worker(order):
        try:
            for _ in range(rounds):
                barrier.wait()
                search_log.write({key: [1, 3] for key in order})  # one worker's buffer
        finally:
            connections.close_all()

    barrier = threading.Barrier(2, timeout=30)
    search_log.reset()
    threads = [threading.Thread(target=worker, args=(o,)) for o in (keys, keys[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    counts = dict(SearchCount.objects.values_list("words", "searches"))
    assert counts == {words: 2 * rounds for _day, words, _filters in keys}
