"""Places are never oversold: 50 teachers confirm at the same moment for the last 10 places
of a date, each in its own database connection (PostgreSQL only: SQLite runs one writer at
a time anyway, and its test database is one shared connection)."""

import threading

import pytest
from django.db import connection, connections

from bookings import services
from bookings.models import BookingRequest, Session
from tests.factories import make_offer, make_session

pytestmark = pytest.mark.django_db(transaction=True)

TEACHERS = 50


def absolute_url(path):
    return f"https://portal.example.org{path}"


def at_once(function, ids):
    """Run ``function(id)`` for every id in a thread of its own, all released together."""
    barrier = threading.Barrier(len(ids))
    errors = []

    def run(pk):
        try:
            barrier.wait()
            function(pk)
        except Exception as error:  # noqa: BLE001 -- reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(pk,)) for pk in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: concurrent writers with row locks"
)
def test_fifty_confirmations_for_the_last_ten_places(taxonomy):
    offer = make_offer(taxonomy)
    session = make_session(offer, days=10, places=30)
    Session.objects.filter(pk=session.pk).update(places_taken=20)  # the last 10 places
    ids = [
        BookingRequest.objects.create(
            offer=offer, session=session, school_name=f"Schule {n}", school_town="Trier",
            teacher_name=f"Lehrkraft {n}", email=f"l{n}@schule.example.org", grade=9,
            pupils=1, submission_key=f"{n:032d}",
        ).pk
        for n in range(TEACHERS)
    ]  # fmt: skip

    at_once(lambda pk: services.request_confirm(booking_id=pk, absolute_url=absolute_url), ids)

    requests = BookingRequest.objects.filter(session=session)
    assert requests.filter(places="held").count() == 10
    assert requests.filter(places="waiting").count() == 40
    session.refresh_from_db()
    assert session.places_taken == 30

    waiting = list(BookingRequest.objects.waiting_for(session).values_list("pk", flat=True))
    held = list(requests.filter(places="held").values_list("pk", flat=True))
    services.request_cancel(booking_id=held[0], absolute_url=absolute_url)
    assert BookingRequest.objects.get(pk=waiting[0]).places == "held"
    assert BookingRequest.objects.get(pk=waiting[1]).places == "waiting"

    # The other nine held cancel at the same moment: the next nine move up, none twice.
    at_once(lambda pk: services.request_cancel(booking_id=pk, absolute_url=absolute_url), held[1:])
    session.refresh_from_db()
    assert session.places_taken == 30
    assert set(requests.filter(places="held").values_list("pk", flat=True)) == set(waiting[:10])
    assert requests.filter(places="waiting").count() == 30
    assert not Session.objects.filter(places_taken__lt=0).exists()
