"""Production settings pass Django's deployment checklist with zero issues."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def production_env(**extra):
    """The environment production runs with: no DEBUG, a real secret, hosts, behind a proxy."""
    keep = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}}
    return {
        **keep,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "mint.example.org",
        "SECURE_PROXY": "1",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:////tmp/retribus-deploy-check.db"),
        **extra,
    }


def test_check_deploy_reports_no_issues_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_notices_a_production_that_disables_https():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0"),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout
    assert "security.W008" in result.stderr + result.stdout
