"""Who may change which account: only superusers give roles, the staff and superuser flags
and permissions. Coordinators manage provider editors (name, e-mail, active flag, providers)
and cannot reach any other account -- not through the forms, the password page, the list
actions, the group admin, the invitation or a forged POST. Readers and provider editors
cannot reach the user admin at all."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse

from tests import factories
from tests.admin_support import make_user, setup_roles

ROLES = ["superuser", "Koordination", "Lesezugriff", "Anbieter-Redaktion"]
TARGETS = ["superuser", "coordinator", "reader", "editor", "self"]
# What each role may open in the user admin, per target account.
MAY_OPEN = {
    "superuser": set(TARGETS),
    "Koordination": {"editor"},
    "Lesezugriff": set(),
    "Anbieter-Redaktion": set(),
}
# The fields of the change form a coordinator gets for a provider editor: nothing else.
COORDINATOR_FIELDS = {"first_name", "last_name", "email", "is_active", "providers"}

User = get_user_model()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(taxonomy, django_user_model):
    """One acting account per role and one target account of each kind."""
    setup_roles()
    own = factories.make_provider(taxonomy, name="IT Haus GmbH")
    other = factories.make_provider(taxonomy, name="Universität Trier")

    def superuser(name):
        return django_user_model.objects.create_superuser(name, f"{name}@example.org", "x")

    actors = {
        "superuser": superuser("chefin"),
        "Koordination": make_user("Koordination"),
        "Lesezugriff": make_user("Lesezugriff"),
        "Anbieter-Redaktion": make_user("Anbieter-Redaktion", providers=[own]),
    }
    targets = {
        "superuser": superuser("admin"),
        "coordinator": make_user("Koordination"),
        "reader": make_user("Lesezugriff"),
        "editor": make_user("Anbieter-Redaktion", providers=[own]),
    }
    return {"actors": actors, "targets": targets, "own": own, "other": other}


def target_of(people, role, kind):
    return people["actors"][role] if kind == "self" else people["targets"][kind]


def user_url(name, *args):
    return reverse(f"admin:auth_user_{name}", args=args)


def form_fields(html):
    """The names of the fields a form lets one change (no hidden or button fields)."""
    names = set()
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        hidden = 'type="hidden"' in tag or 'type="submit"' in tag
        if name and not hidden:
            names.add(re.sub(r"_[01]$", "", name.group(1)))
    return names


def full_change_post(account, **changes):
    """Everything Django's own user change form accepts, for ``account``, with ``changes``."""
    data = {
        "username": account.username,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "email": account.email,
        "is_active": "on",
        "date_joined_0": account.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": account.date_joined.strftime("%H:%M:%S"),
        "groups": list(account.groups.values_list("pk", flat=True)),
        "providers": list(account.edited_providers.values_list("pk", flat=True)),
    }
    if account.is_staff:
        data["is_staff"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def escalation():
    """A forged POST's attempt to make an account an administrator."""
    return {
        "is_superuser": "on",
        "is_staff": "on",
        "groups": [Group.objects.get(name="Koordination").pk],
        "user_permissions": [Permission.objects.get(codename="change_group").pk],
    }


def test_no_role_holds_a_permission_over_roles_permissions_or_deleting_people(people):
    allowed = {
        "Koordination": {"view_user", "add_user", "change_user"},
        "Lesezugriff": set(),
        "Anbieter-Redaktion": set(),
    }
    for role, expected in allowed.items():
        codenames = set(
            Group.objects.get(name=role)
            .permissions.filter(content_type__app_label="auth")
            .values_list("codename", flat=True)
        )
        assert codenames == expected, role


@pytest.mark.parametrize("page", ["change", "history", "delete"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", TARGETS)
def test_who_may_open_whose_account_pages(client, people, role, kind, page):
    target = target_of(people, role, kind)
    client.force_login(people["actors"][role])

    response = client.get(user_url(page, target.pk))

    # Deleting people is for superusers only; a coordinator deactivates.
    may_open = kind in MAY_OPEN[role] and (page != "delete" or role == "superuser")
    assert (response.status_code == 200) == may_open, (role, kind, response.status_code)
    if not may_open:
        assert response.status_code in (302, 403)
        assert target.email not in response.text


def test_a_coordinator_sees_only_what_they_may_change_of_a_provider_editor(client, people):
    client.force_login(people["actors"]["Koordination"])

    page = client.get(user_url("change", people["targets"]["editor"].pk))

    assert form_fields(page.text) == COORDINATOR_FIELDS
    assert "/password/" not in page.text


def test_a_superuser_changes_everything_including_roles(client, people):
    editor = people["targets"]["editor"]
    client.force_login(people["actors"]["superuser"])

    page = client.get(user_url("change", editor.pk))
    assert {"is_superuser", "is_staff", "groups", "user_permissions", "providers"} <= form_fields(
        page.text
    )
    response = client.post(
        user_url("change", editor.pk),
        full_change_post(editor, groups=[Group.objects.get(name="Koordination").pk]),
    )

    assert response.status_code == 302
    assert list(editor.groups.values_list("name", flat=True)) == ["Koordination"]


# Every field of Django's user admin, forged into a coordinator's POST for a provider
# editor: the value it tries, and whether a coordinator may change that field.
FORGED_FIELDS = {
    "username": ("uebernommen", False),
    "password": ("md5$salt$0123456789abcdef0123456789abcdef", False),
    "first_name": ("Erika", True),
    "last_name": ("Muster", True),
    "email": ("erika.muster@example.org", True),
    "is_active": (None, True),  # not ticked: deactivates
    "is_staff": ("on", False),
    "is_superuser": ("on", False),
    "groups": ("Koordination", False),
    "user_permissions": ("change_group", False),
    "last_login_0": ("2020-01-01", False),
    "date_joined_0": ("2000-01-01", False),
    "providers": ("other", True),
}


def forged_value(people, field, value):
    if field == "groups":
        return [Group.objects.get(name=value).pk]
    if field == "user_permissions":
        return [Permission.objects.get(codename=value).pk]
    if field == "providers":
        return [people["other"].pk]
    return value


def account_state(account):
    account.refresh_from_db()
    return {
        "username": account.username,
        "password": account.password,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "email": account.email,
        "is_active": account.is_active,
        "is_staff": account.is_staff,
        "is_superuser": account.is_superuser,
        "groups": sorted(account.groups.values_list("name", flat=True)),
        "user_permissions": list(account.user_permissions.values_list("codename", flat=True)),
        "last_login_0": account.last_login,
        "date_joined_0": account.date_joined,
        "providers": sorted(account.edited_providers.values_list("name", flat=True)),
    }


@pytest.mark.parametrize("field", FORGED_FIELDS)
def test_a_coordinators_post_changes_only_the_fields_they_may_change(client, people, field):
    editor = people["targets"]["editor"]
    editor.is_staff = False  # so that a forged is_staff would show
    editor.save()
    value, may_change = FORGED_FIELDS[field]
    before = account_state(editor)
    client.force_login(people["actors"]["Koordination"])

    response = client.post(
        user_url("change", editor.pk),
        full_change_post(editor, **{field: forged_value(people, field, value)}),
    )

    assert response.status_code == 302
    after = account_state(editor)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == ({field} if may_change else set())


@pytest.mark.parametrize("role", ["Koordination", "Lesezugriff", "Anbieter-Redaktion"])
@pytest.mark.parametrize("kind", ["self", "superuser", "coordinator", "reader"])
def test_a_forged_post_makes_nobody_an_administrator_or_takes_over_an_account(
    client, people, role, kind
):
    target = target_of(people, role, kind)
    client.force_login(people["actors"][role])
    before = account_state(target)  # after the login, which stamps last_login

    client.post(
        user_url("change", target.pk),
        full_change_post(target, email="angreifer@example.org", **escalation()),
    )
    client.post(
        user_url("password_change", target.pk),
        {"new_password1": "Uebernahme-2026!", "new_password2": "Uebernahme-2026!"},
    )

    assert account_state(target) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", TARGETS)
def test_only_a_superuser_sets_a_password(client, people, role, kind):
    target = target_of(people, role, kind)
    client.force_login(people["actors"][role])

    response = client.get(user_url("password_change", target.pk))

    assert (response.status_code == 200) == (role == "superuser")


@pytest.mark.parametrize("role", ROLES)
def test_the_user_list_shows_each_role_only_whom_it_manages(client, people, role):
    client.force_login(people["actors"][role])

    response = client.get(user_url("changelist"))

    if role in ("Lesezugriff", "Anbieter-Redaktion"):
        assert response.status_code == 403
        return
    shown = {kind for kind, account in people["targets"].items() if account.email in response.text}
    assert shown == MAY_OPEN[role] - {"self"}
    filters = re.findall(r'href="\?([a-z_]+)__', response.text)
    if role == "Koordination":
        assert set(filters) <= {"is_active"}


def test_a_coordinators_list_actions_reach_only_provider_editors(client, people):
    client.force_login(people["actors"]["Koordination"])
    changelist = user_url("changelist")
    actions = set(re.findall(r'<option value="(\w+)"', client.get(changelist).text))
    assert actions == {"deactivate", "activate"}
    everybody = [account.pk for account in people["targets"].values()]
    everybody.append(people["actors"]["Koordination"].pk)

    client.post(changelist, {"action": "deactivate", "_selected_action": everybody})
    client.post(
        changelist, {"action": "delete_selected", "_selected_action": everybody, "post": "yes"}
    )

    inactive = {
        kind
        for kind, account in people["targets"].items()
        if not account_state(account)["is_active"]
    }
    assert inactive == {"editor"}
    assert User.objects.filter(pk__in=everybody).count() == 5


def test_a_coordinator_invites_a_provider_editor_through_the_add_form(client, people):
    client.force_login(people["actors"]["Koordination"])
    add = user_url("add")
    assert form_fields(client.get(add).text) == {"first_name", "last_name", "email", "providers"}

    response = client.post(
        add,
        {
            "first_name": "Erika",
            "last_name": "Muster",
            "email": "Erika@Example.org",
            "providers": [people["own"].pk, people["other"].pk],
            "username": "erika-admin",
            "password1": "Selbst-gewaehlt-2026",
            "password2": "Selbst-gewaehlt-2026",
            **escalation(),
        },
    )

    assert response.status_code == 302
    erika = User.objects.get(email__iexact="erika@example.org")
    state = account_state(erika)
    assert state["username"] == "erika@example.org"
    assert state["groups"] == ["Anbieter-Redaktion"]
    assert state["providers"] == ["IT Haus GmbH", "Universität Trier"]
    assert state["is_staff"] and not state["is_superuser"] and not state["user_permissions"]
    assert not erika.has_usable_password()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [erika.email]
    assert "/admin/reset/" in mail.outbox[0].body


@pytest.mark.parametrize("role", ["Lesezugriff", "Anbieter-Redaktion"])
def test_readers_and_provider_editors_cannot_add_accounts(client, people, role):
    client.force_login(people["actors"][role])

    response = client.post(user_url("add"), {"username": "neu", **escalation()})

    assert response.status_code == 403
    assert not User.objects.filter(username="neu").exists()


@pytest.mark.parametrize("role", ROLES)
def test_only_a_superuser_changes_roles(client, people, role):
    group = Group.objects.get(name="Anbieter-Redaktion")
    before = set(group.permissions.values_list("pk", flat=True))
    client.force_login(people["actors"][role])
    every_permission = list(Permission.objects.values_list("pk", flat=True))

    pages = [
        client.get(reverse("admin:auth_group_changelist")),
        client.get(reverse("admin:auth_group_add")),
        client.get(reverse("admin:auth_group_change", args=[group.pk])),
    ]
    client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": group.name, "permissions": every_permission},
    )
    client.post(reverse("admin:auth_group_add"), {"name": "Alles", "permissions": every_permission})

    is_superuser = role == "superuser"
    assert all((page.status_code == 200) == is_superuser for page in pages)
    if not is_superuser:
        assert all(page.status_code == 403 for page in pages)
        assert set(group.permissions.values_list("pk", flat=True)) == before
        assert not Group.objects.filter(name="Alles").exists()


@pytest.mark.parametrize("kind", ["superuser", "coordinator", "reader"])
def test_the_provider_invitation_does_not_reach_accounts_in_other_roles(client, people, kind):
    target = people["targets"][kind]
    before = account_state(target)
    client.force_login(people["actors"]["Koordination"])

    response = client.post(
        reverse("admin:offers_provider_invite", args=[people["own"].pk]),
        {"name": "Wer auch immer", "email": target.email.upper()},
    )

    assert response.status_code == 200  # the form again, with the error
    assert account_state(target) == before
    assert not mail.outbox


def test_the_editor_autocomplete_of_a_provider_lists_only_provider_editors(client, people):
    client.force_login(people["actors"]["Koordination"])

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "offers", "model_name": "provider", "field_name": "editors", "term": ""},
    )

    assert response.status_code == 200
    shown = {result["text"] for result in response.json()["results"]}
    editors = {
        people["targets"]["editor"].username,
        people["actors"]["Anbieter-Redaktion"].username,
    }
    assert shown == editors
