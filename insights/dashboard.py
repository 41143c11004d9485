"""The numbers of the coordinators' dashboard, each as a ``Table`` (a title, column
headings, rows) that the page shows beside its chart and offers as CSV.

The gap matrix asks the search engine itself (``offers.search``): a cell's number is the
search page's own count for the same filters, so a coordinator who follows the cell's link
finds exactly that many offers. Catalogue numbers are cached under the catalogue version
(``page_cache.cached``); the search counts are read from their small aggregated table.
"""

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from django.apps import apps
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from offers import page_cache
from offers.models import CatalogVersion, Offer, Provider, Region, Sector, stale_before
from offers.search import facets, sql
from offers.search.engine import engine
from offers.search.index import SearchIndex
from offers.views.search import search_url

from . import filters as filtering
from .models import SearchCount

# The dashboard's filters: those of the search page that describe who an offer is for.
FILTERS = ("track", "type", "schoolform", "grade")
# More districts than this are shown folded into their states.
MAX_REGION_COLUMNS = 16
# A search with this many results or fewer counts as one that found (almost) nothing.
FEW_RESULTS = 2
TOP_SEARCHES = 20
TREND_MONTHS = 24


@dataclass
class Table:
    name: str
    title: str
    headings: list
    rows: list = field(default_factory=list)
    description: str = ""

    def csv_rows(self):
        yield self.headings
        for row in self.rows:
            yield [cell["value"] if isinstance(cell, dict) else cell for cell in row]


BadFilters = filtering.BadFilters


def read_filters(query_dict, vocabulary):
    """The dashboard's filters as a ``SearchSpec`` (``filtering.read``)."""
    return filtering.read(query_dict, FILTERS, vocabulary)


def filter_params(spec):
    """The query string of the dashboard's filters, for links and CSV downloads."""
    params = [(name, value) for name in FILTERS for value in spec.selected(name)]
    return urlencode(params)


# --- Gap matrix ----------------------------------------------------------------------------


def region_columns():
    """The matrix's columns: the districts, or the states when there are too many."""
    districts = list(
        Region.objects.filter(level=Region.Level.DISTRICT).order_by("position", "name")
    )
    if len(districts) <= MAX_REGION_COLUMNS:
        return districts or list(Region.objects.order_by("position", "name"))
    return list(Region.objects.filter(level=Region.Level.STATE).order_by("position", "name"))


def sector_rows(spec):
    """The matrix's rows: the broad sectors and fields of study (finer fields count in the
    broad one, as on the search page), of the chosen tracks, grouped by track."""
    rows = Sector.objects.filter(parent=None).select_related("track")
    if spec.track:
        rows = rows.filter(track__slug__in=spec.track)
    return list(rows.order_by("track__position", "track__name", "position", "name"))


def gap_matrix(spec, version=None):
    """{"columns": regions, "rows": [(sector, [(count, url), …])]}: for every broad sector and
    region, the number of published offers the search page shows for the filters of
    ``spec`` plus that sector and region. One search per region column: the sector facet's
    counts of a search are, by definition, the totals with each sector added."""
    version = version if version is not None else CatalogVersion.current()
    search_engine = engine(version)
    columns = region_columns()
    rows = sector_rows(spec)

    def column_counts(region):
        if isinstance(search_engine, SearchIndex):
            # The index counts one facet under filters without counting all the others.
            filters = {name: spec.selected(name) for name in spec.active_filters}
            return search_engine.value_counts("sector", **filters, region=(region.slug,))
        # The SQL engine while the worker builds its index: one grouped query per column
        # for the one facet, not the whole search's counts.
        vocabulary = search_engine.vocabulary()
        offers = sql.matching_offers(spec.replace(region=(region.slug,)), vocabulary)
        return facets.get("sector").sql_counts(offers, vocabulary)

    def compute():
        counts = {}
        for region in columns:
            found = column_counts(region)
            counts[region.slug] = {row.slug: found.get(row.slug, 0) for row in rows}
        return counts

    counts = page_cache.cached("insights-matrix", version, spec.key(), compute)
    cell_url = cell_urls(spec)
    matrix = []
    for row in rows:
        cells = [
            {"value": counts[region.slug][row.slug], "url": cell_url(row.slug, region.slug)}
            for region in columns
        ]
        matrix.append((row, cells))
    return {"columns": columns, "rows": matrix}


def cell_urls(spec):
    """``url(sector, region)``: the search page's canonical address of ``spec`` with that
    sector and region, as ``search_url`` writes it (the same order of parameters), made
    without a ``SearchSpec`` per cell: a national matrix has hundreds of cells."""
    sample = search_url(spec.replace(sector=("SECTOR",), region=("REGION",)))
    base, _, query = sample.partition("?")
    pairs = parse_qsl(query)

    def url(sector, region):
        values = {"SECTOR": sector, "REGION": region}
        return f"{base}?{urlencode([(n, values.get(v, v)) for n, v in pairs])}"

    return url


def gap_table(matrix):
    table = Table(
        "gaps",
        _("Published offers by sector and region"),
        [_("Sector or field of study"), _("Track"), *(region.name for region in matrix["columns"])],
        description=_("Cells with no offer are the gaps."),
    )
    for sector, cells in matrix["rows"]:
        table.rows.append([sector.name, sector.track.name, *cells])
    return table


# --- Catalogue over time and curation --------------------------------------------------------


def months_back(today, count):
    """The first days of the ``count`` months up to ``today``'s, oldest first."""
    year, month = today.year, today.month
    firsts = []
    for _i in range(count):
        firsts.append(datetime.date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return firsts[::-1]


def new_offers_per_month(version, today=None):
    """Published offers by the month they were created, the last ``TREND_MONTHS`` months."""
    today = today or timezone.localdate()
    months = months_back(today, TREND_MONTHS)

    def compute():
        start = timezone.make_aware(datetime.datetime.combine(months[0], datetime.time()))
        rows = (
            Offer.objects.published()
            .filter(created_at__gte=start)
            .annotate(month=TruncMonth("created_at"))
            .values("month")
            .annotate(n=Count("pk"))
            .order_by()
        )
        found = {}
        for row in rows:
            month = row["month"]
            month = month.date() if isinstance(month, datetime.datetime) else month
            found[month.replace(day=1)] = row["n"]
        return [(month, found.get(month, 0)) for month in months]

    series = page_cache.cached("insights-trend", version, months[-1].isoformat(), compute)
    table = Table(
        "trend",
        _("New published offers per month"),
        [_("Month"), _("New offers")],
        description=_("Offers still published, by the month they were entered."),
    )
    table.rows = [[month.strftime("%Y-%m"), n] for month, n in series]
    return table


def stale_by_provider(version):
    """Providers with published offers not confirmed within OFFER_STALE_AFTER_DAYS."""

    def compute():
        return list(
            Offer.objects.stale()
            .values("provider__name", "provider__slug", "provider_id")
            .annotate(n=Count("pk"), oldest=Min("last_confirmed"))
            .order_by("-n", "provider__name")
        )

    rows = page_cache.cached("insights-stale", version, stale_before().isoformat(), compute)
    table = Table(
        "stale",
        _("Stale offers per provider"),
        [_("Provider"), _("Stale offers"), _("Oldest confirmation")],
        description=_("Published offers not confirmed for a year or never."),
    )
    table.rows = [
        [
            row["provider__name"],
            row["n"],
            row["oldest"].isoformat() if row["oldest"] else _("never"),
        ]
        for row in rows
    ]
    return table


def waiting_for_review(version, today=None):
    """Offers in review, the longest waiting first, with the day they were sent to review
    (their last history entry before which the status was something else)."""
    today = today or timezone.localdate()

    def compute():
        history = Offer.history.model.objects.filter(id=OuterRef("pk")).order_by()
        left_review = (
            history.exclude(status=Offer.Status.REVIEW)
            .values("id")
            .annotate(last=Max("history_date"))
            .values("last")
        )
        never = timezone.make_aware(datetime.datetime(1970, 1, 1))
        since = (
            history.filter(status=Offer.Status.REVIEW)
            .filter(history_date__gt=Coalesce(Subquery(left_review), Value(never)))
            .order_by("history_date")
            .values("history_date")[:1]
        )
        rows = (
            Offer.objects.filter(status=Offer.Status.REVIEW)
            .annotate(since=Subquery(since))
            .values_list("title", "provider__name", "since", "updated_at")
            .order_by(F("since").asc(nulls_first=True), "pk")
        )
        result = []
        for title, provider, since, updated in rows:
            since = timezone.localdate(since or updated)
            result.append([title, provider, since.isoformat(), (today - since).days])
        return result

    table = Table(
        "review",
        _("Offers waiting for review"),
        [_("Offer"), _("Provider"), _("In review since"), _("Days waiting")],
    )
    table.rows = page_cache.cached("insights-review", version, today.isoformat(), compute)
    return table


def providers_without_offers(version):
    def compute():
        return list(
            Provider.objects.filter(
                ~Exists(Offer.objects.published().filter(provider=OuterRef("pk")))
            )
            # Counted only for the providers listed, not grouped over every offer.
            .annotate(
                offers_total=Coalesce(
                    Subquery(
                        Offer.objects.filter(provider=OuterRef("pk"))
                        .order_by()
                        .values("provider")
                        .annotate(n=Count("pk"))
                        .values("n")
                    ),
                    0,
                )
            )
            .values_list("name", "city", "offers_total")
            .order_by("name")
        )

    table = Table(
        "idle",
        _("Providers with no published offer"),
        [_("Provider"), _("Town"), _("Unpublished offers")],
    )
    table.rows = [list(row) for row in page_cache.cached("insights-idle", version, "", compute)]
    return table


# --- Searches ----------------------------------------------------------------------------


def search_months():
    """The months with recorded searches, newest first (first days)."""
    months = (
        SearchCount.objects.annotate(month=TruncMonth("day"))
        .values_list("month", flat=True)
        .distinct()
        .order_by("-month")
    )
    return [m.date() if isinstance(m, datetime.datetime) else m for m in months]


def _describe(words, filters):
    parts = [f"„{words}“"] if words else []
    if filters:
        parts.append(filters.replace("&", ", "))
    return " · ".join(parts) or _("(no words, no filters)")


def searches_in_month(month, *, few_only):
    """The most frequent searches of ``month``; ``few_only``: only those that found at most
    ``FEW_RESULTS`` offers (on the latest day they were made)."""
    end = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    rows = SearchCount.objects.filter(day__gte=month, day__lt=end)
    if few_only:
        rows = rows.filter(results__lte=FEW_RESULTS)
    rows = (
        rows.values("words", "filters")
        .annotate(n=Count("pk"), total=Sum("searches"), results=Min("results"))
        .order_by("-total", "words", "filters")[:TOP_SEARCHES]
    )
    name = "unmet" if few_only else "searches"
    title = (
        _("Searches with no or few results, %(month)s")
        if few_only
        else _("Most frequent searches, %(month)s")
    ) % {"month": month.strftime("%m/%Y")}
    table = Table(name, title, [_("Search words and filters"), _("Searches"), _("Results")])
    for row in rows:
        params = ([("q", row["words"])] if row["words"] else []) + parse_qsl(row["filters"])
        link = reverse("offers:search") + ("?" + urlencode(params) if params else "")
        table.rows.append(
            [
                {"value": _describe(row["words"], row["filters"]), "url": link},
                row["total"],
                row["results"],
            ]
        )
    return table


# --- Demand (the teachers' requests of the bookings app) -----------------------------------


def format_duration(delta):
    """A time to an answer as a reader says it: hours up to two days, then days."""
    hours = delta.total_seconds() / 3600
    if hours < 1:
        return _("less than an hour")
    if hours < 48:
        count = round(hours)
        return ngettext("%(count)d hour", "%(count)d hours", count) % {"count": count}
    return _("%(days)s days") % {"days": number_format(round(hours / 24, 1), 1)}


def median_answer_times(requests):
    """The median time from confirmation to the provider's first answer per broad sector
    (requests never answered do not count). In Python: SQLite has no median, and the
    answered requests are few."""
    seen = set()
    durations = defaultdict(list)
    answered = requests.filter(answered_at__isnull=False).annotate(
        field=Coalesce("offer__sectors__parent__name", "offer__sectors__name")
    )
    for pk, field_name, confirmed, answered_at in answered.values_list(
        "pk", "field", "confirmed_at", "answered_at"
    ):
        if (pk, field_name) not in seen:
            seen.add((pk, field_name))
            durations[field_name].append(max(answered_at - confirmed, datetime.timedelta()))
    return {name: statistics.median(values) for name, values in durations.items()}


def demand_tables():
    """Confirmed requests per broad sector and per offer, with the share answered (any
    status but “new”) and the median time to the provider's first answer; None when the
    bookings app is not installed. Not cached: requests change without the catalogue
    changing, and the table is small."""
    if not apps.is_installed("bookings"):
        return None
    requests = apps.get_model("bookings", "BookingRequest").objects.confirmed()
    answered = Count("pk", filter=~Q(status="new"), distinct=True)

    def share(n, done):
        return f"{round(100 * done / n)} %" if n else "–"

    sectors = (
        requests.annotate(field=Coalesce("offer__sectors__parent__name", "offer__sectors__name"))
        .values("field")
        .annotate(n=Count("pk", distinct=True), done=answered)
        .order_by("-n", "field")
    )
    by_sector = Table(
        "demand-sectors",
        _("Requests by sector or field of study"),
        [
            _("Sector or field of study"),
            _("Requests"),
            _("Answered"),
            _("Median time to an answer"),
        ],
    )
    medians = median_answer_times(requests)
    by_sector.rows = [
        [
            row["field"] or "–",
            row["n"],
            share(row["n"], row["done"]),
            format_duration(medians[row["field"]]) if row["field"] in medians else "–",
        ]
        for row in sectors
    ]
    offers = (
        requests.values("offer__title", "offer__code", "offer__provider__name")
        .annotate(n=Count("pk", distinct=True), done=answered)
        .order_by("-n", "offer__title")[:TOP_SEARCHES]
    )
    by_offer = Table(
        "demand-offers",
        _("Most requested offers"),
        [_("Offer"), _("Provider"), _("Requests"), _("Answered")],
    )
    by_offer.rows = [
        [
            f"{row['offer__code']} {row['offer__title']}".strip(),
            row["offer__provider__name"],
            row["n"],
            share(row["n"], row["done"]),
        ]
        for row in offers
    ]
    return {"demand_sectors": by_sector, "demand_offers": by_offer}
