"""Checks of user input, one function per kind of argument.

Each check returns the value (sometimes normalised) or raises
:class:`~boto_session_manager.exceptions.InvalidArgumentError` (a
``ValueError``) or :class:`~boto_session_manager.exceptions.InvalidArgumentTypeError`
(a ``TypeError`` too) whose message starts with the argument's name. A message
never repeats a value that may be secret (keys, tokens, MFA codes): it says
what is wrong with it instead.

Nothing here makes a network call or imports the manager: the manager, the
role methods and the credential fetchers call these before they build anything.

Thread safety: every function is pure; call them from any thread.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Union

import attrs

from .arn import parse_arn
from .exceptions import (
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidArnError,
    UnknownServiceError,
)

#: The environment variable that names a web identity token file.
TOKEN_FILE_VARIABLE = "AWS_WEB_IDENTITY_TOKEN_FILE"  # noqa: S105 - a variable name

MIN_DURATION, MAX_DURATION = 900, 43200

# botocore's own rule for a region: one DNS label.
_REGION = re.compile(r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?")
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
_MFA_CODE = re.compile(r"[0-9]{6}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_NAME_NOISE = re.compile(r"[-_ .]")

MfaToken = Union[str, Callable[[], str]]


def _type_error(argument: str, expected: str, value: object) -> InvalidArgumentTypeError:
    msg = f"{argument}: expected {expected}, got {type(value).__name__}"
    return InvalidArgumentTypeError(msg, argument=argument)


def region_name(value: Any, argument: str = "region_name") -> str | None:
    """A region name (``us-east-1``), None, or an empty string meaning "not set".

    Example::

        >>> region_name("eu-west-1")
        'eu-west-1'
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise _type_error(argument, "a region name such as 'us-east-1' (str)", value)
    if value and not _REGION.fullmatch(value):
        msg = (
            f"{argument}: {value!r} is not a region name "
            "(letters, digits and '-', such as 'us-east-1')"
        )
        raise InvalidArgumentError(msg, argument=argument)
    return value


def credential_text(value: Any, argument: str) -> str | None:
    """A key id, secret key or session token: a str without control characters.

    The message names the field and never shows the value (a newline in a
    token would otherwise travel into HTTP headers and error texts).
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise _type_error(argument, "a string", value)
    if _CONTROL.search(value):
        msg = (
            f"{argument}: contains a control character (a newline, tab or NUL, "
            "often from copying the value with its line end); the value is not shown"
        )
        raise InvalidArgumentError(msg, argument=argument)
    return value


def credential_field(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """attrs validator of keys and token: :func:`credential_text` under the field's name."""
    credential_text(value, attribute.name)


def region_field(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """attrs validator of a region: :func:`region_name` under the field's name."""
    region_name(value, attribute.name)


def copied_mapping(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """attrs converter: a dict of its own, so the caller's later changes do not leak in."""
    return None if value is None else dict(value)


def role_arn(value: Any, argument: str = "role_arn") -> str:
    """An IAM role ARN, ``arn:PARTITION:iam::ACCOUNT:role/NAME``.

    Raises:
        InvalidArnError: not an ARN, or not a role's (a ``ValueError``).
        InvalidArgumentTypeError: not a string.
    """
    if not isinstance(value, str):
        raise _type_error(argument, "an IAM role ARN (str)", value)
    try:
        arn = parse_arn(value)
    except InvalidArnError as exc:
        msg = f"{argument}: {exc}"
        raise InvalidArnError(msg) from None
    if arn.service != "iam" or arn.resource_type != "role" or not arn.account:
        msg = (
            f"{argument}: not an IAM role ARN (expected arn:aws:iam::ACCOUNT:role/NAME): {value!r}"
        )
        raise InvalidArnError(msg)
    return value


def duration_seconds(
    value: Any, maximum: int = MAX_DURATION, argument: str = "duration_seconds"
) -> int:
    """A whole number of seconds from 900 to ``maximum`` (43200 for roles)."""
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"{argument}: expected an integer from {MIN_DURATION} to {maximum}, got {value!r}"
        raise InvalidArgumentTypeError(msg, argument=argument)
    if not MIN_DURATION <= value <= maximum:
        msg = f"{argument}: must be from {MIN_DURATION} to {maximum} seconds, got {value}"
        raise InvalidArgumentError(msg, argument=argument)
    return value


def role_session_name(value: Any, argument: str = "role_session_name") -> str | None:
    """None (a name is generated) or 2 to 64 of ``A-Z a-z 0-9 _ + = , . @ -``."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise _type_error(argument, "a string", value)
    if not _SESSION_NAME.fullmatch(value):
        shown = value if len(value) <= 80 else value[:77] + "..."
        msg = (
            f"{argument}: must be 2 to 64 characters of letters, digits and _+=,.@- "
            f"(got {len(value)} characters: {shown!r})"
        )
        raise InvalidArgumentError(msg, argument=argument)
    return value


def mfa_code(value: Any, argument: str = "mfa_token") -> str:
    """A six-digit MFA code as a string (the code itself is never shown).

    An ``int`` is refused: a code such as ``012345`` would lose its leading zero.
    """
    if not isinstance(value, str):
        raise _type_error(argument, "the six-digit MFA code as a string, e.g. '012345'", value)
    if not _MFA_CODE.fullmatch(value.strip()):
        msg = f"{argument}: the MFA code must be six digits (got {len(value)} characters)"
        raise InvalidArgumentError(msg, argument=argument)
    return value.strip()


def mfa_token(value: Any, argument: str = "mfa_token") -> MfaToken | None:
    """None, a six-digit code, or a callable asked for one later (checked then)."""
    if value is None or callable(value):
        return value  # type: ignore[no-any-return]
    return mfa_code(value, argument)


def web_identity_token(value: Any, argument: str = "web_identity_token") -> str:
    """A non-empty OIDC token as a str (bytes are refused: decode them first)."""
    if not isinstance(value, str):
        expected = "the token as a str (decode bytes first)"
        raise _type_error(argument, expected, value)
    if not value.strip():
        msg = f"{argument}: the token is empty"
        raise InvalidArgumentError(msg, argument=argument)
    return value


def read_web_identity_token(path: str, argument: str = "web_identity_token_file") -> str:
    """The token in ``path``, stripped; a missing, unreadable or empty file is refused.

    The message names the file and ``AWS_WEB_IDENTITY_TOKEN_FILE`` (where CI
    systems usually put its path), never the token.
    """
    where = f"{argument}: the web identity token file {path!r} (from {TOKEN_FILE_VARIABLE}?)"
    try:
        with open(path, encoding="utf-8") as handle:
            token = handle.read().strip()
    except FileNotFoundError:
        msg = f"{where} does not exist"
        raise InvalidArgumentError(msg, argument=argument) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        msg = f"{where} cannot be read: {reason}"
        raise InvalidArgumentError(msg, argument=argument) from None
    if not token:
        msg = f"{where} is empty"
        raise InvalidArgumentError(msg, argument=argument)
    return token


def expiration_time(value: Any, argument: str = "expiration_time") -> datetime | None:
    """None or a :class:`~datetime.datetime` (parse strings with ``datetime.fromisoformat``)."""
    if value is None or isinstance(value, datetime):
        return value
    raise _type_error(argument, "a datetime or None (use datetime.fromisoformat on text)", value)


def delta_seconds(value: Any, argument: str = "delta") -> float:
    """A finite number of seconds (int or float, not bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _type_error(argument, "a number of seconds (int or float)", value)
    if not math.isfinite(value):
        msg = f"{argument}: must be a finite number of seconds, got {value!r}"
        raise InvalidArgumentError(msg, argument=argument)
    return float(value)


def _normalise(name: str) -> str:
    return _NAME_NOISE.sub("", name.lower())


def suggest_services(
    name: str, available: Iterable[str], aliases: Mapping[str, str] | None = None
) -> list[str]:
    """The known service names nearest to ``name`` (at most three).

    ``aliases`` maps other spellings (e.g. upstream's ``CloudWatchLogs``) to
    service names; spellings are compared without case, ``-``, ``_``, ``.``
    or spaces, so ``cloudwatch-logs`` finds ``logs``.

    Example::

        >>> suggest_services("cloudwatch-logs", ["logs", "s3"], {"CloudWatchLogs": "logs"})
        ['logs']
    """
    table: dict[str, str] = {}
    for service in available:
        table.setdefault(_normalise(service), service)
    for alias, service in (aliases or {}).items():
        table.setdefault(_normalise(alias), service)
    wanted = _normalise(name)
    if wanted in table:
        return [table[wanted]]
    found: list[str] = []
    for key in difflib.get_close_matches(wanted, list(table), n=6, cutoff=0.5):
        if table[key] not in found:
            found.append(table[key])
    return found[:3]


def unknown_service(
    service_name: str, available: Iterable[str], aliases: Mapping[str, str] | None = None
) -> UnknownServiceError:
    """The error for a service name botocore does not know, with the nearest names."""
    return UnknownServiceError(service_name, suggest_services(service_name, available, aliases))


_KEY_ARGUMENTS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")


def client_arguments(given: Mapping[str, Any]) -> None:
    """The region and keys given to ``get_client`` / ``get_resource``."""
    region_name(given.get("region_name"))
    for name in _KEY_ARGUMENTS:
        credential_text(given.get(name), name)
