"""The Datenschutz text on the Merkliste (schooldesk) and the cookies it brought.

Every page with a Merken button holds a form, so it sets the CSRF cookie for every visitor,
not only for those who send a form; saving an offer starts a session for visitors without
an account. Both are technically necessary for what the visitor asks for (§ 25 Abs. 2
Nr. 2 TDDDG) and need no consent, but the text must say what they are and how long they
are kept. Lines still worded as seeded (0002) are replaced; a text the coordinators
rewrote keeps their wording. The section "Merkliste" goes before "Anmeldung der Redaktion"
(or "Ihre Rechte", or at the end). Like 0003, no history entry.
"""

from django.db import migrations
from django.utils import timezone

OLD_CSRF = "- csrftoken: schützt Formulare vor Missbrauch, nur wenn Sie ein Formular verwenden"
NEW_CSRF = (
    "- csrftoken: schützt Formulare vor Missbrauch durch fremde Webseiten "
    "(Cross-Site-Request-Forgery). Jede Seite mit einem Formular setzt es, also auch jede "
    "Seite mit der Schaltfläche „Merken“. Es enthält nur einen Zufallswert, den Ihr "
    "Browser beim Absenden eines Formulars mitschickt, und wird ein Jahr nach dem letzten "
    "Aufruf einer solchen Seite gelöscht."
)
OLD_SESSION = "- sessionid: nur für angemeldete Mitarbeiterinnen und Mitarbeiter der Redaktion"
NEW_SESSION = (
    "- sessionid: erst wenn Sie ein Angebot auf Ihre Merkliste setzen oder sich als "
    "Mitarbeiterin oder Mitarbeiter der Redaktion anmelden. Es verbindet Ihren Browser mit "
    "Ihrer Merkliste bzw. Ihrer Anmeldung und wird zwei Wochen nach der letzten Änderung "
    "gelöscht."
)
MERKLISTE = """## Merkliste
Die Merkliste funktioniert ohne Anmeldung. Die gemerkten Angebote und Ihre Notiz speichern wir in Ihrer Sitzung auf dem Server (Cookie sessionid); wer nichts merkt, erhält keine Sitzung. Die Sitzung wird zwei Wochen nach der letzten Änderung gelöscht. Wenn Sie Ihre Merkliste teilen, speichern wir eine Kopie der Liste mit Ihrer Notiz unter einem nicht erratbaren Link; jede Person, die den Link kennt, kann sie lesen. Geteilte Listen, die zwölf Monate weder geöffnet noch geändert wurden, werden gelöscht. Schreiben Sie darum bitte keine personenbezogenen Daten in die Notiz. Rechtsgrundlage ist Art. 6 Abs. 1 lit. e DSGVO in Verbindung mit dem Landesdatenschutzgesetz Rheinland-Pfalz.
"""
BEFORE = ["## Anmeldung der Redaktion", "## Ihre Rechte"]


def with_merkliste(body):
    body = body.replace(OLD_CSRF, NEW_CSRF).replace(OLD_SESSION, NEW_SESSION)
    if "## Merkliste" in body:
        return body
    for heading in BEFORE:
        if heading in body:
            return body.replace(heading, f"{MERKLISTE}\n{heading}", 1)
    return f"{body.rstrip()}\n\n{MERKLISTE}"


def add_merkliste(apps, schema_editor):
    LegalPage = apps.get_model("pages", "LegalPage")
    page = LegalPage.objects.filter(kind="datenschutz").first()
    if page is None:
        return
    body = with_merkliste(page.body)
    if body == page.body:
        return
    LegalPage.objects.filter(pk=page.pk).update(body=body, updated_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("pages", "0003_privacy_retention_periods")]

    operations = [migrations.RunPython(add_merkliste, migrations.RunPython.noop)]
