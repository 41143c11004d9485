"""Delete what is past its retention period: run daily from cron (docs/operations.md).

Support declarations declined or left undecided too long are deleted, and personal fields
of old history versions cleared (``network.erasure.personal_data_purge``; the periods are
the settings' retention block, named in the Datenschutz text). Idempotent: a second run
the same day finds nothing.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from network import erasure


class Command(BaseCommand):
    help = "Delete support declarations and history of personal fields past their retention."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be erased, and change nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        with transaction.atomic():
            declarations, versions = erasure.personal_data_purge()
            if dry_run:
                transaction.set_rollback(True)
        cleared = ", ".join(f"{model._meta.label}: {rows}" for model, rows in versions.items())
        self.stdout.write(
            f"{'Would delete' if dry_run else 'Deleted'} {declarations} support declaration(s) "
            f"past retention; history versions cleared of personal fields — {cleared}."
        )
