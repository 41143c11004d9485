"""Replaces all data with a backup from backup_data, all or nothing."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings


class Command(BaseCommand):
    help = (
        "Replace ALL data with the contents of a backup_data file. Runs in one transaction: "
        "if the file cannot be loaded completely, the database stays exactly as it was."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="A file written by backup_data")
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask before replacing the current data"
        )

    def handle(self, *args, path, yes, **options):
        if not yes and input("This replaces ALL current data. Type 'yes' to go on: ") != "yes":
            raise CommandError("Restore cancelled; nothing was changed.")
        # The backup already holds the change history; writing the restored rows must not
        # add a second history entry for each of them (django-simple-history's signals).
        try:
            with override_settings(SIMPLE_HISTORY_ENABLED=False), transaction.atomic():
                # flush re-creates content types and permissions, which the backup refers
                # to by natural key; sessions go too, so everybody logs in again afterwards.
                call_command("flush", interactive=False, verbosity=0)
                call_command("loaddata", path, verbosity=0)
        except Exception as error:  # any failure: the transaction has been rolled back
            raise CommandError(
                f"The backup could not be restored, nothing was changed: {error}"
            ) from error
        self.stdout.write(self.style.SUCCESS(f"Restored {path}"))
