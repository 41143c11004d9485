"""Open-data pages in the portal's languages (namespace ``opendata``), and ``site_patterns``
that live once at the root: sitemap.xml and robots.txt."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import exports, feeds, views
from .sitemaps import SITEMAPS

app_name = "opendata"

urlpatterns = [
    path("daten/", views.data_page, name="data"),
    path("suche/export.csv", exports.search_csv, name="search_csv"),
    path("suche/export.json", exports.search_json, name="search_json"),
    path("feeds/angebote.atom", feeds.OfferFeed(), name="feed"),
    path("feeds/region/<slug:region>.atom", feeds.RegionFeed(), name="region_feed"),
    path("feeds/bereich/<slug:sector>.atom", feeds.SectorFeed(), name="sector_feed"),
    path("feeds/termine.ics", feeds.calendar, name="calendar"),
    path("einbetten/", views.framed_widget, name="widget"),
    path("einbetten/erstellen/", views.widget_builder, name="widget_builder"),
]

site_patterns = [
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
]
