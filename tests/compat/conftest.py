"""Fixtures for the compat modules: a recording proxy in front of the local AWS.

The proxy forwards every request to moto's server unchanged and keeps what
the server received (operation, headers, body), so tests can count requests
and read them exactly as sent. The compat default manager is pointed at the
proxy for the test and forgotten after it.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from boto_session_manager import BotoSesManager, compat
from boto_session_manager.testing import LocalAWS


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def operation(self) -> str:
        """``GetSecretValue``, ``AssumeRole`` ... (``"<METHOD> /path"`` for S3)."""
        target = self.headers.get("X-Amz-Target") or self.headers.get("x-amz-target")
        if target:
            return target.rpartition(".")[2]
        if self.body.startswith(b"Action="):
            return parse_qs(self.body.decode())["Action"][0]
        return f"{self.method} {urlsplit(self.path).path}"

    @property
    def params(self) -> Any:
        """The request's parameters: the JSON body, the form fields, or the query."""
        if self.headers.get("X-Amz-Target") or self.headers.get("x-amz-target"):
            return json.loads(self.body)
        if self.body.startswith(b"Action="):
            return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}


@dataclass
class Recorder:
    """The proxy's record and its URL."""

    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def operations(self) -> list[str]:
        with self.lock:
            return [s.operation for s in self.seen]

    def requests(self, operation: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.operation == operation]

    def clear(self) -> None:
        with self.lock:
            self.seen.clear()


@dataclass
class _Proxy:
    """The recording proxy of the test session; records into the current test's Recorder."""

    url: str
    current: Recorder


def _handler(upstream: str, proxy: _Proxy) -> type[BaseHTTPRequestHandler]:
    parts = urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

        def _relay(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = dict(self.headers.items())
            recorder = proxy.current
            with recorder.lock:
                recorder.seen.append(Seen(self.command, self.path, headers, body))
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            finally:
                conn.close()
            self.send_response(response.status)
            for key, value in response.getheaders():
                if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _relay

    return Handler


@pytest.fixture(scope="session")
def _recording_proxy(aws_server: LocalAWS) -> Iterator[_Proxy]:
    """The proxy, started once per test session (stopping one takes a polling interval)."""
    proxy = _Proxy(url="", current=Recorder())
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(aws_server.endpoint_url, proxy))
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def recorder(aws: LocalAWS, _recording_proxy: _Proxy) -> Iterator[Recorder]:
    """A recording proxy in front of the (reset) local AWS; a new record for each test."""
    record = Recorder(url=_recording_proxy.url)
    _recording_proxy.current = record
    try:
        yield record
    finally:
        _recording_proxy.current = Recorder()


@pytest.fixture
def default_bsm(aws: LocalAWS, recorder: Recorder) -> Iterator[BotoSesManager]:
    """The compat default manager, on the local AWS through the recording proxy."""
    bsm = aws.manager(default_client_kwargs={"endpoint_url": recorder.url})
    compat.set_default_manager(bsm)
    try:
        yield bsm
    finally:
        compat.set_default_manager(None)
