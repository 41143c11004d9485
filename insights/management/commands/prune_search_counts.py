"""Delete the search counts of days more than 12 months ago (docs/operations.md)."""

from django.core.management.base import BaseCommand

from insights import search_log


class Command(BaseCommand):
    help = "Delete counts of public searches older than 12 months."

    def handle(self, *args, **options):
        deleted = search_log.prune()
        if options["verbosity"]:
            self.stdout.write(f"Deleted {deleted} search counts older than 12 months.")
