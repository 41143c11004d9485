from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "insights"
    verbose_name = _("Coordination")

    def ready(self):
        from . import search_log, signals  # noqa: F401  (registers the receivers and hook)
