"""The coordinators' dashboard row of ``make bench`` (issue 17: the dashboard ≤ 500 ms and the
gap matrix ≤ 200 ms at 100,000 offers on PostgreSQL).

Against the running gunicorn, as a coordinator (a user of the group Koordination, logged in
by a session made here): the dashboard just after a catalogue write (one offer saved before
each request, so no worker holds its numbers under the new catalogue version) and repeated
without writes; the gap matrix alone (its CSV, which computes nothing else) for ten
different filter combinations, each asked once, so none is cached. Medians in ms as the
client sees them, and the server's own time (Server-Timing) beside them.
"""

import http.client
import random
import statistics
import time

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils.module_loading import import_string

from bench.client import TIMEOUT, _server_timing
from offers.models import Offer, OfferType, SchoolForm, Track

USERNAME = "bench-coordinator"
COMBINATIONS = 10
AFTER_WRITE = 10
REPEATED = 20


def coordinator_cookie():
    """A session cookie of a staff user in the group Koordination (made if missing)."""
    call_command("setup_roles", verbosity=0)
    user, _created = get_user_model().objects.get_or_create(
        username=USERNAME, defaults={"is_staff": True}
    )
    user.groups.add(Group.objects.get(name="Koordination"))
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    # The backend that loads users (the first may only guard logins, as the lockout does).
    store[BACKEND_SESSION_KEY] = next(
        path
        for path in settings.AUTHENTICATION_BACKENDS
        if hasattr(import_string(path), "get_user")
    )
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def get(port, path, cookie):
    """(client ms, server ms or None) of one GET; fails unless the answer is 200."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    started = time.perf_counter()
    try:
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    ms = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status}")
    return ms, _server_timing(response.getheader("Server-Timing")).get("app")


def filter_combinations(count, seed=17):
    """``count`` different query strings of the dashboard's filters (track, offer type,
    school form, grade), drawn from what the database holds."""
    rng = random.Random(seed)
    values = {
        "track": list(Track.objects.values_list("slug", flat=True)),
        "type": list(OfferType.objects.values_list("slug", flat=True)),
        "schoolform": list(SchoolForm.objects.values_list("slug", flat=True)),
        "grade": [str(grade) for grade in range(5, 14)],
    }
    seen, combos = set(), []
    for _ in range(count * 50):
        chosen = tuple(
            (name, rng.choice(options))
            for name, options in values.items()
            if options and rng.random() < 0.6
        )
        if chosen and chosen not in seen:
            seen.add(chosen)
            combos.append("&".join(f"{name}={value}" for name, value in chosen))
        if len(combos) == count:
            break
    return combos


def _medians(samples):
    client = [ms for ms, _server in samples]
    server = [server for _ms, server in samples if server is not None]
    return {
        "n": len(samples),
        "median_ms": round(statistics.median(client), 1),
        "max_ms": round(max(client), 1),
        "server_median_ms": round(statistics.median(server), 1) if server else None,
    }


def measure(port, *, after_write=AFTER_WRITE, repeated=REPEATED, combinations=COMBINATIONS):
    cookie = coordinator_cookie()
    dashboard = reverse("admin:insights_dashboard_changelist")
    gaps = reverse("admin:insights_dashboard_csv", args=["gaps"])
    offer = Offer.objects.published().order_by("pk").first()
    cold = []
    for _ in range(after_write):
        offer.save()  # a catalogue write: a new catalogue version, the dashboard's caches miss
        cold.append(get(port, dashboard, cookie))
    for _ in range(2):  # both workers have it under the current version
        get(port, dashboard, cookie)
    warm = [get(port, dashboard, cookie) for _ in range(repeated)]
    combos = filter_combinations(combinations)
    matrix = [get(port, f"{gaps}?{query}", cookie) for query in combos]
    # The same combinations on the whole dashboard page, as a coordinator filtering it sees.
    filtered = [get(port, f"{dashboard}?{query}", cookie) for query in combos]
    return {
        "dashboard_after_write": _medians(cold),
        "dashboard_repeated": _medians(warm),
        "gap_matrix": _medians(matrix),
        "dashboard_filtered": _medians(filtered),
        "filters": combos,
    }
