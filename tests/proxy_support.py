"""Running deploy/nginx.conf for real on loopback, and the slow clients it must absorb.

``nginx_conf`` adapts the shipped proxy configuration to this machine (upstream, ports,
certificate and temporary paths; each replacement must match exactly once, so a reshaped
config fails loudly instead of being tested half). ``SlowClient`` sends a request a byte a
second, as the attack in issue 12 did. Also a command line for measuring by hand::

    python -m tests.proxy_support 127.0.0.1:8063 --slow 2 --seconds 20

sends two slow clients to that address and times ordinary requests meanwhile.
"""

import argparse
import os
import re
import shutil
import socket
import ssl
import statistics
import subprocess
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
NGINX_CONF = BASE_DIR / "deploy" / "nginx.conf"
GUNICORN_CONF = BASE_DIR / "deploy" / "gunicorn.conf.py"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _replace_once(text, old, new):
    count = text.count(old)
    if count != 1:
        raise AssertionError(f"deploy/nginx.conf: expected {old!r} once, found it {count} times")
    return text.replace(old, new)


def self_signed_certificate(directory):
    """A throwaway certificate for the TLS server block (needs the openssl command)."""
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
        + [
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def nginx_conf(directory, *, upstream_port, http_port, https_port, cert, key):
    """Write a main nginx.conf into ``directory`` that includes the adapted deploy/nginx.conf."""
    text = NGINX_CONF.read_text()
    text = _replace_once(text, "server web:8000;", f"server 127.0.0.1:{upstream_port};")
    text = _replace_once(text, "listen 80 default_server;", f"listen 127.0.0.1:{http_port};")
    text = _replace_once(
        text, "listen 443 ssl default_server;", f"listen 127.0.0.1:{https_port} ssl;"
    )
    text = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", text)
    text = _replace_once(text, "/etc/nginx/certs/fullchain.pem", str(cert))
    text = _replace_once(text, "/etc/nginx/certs/privkey.pem", str(key))
    text = _replace_once(text, "root /var/www/acme;", f"root {directory / 'acme'};")
    (directory / "portal.conf").write_text(text)
    # What the official image's /etc/nginx/nginx.conf puts around conf.d/*.conf.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp_paths = "".join(
        f"    {kind}_temp_path {directory / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = directory / "nginx.conf"
    main.write_text(
        f"{user}worker_processes 1;\ndaemon off;\npid {directory / 'nginx.pid'};\n"
        f"error_log {directory / 'error.log'} warn;\n"
        "events { worker_connections 512; }\n"
        "http {\n    default_type application/octet-stream;\n"
        f"    access_log {directory / 'access.log'};\n{temp_paths}"
        f"    include {directory / 'portal.conf'};\n}}\n"
    )
    return main


def nginx_command(conf, *args):
    return [NGINX, "-e", "stderr", "-p", str(conf.parent), "-c", str(conf), *args]


def wait_for_port(port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def stop(process):
    """End a process this module started, waiting for it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class SlowClient(threading.Thread):
    """Sends a request a byte a second: the headers (``part="headers"``) or, after complete
    headers, a body (``part="body"``) — a sync gunicorn worker waits for every byte."""

    def __init__(self, host, port, *, part="body", path="/", interval=1.0, use_tls=False):
        super().__init__(daemon=True)
        self.address = (host, port)
        self.part, self.path, self.interval, self.use_tls = part, path, interval, use_tls
        self.stopped = threading.Event()
        self.sent = 0
        self.connections = 0

    def run(self):
        # Like an attacker, it connects again whenever the server gives up on it.
        while not self.stopped.is_set():
            self.connections += 1
            try:
                self._one_request()
            except OSError:
                self.stopped.wait(self.interval)

    def _one_request(self):
        body = b"x" * 10_000
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.address[0]}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        fast, slow = (head, body) if self.part == "body" else (b"", head + body)
        with _connect(self.address, self.use_tls, timeout=120) as sock:
            sock.sendall(fast)
            for byte in slow:
                if self.stopped.wait(self.interval):
                    return
                sock.sendall(bytes([byte]))
                self.sent += 1

    def stop(self):
        self.stopped.set()


def _connect(address, use_tls, timeout):
    sock = socket.create_connection(address, timeout=timeout)
    if use_tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        sock = context.wrap_socket(sock, server_hostname="localhost")
    return sock


def timed_get(host, port, path="/", *, timeout=5.0, headers=None, use_tls=False):
    """(seconds, status code or None on timeout, response bytes) of one GET."""
    extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n"
    start = time.monotonic()
    try:
        with _connect((host, port), use_tls, timeout) as sock:
            sock.sendall(request.encode())
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
    except TimeoutError:
        return time.monotonic() - start, None, b""
    response = b"".join(chunks)
    match = re.match(rb"HTTP/1\.[01] (\d{3})", response)
    return time.monotonic() - start, int(match.group(1)) if match else None, response


def measure(host, port, *, slow=2, seconds=10.0, path="/", timeout=5.0, warmup=2.0):
    """Start ``slow`` slow clients, then time GETs of ``path`` for ``seconds``."""
    clients = [
        SlowClient(host, port, part="headers" if n % 2 else "body", path=path) for n in range(slow)
    ]
    for client in clients:
        client.start()
    time.sleep(warmup)  # let them take the workers
    times, statuses = [], []
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            took, status, _ = timed_get(host, port, path, timeout=timeout)
            times.append(took)
            statuses.append(status)
    finally:
        for client in clients:
            client.stop()
    return times, statuses


def main():
    parser = argparse.ArgumentParser(description="Time requests while slow clients hold on.")
    parser.add_argument("address", help="host:port, loopback only")
    parser.add_argument("--slow", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--path", default="/healthz")
    parser.add_argument("--timeout", type=float, default=70.0)
    options = parser.parse_args()
    host, port = options.address.rsplit(":", 1)
    if not host.startswith("127."):
        parser.error("loopback addresses only")
    times, statuses = measure(
        host,
        int(port),
        slow=options.slow,
        seconds=options.seconds,
        path=options.path,
        timeout=options.timeout,
    )
    millis = sorted(t * 1000 for t in times)
    codes = sorted(set(statuses), key=str)
    print(
        f"{len(times)} requests with {options.slow} slow clients: statuses {codes}, "
        f"median {statistics.median(millis):.1f} ms, max {millis[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
