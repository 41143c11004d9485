"""Import an offer spreadsheet from the command line, outside the web: the same checks and
the same all-or-nothing write as the admin's import (docs/import-format.md)."""

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from offers.importing.services import offers_import
from offers.importing.spreadsheet import FileTooLarge, UnreadableFile, read_table


class Command(BaseCommand):
    help = "Import offers from an XLSX or CSV file in the import format; --dry-run only checks."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="who imports (needs import_offers)")
        parser.add_argument("--dry-run", action="store_true", help="check, write nothing")

    def handle(self, *args, file, user, dry_run, **options):
        try:
            importer = get_user_model().objects.get_by_natural_key(user)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No user {user!r}.") from error
        if not importer.has_perm("offers.import_offers"):
            raise CommandError(f"{user} may not import offers (offers.import_offers).")
        started = time.perf_counter()
        try:
            table = read_table(file.read_bytes())
        except (FileTooLarge, UnreadableFile, OSError) as error:
            raise CommandError(str(error) or "The file is neither XLSX nor CSV.") from error
        read = time.perf_counter() - started
        with CaptureQueriesContext(connection) as queries:
            report = offers_import(dataset=table, dry_run=dry_run, user=importer)
        elapsed = time.perf_counter() - started
        for error in report.errors:
            self.stderr.write(error)
        self.stdout.write(
            f"{len(report.rows)} rows: {report.new_count} new, {report.changed_count} changed, "
            f"{report.unchanged_count} unchanged; {len(report.errors)} problems; "
            f"{'written' if report.written else 'nothing written'}; "
            f"read {read:.2f} s, total {elapsed:.2f} s, {len(queries)} queries"
        )
        if not report.is_valid or not (dry_run or report.written):
            raise CommandError("Nothing was imported.")
