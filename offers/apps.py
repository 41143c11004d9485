from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "offers"
    verbose_name = _("Offers")

    def ready(self):
        from . import page_cache

        # Fingerprint the code this process runs, before a deploy can change the files.
        page_cache.release()
