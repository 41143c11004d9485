"""Write N deterministic, realistic offers for benchmarks and load tests (demo/generator.py).

    manage.py generate_offers --count 100000 --seed 7 --national
    manage.py generate_offers --clear

The taxonomies are loaded first if the database has none, so a fresh database works.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from demo import generator
from offers.models import Track

from .load_demo_data import TAXONOMIES


class Command(BaseCommand):
    help = "Generate realistic offers (deterministic per seed), or remove generated data."

    def add_arguments(self, parser):
        parser.add_argument(
            "--count", type=int, default=None, help="Offers to write (default 1000)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same offers.")
        parser.add_argument(
            "--providers",
            type=int,
            default=None,
            help="Providers to create (default: one per 30 offers).",
        )
        parser.add_argument(
            "--national",
            action="store_true",
            help="First create 16 states with 400 districts and spread providers over them.",
        )
        parser.add_argument(
            "--clear",
            action="store_true",
            help="Remove previously generated data (and nothing else) before generating; "
            "without --count, only remove.",
        )

    def handle(self, *args, count, seed, providers, national, clear, verbosity, **options):
        if count is None:
            count = 0 if clear else 1000
        if count < 0 or (providers is not None and providers < 1):
            raise CommandError("--count must be 0 or more and --providers at least 1.")
        if clear:
            deleted = generator.clear_generated()
            if verbosity:
                self.stdout.write(f"Removed {deleted} generated offers.")
        if count == 0:
            return
        if not Track.objects.exists():
            call_command("loaddata", str(TAXONOMIES), verbosity=0)
        try:
            result = generator.generate_offers(
                count=count, seed=seed, providers=providers, national=national
            )
        except generator.GeneratorError as error:
            raise CommandError(str(error)) from error
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Generated {result.offers} offers ({result.published} published) of "
                    f"{result.providers} providers in {result.seconds:.1f} s."
                )
            )
