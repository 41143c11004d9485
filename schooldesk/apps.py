from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchooldeskConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "schooldesk"
    verbose_name = _("Teacher's desk")

    def ready(self):
        from offers import page_cache

        from . import markers

        # Cached pages hold placeholders for the visitor's form token and list count; they
        # are filled per request after the cache (offers/page_cache.py).
        page_cache.per_request(markers.fill)
