"""Create (or reset) the demo coordinator account that `make run` prints."""

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create the demo coordinator account for local development and print its credentials."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo account is for local development only (DEBUG=1).")
        username = os.environ.get("DEMO_USERNAME", "koordination")
        password = os.environ.get("DEMO_PASSWORD", "mint-demo-2026")
        user, _created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": "koordination@example.org"}
        )
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        # `make run PORT=…` passes the port its server will listen on.
        port = os.environ.get("PORT", "").strip() or "8000"
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo coordinator: user “{username}”, password “{password}” — "
                f"log in at http://127.0.0.1:{port}/admin/"
            )
        )
