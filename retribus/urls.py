"""Top-level URLs: the public site in German at /, in English under /en/."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
]

urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("netzwerk/", include("network.urls")),
    path("", include("offers.urls")),
    prefix_default_language=False,
)
