"""Writes every record of the portal to one JSON file that restore_data can read back."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

# Rebuilt by migrate, or transient: content types and permissions, sessions, login attempts.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes"]


class Command(BaseCommand):
    help = "Back up all data (offers, partners, legal pages, users, history) to a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("path", help="File to write, e.g. backup-2026-11-25.json")

    def handle(self, *args, path, **options):
        call_command(
            "dumpdata",
            natural_foreign=True,
            natural_primary=True,
            exclude=EXCLUDED,
            output=path,
            verbosity=0,
        )
        self.stdout.write(self.style.SUCCESS(f"Backup written to {path}"))
