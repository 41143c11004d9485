"""The portal's maintenance state: a flag file every worker sees (docs/operations.md).

While a restore replaces the data, the tables are locked for minutes and every page would
hang until the proxy gives up. With the flag set, ``MaintenanceMiddleware`` answers every
request at once with a German 503 page, and ``/healthz`` answers 503 with
``"maintenance": true``, so the load balancer takes the node out.

A file rather than a database row: it is read without the database, whose tables are what
the restore locks, and without Redis; all gunicorn workers of a host (or of a container, for
``docker compose exec``) see the same file. ``MAINTENANCE_DIR`` says where it lives.
"""

import contextlib
import json
import os
import signal
import threading
import time
from pathlib import Path

from django.conf import settings

FLAG_NAME = "maintenance.json"


def flag_path():
    return Path(settings.MAINTENANCE_DIR) / FLAG_NAME


def is_on():
    """One ``stat`` per request: cheap enough to ask every time."""
    return flag_path().exists()


def details():
    """What the flag says (why and since when), or None when the portal is not in maintenance."""
    try:
        return json.loads(flag_path().read_text())
    except FileNotFoundError:
        return None
    except ValueError:  # written by hand, or half-written: it is on all the same
        return {}


def switch_on(reason):
    path = flag_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the flag and renamed over it, so a worker never reads half a file.
    draft = path.with_name(f".{FLAG_NAME}.{os.getpid()}")
    draft.write_text(json.dumps({"reason": reason, "since": time.time(), "pid": os.getpid()}))
    draft.replace(path)


def switch_off():
    flag_path().unlink(missing_ok=True)


@contextlib.contextmanager
def maintenance(reason):
    """The portal is in maintenance for the block's duration, and out of it afterwards,
    whether the block succeeds, raises or the process is stopped with SIGTERM or Ctrl-C.
    (Only a SIGKILL leaves the flag behind: ``manage.py maintenance off`` removes it.)"""
    switch_on(reason)
    try:
        with _sigterm_raises_systemexit():
            yield
    finally:
        switch_off()


@contextlib.contextmanager
def _sigterm_raises_systemexit():
    # By default SIGTERM (docker stop, kill) ends Python without running finally blocks.
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
