"""A fault-injecting reverse proxy in front of the local AWS server (tests only).

Clients reach it by using its URL as their ``endpoint_url``; it forwards each
request to moto's server unchanged, except where a :class:`Rule` says to
answer otherwise:

- ``"500"`` / ``"503"``: a server error in the protocol's shape;
- ``"throttle"``: ``ThrottlingException`` (JSON protocols), ``Throttling``
  (query protocol: STS, IAM ...) or ``SlowDown`` (S3, a 503);
- ``"expired_token"``: ``ExpiredTokenException`` (JSON) / ``ExpiredToken``;
- ``"access_denied"``: ``AccessDeniedException`` (JSON) / ``AccessDenied``;
- ``"drop"``: the request is forwarded, then the proxy sends the status line,
  the headers and half of the body, and closes the connection;
- ``"unprocessed"``: a DynamoDB ``BatchWriteItem`` is forwarded with only the
  first half of its items (rounded up); the rest are added to the real
  response's ``UnprocessedItems``, as DynamoDB does under load.

Rules act on every ``every``-th request they match (deterministic, never
random), optionally filtered by service (the SigV4 credential scope),
operation (``X-Amz-Target``, the ``Action=`` form field, or the S3 request's
shape), a path fragment or any predicate on :class:`RequestInfo`, and at most
``times`` times. The first rule that fires answers a request.

Bounded: it listens on 127.0.0.1 only, every socket has a timeout, it answers
at most ``max_requests`` requests (then a non-retryable
``FaultProxyLimitExceeded`` error), and :meth:`FaultProxy.stop` closes every
connection and joins the server thread.

Thread safety: rules may be added and counters read from any thread while
requests are served; each decision is taken under one lock.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.config import Config
from botocore.retries import bucket, standard

from boto_session_manager import BotoSesManager
from boto_session_manager.testing import LocalAWS

FAULTS = frozenset(
    {"500", "503", "throttle", "expired_token", "access_denied", "drop", "unprocessed"}
)
SOCKET_TIMEOUT = 10.0

_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "content-length",
        "expect",
        "te",
        "trailer",
        "upgrade",
    }
)
_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/[^/]+/([^/]+)/aws4_request")
_TARGET_SERVICES = {"dynamodb": "dynamodb", "amazonssm": "ssm", "secretsmanager": "secretsmanager"}


@dataclass(frozen=True)
class RequestInfo:
    """What the proxy knows about a request when deciding on a fault.

    Attributes:
        number: 1-based position among every request the proxy received.
        method: the HTTP method.
        path: the path with its query string.
        service: the SigV4 signing name (``sts``, ``dynamodb``, ``s3`` ...),
            or a guess for unsigned requests.
        operation: the API operation (``GetParametersByPath``, ``AssumeRole``,
            ``ListObjectsV2`` ...), or ``"<METHOD>"`` when unknown.
        protocol: ``"json"``, ``"query"`` or ``"rest-xml"``.
        access_key_id: the key that signed the request ("" when unsigned).
        body: the request's body (e.g. an AssumeRole form naming the role).
    """

    number: int
    method: str
    path: str
    service: str
    operation: str
    protocol: str
    access_key_id: str
    body: bytes = field(default=b"", repr=False)


@dataclass
class Rule:
    """Answer every ``every``-th matching request with ``fault`` (at most ``times``)."""

    fault: str
    every: int = 1
    service: str | None = None
    operation: str | None = None
    path_contains: str | None = None
    where: Callable[[RequestInfo], bool] | None = None
    times: int | None = None
    matched: int = field(default=0, init=False)
    fired: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.fault not in FAULTS:
            msg = f"unknown fault {self.fault!r}; one of {sorted(FAULTS)}"
            raise ValueError(msg)
        if self.every < 1:
            msg = f"every must be at least 1, got {self.every!r}"
            raise ValueError(msg)

    def matches(self, info: RequestInfo) -> bool:
        if self.service is not None and info.service != self.service:
            return False
        if self.operation is not None and info.operation != self.operation:
            return False
        if self.path_contains is not None and self.path_contains not in info.path:
            return False
        if self.fault == "unprocessed" and info.operation != "BatchWriteItem":
            return False
        return self.where is None or self.where(info)

    def decide(self, info: RequestInfo) -> bool:
        """Count a matching request; True when this one gets the fault (lock held)."""
        if not self.matches(info):
            return False
        if self.times is not None and self.fired >= self.times:
            return False
        self.matched += 1
        if self.matched % self.every:
            return False
        self.fired += 1
        return True


class FaultProxy:
    """The proxy and its control surface.

    Example::

        with FaultProxy.running(aws.endpoint_url) as proxy:
            proxy.add("throttle", every=3, service="sts")
            bsm = aws.manager(default_client_kwargs={"endpoint_url": proxy.url})
    """

    def __init__(self, upstream: str, *, max_requests: int = 20_000) -> None:
        parts = urlsplit(upstream)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            msg = f"the fault proxy only forwards to the loopback, not {upstream!r}"
            raise ValueError(msg)
        self._upstream_host = parts.hostname
        self._upstream_port = parts.port or 80
        self.max_requests = max_requests
        self._lock = threading.Lock()
        self._rules: list[Rule] = []
        self._count = 0
        self.injected: Counter[str] = Counter()
        self.operations: Counter[tuple[str, str]] = Counter()
        self.held_back = 0
        self._sockets: set[socket.socket] = set()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- control

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def requests(self) -> int:
        """Requests received so far."""
        with self._lock:
            return self._count

    @property
    def serving(self) -> bool:
        """True while the server thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def add(self, fault: str, **options: Any) -> Rule:
        """Add a rule (see :class:`Rule`) and return it (its counters are live)."""
        rule = Rule(fault, **options)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule: from now on requests pass through unchanged."""
        with self._lock:
            self._rules.clear()

    def start(self) -> FaultProxy:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fault-proxy",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close every open connection, join the server thread."""
        self._server.shutdown()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=SOCKET_TIMEOUT)

    @classmethod
    @contextmanager
    def running(cls, upstream: str, **options: Any) -> Iterator[FaultProxy]:
        proxy = cls(upstream, **options).start()
        try:
            yield proxy
        finally:
            proxy.stop()

    # ---------------------------------------------------------------- internal

    def _track(self, sock: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._sockets.add(sock)
            else:
                self._sockets.discard(sock)

    def _decide(self, info: RequestInfo) -> str | None:
        with self._lock:
            self.operations[(info.service, info.operation)] += 1
            for rule in self._rules:
                if rule.decide(info):
                    self.injected[rule.fault] += 1
                    return rule.fault
        return None

    def _next_number(self) -> int:
        with self._lock:
            self._count += 1
            return self._count

    def _upstream(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(
            self._upstream_host, self._upstream_port, timeout=SOCKET_TIMEOUT
        )

    def _note_held_back(self, count: int) -> None:
        with self._lock:
            self.held_back += count


# --------------------------------------------------------------------- parsing


def describe(number: int, method: str, path: str, headers: Any, body: bytes) -> RequestInfo:
    """Identify service, operation and protocol of a request."""
    match = _SCOPE.search(headers.get("Authorization") or "")
    key_id, service = (match.group(1), match.group(2)) if match else ("", "")
    target = headers.get("X-Amz-Target")
    content_type = (headers.get("Content-Type") or "").lower()
    if target:
        prefix, _, operation = target.rpartition(".")
        service = service or _TARGET_SERVICES.get(prefix.split("_")[0].lower(), "")
        return RequestInfo(number, method, path, service, operation, "json", key_id, body)
    if content_type.startswith("application/x-www-form-urlencoded") and method == "POST":
        form = parse_qs(body.decode("utf-8", "replace"))
        operation = (form.get("Action") or [f"<{method}>"])[0]
        service = service or ("sts" if "RoleWithWebIdentity" in operation else "")
        return RequestInfo(number, method, path, service, operation, "query", key_id, body)
    return RequestInfo(
        number, method, path, service, _s3_operation(method, path), "rest-xml", key_id, body
    )


def _s3_operation(method: str, path: str) -> str:
    parts = urlsplit(path)
    query = parse_qs(parts.query, keep_blank_values=True)
    segments = [s for s in parts.path.split("/") if s]
    if method == "GET" and not segments:
        return "ListBuckets"
    if len(segments) == 1:
        if method == "GET":
            return "ListObjectsV2" if query.get("list-type") == ["2"] else "ListObjects"
        return {"PUT": "CreateBucket", "DELETE": "DeleteBucket", "HEAD": "HeadBucket"}.get(
            method, f"<{method}>"
        )
    return {
        "GET": "GetObject",
        "PUT": "PutObject",
        "DELETE": "DeleteObject",
        "HEAD": "HeadObject",
    }.get(method, f"<{method}>")


# ---------------------------------------------------------------- error shapes

_ERRORS: dict[str, dict[str, tuple[int, str]]] = {
    "json": {
        "500": (500, "InternalServerError"),
        "503": (503, "ServiceUnavailable"),
        "throttle": (400, "ThrottlingException"),
        "expired_token": (400, "ExpiredTokenException"),
        "access_denied": (400, "AccessDeniedException"),
    },
    "query": {
        "500": (500, "InternalFailure"),
        "503": (503, "ServiceUnavailable"),
        "throttle": (400, "Throttling"),
        "expired_token": (400, "ExpiredToken"),
        "access_denied": (403, "AccessDenied"),
    },
    "rest-xml": {
        "500": (500, "InternalError"),
        "503": (503, "ServiceUnavailable"),
        "throttle": (503, "SlowDown"),
        "expired_token": (400, "ExpiredToken"),
        "access_denied": (403, "AccessDenied"),
    },
}


def error_response(
    protocol: str, status: int, code: str, message: str, content_type: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of an AWS error in the protocol's own shape."""
    request_id = str(uuid.uuid4())
    if protocol == "json":
        body = json.dumps({"__type": code, "message": message}).encode()
        headers = {
            "Content-Type": content_type or "application/x-amz-json-1.1",
            "x-amzn-RequestId": request_id,
            "x-amzn-ErrorType": code,
        }
        return status, headers, body
    kind = "Receiver" if status >= 500 else "Sender"
    if protocol == "query":
        text = (
            '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            f"<Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
    else:
        text = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f"<Error><Code>{code}</Code><Message>{message}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        )
    headers = {"Content-Type": "text/xml", "x-amz-request-id": request_id}
    return status, headers, text.encode()


# ------------------------------------------------------------------- handler


def _make_handler(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = SOCKET_TIMEOUT

        def setup(self) -> None:
            super().setup()
            proxy._track(self.connection, add=True)
            self._conn: http.client.HTTPConnection | None = None

        def finish(self) -> None:
            try:
                super().finish()
            finally:
                proxy._track(self.connection, add=False)
                if self._conn is not None:
                    self._conn.close()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

        # -------------------------------------------------------------- I/O

        def _read_body(self) -> bytes:
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _forward(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            for attempt in (1, 2):
                if self._conn is None:
                    self._conn = proxy._upstream()
                try:
                    self._conn.request(self.command, self.path, body=body or None, headers=headers)
                    response = self._conn.getresponse()
                    data = response.read()
                except (OSError, http.client.HTTPException):
                    # A stale keep-alive connection to moto: reconnect once.
                    self._conn.close()
                    self._conn = None
                    if attempt == 2:
                        raise
                    continue
                kept = {k: v for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP}
                return response.status, kept, data
            raise AssertionError("unreachable")  # pragma: no cover

        # ---------------------------------------------------------- serving

        def _serve(self) -> None:
            number = proxy._next_number()
            body = self._read_body()
            info = describe(number, self.command, self.path, self.headers, body)
            content_type = self.headers.get("Content-Type")
            if number > proxy.max_requests:
                self._send(
                    *error_response(
                        info.protocol,
                        400,
                        "FaultProxyLimitExceeded",
                        f"the fault proxy answers at most {proxy.max_requests} requests",
                        content_type,
                    )
                )
                return
            fault = proxy._decide(info)
            if fault in ("500", "503", "throttle", "expired_token", "access_denied"):
                status, code = _ERRORS[info.protocol][fault]
                self._send(
                    *error_response(info.protocol, status, code, f"injected {fault}", content_type)
                )
                return
            if fault == "unprocessed":
                self._send(*self._partial_batch(body))
                return
            status, headers, data = self._forward(body)
            if fault == "drop":
                self._drop(status, headers, data)
                return
            self._send(status, headers, data)

        def _drop(self, status: int, headers: dict[str, str], data: bytes) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(max(len(data), 2)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        def _partial_batch(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
            request = json.loads(body)
            held: dict[str, list[Any]] = {}
            for table, writes in request["RequestItems"].items():
                keep = (len(writes) + 1) // 2
                request["RequestItems"][table] = writes[:keep]
                if writes[keep:]:
                    held[table] = writes[keep:]
            status, headers, data = self._forward(json.dumps(request).encode())
            if status != 200:
                return status, headers, data
            answer = json.loads(data)
            unprocessed = answer.setdefault("UnprocessedItems", {})
            for table, writes in held.items():
                unprocessed.setdefault(table, []).extend(writes)
                proxy._note_held_back(len(writes))
            new_body = json.dumps(answer).encode()
            for key in list(headers):
                if key.lower() == "x-amz-crc32":
                    headers[key] = str(zlib.crc32(new_body) & 0xFFFFFFFF)
            return status, headers, new_body

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _serve

    return Handler


# -------------------------------------------------------------------- fixture


@dataclass
class FaultyAWS:
    """The ``faulty_aws`` fixture: the proxy, its URL, and managers that use it."""

    proxy: FaultProxy
    aws: LocalAWS
    #: botocore attempts per call, the first included (``total_max_attempts``).
    max_attempts: int = 6
    #: the retry mode of the managers' clients; None: not chosen (botocore's default).
    mode: str | None = "standard"

    @property
    def url(self) -> str:
        return self.proxy.url

    def client_kwargs(self) -> dict[str, Any]:
        """``default_client_kwargs`` sending every client through the proxy."""
        retries: dict[str, Any] = {"total_max_attempts": self.max_attempts}
        if self.mode is not None:
            retries["mode"] = self.mode
        return {
            "endpoint_url": self.proxy.url,
            "config": Config(retries=retries),  # type: ignore[arg-type]
        }

    def manager(self, **kwargs: Any) -> BotoSesManager:
        """A static-key manager whose clients all go through the proxy."""
        return self.aws.manager(default_client_kwargs=self.client_kwargs(), **kwargs)


#: How many times faster botocore's retry waits go by under the ``faulty_aws`` fixture.
SPEED_UP = 100


class _FastClock(bucket.Clock):  # type: ignore[misc]
    """Adaptive mode's clock, running :data:`SPEED_UP` times faster than real time."""

    def current_time(self) -> float:
        return time.monotonic() * SPEED_UP


class _FastTokenBucket(bucket.TokenBucket):  # type: ignore[misc]
    """Adaptive mode's token bucket, waiting for a token :data:`SPEED_UP` times less."""

    def _sleep_amount(self, amount: float) -> float:
        return float(super()._sleep_amount(amount)) / SPEED_UP


@pytest.fixture
def faulty_aws(aws: LocalAWS, monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultyAWS]:
    """The fault proxy in front of the (reset) local server, stopped after the test.

    botocore's retry waits are scaled down a hundredfold for the test, its
    retry logic unchanged: standard mode's backoff (throttling waits up to
    1 s, 2 s ... otherwise), and adaptive mode's rate limiting, whose clock
    runs a hundred times faster while a wait for a token is a hundred times
    shorter (after a throttle it may let a client send one request every two
    seconds at first).
    """
    original = standard.ExponentialBackoff.delay_amount

    def short_delay(self: Any, context: Any) -> float:
        return float(original(self, context)) / SPEED_UP

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", short_delay)
    # Adaptive clients made during the test keep these for life: never a mix of clocks.
    monkeypatch.setattr(bucket, "Clock", _FastClock)
    monkeypatch.setattr(bucket, "TokenBucket", _FastTokenBucket)
    with FaultProxy.running(aws.endpoint_url) as proxy:
        yield FaultyAWS(proxy=proxy, aws=aws)
