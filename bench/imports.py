"""The import row of ``make bench``: a CSV of 1,000 and of 10,000 new offers imported for real.

The file is the portal's own export of generated offers (``offers.importing.spreadsheet``)
with fresh codes and titles, so every row is a new offer with its links to sectors, regions,
school forms and subjects, as in a region's yearly spreadsheet. ``manage.py import_offers``
imports it in a process of its own: the same checks and the same all-or-nothing bulk write
as the background job the admin starts (``offers.importing.jobs``), outside any web request.
The imported offers are deleted afterwards, so the catalogue keeps its size.
"""

import csv
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db.models import Count

from offers.importing.columns import COLUMNS
from offers.importing.spreadsheet import export_queryset, offer_row
from offers.models import Offer, Provider, Region

ROOT = Path(__file__).resolve().parent.parent
SUMMARY = re.compile(r"(\d+) rows: (\d+) new.*?total ([\d.]+) s, (\d+) queries")
PREFIX = "BI"


def _importer():
    call_command("setup_roles", verbosity=0)
    user, _created = get_user_model().objects.get_or_create(username="bench-importer")
    user.groups.add(Group.objects.get(name="Koordination"))
    return user


def _cell(value):
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    return "" if value is None else str(value)


def _namesakes(model):
    return model.objects.values("name").annotate(n=Count("pk")).filter(n__gt=1).values("name")


def write_file(rows, out):
    """A UTF-8 CSV of ``rows`` new offers, made from generated ones."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"import-{rows}.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS.values())
        # Providers and regions are named in the file: leave out the generator's namesakes
        # (two providers of one name; a city state and its one district).
        offers = Offer.objects.published().exclude(provider__name__in=_namesakes(Provider))
        ambiguous = _namesakes(Region)
        offers = offers.exclude(regions__name__in=ambiguous).exclude(
            provider__region__name__in=ambiguous
        )
        offers = export_queryset(offers.order_by("pk")[:rows])
        for n, offer in enumerate(offers):
            row = offer_row(offer)
            row["code"] = f"{PREFIX} {rows}-{n}"
            row["title"] = f"{row['title']} (Import {n})"
            writer.writerow([_cell(row[key]) for key in COLUMNS])
    return path


def measure(sizes, out, env):
    """Per size: rows, new offers, seconds, queries and whether the import was written."""
    user = _importer()
    results = {}
    for rows in sizes:
        path = write_file(rows, out)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "manage.py", "import_offers", str(path), "--user", user.username],
            cwd=ROOT,
            env={**env, "OFFER_IMPORT_MAX_ROWS": str(rows + 10)},
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        found = SUMMARY.search(done.stdout)
        results[str(rows)] = {
            "rows": rows,
            "new": int(found[2]) if found else 0,
            "import_seconds": float(found[3]) if found else None,
            "process_seconds": round(seconds, 1),
            "queries": int(found[4]) if found else None,
            "written": done.returncode == 0,
            "error": None if done.returncode == 0 else (done.stderr or done.stdout)[-500:],
        }
        Offer.objects.filter(code__startswith=PREFIX).delete()
    return results


def sizes_from_env():
    return [int(n) for n in os.environ.get("BENCH_IMPORT_ROWS", "1000,10000").split(",") if n]
