"""Writes every record of the portal to one JSON file that restore_data can read back."""

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction

# Rebuilt by migrate, or transient: content types and permissions, sessions, login attempts.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes"]


def write_backup(path):
    """dumpdata of everything restore_data needs, read in one snapshot of the database.

    dumpdata reads table after table; without one snapshot, a coordinator saving an offer
    meanwhile could leave the backup with the offer but without its new provider, and such
    a backup would not load.
    """
    # Inside a transaction already (a caller's, or a test's), that one is the snapshot.
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # Must be the transaction's first statement; PostgreSQL's default (READ
            # COMMITTED) takes a fresh snapshot for every query.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        # SQLite: the reads of one transaction see one state of the database.
        call_command(
            "dumpdata",
            natural_foreign=True,
            natural_primary=True,
            exclude=EXCLUDED + _without_table(),
            output=str(path),
            verbosity=0,
        )


def _without_table():
    """Models Django does not manage (e.g. django-rq's admin entry) have no table to read."""
    return [model._meta.label for model in apps.get_models() if not model._meta.managed]


class Command(BaseCommand):
    help = "Back up all data (offers, partners, legal pages, users, history) to a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("path", help="File to write, e.g. backup-2026-11-25.json")

    def handle(self, *args, path, **options):
        write_backup(path)
        self.stdout.write(self.style.SUCCESS(f"Backup written to {path}"))
