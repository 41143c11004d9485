#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import secrets
import sys


def main():
    """Run administrative tasks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retribus.settings")
    # Administrative commands (makemigrations --check, migrate, collectstatic …) sign
    # nothing that outlives them, so a bare checkout may run them without a secret key:
    # they get a throwaway one. The served portal (wsgi.py under gunicorn) does not pass
    # through here and still refuses to start without a real SECRET_KEY.
    if not os.environ.get("SECRET_KEY"):
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(64)
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError(
            "Couldn't import Django. Are you sure it's installed and "
            "available on your PYTHONPATH environment variable? Did you "
            "forget to activate a virtual environment?"
        ) from exc
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
