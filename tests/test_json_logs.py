"""Server errors reach the log as one JSON object per line, without personal query data."""

import json
import logging
import subprocess
import sys
from pathlib import Path
from unittest import mock

from retribus.jsonlog import JsonLineFormatter


def test_a_server_error_is_logged_as_one_json_line(client, db, settings, caplog):
    settings.DEBUG = False
    client.raise_request_exception = False
    with (
        caplog.at_level(logging.ERROR, logger="django.request"),
        mock.patch("pages.views.get_object_or_404", side_effect=RuntimeError("kaputt")),
    ):
        client.get("/impressum/?email=schueler@example.org")

    [record] = [r for r in caplog.records if r.name == "django.request"]
    line = JsonLineFormatter().format(record)
    entry = json.loads(line)

    assert "\n" not in line
    assert entry["level"] == "ERROR"
    assert entry["status_code"] == 500
    assert entry["method"] == "GET"
    assert entry["path"] == "/impressum/"
    assert entry["exc_type"] == "RuntimeError"
    assert "kaputt" in entry["exception"]
    assert "schueler@example.org" not in line


def test_production_logs_json_and_development_plain_text():
    def log_format(**env):
        code = "import retribus.settings as s; print(s.LOGGING['handlers']['console']['formatter'])"
        return subprocess.run(
            [sys.executable, "-c", code],
            cwd=Path(__file__).resolve().parent.parent,
            env={"PATH": "/usr/bin:/bin", **env},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    assert log_format(SECRET_KEY="s" * 64) == "json"
    assert log_format(DEBUG="1") == "text"
