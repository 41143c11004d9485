"""A coordinator saving a published offer every few seconds, in a process of its own.

    python -m bench.writer --every 5 --seconds 60

Each save does what the admin's change form does to the catalogue: in one transaction it
reads the offer, changes one field (the title and the upper grade by turns), validates it
with the model's own checks and saves it with a history row; the catalogue triggers then
replace the version and log the offer, and every gunicorn worker sees the commit on its next
request. Prints one JSON line when Django is ready, then one per save
(``{"at": epoch seconds at the commit, "offer": id, "field": …, "ms": …}``): the first
``--every`` seconds after it is ready, the last before ``--seconds`` have passed; then it
stops, whatever happens to its parent.
"""

import argparse
import json
import os
import random
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from offers.models import GRADE_MAX, Offer  # noqa: E402

SUFFIX = " (aktualisiert)"


def edit_title(offer):
    if offer.title.endswith(SUFFIX):
        offer.title = offer.title[: -len(SUFFIX)]
    elif len(offer.title) + len(SUFFIX) <= Offer._meta.get_field("title").max_length:
        offer.title += SUFFIX
    else:
        offer.title = offer.title[:-1]


def edit_grade(offer):
    if offer.grade_max < GRADE_MAX:
        offer.grade_max += 1
    elif offer.grade_max > offer.grade_min:
        offer.grade_max -= 1


EDITS = [("title", edit_title), ("grade_max", edit_grade)]


def save(pk, n):
    field, edit = EDITS[n % len(EDITS)]
    started = time.perf_counter()
    with transaction.atomic():
        offer = Offer.objects.get(pk=pk)
        edit(offer)
        offer.full_clean()
        offer._change_reason = "Benchmark: gespeichert wie im Admin"
        offer.save()
    return {
        "at": time.time(),
        "offer": pk,
        "field": field,
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--every", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    ids = list(Offer.objects.published().order_by("pk").values_list("pk", flat=True))
    random.Random(args.seed).shuffle(ids)
    print(json.dumps({"ready": True, "published": len(ids)}), flush=True)
    started = time.monotonic()
    most = int(args.seconds / args.every) + 1
    for n in range(most):
        wake = started + (n + 1) * args.every
        if wake >= started + args.seconds:  # no save as the block ends: its cost would
            break  # fall on the next block, which may be one without writes
        time.sleep(max(wake - time.monotonic(), 0))
        try:
            line = save(ids[n % len(ids)], n)
        except Exception as error:  # report it and go on: one failed save is a finding
            line = {"at": time.time(), "error": repr(error)}
        print(json.dumps(line), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
