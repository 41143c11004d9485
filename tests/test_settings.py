"""The settings module: safe defaults, production refuses weak secrets, no missing migrations."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def import_settings(**env):
    """Import the settings module in a fresh interpreter with exactly ``env`` set."""
    clean = bare_environment()
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import retribus.settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'])",
        ],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_production_refuses_to_start_without_secret_key():
    result = import_settings()
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def bare_environment():
    return {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}}


def test_management_commands_run_in_a_bare_checkout():
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=bare_environment(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_the_served_portal_refuses_to_start_without_secret_key():
    result = subprocess.run(
        [sys.executable, "-c", "import retribus.wsgi"],
        cwd=ROOT,
        env=bare_environment(),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_a_weak_secret_key():
    result = import_settings(SECRET_KEY="django-insecure-" + "x" * 60)
    assert result.returncode != 0
    assert "too weak" in result.stderr


def test_checkout_defaults_to_sqlite_in_development():
    result = import_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3"]


def test_database_url_selects_postgresql():
    result = import_settings(SECRET_KEY="s" * 64, DATABASE_URL="postgres://u@db:5432/portal")
    assert result.returncode == 0, result.stderr
    # Django's backend with the cheaper health check (retribus/postgresql/).
    assert result.stdout.split() == ["False", "retribus.postgresql"]


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"Missing migrations:\n{out.getvalue()}")
