"""A response body cut short is a connection error (retried), never a result.

botocore reads non-streaming response bodies through urllib3 with
``enforce_content_length=False`` and does not compare what it read with the
``Content-Length`` header itself. When a connection drops after the headers
and part of the body, the parser gets the partial body:

- JSON services (SSM, Secrets Manager, STS over JSON ...) parse invalid JSON
  as ``{"message": "<partial text>"}`` and return it as a *successful*
  result: a ``GetParametersByPath`` page with no parameters and no token (the
  listing silently ends early), a ``GetParameters`` reply naming no parameter
  (every name reported missing), a ``GetSecretValue`` reply with no value;
- XML services raise ``ResponseParserError``, which no retry mode retries.

(DynamoDB's CRC32 check and S3's 200-error check catch it for those two
services only.)

:func:`guard_client` wraps a client's HTTP session so that such a response
raises :class:`botocore.exceptions.ConnectionClosedError` from the send step,
where botocore's retry modes (legacy, standard, adaptive) retry it as the
connection failure it is, with their usual attempt limit and backoff.

The one reach into botocore internals is ``client._endpoint.http_session``;
if a botocore upgrade removes it, :func:`guard_client` raises
:class:`~boto_session_manager.exceptions.BotocoreCompatibilityError`.

Thread safety: the wrapper holds no state of its own; it is as thread safe as
the session it wraps (botocore's is).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ConnectionClosedError

from ..exceptions import BotocoreCompatibilityError
from .checks import ensure_checked

_NO_BODY_STATUS = frozenset({204, 304})


def cut_short(request: Any, response: Any) -> bool:
    """True when a fully read body is shorter than its ``Content-Length``."""
    if getattr(request, "stream_output", False) or request.method == "HEAD":
        return False
    status = response.status_code
    if status < 200 or status in _NO_BODY_STATUS:
        return False
    declared = response.headers.get("content-length")
    if declared is None or not str(declared).strip().isdigit():
        return False
    return len(response.content) < int(declared)


class CompleteBodySession:
    """A botocore HTTP session that refuses responses whose body was cut short."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def send(self, request: Any) -> Any:
        response = self._inner.send(request)
        if cut_short(request, response):
            raise ConnectionClosedError(endpoint_url=request.url)
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def guard_client(client: Any) -> Any:
    """Make ``client`` retry responses cut short; return it (idempotent).

    Raises:
        BotocoreCompatibilityError: the installed botocore keeps its HTTP
            session elsewhere.
    """
    ensure_checked()
    endpoint: Any = getattr(client, "_endpoint", None)
    session = getattr(endpoint, "http_session", None)
    if session is None:  # pragma: no cover - only on an incompatible botocore
        msg = "botocore clients no longer expose _endpoint.http_session"
        raise BotocoreCompatibilityError(msg)
    if not isinstance(session, CompleteBodySession):
        endpoint.http_session = CompleteBodySession(session)
    return client


def guard_resource(resource: Any) -> Any:
    """:func:`guard_client` for a boto3 resource's client; return the resource."""
    guard_client(resource.meta.client)
    return resource
