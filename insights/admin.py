"""The coordinators' dashboard in the admin: the gap matrix, searches, curation and the
generated Kooperationshandbuch. Read-only: its pages only answer GET, so the role
Lesezugriff sees all of it and can change nothing."""

import csv
import datetime

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from offers.models import GRADE_MAX, GRADE_MIN, CatalogVersion
from offers.page_cache import release
from offers.search.engine import engine
from operations import pdfs

from . import charts, dashboard, handbook
from .models import Dashboard


def _month(value):
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except (TypeError, ValueError):
        return None


class DashboardContext:
    """Everything the page and its CSV downloads show, for one request's filters."""

    def __init__(self, request):
        self.version = CatalogVersion.current()
        self.vocabulary = engine(self.version).vocabulary()
        self.spec = dashboard.read_filters(request.GET, self.vocabulary)
        months = dashboard.search_months()
        today = timezone.localdate().replace(day=1)
        asked = _month(request.GET.get("month"))
        self.months = months or [today]
        self.month = asked if asked in self.months else self.months[0]

    def table(self, name):
        """The table called ``name`` (as in its CSV address); KeyError for another name."""
        version, month = self.version, self.month
        make = {
            "gaps": lambda: dashboard.gap_table(dashboard.gap_matrix(self.spec, version)),
            "trend": lambda: dashboard.new_offers_per_month(version),
            "unmet": lambda: dashboard.searches_in_month(month, few_only=True),
            "searches": lambda: dashboard.searches_in_month(month, few_only=False),
            "stale": lambda: dashboard.stale_by_provider(version),
            "review": lambda: dashboard.waiting_for_review(version),
            "idle": lambda: dashboard.providers_without_offers(version),
            "demand-sectors": lambda: (dashboard.demand_tables() or {})["demand_sectors"],
            "demand-offers": lambda: (dashboard.demand_tables() or {})["demand_offers"],
        }[name]
        return make()

    def tables(self):
        matrix = dashboard.gap_matrix(self.spec, self.version)
        names = ("trend", "unmet", "searches", "stale", "review", "idle")
        return {
            "matrix": matrix,
            "gaps": dashboard.gap_table(matrix),
            **{name: self.table(name) for name in names},
            **(dashboard.demand_tables() or {}),
        }


def _bad_filters(request, admin_site, error):
    context = {**admin_site.each_context(request), "title": _("Dashboard"), "error": error}
    return render(request, "insights/bad_filters.html", context, status=400)


@admin.register(Dashboard)
class DashboardAdmin(admin.ModelAdmin):
    """The dashboard takes the place of the (table-less) model's list."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("csv/<slug:name>/", wrap(self.csv_view), name="insights_dashboard_csv"),
            path("handbuch/", wrap(self.handbook_view), name="insights_handbook"),
            path("handbuch.pdf", wrap(self.handbook_pdf_view), name="insights_handbook_pdf"),
            *super().get_urls(),
        ]

    @staticmethod
    def _context_or_400(request, admin_site):
        try:
            return DashboardContext(request), None
        except dashboard.BadFilters as error:
            return None, _bad_filters(request, admin_site, str(error))

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method != "GET":
            return HttpResponse(status=405, headers={"Allow": "GET"})
        ctx, error = self._context_or_400(request, self.admin_site)
        if error:
            return error
        tables = ctx.tables()
        filters = dashboard.filter_params(ctx.spec)
        csv_base = reverse("admin:insights_dashboard_csv", args=["x"])[: -len("x/")]
        trend = tables["trend"]
        stale = tables["stale"]
        searches = tables["searches"]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Dashboard: where the gaps are"),
            "opts": self.model._meta,
            "spec": ctx.spec,
            "filter_query": filters,
            "filter_pairs": [
                (name, value) for name in dashboard.FILTERS for value in ctx.spec.selected(name)
            ],
            "csv_base": csv_base,
            "choices": {
                name: list(ctx.vocabulary.choices(name)) for name in ("track", "type", "schoolform")
            },
            "grades": range(GRADE_MIN, GRADE_MAX + 1),
            "months": ctx.months,
            "month": ctx.month,
            "trend_chart": charts.line_chart(
                "chart-trend", trend.title, [(row[0], row[1]) for row in trend.rows]
            ),
            "stale_chart": charts.bar_chart(
                "chart-stale", stale.title, [(row[0], row[1]) for row in stale.rows[:12]]
            ),
            "searches_chart": charts.bar_chart(
                "chart-searches",
                searches.title,
                [(row[0]["value"], row[1]) for row in searches.rows[:10]],
            ),
            **(extra_context or {}),
            **tables,
        }
        return TemplateResponse(request, "insights/dashboard.html", context)

    @staticmethod
    def _csv_response(table):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        today = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="{table.name}-{today}.csv"'
        # A byte order mark and semicolons: what a German spreadsheet opens without asking.
        response.write("\ufeff")
        writer = csv.writer(response, delimiter=";")
        for row in table.csv_rows():
            writer.writerow(row)
        return response

    def csv_view(self, request, name):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method != "GET":
            return HttpResponse(status=405, headers={"Allow": "GET"})
        ctx, error = self._context_or_400(request, self.admin_site)
        if error:
            return error
        try:
            table = ctx.table(name)
        except KeyError:
            raise Http404 from None
        return self._csv_response(table)

    def _handbook(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        spec, vocabulary = handbook.read_filters(request.GET)
        return spec, handbook.build(spec, vocabulary)

    def handbook_view(self, request):
        """The handbook as one HTML page (print it from the browser, or take the PDF)."""
        try:
            _spec, book = self._handbook(request)
        except handbook.BadFilters as error:
            return _bad_filters(request, self.admin_site, str(error))
        return HttpResponse(handbook.render_html(book))

    def handbook_pdf_view(self, request):
        """The PDF: the last one ``build_handbook`` kept when it shows the whole region and
        the catalogue has not changed since, else made by the job queue (thousands of
        offers take minutes: never in the web request, operations/pdfs.py)."""
        try:
            spec, vocabulary = handbook.read_filters(request.GET)
        except handbook.BadFilters as error:
            return _bad_filters(request, self.admin_site, str(error))
        if not self.has_view_permission(request):
            raise PermissionDenied
        name = f"kooperationshandbuch-{timezone.localdate().isoformat()}.pdf"
        pdf = handbook.current_pdf() if not spec.active_filters else None
        if pdf is not None:
            return pdfs.pdf_file(pdf, name)
        query = request.GET.urlencode()
        return pdfs.respond(
            request,
            key=(
                release(),
                CatalogVersion.current(),
                get_language(),
                timezone.localdate(),
                request.get_full_path(),
            ),  # fmt: skip
            html=lambda: handbook.render_html(handbook.build(spec, vocabulary), for_print=True),
            make="insights.handbook.pdf_of_html",
            filename=name,
            print_url=reverse("admin:insights_handbook") + (f"?{query}" if query else ""),
        )
