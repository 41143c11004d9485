"""Shows or switches the maintenance state by hand (restore_data switches it by itself)."""

from datetime import datetime

from django.core.management.base import BaseCommand

from operations import maintenance


class Command(BaseCommand):
    help = (
        "Show the maintenance state, or switch it on or off. restore_data switches it on and "
        "off by itself; 'off' is for a restore that was killed (SIGKILL) and left it on."
    )

    def add_arguments(self, parser):
        parser.add_argument("state", nargs="?", choices=["on", "off", "status"], default="status")

    def handle(self, *args, state, **options):
        if state == "on":
            maintenance.switch_on("manage.py maintenance on")
        elif state == "off":
            maintenance.switch_off()
        details = maintenance.details()
        if details is None:
            self.stdout.write(f"The portal is not in maintenance ({maintenance.flag_path()}).")
            return
        since = details.get("since")
        if isinstance(since, (int, float)):
            since = datetime.fromtimestamp(since).isoformat(timespec="seconds")
        self.stdout.write(
            f"The portal is in maintenance since {since} ({details.get('reason', '?')}): "
            f"every page answers 503. Flag: {maintenance.flag_path()}"
        )
