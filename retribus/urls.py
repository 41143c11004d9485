"""Top-level URLs: the public site in German at /, in English under /en/."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from retribus import views as operations

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", operations.healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    # Password reset for admin users (provider editors set their first password this way);
    # the admin's login page links to "admin_password_reset" once it exists.
    path(
        "admin/password_reset/",
        auth_views.PasswordResetView.as_view(),
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
    path("", include("pages.urls")),
    path("", include("offers.urls")),
    prefix_default_language=False,
)

# Uploaded logos while developing; in production the web server serves MEDIA_ROOT itself.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler500 = "retribus.views.server_error"
