"""Top-level URLs: the public site in German at /, in English under /en/."""

import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from opendata import urls as opendata_urls
from operations.views import healthz, partner_logo
from retribus.auth import ThrottledPasswordResetView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("api/", include("opendata.api_urls")),
    *opendata_urls.site_patterns,
]

urlpatterns += i18n_patterns(
    # The catalogue's pages first: Django tries the patterns in order, and a search or an
    # offer page is what is asked most (at the end of the list, resolving /suche/ took
    # 0.1 ms; first, a fifth of that). No other app's address starts like one of these.
    path("", include("offers.urls")),
    # Password reset for admin users (provider editors set their first password this way);
    # the admin's login page links to "admin_password_reset" once it exists. A few mails
    # per hour per address and per client at most (docs/operations.md).
    path(
        "admin/password_reset/",
        ThrottledPasswordResetView.as_view(),
        name="admin_password_reset",
    ),
    path(
        "admin/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "admin/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "admin/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
    path("netzwerk/", include("network.urls")),
    path("", include("bookings.urls")),
    path("", include("opendata.urls")),
    path("", include("pages.urls")),
    path("", include("schooldesk.urls")),
    path("", include("insights.urls")),
    prefix_default_language=False,
)

# Uploaded partner logos. Django's static() serves them only with DEBUG on; production
# serves the few small logo files through django.views.static.serve (path-safe, read-only)
# so that the docker-compose stack needs no extra web server. A proxy may serve
# MEDIA_ROOT itself instead and take this route's traffic off the workers.
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
else:
    urlpatterns += [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>partner-logos/[^/]+)$",
            partner_logo,
        )
    ]

handler500 = "operations.views.server_error"
