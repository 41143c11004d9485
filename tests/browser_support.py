"""What the real-browser and checker tests need: Debian's Chromium, axe-core, the Nu HTML checker.

Outside CI a missing tool skips those tests with the reason in the summary; with ``CI`` set it
fails them, so a pipeline cannot pass by silently skipping its browser and accessibility checks.
``make a11y-tools`` installs axe-core and vnu-jar into ``.cache/node``; ``make browser``
installs Chromium where it can. Playwright never downloads a browser of its own here.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
# A closed network: without these flags Chromium keeps dialling out for updates and sync.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}

NODE_MODULES = Path(settings.BASE_DIR) / ".cache" / "node" / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"


def in_ci():
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def unavailable(reason):
    """Skip with a visible reason, or fail when running in CI."""
    if in_ci():
        pytest.fail(f"{reason} — CI is set, so this check must run, not be skipped")
    pytest.skip(f"{reason}: check skipped")


def require_chromium():
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("Python Playwright is not installed")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        unavailable(f"Chromium not found at {CHROMIUM} (run `make browser`)")


def require_file(path, hint):
    if not path.is_file():
        unavailable(f"{path.name} not found in {path.parent} ({hint})")


def require_java():
    if shutil.which("java") is None:
        unavailable("java is not installed, which the Nu HTML checker needs")
