"""The Merkliste: kept in the session without an account, saved from cached pages without
making them unstorable, shared read-only by an unguessable link, and handed out on paper
and as calendar files."""

import math
import pickle
import re
from datetime import date, timedelta

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from offers.models import ContactPerson, Offer
from schooldesk import handout
from schooldesk.models import SharedList
from tests.factories import make_offer, make_provider

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def offers(taxonomy):
    provider = make_provider(taxonomy, name="IT Haus GmbH", city="Trier", phone="0651 100")
    person = ContactPerson.objects.create(
        provider=provider, name="Erika Kontakt", phone="0651 111", email="erika@example.org"
    )
    hidden = ContactPerson.objects.create(
        provider=provider,
        name="Max Still",
        phone="0651 999",
        email="max@example.org",
        show_phone=False,
        show_email=False,
    )
    dated = make_offer(
        taxonomy,
        provider=provider,
        title="Roboter bauen",
        code="N 23",
        contact=person,
        start_date=date(2031, 5, 6),
        end_date=date(2031, 5, 8),
        place="Schulzentrum Mäusheckerweg",
        venue=Offer.Venue.ELSEWHERE,
    )
    other = make_offer(taxonomy, provider=provider, title="Löten lernen", contact=hidden)
    third = make_offer(taxonomy, title="Chemie im Labor")
    return dated, other, third


def save(client, offer, next_url="/suche/", **extra):
    return client.post("/merkliste/merken/", {"offer": offer.pk, "next": next_url}, **extra)


def count_in(page):
    return re.search(r"data-merkliste-count>(\d+)<", page.content.decode()).group(1)


def stored_pages():
    return [pickle.loads(value)[0] for value in caches["pages"]._cache.values()]


@pytest.mark.parametrize("kind", ["search", "walk", "offer", "provider"])
def test_a_page_with_merken_buttons_is_still_stored_in_the_page_cache(
    client, offers, django_assert_num_queries, kind
):
    url = {
        "search": "/suche/",
        "walk": "/angebote/ausbildung/it-computer/stadt-trier/",
        "offer": offers[0].get_absolute_url(),
        "provider": offers[0].provider.get_absolute_url(),
    }[kind]
    save(client, offers[1])  # a visitor with a list and a session
    first = client.get(url)
    assert f'id="merken-{offers[0].pk}"' in first.content.decode()
    with django_assert_num_queries(2):  # the catalogue version, and the visitor's session
        again = client.get(url)
    assert again.status_code == 200
    assert "<!--schooldesk:" not in again.content.decode()
    (stored,) = stored_pages()
    # For everybody: placeholders where the visitor's token and count go.
    assert b"<!--schooldesk:csrf-->" in stored and b"<!--schooldesk:count-->" in stored
    token = CSRF_INPUT.search(again.content.decode()).group(1)
    assert token.encode() not in stored


def test_visitors_without_a_list_get_no_session(client, offers):
    page = client.get("/suche/")
    assert "sessionid" not in page.cookies
    assert count_in(page) == "0"


def test_one_visitors_count_is_never_shown_to_another(offers):
    anna, ben = Client(), Client()
    anna.get("/suche/")
    for offer in offers[:2]:
        save(anna, offer)
    assert count_in(anna.get("/suche/")) == "2"
    page = ben.get("/suche/")
    assert count_in(page) == "0"
    assert "Roboter bauen” ist jetzt auf Ihrer Merkliste" not in page.content.decode()


def test_the_form_token_is_the_visitors_own_and_a_forged_post_is_refused(offers):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(offers[0].get_absolute_url())
    token = CSRF_INPUT.search(page.content.decode()).group(1)
    assert "<!--" not in token
    response = browser.post(
        "/merkliste/merken/", {"offer": offers[0].pk, "csrfmiddlewaretoken": token, "next": "/"}
    )
    assert response.status_code == 302
    forged = Client(enforce_csrf_checks=True).post("/merkliste/merken/", {"offer": offers[1].pk})
    assert forged.status_code == 403
    cross_site = Client(enforce_csrf_checks=True)
    cross_site.cookies = browser.cookies  # the visitor's cookies, but not their page's token
    assert cross_site.post("/merkliste/merken/", {"offer": offers[1].pk}).status_code == 403
    assert count_in(browser.get("/merkliste/")) == "1"


def test_without_javascript_merken_returns_to_the_same_place_with_a_confirmation(client, offers):
    url = "/angebote/ausbildung/it-computer/stadt-trier/"
    client.get(url)
    response = save(client, offers[0], next_url=url)
    assert response.status_code == 302
    assert response["Location"] == f"{url}#merken-{offers[0].pk}"
    page = client.get(url).content.decode()
    assert "„Roboter bauen“ ist jetzt auf Ihrer Merkliste." in page
    assert count_in(client.get(url)) == "1"
    # Shown once, not on every later visit.
    assert "ist jetzt auf Ihrer Merkliste" not in client.get(url).content.decode()


def test_a_foreign_next_address_is_not_followed(client, offers):
    response = save(client, offers[0], next_url="https://evil.example/")
    assert response["Location"].startswith("/merkliste/#merken-")


def test_with_javascript_merken_answers_json(client, offers):
    response = save(client, offers[0], headers={"X-Requested-With": "fetch"})
    assert response.json() == {
        "count": 1,
        "message": "„Roboter bauen“ ist jetzt auf Ihrer Merkliste.",
    }
    again = save(client, offers[0], headers={"X-Requested-With": "fetch"})
    assert again.json()["count"] == 1
    assert "schon" in again.json()["message"]


def test_bad_merken_requests_get_a_4xx(client, offers):
    assert client.post("/merkliste/merken/", {"offer": "abc"}).status_code == 400
    assert client.post("/merkliste/merken/", {"offer": "999999"}).status_code == 404
    draft = Offer.objects.filter(pk=offers[2].pk)
    draft.update(status=Offer.Status.DRAFT)
    assert client.post("/merkliste/merken/", {"offer": offers[2].pk}).status_code == 404
    assert client.get("/merkliste/merken/").status_code == 405


def test_the_list_groups_by_provider_keeps_a_note_and_removes(client, offers):
    for offer in offers:
        save(client, offer)
    client.post("/merkliste/notiz/", {"note": "Klasse 8b, Mai"})
    page = client.get("/merkliste/").content.decode()
    assert "Klasse 8b, Mai" in page
    assert page.index("IT Haus GmbH") < page.index("Roboter bauen")
    assert page.count('action="/merkliste/entfernen/"') == 3
    client.post("/merkliste/entfernen/", {"offer": offers[1].pk})
    page = client.get("/merkliste/").content.decode()
    assert f'name="offer" value="{offers[1].pk}"' not in page
    assert "„Löten lernen“ wurde von Ihrer Merkliste entfernt." in page
    assert f'name="offer" value="{offers[0].pk}"' in page
    too_long = client.post("/merkliste/notiz/", {"note": "x" * 201})
    assert too_long.status_code == 400
    assert "höchstens 200 Zeichen" in too_long.content.decode()


def shared_list(client, offers):
    for offer in offers:
        save(client, offer)
    client.post("/merkliste/notiz/", {"note": "Klasse 8b, Mai"})
    client.post("/merkliste/teilen/")
    return SharedList.objects.get()


def test_a_shared_link_is_unguessable_stable_and_read_only(client, offers):
    shared = shared_list(client, offers)
    assert len(shared.token) * math.log2(64) >= 128
    page = client.get(shared.get_absolute_url()).content.decode()
    assert "Klasse 8b, Mai" in page and "Chemie im Labor" in page
    assert "entfernen" not in page
    # Sharing again keeps the link; the owner's changes reach it.
    client.post("/merkliste/teilen/")
    client.post("/merkliste/entfernen/", {"offer": offers[2].pk})
    assert SharedList.objects.get().token == shared.token
    assert "Chemie im Labor" not in client.get(shared.get_absolute_url()).content.decode()
    assert shared.get_absolute_url() in client.get("/merkliste/").content.decode()


def test_a_stranger_cannot_change_someone_elses_list(client, offers):
    shared = shared_list(client, offers)
    stranger = Client()
    stranger.post("/merkliste/entfernen/", {"offer": offers[0].pk, "token": shared.token})
    stranger.post("/merkliste/notiz/", {"note": "gehackt", "token": shared.token})
    stranger.post("/merkliste/teilen/", {"token": shared.token})
    stranger.post(shared.get_absolute_url(), {"note": "gehackt"})
    shared.refresh_from_db()
    assert shared.note == "Klasse 8b, Mai"
    assert [item[0] for item in shared.items] == [offer.pk for offer in offers]
    # Copying it makes the stranger's own list; theirs changes, the shared one does not.
    stranger.post(f"{shared.get_absolute_url()}uebernehmen/")
    stranger.post("/merkliste/entfernen/", {"offer": offers[0].pk})
    shared.refresh_from_db()
    assert len(shared.items) == 3
    assert count_in(stranger.get("/merkliste/")) == "2"


@pytest.mark.parametrize(
    "token", ["A" * 43, "not-a-token", "x" * 65, "' OR 1=1 --", "..%2F..%2Fetc"]
)
def test_tampered_or_unknown_tokens_get_the_friendly_404(client, offers, token):
    shared_list(client, offers)
    for suffix in ("", "handzettel/", "kalender.ics"):
        response = client.get(f"/merkliste/{token}/{suffix}")
        assert response.status_code == 404
    real = SharedList.objects.get().token
    tampered = real[:-1] + ("A" if real[-1] != "A" else "B")
    response = client.get(f"/merkliste/{tampered}/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()


def test_archived_and_deleted_offers_show_as_no_longer_available(client, offers):
    shared = shared_list(client, offers)
    Offer.objects.filter(pk=offers[0].pk).update(status=Offer.Status.ARCHIVED)
    Offer.objects.filter(pk=offers[2].pk).delete()
    for url in (shared.get_absolute_url(), "/merkliste/", "/merkliste/handzettel/"):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(shared.get_absolute_url()).content.decode()
    assert page.count("nicht mehr verfügbar") == 2
    assert "Roboter bauen" in page and "Chemie im Labor" in page


def test_unused_lists_are_deleted_after_twelve_months(client, offers):
    shared = shared_list(client, offers)
    fresh = SharedList.objects.create(items=[])
    SharedList.objects.filter(pk=shared.pk).update(used_at=timezone.now() - timedelta(days=366))
    call_command("delete_unused_merklisten", verbosity=0)
    assert list(SharedList.objects.all()) == [fresh]
    # The owner keeps the list in the session and gets a new link by sharing again.
    assert count_in(client.get("/merkliste/")) == "3"
    client.post("/merkliste/notiz/", {"note": "neu"})
    client.post("/merkliste/teilen/")
    assert SharedList.objects.count() == 2


def test_the_handout_shows_what_a_teacher_needs_and_only_public_contact_data(client, offers):
    client.post("/merkliste/merken/", {"offer": offers[0].pk})
    client.post("/merkliste/merken/", {"offer": offers[1].pk})
    client.post("/merkliste/notiz/", {"note": "Klasse 8b, Mai"})
    page = client.get("/merkliste/handzettel/").content.decode()
    for text in (
        "Klasse 8b, Mai",
        "N 23",
        "Roboter bauen",
        "Praktikum",
        "6. Mai 2031 – 8. Mai 2031",
        "Schulzentrum Mäusheckerweg",
        "kostenlos",
        "0651 111",
        "erika@example.org",
        'class="qr"',
        "http://testserver/angebot/",
    ):
        assert text in page, text
    assert "0651 999" not in page and "max@example.org" not in page


def test_a_search_handout_takes_the_search_parameters_and_says_when_it_stops(
    client, offers, monkeypatch
):
    page = client.get("/handzettel/", {"q": "Roboter", "notiz": "8b"}).content.decode()
    assert "Roboter bauen" in page and "Löten lernen" not in page and "8b" in page
    assert 'href="/handzettel.pdf?q=Roboter&amp;notiz=8b"' in page
    monkeypatch.setattr(handout, "LIMIT", 2)
    page = client.get("/handzettel/").content.decode()
    assert "Die ersten 2 von 3 Angeboten" in page
    assert 'href="/handzettel.pdf"' in page  # no search: no empty query string either
    assert client.get("/handzettel/", {"grade": "abc"}).status_code == 400


def test_e_mail_addresses_on_handouts_are_limited_per_client(client, offers, monkeypatch):
    monkeypatch.setattr(handout, "HANDOUTS_WITH_EMAIL", 1)
    assert "erika@example.org" in client.get("/handzettel/").content.decode()
    page = client.get("/handzettel/").content.decode()
    assert "erika@example.org" not in page
    assert "0651 111" in page and "E-Mail-Adresse auf der Angebotsseite" in page


def test_calendar_files_hold_the_dates_and_places(client, offers):
    response = client.get(f"/angebot/{offers[0].pk}/kalender.ics")
    assert response["Content-Type"].startswith("text/calendar")
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("dtstart") == date(2031, 5, 6)
    assert event.decoded("dtend") == date(2031, 5, 9)  # the day after the last (RFC 5545)
    assert "Schulzentrum Mäusheckerweg" in str(event["location"])
    assert str(event["summary"]).startswith("Roboter bauen")
    assert client.get(f"/angebot/{offers[1].pk}/kalender.ics").status_code == 404

    for offer in offers:
        save(client, offer)
    events = Calendar.from_ical(client.get("/merkliste/kalender.ics").content).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Roboter bauen (IT Haus GmbH)"]


@pytest.fixture
def pdf_queue(settings, monkeypatch):
    """The PDF queue on, with a queue that keeps its jobs until the test runs them."""
    from operations import queue

    settings.PDF_QUEUE = "default"
    jobs = []

    def enqueue(queue_name, function, *args, job_timeout, on_failure):
        jobs.append((function, args, on_failure))

    monkeypatch.setattr(queue, "enqueue", enqueue)
    return jobs


def test_a_pdf_is_made_by_the_queue_while_a_page_waits_for_it(client, offers, pdf_queue):
    waiting = client.get("/handzettel.pdf", {"q": "Roboter"})
    assert waiting.status_code == 200 and waiting["Content-Type"].startswith("text/html")
    page = waiting.content.decode()
    assert "Das PDF wird erstellt" in page and 'data-pdf-waiting="3"' in page
    assert "js/pdf-wait" in page and 'http-equiv="refresh"' not in page  # WCAG 2.2.1
    assert 'href="/handzettel/?q=Roboter"' in page  # the print view, there at once
    # Asking again (the script's HEAD, a reload) waits for the same job and counts no
    # further handout against the client.
    assert client.head("/handzettel.pdf", {"q": "Roboter"}).status_code == 200
    assert "Das PDF wird erstellt" in client.get("/handzettel.pdf", {"q": "Roboter"}).text
    assert len(pdf_queue) == 1
    key = handout._emails_key(client.get("/").wsgi_request)
    assert handout.limits.current(key, what="Handouts") == 1

    function, args, _on_failure = pdf_queue[0]
    function(*args)  # the worker
    done = client.get("/handzettel.pdf", {"q": "Roboter"})
    assert done["Content-Type"] == "application/pdf" and done.content.startswith(b"%PDF")
    # Another search is another PDF.
    assert "Das PDF wird erstellt" in client.get("/handzettel.pdf", {"q": "Labor"}).text
    assert len(pdf_queue) == 2


def test_a_failed_or_unqueueable_pdf_says_so_and_offers_the_print_view(
    client, offers, pdf_queue, monkeypatch
):
    from operations import pdfs, queue

    client.get("/handzettel.pdf")
    function, args, on_failure = pdf_queue[0]
    on_failure(type("RQJob", (), {"args": args})(), None, RuntimeError, RuntimeError("kaputt"))
    failed = client.get("/handzettel.pdf")
    assert failed.status_code == 503
    assert "Das PDF konnte nicht erstellt werden" in failed.text
    assert 'http-equiv="refresh"' not in failed.text
    assert 'href="/handzettel/"' in failed.text  # the print view
    assert on_failure is pdfs.pdf_job_failed

    def unreachable(*args, **kwargs):
        raise queue.QueueUnavailable("Connection refused")

    monkeypatch.setattr(queue, "enqueue", unreachable)
    down = client.get("/handzettel.pdf", {"q": "Labor"})
    assert down.status_code == 503 and "im Moment nicht erstellt" in down.text
    monkeypatch.setattr(queue, "enqueue", lambda *a, **k: pdf_queue.append(a))
    assert "Das PDF wird erstellt" in client.get("/handzettel.pdf", {"q": "Labor"}).text


def test_the_save_buttons_speak_the_pages_language(client, offers):
    german = client.get(offers[0].get_absolute_url()).text
    english = client.get(f"/en{offers[0].get_absolute_url()}").text
    assert 'action="/merkliste/merken/"' in german and ">Merken<" in german
    assert 'action="/en/merkliste/merken/"' in english and ">Save<" in english
    assert "/en/merkliste/merken/" not in german
