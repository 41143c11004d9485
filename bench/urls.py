"""The portal's URLs plus the benchmark's own pages: /bench/floor/, a page that renders a
20-row table from memory, and /bench/warm/, which gunicorn's workers answer once their
search index is built."""

import os
import time

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import path

from offers.search import engine
from offers.search.index import SearchIndex
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


def warm(request):
    """Build this worker's search index (waiting for it), then hold the worker for
    ``?hold=`` seconds (at most 1), so that a concurrent request reaches the other worker."""
    ready = False
    for _ in range(3):
        if isinstance(engine.engine(), SearchIndex):
            ready = True
            break
        engine.wait_for_build()
    time.sleep(min(float(request.GET.get("hold", 0)), 1.0))
    return JsonResponse({"pid": os.getpid(), "ready": ready})


urlpatterns = [path("bench/floor/", floor), path("bench/warm/", warm), *portal_urlpatterns]
