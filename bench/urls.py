"""The portal's URLs plus /bench/floor/, a page that renders a 20-row table from memory."""

from django.shortcuts import render
from django.urls import path

from retribus.urls import urlpatterns as portal_urlpatterns

ROWS = [
    {
        "title": f"Schulpraktikum in der Abteilung {n}",
        "provider": f"Musterbetrieb {n} GmbH",
        "grades": "9–13",
        "duration": "2 - 20 Wochen",
        "participants": "nach Absprache",
    }
    for n in range(1, 21)
]


def floor(request):
    """What any server-rendered page costs at least: base layout plus a 20-row table."""
    return render(request, "bench/floor.html", {"rows": ROWS})


urlpatterns = [path("bench/floor/", floor), *portal_urlpatterns]
