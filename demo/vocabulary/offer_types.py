"""Offer words: how often each offer type occurs, and its grades, group sizes, durations, titles.

Also the dates, costs, summaries, descriptions and places every generated offer draws from.
"""

# Offer types per track with relative frequency: internships and visits dominate Ausbildung,
# taster lectures and lab work dominate Studium.
TYPE_WEIGHTS = {
    "ausbildung": {
        "praktikum": 34,
        "betriebserkundung": 20,
        "vortrag-in-der-schule": 11,
        "projekttag": 10,
        "workshop": 10,
        "beratung-betreuung": 5,
        "ferienakademie": 3,
        "lehrerfortbildung": 2,
        "vortrag-mit-experimenten": 2,
        "labor-exkursion": 1,
        "laborpraktikum": 1,
        "schnupperstudium": 1,
    },
    "studium": {
        "schnupperstudium": 20,
        "laborpraktikum": 12,
        "vortrag-mit-experimenten": 12,
        "workshop": 12,
        "labor-exkursion": 10,
        "vortrag-in-der-schule": 9,
        "beratung-betreuung": 8,
        "ferienakademie": 7,
        "lehrerfortbildung": 5,
        "projekttag": 3,
        "praktikum": 2,
        "betriebserkundung": 0,
    },
}

# Per offer type: grade range choices, participants, durations (text, min, max minutes),
# venue, and title templates ({occ} occupation, {topic} topic, {field} sector name).
TYPE_RULES = {
    "praktikum": {
        "grades": [(8, 13), (9, 13), (9, 10), (10, 13)],
        "participants": [
            (None, 1, ""),
            (None, 2, ""),
            (None, 3, ""),
            (None, None, "nach Absprache"),
        ],
        "durations": [
            ("1 Woche", 2400, 2400),
            ("2 Wochen", 4800, 4800),
            ("1 - 3 Wochen", 2400, 7200),
            ("2 - 4 Wochen", 4800, 9600),
        ],
        "venue": "provider",
        "titles": [
            "Praktikum {occ}",
            "Schulpraktikum: {occ}",
            "Schnupperpraktikum {occ}",
            "Praktikum im Bereich {topic}",
        ],
    },
    "betriebserkundung": {
        "grades": [(5, 13), (7, 13), (7, 10), (8, 13)],
        "participants": [(None, 15, ""), (None, 20, ""), (None, 25, ""), (None, 30, "")],
        "durations": [("90 Min.", 90, 90), ("2 Std.", 120, 120), ("2-3 Stunden", 120, 180)],
        "venue": "provider",
        "titles": [
            "Betriebserkundung: {topic}",
            "Blick hinter die Kulissen: {topic}",
            "Führung durch den Betrieb – {topic}",
            "Betriebsbesichtigung {topic}",
        ],
    },
    "vortrag-in-der-schule": {
        "grades": [(7, 13), (8, 12), (9, 13), (10, 13)],
        "participants": [(None, None, "offen"), (None, 60, ""), (None, 30, "")],
        "durations": [("45 Min.", 45, 45), ("90 Min.", 90, 90), ("2 - 4 Stunden", 120, 240)],
        "venue": "school",
        "titles": [
            "{occ}: ein Beruf mit Zukunft",
            "Berufe rund um {topic}",
            "Vortrag: Wege in den Bereich {topic}",
            "Wie wird man {occ}?",
        ],
    },
    "projekttag": {
        "grades": [(5, 8), (5, 10), (7, 10), (8, 12)],
        "participants": [
            (None, 16, ""),
            (None, 24, ""),
            (10, 28, ""),
            (None, None, "nach Absprache"),
        ],
        "durations": [("4 Std.", 240, 240), ("1 Tag", 480, 480), ("2 Tage", 960, 960)],
        "venue": "provider",
        "titles": ["Projekttag {topic}", "{topic} zum Ausprobieren", "Projekttag: {topic} erleben"],
    },
    "schnupperstudium": {
        "grades": [(11, 13), (10, 13), (12, 13)],
        "participants": [(None, 30, ""), (None, 40, ""), (None, None, "nach Absprache")],
        "durations": [
            ("90 Min.", 90, 90),
            ("2 Std.", 120, 120),
            ("1 Tag", 480, 480),
            ("1 Woche", 2400, 2400),
        ],
        "venue": "provider",
        "titles": [
            "Schnupperstudium {field}",
            "Schnuppervorlesung {field}: {topic}",
            "Ein Tag im Studium {field}",
        ],
    },
    "laborpraktikum": {
        "grades": [(10, 13), (11, 13)],
        "participants": [(None, 6, ""), (None, 10, ""), (4, 12, "")],
        "durations": [("4 Std.", 240, 240), ("5 Std.", 300, 300), ("1 - 2 Tage", 480, 960)],
        "venue": "provider",
        "titles": ["Laborpraktikum {field}: {topic}", "Laborpraktikum: {topic}"],
    },
    "labor-exkursion": {
        "grades": [(9, 13), (10, 13), (11, 13)],
        "participants": [(None, 15, ""), (None, 20, ""), (None, 25, "")],
        "durations": [("3 Std.", 180, 180), ("4 Std.", 240, 240), ("6 Std.", 360, 360)],
        "venue": "provider",
        "titles": ["Labor-Exkursion: {topic}", "Exkursion ins Labor {field}"],
    },
    "vortrag-mit-experimenten": {
        "grades": [(5, 10), (7, 13), (9, 13), (11, 13)],
        "participants": [(None, 30, ""), (None, 60, ""), (None, None, "offen")],
        "durations": [("60-90 Min.", 60, 90), ("90 Min.", 90, 90), ("2 Std.", 120, 120)],
        "venue": "school",
        "titles": ["{topic} – Vortrag mit Experimenten", "Experimentalvortrag: {topic}"],
    },
    "ferienakademie": {
        "grades": [(5, 8), (5, 10), (7, 10), (9, 13)],
        "participants": [(10, 20, ""), (12, 24, ""), (None, 16, "")],
        "durations": [("3 Tage", 1440, 1440), ("5 Tage", 2400, 2400), ("1 Woche", 2400, 2400)],
        "venue": "provider",
        "titles": ["Ferienakademie {topic}", "Ferienwoche: {topic}", "Herbstcamp {topic}"],
    },
    "workshop": {
        "grades": [(5, 8), (5, 13), (7, 13), (9, 13)],
        "participants": [(None, 12, ""), (None, 16, ""), (None, 24, ""), (8, 20, "")],
        "durations": [("2 Std.", 120, 120), ("3 Std.", 180, 180), ("1 Tag", 480, 480)],
        "venue": "provider",
        "titles": ["Workshop {topic}", "{topic}: Mitmach-Workshop", "Werkstatt {topic}"],
    },
    "beratung-betreuung": {
        "grades": [(8, 13), (10, 13), (11, 13)],
        "participants": [(None, 1, ""), (None, 2, ""), (None, 3, "")],
        "durations": [("30 Min.", 30, 30), ("45 Min.", 45, 45), ("1 Std.", 60, 60)],
        "venue": "provider",
        "titles": [
            "Beratung: Wege in den Bereich {topic}",
            "Betreuung einer Facharbeit: {topic}",
            "Sprechstunde {field}",
        ],
    },
    "lehrerfortbildung": {
        "grades": [(1, 4), (5, 10), (5, 13), (11, 13)],
        "participants": [(8, 20, ""), (10, 25, ""), (None, 30, "")],
        "durations": [("3 Std.", 180, 180), ("1 Tag", 480, 480), ("2 Tage", 960, 960)],
        "venue": "provider",
        "titles": [
            "Lehrerfortbildung: {topic} im Unterricht",
            "Fortbildung {topic} für Lehrkräfte",
        ],
    },
}
GENERIC_RULES = TYPE_RULES["workshop"]
# Study-track titles for the types whose Ausbildung titles name an occupation.
STUDY_TITLES = {
    "praktikum": ["Forschungspraktikum {field}: {topic}", "Praktikum in der Forschung: {topic}"],
    "betriebserkundung": ["Forschung erleben: {topic}", "Institutsbesuch {field}"],
    "vortrag-in-der-schule": [
        "Studium {field}: {topic}",
        "{topic} – Forschung aus der Hochschule",
        "Was studiert man in {field}?",
    ],
    "projekttag": ["Projekttag {field}: {topic}", "{topic} zum Ausprobieren"],
}
DATES_NOTES = [
    "in den Herbstferien",
    "in den Osterferien",
    "in den Sommerferien",
    "nach Vereinbarung im Frühjahr",
]
COSTS = ["5 € Materialkosten", "10 €", "25 €"]

SUMMARIES = [
    "Die Schülerinnen und Schüler lernen den Bereich {topic} kennen: Sie {act}.",
    "Einblick in den Bereich {topic} – die Teilnehmenden {act}.",
    "Ein praxisnahes Angebot zum Thema {topic}: Die Teilnehmenden {act}.",
]
DESCRIPTIONS = [
    "Ansprechpersonen aus dem Team begleiten die Gruppe und beantworten Fragen zu Ausbildung, "
    "Studium und Berufsalltag.",
    "Vorkenntnisse sind nicht nötig; festes Schuhwerk und Neugier genügen.",
    "Der Termin wird mit der Schule abgestimmt; eine Anmeldung zwei Wochen vorher genügt.",
    "Im Anschluss gibt es Informationen zu Praktikumsplätzen und Bewerbungsfristen.",
    "Das Angebot lässt sich mit dem Unterricht in den MINT-Fächern verbinden.",
]
PLACES = {
    "provider": [
        "vor Ort im Unternehmen",
        "in der Ausbildungswerkstatt",
        "am Standort",
        "im Schülerlabor",
    ],
    "school": ["in der Schule", "in Schulen der Region"],
}
