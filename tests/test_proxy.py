"""The shipped proxy (deploy/nginx.conf) in front of gunicorn with deploy/gunicorn.conf.py.

Two clients sending a byte a second hold both sync workers of a small server; through the
proxy the same two cost nothing. These tests run the real nginx and gunicorn on loopback
(nginx is skipped with a notice when it is not installed, and required with ``CI`` set).
"""

import json
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time

import pytest

from offers.admin.import_view import ImportUploadForm
from tests import proxy_support
from tests.browser_support import unavailable


def require_nginx():
    if not shutil.which("nginx") and not shutil.which(proxy_support.NGINX):
        unavailable("nginx is not installed (apt-get install nginx)")
    if not shutil.which("openssl"):
        unavailable("openssl is not installed, no certificate for the proxy's TLS server")


@pytest.fixture(scope="module")
def proxy_dir(tmp_path_factory):
    require_nginx()
    directory = tmp_path_factory.mktemp("nginx")
    cert, key = proxy_support.self_signed_certificate(directory)
    ports = {
        "upstream_port": proxy_support.free_port(),
        "http_port": proxy_support.free_port(),
        "https_port": proxy_support.free_port(),
    }
    conf = proxy_support.nginx_conf(directory, cert=cert, key=key, **ports)
    return conf, ports


@pytest.fixture(scope="module")
def stack(proxy_dir):
    """gunicorn (2 sync workers, the shipped config) and nginx in front of it."""
    conf, ports = proxy_dir
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(proxy_support.GUNICORN_CONF)]
        + ["--bind", f"127.0.0.1:{ports['upstream_port']}", "--workers", "2"]
        + ["--access-logfile", "/dev/null", "tests.proxy_app:application"],
        cwd=proxy_support.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    nginx = subprocess.Popen(
        proxy_support.nginx_command(conf), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        proxy_support.wait_for_port(ports["upstream_port"])
        proxy_support.wait_for_port(ports["http_port"])
        proxy_support.wait_for_port(ports["https_port"])
        yield ports
    finally:
        proxy_support.stop(nginx)
        proxy_support.stop(gunicorn)


def test_nginx_accepts_the_shipped_config(proxy_dir):
    conf, _ports = proxy_dir
    result = subprocess.run(proxy_support.nginx_command(conf, "-t"), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_the_proxy_takes_uploads_as_large_as_the_import_and_no_larger():
    match = re.search(r"^client_max_body_size (\d+)m;", proxy_support.NGINX_CONF.read_text(), re.M)
    limit = int(match.group(1)) * 1024 * 1024
    # Room for the multipart envelope around the largest file, but not a second file.
    assert ImportUploadForm.MAX_BYTES < limit <= ImportUploadForm.MAX_BYTES + 1024 * 1024


def slow_clients(port):
    """Two slow clients, one dribbling its headers and one its body, aimed at ``port``."""
    clients = [
        proxy_support.SlowClient("127.0.0.1", port, part=part) for part in ("headers", "body")
    ]
    for client in clients:
        client.start()
    time.sleep(1.5)  # time to connect and, without a proxy, to take both workers
    return clients


def test_slow_clients_stall_gunicorn_alone_but_not_behind_the_proxy(stack):
    clients = slow_clients(stack["http_port"])
    try:
        through_proxy = [
            proxy_support.timed_get("127.0.0.1", stack["http_port"], timeout=5) for _ in range(20)
        ]
    finally:
        for client in clients:
            client.stop()
    clients = slow_clients(stack["upstream_port"])
    try:
        direct = proxy_support.timed_get("127.0.0.1", stack["upstream_port"], timeout=2)
    finally:
        for client in clients:
            client.stop()

    assert [status for _took, status, _body in through_proxy] == [200] * 20
    millis = [took * 1000 for took, _status, _body in through_proxy]
    assert statistics.median(millis) < 100, millis
    # Without the proxy the same request waits for a worker that waits for a byte.
    took, status, _body = direct
    assert status is None and took >= 2


def test_the_proxy_sets_the_forwarded_headers_and_drops_what_the_client_claims(stack):
    _took, status, response = proxy_support.timed_get(
        "127.0.0.1",
        stack["https_port"],
        use_tls=True,
        headers={
            "X-Forwarded-For": "203.0.113.9",
            "X-Forwarded-Proto": "http",
            "X-Forwarded-Host": "evil.example",
            "X-Real-IP": "203.0.113.9",
        },
    )
    assert status == 200
    seen = json.loads(response.split(b"\r\n\r\n", 1)[1])
    assert seen["forwarded_for"] == "127.0.0.1"
    assert seen["forwarded_proto"] == "https"
    assert seen["forwarded_host"] is None
    assert seen["real_ip"] is None


def test_the_proxy_refuses_a_body_larger_than_the_largest_upload(stack):
    with socket.create_connection(("127.0.0.1", stack["http_port"]), timeout=5) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Length: %d\r\n\r\n" % (ImportUploadForm.MAX_BYTES + 2 * 1024 * 1024)
        )
        answer = sock.recv(1024)
    assert answer.startswith(b"HTTP/1.1 413")
