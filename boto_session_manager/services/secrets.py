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


def secret_request(
    version_id: str | None = None,
    version_stage: str | None = None,
    sdk_options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``GetSecretValue`` options of a read, ``SecretId`` aside.

    ``version_id`` / ``version_stage`` and the SDK spellings ``VersionId=`` /
    ``VersionStage=`` are one and the same option; the result is what the
    request carries, so it also serves as the read's cache key.

    Raises:
        InvalidArgumentError: ``SecretId`` among the options (the name is
            its own argument), or an option given in both spellings with two
            different values.

    Thread safety: pure.

    Example::

        >>> secret_request(version_stage="AWSPREVIOUS")
        {'VersionStage': 'AWSPREVIOUS'}
    """
    options = dict(sdk_options or {})
    if "SecretId" in options:
        msg = "SecretId: pass the secret's name as the name argument, not as an SDK option"
        raise InvalidArgumentError(msg, argument="SecretId")
    for argument, option, value in (
        ("version_id", "VersionId", version_id),
        ("version_stage", "VersionStage", version_stage),
    ):
        if value is None:
            continue
        if options.get(option, value) != value:
            msg = f"{argument} and {option}= are the same option; give it once"
            raise InvalidArgumentError(msg, argument=argument)
        options[option] = value
    return options


def get_secret(
    client: Any,
    name: str,
    *,
    transform: str | None = None,
    version_id: str | None = None,
    version_stage: str | None = None,
    **sdk_options: Any,
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
        sdk_options: more ``GetSecretValue`` arguments, sent as given
            (``VersionId=`` and ``VersionStage=`` are accepted as well as
            ``version_id`` / ``version_stage``).

    Returns:
        The value as stored (``str`` or ``bytes``), or the transformed value.

    Raises:
        SecretNotFoundError: no such secret (or version); names the secret.
        TransformError: the value cannot be transformed as asked.
        InvalidArgumentTypeError: ``name`` is not a string.
        InvalidArgumentError: ``name`` is empty, or an option is given twice
            (see :func:`secret_request`).
        botocore.exceptions.ClientError: any other refusal (access denied ...).

    Thread safety: safe from many threads.

    Example::

        from boto_session_manager.services.secrets import get_secret

        password = get_secret(sm_client, "prod/db/password")
        creds = get_secret(sm_client, "prod/db", transform="json")
        old = get_secret(sm_client, "prod/db", VersionStage="AWSPREVIOUS")
    """
    _check_name(name)
    check_transform(transform)
    options = secret_request(version_id, version_stage, sdk_options)
    value = _secret_value(client, name, options)
    return apply_transform(value, transform, what=f"secret {name!r}")


def _secret_value(client: Any, name: str, options: dict[str, Any]) -> str | bytes:
    """The SecretString or SecretBinary; a missing secret raises SecretNotFoundError."""
    try:
        response = client.get_secret_value(SecretId=name, **options)
    except ClientError as exc:
        if error_code(exc) == _NOT_FOUND:
            msg = f"secret not found: {name!r}"
            if options:
                shown = ", ".join(f"{k}={options[k]!r}" for k in sorted(options))
                msg += f" ({shown})"
            raise SecretNotFoundError(msg) from exc
        raise
    value: str | bytes
    value = response["SecretString"] if "SecretString" in response else response["SecretBinary"]
    return value


def set_secret(
    client: Any,
    name: str,
    value: str | bytes | Mapping[str, Any],
    *,
    client_request_token: str | None = None,
    **sdk_options: Any,
) -> dict[str, Any]:
    """Store a new value for a secret, creating the secret if it does not exist.

    The secret is assumed to exist: one call updates it, and only when AWS
    answers ``ResourceNotFoundException`` is it created. The SDK options go
    to both calls, and they choose the update call:

    - none, or only ``PutSecretValue`` options (``VersionStages``,
      ``RotationToken``): ``PutSecretValue``;
    - ``Description`` / ``KmsKeyId`` / ``Type``: ``UpdateSecret``, which
      stores the value and changes those settings in one call;
    - options only a new secret takes (``Tags``, ``AddReplicaRegions``,
      ``ForceOverwriteReplicaSecret``): ``CreateSecret`` first; if the secret
      already exists, :class:`~boto_session_manager.exceptions.InvalidArgumentError`
      names the options (nothing was changed).

    Args:
        client: a ``secretsmanager`` client.
        name: the secret's name (or ARN, to update an existing secret).
        value: a str (stored as SecretString), bytes (SecretBinary) or a
            mapping (stored as JSON in SecretString).
        client_request_token: an idempotency token; it becomes the new
            version's id.
        sdk_options: more arguments, sent as given on update and on create.

    Returns:
        The response of the call that stored the value (``ARN``, ``Name``,
        ``VersionId``).

    Raises:
        InvalidArgumentTypeError: ``name`` is not a string, or ``value`` is of
            another type.
        InvalidArgumentError: ``name`` is empty; an option that the value or
            name already sets (``SecretString``, ``SecretId`` ...); options
            no single call accepts together; options for a new secret when
            the secret exists, or for an existing one when it does not.
        botocore.exceptions.ClientError: AWS refused the write.

    Thread safety: safe from many threads; two threads creating the same
    secret at once may see ``ResourceExistsException`` for the loser.

    Example::

        set_secret(sm_client, "prod/db", {"user": "app", "password": "..."})
        set_secret(sm_client, "prod/db", "...", Description="rotated by hand")
        set_secret(sm_client, "prod/tls-key", b"\\x00\\x01...")
    """
    _check_name(name)
    payload = _payload(value, client_request_token, sdk_options)
    update = _update_call(sdk_options)
    if update is None:
        return _create(client, name, payload, sdk_options, exists_refused=_create_only(sdk_options))
    return _update_or_create(client, update, name, payload, sdk_options)


def _create_only(sdk_options: Mapping[str, Any]) -> list[str]:
    """The options only ``create_secret`` takes, sorted."""
    return sorted(set(sdk_options) - _UPDATE_OPTIONS - _PUT_OPTIONS)


def _update_call(sdk_options: Mapping[str, Any]) -> str | None:
    """The update call that takes these options, or None when only ``create_secret`` does.

    Raises InvalidArgumentError (naming an option) when no single call takes them all.
    """
    given = set(sdk_options)
    create_first = _create_only(sdk_options)
    if create_first and not given <= _CREATE_OPTIONS:
        msg = f"no single call takes these options together: {', '.join(sorted(sdk_options))}"
        raise InvalidArgumentError(msg, argument=create_first[0])
    if create_first:
        return None
    if given <= _PUT_OPTIONS:
        return "put_secret_value"
    if not given <= _UPDATE_OPTIONS:
        msg = f"no single call takes these options together: {', '.join(sorted(sdk_options))}"
        raise InvalidArgumentError(msg, argument=sorted(sdk_options)[0])
    return "update_secret"


def _update_or_create(
    client: Any, update: str, name: str, payload: Mapping[str, Any], sdk_options: dict[str, Any]
) -> dict[str, Any]:
    """Update the secret with ``update``; create it when AWS says it does not exist."""
    try:
        response: dict[str, Any] = getattr(client, update)(SecretId=name, **payload, **sdk_options)
    except ClientError as exc:
        if error_code(exc) != _NOT_FOUND:
            raise
        return _create(client, name, payload, sdk_options, exists_refused=None)
    response.pop("ResponseMetadata", None)
    return response


#: ``PutSecretValue`` options besides the id, value and token.
_PUT_OPTIONS = frozenset({"VersionStages", "RotationToken"})
#: ``UpdateSecret`` options besides the id, value and token.
_UPDATE_OPTIONS = frozenset({"Description", "KmsKeyId", "Type"})
#: ``CreateSecret`` options besides the name, value and token.
_CREATE_OPTIONS = frozenset(
    {"Description", "KmsKeyId", "Type", "Tags", "AddReplicaRegions", "ForceOverwriteReplicaSecret"}
)
_SET_BY_ARGUMENTS = ("SecretId", "Name", "SecretString", "SecretBinary", "ClientRequestToken")


def _payload(
    value: str | bytes | Mapping[str, Any],
    client_request_token: str | None,
    sdk_options: Mapping[str, Any],
) -> dict[str, Any]:
    """The value and token as request fields; refuse options that would set them again."""
    for option in _SET_BY_ARGUMENTS:
        if option in sdk_options:
            msg = f"{option}: set by set_secret's own arguments (name, value, client_request_token)"
            raise InvalidArgumentError(msg, argument=option)
    payload: dict[str, Any] = {}
    if isinstance(value, bytes):
        payload["SecretBinary"] = value
    elif isinstance(value, str):
        payload["SecretString"] = value
    elif isinstance(value, Mapping):
        payload["SecretString"] = to_json(value)
    else:
        msg = f"value: a secret value must be str, bytes or a mapping, not {type(value).__name__}"
        raise InvalidArgumentTypeError(msg, argument="value")
    if client_request_token is not None:
        payload["ClientRequestToken"] = client_request_token
    return payload


def _create(
    client: Any,
    name: str,
    payload: Mapping[str, Any],
    sdk_options: Mapping[str, Any],
    *,
    exists_refused: list[str] | None,
) -> dict[str, Any]:
    """``CreateSecret``; ``exists_refused`` names options that need a new secret."""
    update_only = sorted(set(sdk_options) - _CREATE_OPTIONS)
    if update_only:
        msg = (
            f"secret not found: {name!r}; {', '.join(update_only)} apply only to an existing secret"
        )
        raise InvalidArgumentError(msg, argument=update_only[0])
    try:
        response: dict[str, Any] = client.create_secret(Name=name, **payload, **sdk_options)
    except ClientError as exc:
        if exists_refused is None or error_code(exc) != "ResourceExistsException":
            raise
        msg = (
            f"secret {name!r} already exists: {', '.join(exists_refused)} can be given only "
            "when creating a secret (nothing was changed)"
        )
        raise InvalidArgumentError(msg, argument=exists_refused[0]) from exc
    response.pop("ResponseMetadata", None)
    return response


def _check_name(name: str) -> None:
    if not isinstance(name, str):
        msg = f"name: a secret name must be a string, not {type(name).__name__}"
        raise InvalidArgumentTypeError(msg, argument="name")
    if not name:
        msg = "name: a secret name must not be empty"
        raise InvalidArgumentError(msg, argument="name")
