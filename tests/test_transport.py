"""Responses cut short: when a body counts as complete (tests/test_faults.py drops real ones)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ConnectionClosedError

from boto_session_manager import BotoSesManager
from boto_session_manager._botocore.transport import CompleteBodySession, cut_short, guard_client


def request(method: str = "POST", stream_output: bool = False) -> Any:
    return SimpleNamespace(method=method, stream_output=stream_output, url="http://127.0.0.1:1/")


def response(body: bytes, length: str | None, status: int = 200) -> Any:
    headers = {} if length is None else {"content-length": length}
    return SimpleNamespace(status_code=status, headers=headers, content=body)


@pytest.mark.parametrize(
    ("req", "resp", "expected"),
    [
        (request(), response(b"12345", "10"), True),
        (request(), response(b"12345", "5"), False),
        (request(), response(b"12345", None), False),
        (request(), response(b"12", "not-a-number"), False),
        (request(), response(b"", "10", status=500), True),
        (request("HEAD"), response(b"", "10"), False),
        (request(stream_output=True), response(b"", "10"), False),
        (request(), response(b"", "10", status=204), False),
        (request(), response(b"", "10", status=304), False),
    ],
    ids=[
        "short",
        "complete",
        "no-length",
        "bad-length",
        "short-error",
        "head",
        "streaming",
        "no-content",
        "not-modified",
    ],
)
def test_cut_short(req: Any, resp: Any, expected: bool) -> None:
    assert cut_short(req, resp) is expected


def test_a_short_body_raises_a_retryable_connection_error() -> None:
    inner = SimpleNamespace(send=lambda r: response(b"{", "10"), close=lambda: "closed")
    session = CompleteBodySession(inner)
    with pytest.raises(ConnectionClosedError):
        session.send(request())
    assert session.close() == "closed"  # everything else is the wrapped session's


def test_every_client_and_resource_of_the_manager_is_guarded_once(bsm: BotoSesManager) -> None:
    client = bsm.get_client("sts")
    resource = bsm.get_resource("dynamodb")
    for guarded in (client, resource.meta.client):
        assert isinstance(guarded._endpoint.http_session, CompleteBodySession)
    guard_client(client)
    assert not isinstance(client._endpoint.http_session._inner, CompleteBodySession)
