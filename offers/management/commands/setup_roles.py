"""Create or update the three admin roles (groups) and their permissions.

Idempotent: run it after every migration that adds models (``make demo-data`` does), and the
groups again hold exactly the permissions below. docs/curation.md explains the roles.
"""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db.models import Q

COORDINATION = "Koordination"
PROVIDER_EDITORS = "Anbieter-Redaktion"
READ_ONLY = "Lesezugriff"

CURATED_APPS = ("offers", "network", "bookings", "insights")
TAXONOMIES = ("region", "track", "sector", "offertype", "schoolform", "subject")


def role_permissions():
    """The permissions of each role, as querysets."""
    curated = Permission.objects.filter(content_type__app_label__in=CURATED_APPS)
    return {
        # Everything in the offer database and the network, and managing provider editors.
        # The user admin (offers/admin/users.py) limits these user permissions to provider
        # editors' name, e-mail, active flag and providers; no role may touch groups or
        # permissions, since whoever can change a role can give it every permission.
        COORDINATION: curated
        | Permission.objects.filter(
            content_type__app_label="auth",
            codename__in=["view_user", "add_user", "change_user"],
        )
        # The legal pages' text, and unlocking a login locked by django-axes.
        | Permission.objects.filter(
            content_type__app_label="pages", codename__in=["view_legalpage", "change_legalpage"]
        )
        | Permission.objects.filter(
            content_type__app_label="axes",
            codename__in=["view_accessattempt", "delete_accessattempt"],
        ),
        # A provider's own staff: their offers and contact persons, never publishing.
        # Which provider is theirs comes from Provider.editors, not from a permission.
        PROVIDER_EDITORS: Permission.objects.filter(content_type__app_label="offers").filter(
            Q(codename__in=["view_offer", "add_offer", "change_offer"])
            | Q(codename__in=["view_provider", "change_provider"])
            | Q(
                codename__in=[
                    "view_contactperson",
                    "add_contactperson",
                    "change_contactperson",
                    "delete_contactperson",
                ]
            )
            | Q(codename__in=[f"view_{name}" for name in TAXONOMIES])
        )
        # Their offers' dates, and answering the requests for their offers (bookings).
        | Permission.objects.filter(
            content_type__app_label="bookings",
            codename__in=[
                "view_session",
                "add_session",
                "change_session",
                "delete_session",
                "view_bookingrequest",
                "change_bookingrequest",
            ],
        ),
        # Everything, read-only.
        READ_ONLY: curated.filter(
            Q(codename__startswith="view_") | Q(codename="access_all_providers")
        ),
    }


class Command(BaseCommand):
    help = "Create the roles Koordination, Anbieter-Redaktion and Lesezugriff."

    def handle(self, *args, **options):
        for name, permissions in role_permissions().items():
            group, created = Group.objects.get_or_create(name=name)
            group.permissions.set(permissions)
            if options["verbosity"]:
                self.stdout.write(
                    f"{'Created' if created else 'Updated'} role “{name}” "
                    f"with {group.permissions.count()} permissions."
                )
