"""A request in a real browser, end to end: a teacher asks for N 23 for a class of 20
(grade 11, Gymnasium), confirms by the link in the mail, the provider's editor answers
"zugesagt" in the admin, the teacher gets the answer; another provider's editor never sees
the request."""

import re

import pytest
from django.core import mail

from network import spam
from offers.models import Offer, Provider
from tests.admin_support import make_user, setup_roles
from tests.browser_support import DESKTOP, PHONE
from tests.factories import make_session

# django_db: the demo server needs the test database (see conftest.demo_server).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PASSWORD = "Anfrage-Test-2026!"


@pytest.fixture(scope="module")
def people(demo_server, django_db_blocker):
    with django_db_blocker.unblock():
        setup_roles()
        offer = Offer.objects.published().get(code="N 23")
        make_session(offer, days=21, places=25)
        editors = {}
        for name, provider in (
            ("own", offer.provider),
            ("other", Provider.objects.get(name="IT Haus GmbH")),
        ):
            user = make_user("Anbieter-Redaktion", providers=[provider])
            user.set_password(PASSWORD)
            user.save()
            editors[name] = user.username
        return offer.get_absolute_url(), editors


def log_in(page, username):
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


def test_a_teacher_asks_the_provider_answers(browser, demo_server, people, monkeypatch):
    monkeypatch.setattr(spam, "MIN_FILL_SECONDS", 0)  # a robot fills forms as fast as this
    mail.outbox.clear()
    offer_path, editors = people
    teacher = browser.new_context(base_url=demo_server.url, **PHONE)
    page = teacher.new_page()
    page.set_default_timeout(15_000)
    page.goto(offer_path)
    assert page.get_by_text("25 Plätze frei").is_visible()
    page.get_by_role("link", name="Dieses Angebot anfragen").click()
    page.get_by_label(re.compile("25 Plätze frei")).check()
    page.get_by_label("Klassenstufe").fill("11")
    page.get_by_label("Schulform").select_option(label="Gymnasium")
    page.get_by_label("Zahl der Schülerinnen und Schüler").fill("20")
    page.get_by_label("Name der Schule").fill("Max-Planck-Gymnasium")
    page.get_by_label("Ort der Schule").fill("Trier")
    page.get_by_label("Ihr Name").fill("Anna Lehrerin")
    page.get_by_label("Ihre E-Mail-Adresse").fill("anna.lehrerin@schule.example.org")
    page.get_by_role("button", name="Anfrage senden").click()
    page.get_by_role("heading", name="Bitte bestätigen Sie Ihre Anfrage").wait_for()

    (confirmation,) = mail.outbox
    link = re.search(r"https?://\S+/anfrage/bestaetigen/\S+/", confirmation.body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Anfrage an den Anbieter senden").click()
    page.get_by_role("heading", name="Ihre Anfrage ist beim Anbieter").wait_for()
    assert page.get_by_text("Die Plätze für Ihre Klasse sind für Sie reserviert.").is_visible()
    teacher.close()
    assert [m.subject for m in mail.outbox][1:] == [
        "Neue Anfrage für Ihr Angebot: Grüne (nachhaltige) Chemie",
        "Ihre Anfrage ist gesendet: Grüne (nachhaltige) Chemie",
    ]

    editor = browser.new_context(base_url=demo_server.url, **DESKTOP)
    page = editor.new_page()
    page.set_default_timeout(15_000)
    log_in(page, editors["own"])
    # The provider's mail links to the request in the admin. (No database reads from this
    # thread: its open test transaction would lock the table SQLite's server thread writes.)
    change = re.search(r"/admin/bookings/bookingrequest/\d+/change/", mail.outbox[1].body).group(0)
    page.goto("/admin/bookings/bookingrequest/")
    assert "Max-Planck-Gymnasium" in page.content()
    page.goto(change)
    assert page.get_by_text("Max-Planck-Gymnasium", exact=True).is_visible()
    page.locator("#id_status").select_option(label="zugesagt")
    page.locator("#id_answer").fill("Gern! Wir erwarten Ihre Klasse um 9 Uhr am Haupteingang.")
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    page.get_by_text("Die Antwort wurde der Lehrkraft per E-Mail geschickt.").wait_for()
    editor.close()
    answer = mail.outbox[-1]
    assert answer.to == ["anna.lehrerin@schule.example.org"]
    assert answer.subject == "Antwort auf Ihre Anfrage (zugesagt): Grüne (nachhaltige) Chemie"
    assert "Wir erwarten Ihre Klasse um 9 Uhr" in answer.body

    other = browser.new_context(base_url=demo_server.url, **DESKTOP)
    page = other.new_page()
    page.set_default_timeout(15_000)
    log_in(page, editors["other"])
    page.goto("/admin/bookings/bookingrequest/")
    assert "Max-Planck-Gymnasium" not in page.content()
    response = page.goto(change)
    assert "Max-Planck-Gymnasium" not in page.content()
    assert response.status in (200, 302, 404)
    other.close()
