"""Delete shared Merklisten nobody opened or changed for twelve months (run daily by cron,
docs/operations.md)."""

from django.core.management.base import BaseCommand

from schooldesk.models import UNUSED_FOR, SharedList


class Command(BaseCommand):
    help = "Delete shared Merklisten that were neither opened nor changed for twelve months."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count the lists that would be deleted."
        )

    def handle(self, *, dry_run, verbosity, **options):
        unused = SharedList.objects.unused()
        if dry_run:
            count = unused.count()
        else:
            count, _ = unused.delete()
        if verbosity:
            verb = "would be deleted" if dry_run else "deleted"
            self.stdout.write(
                f"{count} shared Merklisten unused for {UNUSED_FOR.days} days {verb}."
            )
