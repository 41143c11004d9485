"""Give every published offer without a catalogue code its code (insights/codes.py).

Publishing gives a code by itself; this is for offers published before codes were given
(a database from an older release, demo data, generated offers). Codes already given are
never changed.
"""

from django.core.management.base import BaseCommand

from insights import codes
from offers.models import Offer

BATCH = 2000


class Command(BaseCommand):
    help = "Give published offers without a catalogue code their code."

    def handle(self, *args, **options):
        ids = list(
            Offer.objects.published().filter(code="").order_by("pk").values_list("pk", flat=True)
        )
        given = 0
        for start in range(0, len(ids), BATCH):
            batch = Offer.objects.filter(pk__in=ids[start : start + BATCH]).select_related(
                "provider"
            )
            given += len(
                codes.assign_codes(
                    batch.order_by("pk").only("pk", "code", "status", "provider__kind")
                )
            )
        if options["verbosity"]:
            self.stdout.write(f"Gave {given} offers a code.")
