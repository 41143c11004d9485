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


def admin_form_data(response):
    """What a browser would post from an admin change form as ``response`` rendered it: the
    main form's values (a multi-part widget's parts under their own names) and the inlines'
    management forms, so that another app's inline does not make the post invalid."""
    from django import forms

    data = {}
    bound_fields = list(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        bound_fields += list(inline.formset.management_form)
        for form in inline.formset.forms:
            bound_fields += list(form)
    for bound in bound_fields:
        value = bound.value()
        widget = bound.field.widget
        if isinstance(widget, forms.MultiWidget):
            parts = value if isinstance(value, list) else widget.decompress(value)
            for index, part in enumerate(parts):
                if part not in (None, ""):
                    data[f"{bound.html_name}_{index}"] = str(part)
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        elif value is not None:
            data[bound.html_name] = value if not hasattr(value, "isoformat") else value.isoformat()
    return data
