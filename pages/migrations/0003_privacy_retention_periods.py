"""The Datenschutz text names the retention periods that ``purge_personal_data`` enforces
(settings: PERSONAL_HISTORY_RETENTION_DAYS, DECLARATION_*_RETENTION_DAYS) and how contact
e-mail addresses are shown.

Paragraphs still worded as seeded (0002) are replaced; a text the coordinators rewrote
keeps their wording and gets the section "Speicherdauer" before "Ihre Rechte". Like the
seeded texts (0002), no history entry: the page's history starts with the first edit in
the admin.
"""

from django.db import migrations
from django.utils import timezone

OLD_CONTACTS = (
    "Namen, Telefonnummern und E-Mail-Adressen von Ansprechpersonen werden nur angezeigt, "
    "wenn das Angebot veröffentlicht ist und der Anbieter sie für die Veröffentlichung "
    "gemeldet hat."
)
NEW_CONTACTS = (
    "Namen, Telefonnummern und E-Mail-Adressen von Ansprechpersonen werden nur angezeigt, "
    "wenn das Angebot veröffentlicht ist und der Anbieter sie für die Veröffentlichung "
    "gemeldet hat; jede Ansprechperson kann Telefonnummer und E-Mail-Adresse einzeln davon "
    "ausnehmen. E-Mail-Adressen stehen nicht in den Seiten selbst, damit Programme sie nicht "
    "massenhaft sammeln können: Sie erscheinen erst, wenn Sie auf „E-Mail-Adresse anzeigen“ "
    "klicken. Um solche Programme zu bremsen, zählen wir diese Abrufe je IP-Adresse zehn "
    "Minuten lang; dafür wird nur ein Hashwert der IP-Adresse im Arbeitsspeicher gehalten, "
    "nicht die Adresse selbst."
)
OLD_DECLARATION = "Die Angaben werden gelöscht, sobald sie dafür nicht mehr erforderlich sind."
NEW_DECLARATION = "Wie lange die Angaben gespeichert werden, steht unter „Speicherdauer“."
RETENTION = """## Speicherdauer
- Unterstützungserklärungen, die die Koordinierungsstelle ablehnt, werden 30 Tage nach der Entscheidung gelöscht.
- Unterstützungserklärungen, über die nach 90 Tagen noch nicht entschieden ist, werden gelöscht; Sie können die Erklärung danach erneut abgeben.
- Angaben von Netzwerkpartnern und Ansprechpersonen speichern wir, solange sie im Portal aufgeführt sind. Frühere Fassungen geänderter oder gelöschter Einträge (Änderungsverlauf) werden nach 24 Monaten von Namen, Funktionen, E-Mail-Adressen und Telefonnummern bereinigt.
- Auf Ihren Wunsch (Art. 17 DSGVO) löschen wir Ihre Angaben sofort, auch aus allen früheren Fassungen. Wir vermerken dabei nur, wer wann welchen Eintrag gelöscht hat, nicht die Angaben selbst.
- Datensicherungen werden nach 14 Tagen überschrieben; gelöschte Angaben verschwinden damit spätestens 14 Tage nach der Löschung auch aus den Sicherungen.
"""
RIGHTS = "## Ihre Rechte"


def with_retention(body):
    body = body.replace(OLD_CONTACTS, NEW_CONTACTS).replace(OLD_DECLARATION, NEW_DECLARATION)
    if "## Speicherdauer" in body:
        return body
    if RIGHTS in body:
        return body.replace(RIGHTS, f"{RETENTION}\n{RIGHTS}", 1)
    return f"{body.rstrip()}\n\n{RETENTION}"


def add_retention_periods(apps, schema_editor):
    LegalPage = apps.get_model("pages", "LegalPage")
    page = LegalPage.objects.filter(kind="datenschutz").first()
    if page is None:
        return
    body = with_retention(page.body)
    if body == page.body:
        return
    LegalPage.objects.filter(pk=page.pk).update(body=body, updated_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("pages", "0002_seed_legal_texts")]

    operations = [migrations.RunPython(add_retention_periods, migrations.RunPython.noop)]
