"""Erase requests' personal data past retention: run daily from cron (docs/operations.md).

Confirmed requests are cleared of school name, teacher's name, e-mail, phone, message,
answer and preferred period 90 days after their date (or last change), in every history
version too; requests never confirmed are deleted after a week (``bookings.erasure``).
Idempotent: a second run the same day finds nothing.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from bookings import erasure


class Command(BaseCommand):
    help = "Erase personal data of requests past their retention period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be erased, change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        with transaction.atomic():
            cleared, deleted = erasure.requests_purge()
            if dry_run:
                transaction.set_rollback(True)
        self.stdout.write(
            f"{'Would clear' if dry_run else 'Cleared'} {cleared} request(s) of personal data; "
            f"{'would delete' if dry_run else 'deleted'} {deleted} unconfirmed request(s)."
        )
