"""German default texts for the three legal pages; coordinators adapt them in the admin.

The organisation, people and addresses are fictional (example.org).
"""

from django.db import migrations

IMPRINT = """## Anbieter
Stadt Trier – Kommunales Bildungsmanagement
Am Augustinerhof (Musterstraße 1)
54290 Trier

Die Stadt Trier ist eine Körperschaft des öffentlichen Rechts. Sie wird vertreten durch den Oberbürgermeister.

## Kontakt
Telefon: 0651 000000-0
E-Mail: bildungsmanagement@example.org

## Verantwortlich für den Inhalt
Verantwortlich im Sinne von § 18 Abs. 2 MStV: Erika Mustermann, Leitung Kommunales Bildungsmanagement, Anschrift wie oben.

## Umsatzsteuer-Identifikationsnummer
DE000000000 (Beispielangabe)

## Redaktion und Angebotsdaten
Die Angebote werden von den Anbietern gemeldet und von der Koordinierungsstelle des MINT-Initiativkreises Trier geprüft. Für die Inhalte der Angebote sind die jeweiligen Anbieter verantwortlich.

## Haftung für Links
Seiten anderer Anbieter, auf die dieses Portal verweist, liegen außerhalb unserer Verantwortung. Bei Bekanntwerden von Rechtsverletzungen entfernen wir entsprechende Links umgehend.
"""

PRIVACY = """## Verantwortliche Stelle
Stadt Trier – Kommunales Bildungsmanagement, Musterstraße 1, 54290 Trier, E-Mail: bildungsmanagement@example.org

## Datenschutzbeauftragte
Behördliche Datenschutzbeauftragte der Stadt Trier, Anschrift wie oben, E-Mail: datenschutz@example.org

## Aufruf der Seiten
Beim Aufruf einer Seite verarbeitet der Server technisch notwendig Ihre IP-Adresse, Datum und Uhrzeit, die aufgerufene Adresse und die Browserkennung (Art. 6 Abs. 1 lit. e DSGVO in Verbindung mit dem Landesdatenschutzgesetz Rheinland-Pfalz). Server-Protokolle werden nach 7 Tagen gelöscht und nur zur Fehlersuche und Abwehr von Angriffen verwendet.

## Keine Dienste Dritter
Das Portal lädt keine Inhalte von anderen Servern: keine externen Schriften, keine Skripte von Content-Delivery-Netzwerken, keine Analyse- oder Werkzeuge zur Reichweitenmessung und keine eingebetteten Karten oder Videos. Deshalb erfährt kein Dritter von Ihrem Besuch.

## Cookies
Es werden nur technisch notwendige Cookies gesetzt (§ 25 Abs. 2 TDDDG), darum ist keine Einwilligung erforderlich:
- csrftoken: schützt Formulare vor Missbrauch, nur wenn Sie ein Formular verwenden
- sessionid: nur für angemeldete Mitarbeiterinnen und Mitarbeiter der Redaktion

## Anmeldung der Redaktion
Bei fehlgeschlagenen Anmeldeversuchen speichern wir IP-Adresse, Benutzername, Browserkennung und Zeitpunkt, um Angriffe durch Ausprobieren von Passwörtern zu sperren. Diese Einträge werden nach einer Stunde bzw. nach erfolgreicher Anmeldung gelöscht.

## Kontaktdaten der Anbieter
Namen, Telefonnummern und E-Mail-Adressen von Ansprechpersonen werden nur angezeigt, wenn das Angebot veröffentlicht ist und der Anbieter sie für die Veröffentlichung gemeldet hat.

## Unterstützungserklärung des Netzwerks
Wenn Sie die Unterstützungserklärung online abgeben, verarbeiten wir die Angaben im Formular, um Ihre Mitgliedschaft zu prüfen und Sie im Partnerverzeichnis aufzuführen (Art. 6 Abs. 1 lit. a und e DSGVO). Die Angaben werden gelöscht, sobald sie dafür nicht mehr erforderlich sind.

## Ihre Rechte
Sie haben das Recht auf Auskunft (Art. 15 DSGVO), Berichtigung (Art. 16), Löschung (Art. 17), Einschränkung der Verarbeitung (Art. 18), Widerspruch (Art. 21) und Widerruf einer Einwilligung mit Wirkung für die Zukunft. Wenden Sie sich dazu an datenschutz@example.org.

## Beschwerderecht
Sie können sich bei der Aufsichtsbehörde beschweren: Der Landesbeauftragte für den Datenschutz und die Informationsfreiheit Rheinland-Pfalz, E-Mail: poststelle-lfdi@example.org
"""

ACCESSIBILITY = """## Stand der Vereinbarkeit mit den Anforderungen
Die Stadt Trier ist bemüht, dieses Portal im Einklang mit dem Landesinklusionsgesetz Rheinland-Pfalz und der Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) barrierefrei zugänglich zu machen. Diese Erklärung gilt für das öffentliche Portal, nicht für den Redaktionsbereich.

Dieses Portal ist weitgehend mit den Anforderungen der BITV 2.0 und der Norm EN 301 549 vereinbar. Die Seiten werden bei jeder Änderung automatisch mit axe-core und dem Nu Html Checker geprüft und lassen sich vollständig mit der Tastatur bedienen.

## Nicht barrierefreie Inhalte
- Beschreibungstexte der Angebote werden von den Anbietern geliefert und können Fachbegriffe oder Abkürzungen ohne Erläuterung enthalten.
- Logos von Netzwerkpartnern können unvollständige Alternativtexte haben.
Wir arbeiten mit den Anbietern daran, diese Mängel zu beheben.

## Erstellung dieser Erklärung
Diese Erklärung wurde am 25. November 2026 auf Grundlage einer Selbstbewertung erstellt.

## Feedback und Kontakt
Sind Ihnen Mängel beim barrierefreien Zugang zu Inhalten aufgefallen? Dann melden Sie sich bitte bei: Kommunales Bildungsmanagement der Stadt Trier, E-Mail: barrierefreiheit@example.org, Telefon: 0651 000000-0. Wir antworten innerhalb von sechs Wochen.

## Durchsetzungsverfahren
Wenn Sie auf Ihre Meldung innerhalb von sechs Wochen keine zufriedenstellende Antwort erhalten haben, können Sie sich an die Durchsetzungsstelle wenden: Landesbeauftragter für die Belange behinderter Menschen Rheinland-Pfalz, Durchsetzungsstelle für barrierefreie Informationstechnik, E-Mail: durchsetzung-barrierefreiheit@example.org
"""

PAGES = [
    ("impressum", "Impressum", IMPRINT),
    ("datenschutz", "Datenschutzerklärung", PRIVACY),
    ("barrierefreiheit", "Erklärung zur Barrierefreiheit", ACCESSIBILITY),
]


def seed_legal_pages(apps, schema_editor):
    LegalPage = apps.get_model("pages", "LegalPage")
    for kind, title, body in PAGES:
        LegalPage.objects.get_or_create(kind=kind, defaults={"title": title, "body": body})


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_legal_page")]

    operations = [migrations.RunPython(seed_legal_pages, migrations.RunPython.noop)]
