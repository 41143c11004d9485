"""Build the Kooperationshandbuch PDF of the whole region and keep it (HANDBOOK_DIR), so
that the dashboard's PDF link answers at once. Run it from cron, e.g. nightly and after an
import (docs/operations.md); it reads the catalogue version first, so a PDF built while the
catalogue changed is not taken for the current one."""

import time

from django.core.management.base import BaseCommand

from insights import handbook
from offers.models import CatalogVersion
from offers.search.spec import SearchSpec, Vocabulary


class Command(BaseCommand):
    help = "Build and keep the Kooperationshandbuch PDF of the whole region."

    def handle(self, *args, **options):
        started = time.monotonic()
        version = CatalogVersion.current()
        book = handbook.build(SearchSpec(), Vocabulary.load())
        path = handbook.store(handbook.render_pdf(book), version)
        if options["verbosity"]:
            self.stdout.write(
                f"Kooperationshandbuch: {book.offer_count} offers, "
                f"{time.monotonic() - started:.1f} s, kept at {path}"
            )
