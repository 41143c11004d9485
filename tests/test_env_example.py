"""The shipped .env.example gives settings that work behind docker-compose's TLS proxy."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def example_environment():
    lines = (ROOT / ".env.example").read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    return {name.strip(): value.strip() for name, value in pairs}


def test_the_example_environment_trusts_the_proxys_https_header():
    # Without it, every request the proxy forwards over HTTP is redirected to HTTPS again.
    env = {**example_environment(), "SECRET_KEY": "k" * 64, "PATH": "/usr/bin:/bin"}
    code = "import json, retribus.settings as s; print(json.dumps(s.SECURE_PROXY_SSL_HEADER))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["HTTP_X_FORWARDED_PROTO", "https"]
