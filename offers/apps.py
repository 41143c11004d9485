from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "offers"
    verbose_name = _("Offers")

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate, pre_migrate

        from . import page_cache
        from .search import sqlite_fts

        # SQLite's full-text triggers call the German stemmer (offers/search/sqlite_fts.py).
        connection_created.connect(sqlite_fts.register, dispatch_uid="offers_german_stems")
        pre_migrate.connect(sqlite_fts.before_migrate, sender=self)
        post_migrate.connect(sqlite_fts.after_migrate, sender=self)

        # Fingerprint the code this process runs, before a deploy can change the files.
        page_cache.release()
