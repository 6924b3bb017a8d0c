"""A loopback HTTP proxy that adds a fixed delay to every request (benchmarks only).

moto's in-process server answers in about a millisecond and is CPU-bound on a
small machine, so threads cannot show their worth against it. Real STS and API
calls take tens of milliseconds, nearly all of it waiting; this proxy restores
that wait: it sleeps ``delay`` seconds, then forwards the request unchanged to
the upstream server and relays the answer.

Example::

    with latency_proxy("http://127.0.0.1:5000", delay=0.05) as url:
        boto3.client("sts", endpoint_url=url, ...)
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


def _handler(upstream: str, delay: float) -> type[BaseHTTPRequestHandler]:
    parts = urlsplit(upstream)
    local = threading.local()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            time.sleep(delay)
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = http.client.HTTPConnection(parts.hostname, parts.port)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                response = conn.getresponse()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = local.conn = http.client.HTTPConnection(parts.hostname, parts.port)
                conn.request(self.command, self.path, body=body, headers=headers)
                response = conn.getresponse()
            data = response.read()
            self.send_response(response.status, response.reason)
            for key, value in response.getheaders():
                if key.lower() not in _HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _forward

    return Handler


@contextmanager
def latency_proxy(upstream: str, delay: float = 0.05) -> Iterator[str]:
    """Run the proxy on a free loopback port for the block; yield its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(upstream, delay))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def served_in_child(delay: float = 0.05) -> Iterator[str]:
    """moto's server and the proxy in a child process; yield the proxy's URL.

    Keeping the server's CPU work out of the measured process keeps the
    benchmark about the client side (on a 2-core box, an in-process server
    competes with the client threads for the GIL).
    """
    import subprocess
    import sys

    child = subprocess.Popen(
        [sys.executable, __file__, str(delay)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        yield child.stdout.readline().strip()
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(30)


def _serve(delay: float) -> None:
    import logging
    import sys

    from boto_session_manager.testing import local_aws

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with local_aws() as aws, latency_proxy(aws.endpoint_url, delay) as url:
        print(url, flush=True)
        sys.stdin.read()  # until the parent closes our stdin


if __name__ == "__main__":
    import sys

    _serve(float(sys.argv[1]) if len(sys.argv) > 1 else 0.05)
