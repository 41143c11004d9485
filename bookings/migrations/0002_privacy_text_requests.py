"""The Datenschutz text says what a request (Anfrage) stores, who sees it and for how long
(``bookings.erasure``: 90 days after the date or last change; unconfirmed after a week).

A section "Anfragen an Anbieter" goes before "Speicherdauer" (or "Ihre Rechte", or at the
end), and the retention list gains its lines; a text that has them already is left alone.
Like pages/migrations/0003, no history entry.
"""

from django.db import migrations
from django.utils import timezone

SECTION = """## Anfragen an Anbieter
Wenn Sie über das Anfrageformular eines Angebots eine Anfrage stellen, speichern wir Name und Ort der Schule, Ihren Namen, Ihre E-Mail-Adresse, Ihre Telefonnummer (freiwillig), Klassenstufe, Schulform und Zahl der Schülerinnen und Schüler, den gewünschten Termin oder Zeitraum und Ihre Nachricht (Art. 6 Abs. 1 lit. e DSGVO). Namen von Schülerinnen und Schülern erfragen und speichern wir nicht. Die Anfrage geht erst an den Anbieter, wenn Sie den Link in unserer Bestätigungs-E-Mail angeklickt haben; dann erhalten die Ansprechpersonen des Anbieters sie per E-Mail und sehen sie im Verwaltungsbereich, ebenso die Koordinierungsstelle. Über den Link in unseren E-Mails können Sie die Anfrage jederzeit zurückziehen. Unsere E-Mails enthalten keine Zählpixel und keine Weiterleitungslinks.
"""
RETENTION_LINES = """- Anfragen an Anbieter: Name der Schule, Ihr Name, E-Mail-Adresse, Telefonnummer, Nachricht und Antwort werden 90 Tage nach dem Termin (ohne Termin: 90 Tage nach der letzten Änderung der Anfrage) gelöscht, auch aus allen früheren Fassungen. Für die Statistik der Nachfrage bleiben nur Angebot, Termin, Ort der Schule, Klassenstufe, Schulform, Zahl der Schülerinnen und Schüler und Status. Anfragen, die Sie nicht per Link bestätigt haben, werden nach 7 Tagen ganz gelöscht.
"""
RETENTION = "## Speicherdauer\n"
RIGHTS = "## Ihre Rechte"


def with_requests(body):
    if "## Anfragen an Anbieter" in body:
        return body
    if RETENTION in body:
        body = body.replace(RETENTION, f"{SECTION}\n{RETENTION}{RETENTION_LINES}", 1)
    elif RIGHTS in body:
        body = body.replace(RIGHTS, f"{SECTION}\n{RETENTION}{RETENTION_LINES}\n{RIGHTS}", 1)
    else:
        body = f"{body.rstrip()}\n\n{SECTION}\n{RETENTION}{RETENTION_LINES}"
    return body


def add_requests(apps, schema_editor):
    LegalPage = apps.get_model("pages", "LegalPage")
    page = LegalPage.objects.filter(kind="datenschutz").first()
    if page is None:
        return
    body = with_requests(page.body)
    if body != page.body:
        LegalPage.objects.filter(pk=page.pk).update(body=body, updated_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0001_sessions_and_requests"),
        ("pages", "0003_privacy_retention_periods"),
    ]

    operations = [migrations.RunPython(add_requests, migrations.RunPython.noop)]
