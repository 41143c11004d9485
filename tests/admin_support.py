"""Users in the admin roles, for the curation tests (admin, import and history)."""

import io
import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

_counter = itertools.count(1)


def setup_roles():
    call_command("setup_roles", stdout=io.StringIO())


def make_user(role, *, providers=()):
    """A staff user in the group ``role`` (run ``setup_roles`` first), editor of ``providers``."""
    user = get_user_model().objects.create_user(
        username=f"user{next(_counter)}", email=f"user{next(_counter)}@example.org", is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    for provider in providers:
        provider.editors.add(user)
    return user
