"""Replaces all data with a backup from backup_data, all or nothing (docs/operations.md)."""

import bz2
import gzip
import json
import lzma
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from operations.maintenance import maintenance

from .backup_data import write_backup

# What a backup of a working portal always holds; one without them would wipe them out.
REQUIRED = {"offers.offer": "offers", "auth.user": "users"}
# The compressions dumpdata writes when the file name asks for them (backup.json.gz).
OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open, ".lzma": lzma.open}


def count_records(path):
    """Records per model label in a backup_data file; CommandError if it is none."""
    opener = OPENERS.get(Path(path).suffix, open)
    try:
        with opener(path, "rt", encoding="utf-8") as stream:
            records = json.load(stream)
        return Counter(record["model"].lower() for record in records)
    except (OSError, EOFError, ValueError, LookupError, TypeError, AttributeError) as error:
        raise CommandError(
            f"{path} is not a readable backup_data file, nothing was changed: {error}"
        ) from error


def write_safety_copy():
    """A backup_data copy of the current data in RESTORE_SAFETY_DIR, readable by its owner only
    (it holds personal data); returns its path."""
    folder = Path(settings.RESTORE_SAFETY_DIR)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M%S-%f")
    path = folder / f"before-restore-{stamp}.json.gz"
    # Created here, exclusively: never overwrite a file, least of all the copy being restored.
    path.touch(mode=0o600, exist_ok=False)
    write_backup(path)
    return path


class Command(BaseCommand):
    help = (
        "Replace ALL data with the contents of a backup_data file. Refuses a backup without "
        "offers or users unless --force; writes a safety copy of the current data first; "
        "puts the portal into maintenance meanwhile. Runs in one transaction: if the file "
        "cannot be loaded completely, the database stays exactly as it was."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="A file written by backup_data")
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask before replacing the current data"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even a backup that holds no offers or no users",
        )

    def handle(self, *args, path, yes, force, **options):
        counts = count_records(path)
        missing = [name for label, name in REQUIRED.items() if not counts[label]]
        if missing and not force:
            raise CommandError(
                f"{path} holds no {' and no '.join(missing)}: restoring it would delete all "
                "of them. Nothing was changed. Add --force if that is really wanted."
            )
        if not yes and input("This replaces ALL current data. Type 'yes' to go on: ") != "yes":
            raise CommandError("Restore cancelled; nothing was changed.")
        with maintenance(f"restore_data {path}"):
            self.stdout.write("The portal is in maintenance until the restore ends.")
            try:
                safety_copy = write_safety_copy()
            except Exception as error:
                raise CommandError(
                    f"The safety copy could not be written to {settings.RESTORE_SAFETY_DIR}, "
                    f"nothing was changed: {error}"
                ) from error
            self.stdout.write(f"Safety copy of the current data: {safety_copy}")
            self._replace_data(path)
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {path}. The data it replaced is in {safety_copy} "
                f"(manage.py restore_data {safety_copy} brings it back)."
            )
        )

    def _replace_data(self, path):
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
