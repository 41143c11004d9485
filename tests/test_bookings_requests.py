"""Requests (Anfragen): the form checks a class against its offer, a confirmation link
comes before the provider hears anything, the provider answers in the admin (its own
requests only), places are held or wait, a cancellation moves the waiting list up, and
personal data goes after its retention period."""

import datetime
import io
import re
import time
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings import erasure
from bookings.forms import new_submission_key
from bookings.models import BookingRequest, Session
from network import spam
from network.models import ErasureRecord
from offers.models import ContactPerson
from tests.admin_support import make_user, setup_roles
from tests.factories import make_offer, make_provider, make_session


def old_stamp(seconds=60):
    with mock.patch("django.core.signing.time.time", return_value=time.time() - seconds):
        return spam.form_stamp()


@pytest.fixture
def offer(taxonomy):
    provider = make_provider(taxonomy, name="Universität Trier", email="info@uni.example.org")
    ContactPerson.objects.create(
        provider=provider, name="Erika Labor", email="labor@uni.example.org"
    )
    offer = make_offer(
        taxonomy, provider=provider, title="Grüne Chemie", code="N 23",
        grade_min=11, grade_max=13, participants_max=20,
    )  # fmt: skip
    offer.school_forms.set([taxonomy["gym"]])
    return offer


@pytest.fixture
def session(offer):
    return make_session(offer, days=20, places=25)


def form_data(offer, taxonomy, **overrides):
    data = {
        "school_name": "Max-Planck-Gymnasium",
        "school_town": "Trier",
        "teacher_name": "Anna Lehrerin",
        "email": "anna.lehrerin@schule.example.org",
        "phone": "",
        "grade": "11",
        "school_form": str(taxonomy["gym"].pk),
        "pupils": "20",
        "session": "",
        "preferred_period": "im März",
        "message": "Wir freuen uns.",
        "started": old_stamp(),
        "submission": new_submission_key(),
        "homepage": "",
    }
    data.update(overrides)
    return data


def url(offer):
    return f"/angebot/{offer.pk}/anfrage/"


def link(message, path):
    found = re.search(rf"https?://\S+{path}\S+/", message.body)
    assert found, message.body
    return found.group(0).split("testserver", 1)[1]


def send_and_confirm(client, offer, taxonomy, **overrides):
    response = client.post(url(offer), form_data(offer, taxonomy, **overrides))
    assert response.status_code == 302, response.content.decode()[-3000:]
    confirm = link(mail.outbox[-1], "/anfrage/bestaetigen/")
    assert client.post(confirm).status_code == 200
    return BookingRequest.objects.latest("pk")


def test_the_provider_hears_of_a_request_only_after_the_link_is_clicked(
    client, offer, session, taxonomy
):
    page = client.get(url(offer)).content.decode()
    assert "Anfrage: Grüne Chemie" in page and "25 Plätze frei" in page
    response = client.post(url(offer), form_data(offer, taxonomy, session=str(session.pk)))
    assert response.status_code == 302
    booking = BookingRequest.objects.get()
    assert booking.confirmed_at is None and booking.session == session
    assert [m.to for m in mail.outbox] == [["anna.lehrerin@schule.example.org"]]
    confirmation = mail.outbox[0]
    assert confirmation.subject == "Bitte bestätigen Sie Ihre Anfrage: Grüne Chemie"
    html, kind = confirmation.alternatives[0]
    assert kind == "text/html" and "<img" not in html and "Anfrage bestätigen" in html
    assert not BookingRequest.objects.visible_to(make_superuser()).exists()

    confirm = link(confirmation, "/anfrage/bestaetigen/")
    assert "Anfrage an den Anbieter senden" in client.get(confirm).content.decode()
    assert BookingRequest.objects.get().confirmed_at is None  # a GET (a mail scanner) does nothing
    assert "Ihre Anfrage ist beim Anbieter" in client.post(confirm).content.decode()
    booking.refresh_from_db()
    assert booking.confirmed_at and booking.places == BookingRequest.Places.HELD
    session.refresh_from_db()
    assert session.places_taken == 20
    provider_mail, receipt = mail.outbox[1:]
    assert provider_mail.to == ["labor@uni.example.org"]
    assert provider_mail.reply_to == ["anna.lehrerin@schule.example.org"]
    assert provider_mail.subject == "Neue Anfrage für Ihr Angebot: Grüne Chemie"
    assert "Max-Planck-Gymnasium" in provider_mail.body and "Klassenstufe 11" in provider_mail.body
    assert receipt.to == ["anna.lehrerin@schule.example.org"]
    assert "/anfrage/stornieren/" in receipt.body
    # Clicking twice sends nothing twice.
    client.post(confirm)
    assert len(mail.outbox) == 3


def make_superuser():
    from django.contrib.auth import get_user_model

    return get_user_model()(is_superuser=True, is_active=True)


def test_a_class_that_does_not_fit_gets_warnings_and_may_be_sent_anyway(
    client, offer, session, taxonomy
):
    data = form_data(offer, taxonomy, grade="7", pupils="30", session=str(session.pk))
    response = client.post(url(offer), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "für die Klassenstufen 11–13 gedacht; Ihre Klasse ist in Klassenstufe 7" in page
    assert "höchstens 20 Schülerinnen und Schüler; Sie haben 30 angegeben" in page
    assert "nur noch 25 Plätze frei: Ihre Anfrage kommt auf die Warteliste" in page
    assert not BookingRequest.objects.exists() and not mail.outbox
    response = client.post(url(offer), {**data, "confirm_anyway": "on"})
    assert response.status_code == 302
    assert BookingRequest.objects.get().warnings_confirmed


@pytest.mark.parametrize(
    ("session_value", "message"),
    [
        ("999999", "Bitte wählen Sie einen der Termine dieses Angebots."),
        ("abc", "Bitte wählen Sie einen der Termine dieses Angebots."),
        ("other", "Bitte wählen Sie einen der Termine dieses Angebots."),
        ("past", "Dieser Termin ist vorbei oder seine Anmeldefrist abgelaufen."),
        ("closed", "Dieser Termin ist vorbei oder seine Anmeldefrist abgelaufen."),
    ],
)
def test_a_date_that_is_not_this_offers_or_is_over_is_refused(
    client, offer, session, taxonomy, session_value, message
):
    sessions = {
        "other": make_session(make_offer(taxonomy), days=5),
        "past": make_session(offer, days=-2),
        "closed": make_session(
            offer, days=9, registration_deadline=timezone.localdate() - datetime.timedelta(days=1)
        ),
    }
    value = str(sessions[session_value].pk) if session_value in sessions else session_value
    response = client.post(url(offer), form_data(offer, taxonomy, session=value))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not BookingRequest.objects.exists()


def test_a_double_submit_is_one_request_and_a_clear_409(client, offer, taxonomy):
    data = form_data(offer, taxonomy)
    assert client.post(url(offer), data).status_code == 302
    again = client.post(url(offer), data)
    assert again.status_code == 409
    assert "Diese Anfrage wurde schon gesendet" in again.content.decode()
    assert BookingRequest.objects.count() == 1 and len(mail.outbox) == 1


def test_requests_from_one_address_are_rate_limited(client, offer, taxonomy):
    for _ in range(10):
        assert client.post(url(offer), form_data(offer, taxonomy)).status_code == 302
    response = client.post(url(offer), form_data(offer, taxonomy))
    assert response.status_code == 429
    assert "Zu viele Anfragen von Ihrem Anschluss" in response.content.decode()
    assert BookingRequest.objects.count() == 10


FIELD_TEXT = st.one_of(
    st.text(max_size=30),
    st.text(min_size=190, max_size=260),
    st.sampled_from(["", " ", "\x00", "a\r\nBcc: spam@example.org", "<script>x</script>"]),
)
EMAILS = st.one_of(
    st.emails().map(str),
    st.sampled_from(
        [
            "anna@schule.example.org\nBcc: viele@example.org",
            "anna@schule.example.org\r\nSubject: Hallo",
            "x@localhost",
            "x@[127.0.0.1]",
            "a" * 250 + "@example.org",
            "keine-adresse",
        ]
    ),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    school=FIELD_TEXT,
    name=FIELD_TEXT,
    email=EMAILS,
    grade=st.sampled_from(["", "0", "11", "14", "-1", "x", "9" * 30]),
    pupils=st.sampled_from(["", "0", "20", "1000", "2.5", "9" * 30]),
    session_kind=st.sampled_from(["none", "open", "past", "other", "unknown", "garbage"]),
    message=st.one_of(st.text(max_size=50), st.text(min_size=2001, max_size=2100)),
    twice=st.booleans(),
)
def test_no_form_input_gives_a_500_or_a_duplicate(
    client,
    offer,
    session,
    taxonomy,
    school,
    name,
    email,
    grade,
    pupils,
    session_kind,
    message,
    twice,
):
    cache.clear()  # the rate limit is tested on its own
    mail.outbox.clear()
    sessions = {
        "open": session.pk,
        "past": Session.objects.get_or_create(
            offer=offer, note="vorbei",
            defaults={"starts_at": timezone.now() - datetime.timedelta(days=3),
                      "ends_at": timezone.now() - datetime.timedelta(days=3)},
        )[0].pk,
        "other": make_session(make_offer(taxonomy), days=5).pk,
        "unknown": 10**9,
    }  # fmt: skip
    value = {"none": "", "garbage": "1; DROP TABLE"}.get(
        session_kind, str(sessions.get(session_kind))
    )
    data = form_data(
        offer, taxonomy, school_name=school, teacher_name=name, email=email, grade=grade,
        pupils=pupils, session=value, message=message, confirm_anyway="on",
    )  # fmt: skip
    before = BookingRequest.objects.count()
    response = client.post(url(offer), data)
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        page = response.content.decode()
        nul = "\x00" in "".join(map(str, data.values()))  # the site's own 400 page for NULs
        assert nul or "Bitte prüfen Sie Ihre Eingaben" in page or "Bitte prüfen Sie, ob" in page
        assert BookingRequest.objects.count() == before and not mail.outbox
    else:
        booking = BookingRequest.objects.latest("pk")
        assert "\n" not in booking.email and "\r" not in booking.email
        assert len(booking.school_name) <= 200 and len(booking.message) <= 2000
        assert session_kind in ("none", "open")
        assert mail.outbox[0].to == [booking.email]
        assert "\n" not in mail.outbox[0].subject
    if twice:
        again = client.post(url(offer), data)
        assert again.status_code == (409 if response.status_code == 302 else 400)
        assert BookingRequest.objects.count() == before + (response.status_code == 302)


def test_a_full_date_takes_a_waiting_list_and_a_cancellation_moves_it_up(client, offer, taxonomy):
    full = make_session(offer, days=12, places=10)
    first = send_and_confirm(client, offer, taxonomy, session=str(full.pk), pupils="6")
    second = send_and_confirm(client, offer, taxonomy, session=str(full.pk), pupils="5",
                              confirm_anyway="on", email="b@schule.example.org")  # fmt: skip
    third = send_and_confirm(client, offer, taxonomy, session=str(full.pk), pupils="4",
                             confirm_anyway="on", email="c@schule.example.org")  # fmt: skip
    for booking in (first, second, third):
        booking.refresh_from_db()
    full.refresh_from_db()
    assert (first.places, second.places, third.places) == ("held", "waiting", "waiting")
    assert full.places_taken == 6  # the third would fit, but waits behind the second
    page = client.get(offer.get_absolute_url()).content.decode()
    assert "4 Plätze frei" in page

    receipt = next(m for m in mail.outbox if m.to == [first.email] and "stornieren" in m.body)
    cancel = link(receipt, "/anfrage/stornieren/")
    mail.outbox.clear()
    assert "Anfrage zurückziehen" in client.get(cancel).content.decode()
    assert client.post(cancel).status_code == 200
    for booking in (first, second, third):
        booking.refresh_from_db()
    full.refresh_from_db()
    assert first.status == "cancelled" and first.places == "freed"
    assert (second.places, third.places) == ("held", "held")
    assert full.places_taken == 9
    moved = {m.to[0] for m in mail.outbox if m.subject.startswith("Plätze für Sie")}
    assert moved == {"b@schule.example.org", "c@schule.example.org"}
    assert "1 Platz frei" in client.get(offer.get_absolute_url()).content.decode()
    client.post(cancel)  # twice: nothing is freed twice
    full.refresh_from_db()
    assert full.places_taken == 9


def test_provider_editors_answer_their_own_requests_only(client, offer, session, taxonomy):
    setup_roles()
    own = make_user("Anbieter-Redaktion", providers=[offer.provider])
    other = make_user("Anbieter-Redaktion", providers=[make_provider(taxonomy)])
    booking = send_and_confirm(client, offer, taxonomy, session=str(session.pk))
    change = f"/admin/bookings/bookingrequest/{booking.pk}/change/"
    client.force_login(other)
    listing = client.get("/admin/bookings/bookingrequest/")
    assert listing.status_code == 200 and "Max-Planck-Gymnasium" not in listing.content.decode()
    assert client.get(change).status_code in (302, 404)
    assert client.get(f"/admin/bookings/bookingrequest/{booking.pk}/history/").status_code == 404
    client.force_login(own)
    assert "Max-Planck-Gymnasium" in client.get("/admin/bookings/bookingrequest/").content.decode()
    mail.outbox.clear()
    response = client.post(change, {"status": "accepted", "answer": "Gern, bis dann!"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "accepted"
    (answer,) = mail.outbox
    assert answer.to == ["anna.lehrerin@schule.example.org"]
    assert answer.subject == "Antwort auf Ihre Anfrage (zugesagt): Grüne Chemie"
    assert "Gern, bis dann!" in answer.body and "Gern, bis dann!" in answer.alternatives[0][0]
    assert list(booking.history.values_list("status", flat=True))[:2] == ["accepted", "new"]
    # Declining frees the places.
    client.post(change, {"status": "declined", "answer": "Leider doch nicht."})
    session.refresh_from_db()
    assert session.places_taken == 0


def test_the_purge_erases_exactly_what_is_due(client, offer, taxonomy):
    now = timezone.now()
    old_session = make_session(offer, days=-100)
    recent_session = make_session(offer, days=-30)
    due = send_and_confirm(client, offer, taxonomy, session="", preferred_period="irgendwann")
    after_old_date = send_and_confirm(client, offer, taxonomy, preferred_period="x")
    kept_recent_date = send_and_confirm(client, offer, taxonomy, preferred_period="y")
    kept_recent_change = send_and_confirm(client, offer, taxonomy, preferred_period="z")
    unconfirmed_old = BookingRequest.objects.create(
        offer=offer, school_name="S", school_town="T", teacher_name="N", email="n@example.org",
        grade=11, pupils=3, submission_key="k" * 32,
    )  # fmt: skip
    unconfirmed_new = BookingRequest.objects.create(
        offer=offer, school_name="S", school_town="T", teacher_name="N", email="m@example.org",
        grade=11, pupils=3, submission_key="n" * 32,
    )  # fmt: skip
    long_ago = now - datetime.timedelta(days=91)
    BookingRequest.objects.filter(pk=due.pk).update(updated_at=long_ago)
    BookingRequest.objects.filter(pk=after_old_date.pk).update(
        session=old_session, updated_at=long_ago
    )
    BookingRequest.objects.filter(pk=kept_recent_date.pk).update(
        session=recent_session, updated_at=long_ago
    )
    BookingRequest.objects.filter(pk=kept_recent_change.pk).update(
        updated_at=now - datetime.timedelta(days=89)
    )
    BookingRequest.objects.filter(pk=unconfirmed_old.pk).update(
        created_at=now - datetime.timedelta(days=8)
    )

    call_command("purge_booking_requests", stdout=io.StringIO())

    erased = set(
        BookingRequest.objects.filter(personal_data_erased_at__isnull=False).values_list(
            "pk", flat=True
        )
    )
    assert erased == {due.pk, after_old_date.pk}
    assert not BookingRequest.objects.filter(pk=unconfirmed_old.pk).exists()
    assert BookingRequest.objects.filter(pk=unconfirmed_new.pk).exists()
    for pk in (due.pk, after_old_date.pk):
        row = BookingRequest.objects.get(pk=pk)
        assert (row.email, row.teacher_name, row.message) == ("", "[gelöscht]", "")
        assert (row.grade, row.pupils, row.school_town) == (11, 20, "Trier")
        history = BookingRequest.history.filter(id=pk)
        assert history.exists() and not history.exclude(email="").exists()
    kept = BookingRequest.objects.get(pk=kept_recent_date.pk)
    assert kept.email == "anna.lehrerin@schule.example.org"
    assert BookingRequest.history.filter(id=kept.pk).exclude(email="").exists()
    assert ErasureRecord.objects.filter(reason="retention").count() == 3
    assert erasure.requests_purge() == (0, 0)  # nothing left that is due


def test_a_coordinator_erases_a_persons_requests_on_demand(client, offer, taxonomy):
    setup_roles()
    booking = send_and_confirm(client, offer, taxonomy)
    coordinator = make_user("Koordination")
    assert coordinator.has_perm("network.erase_personal_data")
    client.force_login(coordinator)
    listing = client.get(
        "/admin/bookings/bookingrequest/", {"q": "anna.lehrerin@schule.example.org"}
    )
    assert "Max-Planck-Gymnasium" in listing.content.decode()
    response = client.post(
        "/admin/bookings/bookingrequest/",
        {"action": "erase_personal_data", "_selected_action": [booking.pk], "post": "yes"},
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.email == "" and booking.teacher_name == "[gelöscht]"
    assert not BookingRequest.history.filter(id=booking.pk).exclude(email="").exists()
    assert ErasureRecord.objects.get(reason="request").erased_by == coordinator
    assert Permission.objects.filter(codename="change_bookingrequest").exists()


def test_editors_add_dates_to_their_own_offers_without_sending_them_to_review(
    client, offer, taxonomy
):
    setup_roles()
    editor = make_user("Anbieter-Redaktion", providers=[offer.provider])
    foreign = make_offer(taxonomy, title="Fremdes Angebot")
    client.force_login(editor)
    start = timezone.localtime() + datetime.timedelta(days=30)
    data = {
        "starts_at_0": start.strftime("%d.%m.%Y"), "starts_at_1": "09:00:00",
        "ends_at_0": start.strftime("%d.%m.%Y"), "ends_at_1": "12:00:00",
        "places": "24", "registration_deadline": "", "note": "",
    }  # fmt: skip
    refused = client.post("/admin/bookings/session/add/", {**data, "offer": foreign.pk})
    assert refused.status_code == 200 and not Session.objects.exists()
    assert (
        client.post("/admin/bookings/session/add/", {**data, "offer": offer.pk}).status_code == 302
    )
    assert Session.objects.get().offer == offer
    offer.refresh_from_db()
    assert offer.status == "published"
    assert "24 Plätze frei" in client.get(offer.get_absolute_url()).content.decode()
