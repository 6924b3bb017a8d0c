"""Secrets Manager: read a secret as stored, write one whether or not it exists.

Functions take a ``secretsmanager`` client, so they work with any client;
:class:`~boto_session_manager.BotoSesManager` exposes them as
:meth:`~boto_session_manager.BotoSesManager.get_secret` and
:meth:`~boto_session_manager.BotoSesManager.set_secret`, with caching.

No secret value ever reaches a log, a repr or an exception message: errors
name the secret, not its content.

Thread safety: the functions keep no state; botocore clients are thread safe,
so the functions are too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from ..exceptions import InvalidArgumentError, InvalidArgumentTypeError, SecretNotFoundError
from ._common import apply_transform, check_transform, error_code, to_json

_NOT_FOUND = "ResourceNotFoundException"


def get_secret(
    client: Any,
    name: str,
    *,
    transform: str | None = None,
    version_id: str | None = None,
    version_stage: str | None = None,
) -> Any:
    """Read a secret's value: the SecretString (str) or SecretBinary (bytes).

    Nothing is parsed unless asked, and SecretBinary is never base64-decoded
    again (botocore already decoded it).

    Args:
        client: a ``secretsmanager`` client.
        name: the secret's name or ARN.
        transform: ``"json"`` parses the value, ``"binary"`` base64-decodes a
            string value (bytes are returned unchanged).
        version_id: read this version instead of the current one.
        version_stage: read the version with this label (``AWSPREVIOUS`` ...).

    Returns:
        The value as stored (``str`` or ``bytes``), or the transformed value.

    Raises:
        SecretNotFoundError: no such secret (or version); names the secret.
        TransformError: the value cannot be transformed as asked.
        TypeError: ``name`` is not a string.
        ValueError: ``name`` is empty.
        botocore.exceptions.ClientError: any other refusal (access denied ...).

    Thread safety: safe from many threads.

    Example::

        from boto_session_manager.services.secrets import get_secret

        password = get_secret(sm_client, "prod/db/password")
        creds = get_secret(sm_client, "prod/db", transform="json")
    """
    _check_name(name)
    check_transform(transform)
    kwargs: dict[str, Any] = {"SecretId": name}
    if version_id is not None:
        kwargs["VersionId"] = version_id
    if version_stage is not None:
        kwargs["VersionStage"] = version_stage
    try:
        response = client.get_secret_value(**kwargs)
    except ClientError as exc:
        if error_code(exc) == _NOT_FOUND:
            msg = f"secret not found: {name!r}"
            if version_id is not None or version_stage is not None:
                msg += f" (version_id={version_id!r}, version_stage={version_stage!r})"
            raise SecretNotFoundError(msg) from exc
        raise
    value: str | bytes
    value = response["SecretString"] if "SecretString" in response else response["SecretBinary"]
    return apply_transform(value, transform, what=f"secret {name!r}")


def set_secret(
    client: Any,
    name: str,
    value: str | bytes | Mapping[str, Any],
    *,
    client_request_token: str | None = None,
    **create_kwargs: Any,
) -> dict[str, Any]:
    """Store a new value for a secret, creating the secret if it does not exist.

    One call when the secret exists (``PutSecretValue``); when it does not,
    ``CreateSecret`` with ``create_kwargs`` (``Description``, ``KmsKeyId``,
    ``Tags`` ...).

    Args:
        client: a ``secretsmanager`` client.
        name: the secret's name (or ARN, to update an existing secret).
        value: a str (stored as SecretString), bytes (SecretBinary) or a
            mapping (stored as JSON in SecretString).
        client_request_token: an idempotency token; it becomes the new
            version's id.
        create_kwargs: extra arguments for ``CreateSecret`` only.

    Returns:
        The response of ``PutSecretValue`` or ``CreateSecret`` (``ARN``,
        ``Name``, ``VersionId``).

    Raises:
        TypeError: ``name`` is not a string, or ``value`` is of another type.
        ValueError: ``name`` is empty.
        botocore.exceptions.ClientError: AWS refused the write.

    Thread safety: safe from many threads; two threads creating the same
    secret at once may see ``ResourceExistsException`` for the loser.

    Example::

        set_secret(sm_client, "prod/db", {"user": "app", "password": "..."})
        set_secret(sm_client, "prod/tls-key", b"\\x00\\x01...")
    """
    _check_name(name)
    payload: dict[str, Any] = {}
    if isinstance(value, bytes):
        payload["SecretBinary"] = value
    elif isinstance(value, str):
        payload["SecretString"] = value
    elif isinstance(value, Mapping):
        payload["SecretString"] = to_json(value)
    else:
        msg = f"a secret value must be str, bytes or a mapping, not {type(value).__name__}"
        raise InvalidArgumentTypeError(msg, argument="value")
    if client_request_token is not None:
        payload["ClientRequestToken"] = client_request_token
    try:
        response: dict[str, Any] = client.put_secret_value(SecretId=name, **payload)
    except ClientError as exc:
        if error_code(exc) != _NOT_FOUND:
            raise
        response = client.create_secret(Name=name, **payload, **create_kwargs)
    response.pop("ResponseMetadata", None)
    return response


def _check_name(name: str) -> None:
    if not isinstance(name, str):
        msg = f"a secret name must be a string, not {type(name).__name__}"
        raise InvalidArgumentTypeError(msg, argument="name")
    if not name:
        msg = "a secret name must not be empty"
        raise InvalidArgumentError(msg, argument="name")
