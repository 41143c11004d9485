"""Erase one person's data now, also of an entry deleted earlier (docs/operations.md).

The admin's action “Erase personal data of selected …” does this for entries that still
exist; an entry deleted the ordinary way is no longer in any admin list, but its history
still holds the person's data until the retention period ends.
"""

from django.core.management.base import BaseCommand

from network import erasure


class Command(BaseCommand):
    help = "Erase a network partner's or contact person's personal data, history included."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["partner", "contact"])
        parser.add_argument("ids", nargs="+", type=int, help="Their ids (see the history).")

    def handle(self, *args, kind, ids, **options):
        for object_id in ids:
            if kind == "partner":
                record = erasure.partner_erase(partner_id=object_id)
            else:
                record = erasure.contact_erase(contact_id=object_id)
            self.stdout.write(
                f"{kind} {object_id}: {'deleted, ' if record.row_deleted else ''}"
                f"{record.history_rows} history version(s) cleared."
            )
