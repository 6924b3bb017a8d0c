"""Helpers shared by the test modules: recording calls, canned AWS answers, roles.

Fixtures live in ``conftest.py``; plain functions and small classes that
tests call live here, once.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

from botocore.awsrequest import AWSResponse

from boto_session_manager import BotoSesManager
from boto_session_manager.testing import DEFAULT_ACCOUNT_ID

#: An account other than the local server's default one (roles are assumed into it).
OTHER_ACCOUNT = "111122223333"


def count_calls(client: Any, operation: str) -> list[dict[str, Any]]:
    """Record the API parameters of every ``operation`` call made through ``client``.

    One entry per call as the caller made it (retries of that call are not
    counted), holding the parameters before serialisation.
    """
    calls: list[dict[str, Any]] = []

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        if model.name == operation:
            calls.append(dict(params))

    client.meta.events.register("before-parameter-build", record)
    return calls


def sent_bodies(client: Any, operation: str) -> list[dict[str, Any]]:
    """Record the serialised request body of every ``operation`` call of ``client``.

    For query-protocol services (STS, IAM) this is the form-encoded view:
    ``{"Action": ..., "Tags.member.1.Key": ...}``; useful to check what reaches
    the wire.
    """
    bodies: list[dict[str, Any]] = []
    service = client.meta.service_model.endpoint_prefix
    client.meta.events.register(
        f"before-call.{service}.{operation}",
        lambda params, **_: bodies.append(dict(params["body"])),
    )
    return bodies


class _Body:
    """A raw HTTP body that botocore can stream."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: object) -> Iterator[bytes]:
        yield self._body


def error_answer(
    code: str, status: int = 400, message: str = "refused", url: str = "https://sts/"
) -> AWSResponse:
    """An AWS query-protocol error answer (STS, IAM) with the given error code."""
    body = (
        f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
        f"<Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>"
    ).encode()
    return AWSResponse(url, status, {}, _Body(body))


class FakeClock:
    """A time_fetcher for refreshable credentials: tests move time, never sleep."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)

    def move_to(self, when: datetime) -> None:
        self.offset = when - datetime.now(timezone.utc)


def create_role(bsm: BotoSesManager, name: str = "test-role", account_id: str | None = None) -> str:
    """Create an IAM role that anyone may assume; return its ARN.

    With ``account_id`` the ARN is rewritten to that account: moto lets any
    caller assume a role ARN in any account, which is how tests reach other
    accounts.
    """
    trust = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}'
    )
    arn: str = bsm.get_client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=trust)[
        "Role"
    ]["Arn"]
    if account_id is not None:
        arn = arn.replace(arn.split(":")[4], account_id)
    return arn


def store_s3_objects(bucket: str, keys: list[str], account_id: str = DEFAULT_ACCOUNT_ID) -> None:
    """Store empty objects under ``keys`` in an existing bucket of the local server.

    The server (moto's ThreadedMotoServer) runs in this process, so the
    objects go straight into its S3 backend: a thousand keys take
    milliseconds instead of a thousand PUT requests. Listing them is still
    done over HTTP by the code under test.
    """
    from moto.s3.models import s3_backends

    backend = s3_backends[account_id]["aws"]
    for key in keys:
        backend.put_object(bucket, key, b"")


def parse_github_env(text: str) -> dict[str, str]:
    """Read a $GITHUB_ENV file the way the runner does (both syntaxes)."""
    variables: dict[str, str] = {}
    lines = iter(text.split("\n"))
    for line in lines:
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            for body in lines:
                if body == delimiter:
                    break
                value.append(body)
            else:  # pragma: no cover - a broken file
                raise AssertionError(f"unterminated {name}")
            variables[name] = "\n".join(value)
        else:
            name, value_text = line.split("=", 1)
            variables[name] = value_text
    return variables


def load_script(path: Path, name: str) -> ModuleType:
    """Import a script of the repository (``scripts/...``) as module ``name``."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # attrs and dataclasses resolve their module here
    spec.loader.exec_module(module)
    return module
