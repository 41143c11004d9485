"""Top-level URLs: the public site in German at /, in English under /en/."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from retribus import views as operations

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", operations.healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("netzwerk/", include("network.urls")),
    path("", include("pages.urls")),
    path("", include("offers.urls")),
    prefix_default_language=False,
)

handler500 = "retribus.views.server_error"
