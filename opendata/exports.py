"""Downloads of the current search as CSV and JSON: the search page's parameters, every
result in the search's order up to ``OPEN_DATA_DOWNLOAD_MAX``, streamed as it is read (in
chunks of offers with their links prefetched), so a large download costs a worker neither
the memory of the whole file nor a wait before the first byte.
"""

import csv
import json

from django.conf import settings
from django.http import StreamingHttpResponse
from rest_framework.utils.encoders import JSONEncoder

from offers.views.search import bad_request

from . import searching
from .serializers import OfferSerializer, offer_relations

CHUNK = 500

# Column → what goes in it; list values are joined with " | ".
CSV_COLUMNS = [
    ("id", lambda o: o["id"]),
    ("url", lambda o: o["url"]),
    ("code", lambda o: o["code"]),
    ("title", lambda o: o["title"]),
    ("summary", lambda o: o["summary"]),
    ("offer_type", lambda o: o["offer_type"]["name"]),
    ("provider", lambda o: o["provider"]["name"]),
    ("provider_url", lambda o: o["provider"]["url"]),
    ("sectors", lambda o: [s["name"] for s in o["sectors"]]),
    ("subjects", lambda o: [s["name"] for s in o["subjects"]]),
    ("school_forms", lambda o: [s["name"] for s in o["school_forms"]]),
    ("all_school_forms", lambda o: o["all_school_forms"]),
    ("grade_min", lambda o: o["grade_min"]),
    ("grade_max", lambda o: o["grade_max"]),
    ("participants_min", lambda o: o["participants_min"]),
    ("participants_max", lambda o: o["participants_max"]),
    ("participants_note", lambda o: o["participants_note"]),
    ("duration_text", lambda o: o["duration_text"]),
    ("duration_min_minutes", lambda o: o["duration_min_minutes"]),
    ("duration_max_minutes", lambda o: o["duration_max_minutes"]),
    ("venue", lambda o: o["venue"]["label"]),
    ("place", lambda o: o["place"]),
    ("regions", lambda o: [r["name"] for r in o["regions"]]),
    ("audience", lambda o: o["audience"]["label"]),
    ("year_round", lambda o: o["year_round"]),
    ("start_date", lambda o: o["start_date"]),
    ("end_date", lambda o: o["end_date"]),
    ("dates_note", lambda o: o["dates_note"]),
    ("cost", lambda o: o["cost"]),
    ("last_confirmed", lambda o: o["last_confirmed"]),
    ("updated_at", lambda o: o["updated_at"]),
]


def _cell(value):
    if isinstance(value, list):
        return " | ".join(value)
    if isinstance(value, bool):
        return "ja" if value else "nein"
    return "" if value is None else value


def _offers(request, filterset):
    """The search's offers as the API shows them, in chunks (one query per relation each)."""
    queryset = (
        searching.ordered_matches(filterset)
        .select_related("provider", "offer_type")
        .prefetch_related(*offer_relations())
        .defer("description", "search_vector")
    )[: settings.OPEN_DATA_DOWNLOAD_MAX]
    context = {"request": request}
    for offer in queryset.iterator(chunk_size=CHUNK):
        yield OfferSerializer(offer, context=context).data


class _Echo:
    def write(self, value):
        return value


def _csv_rows(request, filterset):
    writer = csv.writer(_Echo())
    # The byte order mark makes Excel read the file as UTF-8 (umlauts).
    yield "\ufeff" + writer.writerow([name for name, _get in CSV_COLUMNS])
    for offer in _offers(request, filterset):
        yield writer.writerow([_cell(get(offer)) for _name, get in CSV_COLUMNS])


def _json_parts(request, filterset):
    license_ = settings.OPEN_DATA_LICENSE
    head = {"license": license_["name"], "license_url": license_["url"]}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "results": ['
    for number, offer in enumerate(_offers(request, filterset)):
        yield ("," if number else "") + json.dumps(offer, cls=JSONEncoder, ensure_ascii=False)
    yield "]}"


def _download(request, content, content_type, extension):
    _engine, filterset = searching.read_search(request)
    if not filterset.is_valid():
        return bad_request(request, filterset)
    response = StreamingHttpResponse(content(request, filterset), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="angebote.{extension}"'
    return response


def search_csv(request):
    """The current search as CSV (UTF-8, comma-separated, a header row)."""
    return _download(request, _csv_rows, "text/csv; charset=utf-8", "csv")


def search_json(request):
    """The current search as JSON: the licence and the offers as the API shows them."""
    return _download(request, _json_parts, "application/json; charset=utf-8", "json")
