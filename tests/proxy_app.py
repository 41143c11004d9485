"""A WSGI app for tests/test_proxy.py: reads the whole body, answers with what it was told.

The proxy tests need a sync gunicorn worker that waits for request bodies, not the portal
and its database.
"""

import json


def application(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    seen = {
        "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
        "forwarded_proto": environ.get("HTTP_X_FORWARDED_PROTO"),
        "forwarded_host": environ.get("HTTP_X_FORWARDED_HOST"),
        "real_ip": environ.get("HTTP_X_REAL_IP"),
        "body_bytes": len(body),
    }
    answer = json.dumps(seen).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))]
    )
    return [answer]
