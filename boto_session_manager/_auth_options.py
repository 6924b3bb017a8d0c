"""What the AWS credential options mean, without argparse's parser or a manager.

The option names and their environment variables, :class:`SecretStr`, and the
resolution (command line, then environment, then the program's defaults) and
checks shared by :mod:`boto_session_manager.cli_args` (which parses) and
:mod:`boto_session_manager._auth_manager` (which builds a manager). Nothing
here imports boto3 or the manager.

Thread safety: the functions change only the namespace they are given; the
module state is constant.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from .exceptions import InvalidArgumentTypeError, InvalidAuthArgumentsError
from .region import REGION_VARIABLES

_MIN_DURATION, _MAX_DURATION = 900, 43200
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}\Z")
_MFA_CODE = re.compile(r"\d{6}\Z")
_ACCOUNT_IN_ARN = re.compile(r"(?<=:)\d{12}(?=:)")
#: Namespace attribute holding the parser's settings (copied to child parsers
#: by argparse together with the other defaults).
_SETTINGS = "_bsm_auth"
_CONSTRUCTOR = "the program's default"

_KEY_FIELDS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")
_SECRET_FIELDS = frozenset({"aws_secret_access_key", "aws_session_token", "mfa_token"})

#: Options whose default comes from the environment, with their variables in order.
_ENV_VARS: dict[str, tuple[str, ...]] = {
    "aws_access_key_id": ("AWS_ACCESS_KEY_ID",),
    "aws_secret_access_key": ("AWS_SECRET_ACCESS_KEY",),
    "aws_session_token": ("AWS_SESSION_TOKEN",),
    "profile": ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"),
    "region": REGION_VARIABLES,
    "config_path": ("AWS_CONFIG_FILE",),
    "credentials_path": ("AWS_SHARED_CREDENTIALS_FILE",),
    "endpoint_url": ("AWS_ENDPOINT_URL",),
}

#: Every option: dest -> flag.
_FLAGS = {
    "aws_access_key_id": "--aws-access-key-id",
    "aws_secret_access_key": "--aws-secret-access-key",
    "aws_session_token": "--aws-session-token",
    "profile": "--profile",
    "region": "--region",
    "role": "--role",
    "role_session_name": "--role-session-name",
    "external_id": "--external-id",
    "duration": "--duration",
    "mfa_serial": "--mfa-serial",
    "mfa_token": "--mfa-token",
    "config_path": "--config-path",
    "credentials_path": "--credentials-path",
    "endpoint_url": "--endpoint-url",
    "cache_dir": "--cache-dir",
    "auth_debug": "--auth-debug",
}


class SecretStr(str):
    """A ``str`` whose ``repr`` hides the value; ``str()`` and comparisons see it.

    Example::

        >>> token = SecretStr("abc")
        >>> token
        '********'
        >>> token == "abc"
        True
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "'********'"


@attrs.frozen
class _Settings:
    """What the parser's constructor was given (no secrets in here)."""

    enforce_auth_type: str | None
    region: str | None
    profile: str | None
    #: Where each resolved value came from; set once the namespace is resolved.
    origins: Mapping[str, str] | None = None


def _env_value(field: str) -> tuple[str, str] | None:
    for name in _ENV_VARS[field]:
        value = os.environ.get(name)
        if value:
            return name, value
    return None


def _resolve(namespace: argparse.Namespace, settings: _Settings) -> dict[str, str]:
    """Fill unset options from the environment, then the constructor; return their origins."""
    origins = {
        field: flag
        for field, flag in _FLAGS.items()
        if field != "role_session_name" and getattr(namespace, field, None) not in (None, False)
    }
    cli_keys = any(field in origins for field in _KEY_FIELDS)
    cli_profile = "profile" in origins

    def fill(field: str) -> None:
        found = _env_value(field)
        if found is not None:
            name, value = found
            setattr(namespace, field, SecretStr(value) if field in _SECRET_FIELDS else value)
            origins[field] = f"${name}"

    if not cli_keys and not cli_profile:
        for field in (*_KEY_FIELDS, "profile"):
            fill(field)
    for field in ("region", "config_path", "credentials_path", "endpoint_url"):
        if field not in origins:
            fill(field)
    if "region" not in origins and settings.region:
        namespace.region = settings.region
        origins["region"] = _CONSTRUCTOR
    has_keys = any(field in origins for field in _KEY_FIELDS)
    if "profile" not in origins and settings.profile and not has_keys:
        namespace.profile = settings.profile
        origins["profile"] = _CONSTRUCTOR
    return origins


def _resolve_and_check(namespace: argparse.Namespace) -> None:
    settings = getattr(namespace, _SETTINGS, None)
    if not isinstance(settings, _Settings):
        settings = _Settings(None, None, None)
    if settings.origins is None:
        for field in _FLAGS:
            if not hasattr(namespace, field):
                setattr(namespace, field, False if field == "auth_debug" else None)
        settings = attrs.evolve(settings, origins=_resolve(namespace, settings))
        setattr(namespace, _SETTINGS, settings)
    problems = _problems(namespace, settings)
    if problems:
        raise InvalidAuthArgumentsError("; ".join(problems))


def _problems(namespace: argparse.Namespace, settings: _Settings) -> list[str]:
    origins = settings.origins or {}

    def has(field: str) -> bool:
        return getattr(namespace, field, None) not in (None, "")

    def where(field: str) -> str:
        return origins.get(field, _FLAGS[field])

    def named(fields: Sequence[str]) -> str:
        """``--x (or $X) and --y``: the option, and its variable when it has one."""
        parts = []
        for field in fields:
            variables = _ENV_VARS.get(field)
            parts.append(_FLAGS[field] + (f" (or ${variables[0]})" if variables else ""))
        return " and ".join(parts)

    problems: list[str] = []
    key_id, secret, token = (has(f) for f in _KEY_FIELDS)
    if token and not (key_id and secret):
        problems.append(
            f"a session token ({where('aws_session_token')}) needs an access key id and "
            f"a secret access key: pass {named(_KEY_FIELDS[:2])}"
        )
    elif key_id != secret:
        given, absent = _KEY_FIELDS[:2] if key_id else _KEY_FIELDS[1::-1]
        problems.append(
            f"an access key needs both parts: {where(given)} was given without {named([absent])}"
        )
    keys = key_id or secret or token
    if keys and has("profile"):
        key_field = next(f for f in _KEY_FIELDS if has(f))
        problems.append(
            f"give either a profile or access keys, not both: {where('profile')} "
            f"and {where(key_field)} were both given"
        )
    enforce = settings.enforce_auth_type
    required = {
        "keys": _KEY_FIELDS[:2],
        "keys_with_session": _KEY_FIELDS,
        "profile": ("profile",),
        "profile_role": ("profile", "role"),
        "config": ("config_path",),
        "credentials": ("credentials_path",),
    }.get(enforce or "", ())
    missing = [f for f in required if not has(f)]
    if missing:
        problems.append(f"this program authenticates with {enforce!r}: pass {named(missing)}")
    if enforce in ("config", "credentials") and keys:
        problems.append(
            f"this program authenticates with {enforce!r}: access keys are not accepted "
            f"(remove {where(next(f for f in _KEY_FIELDS if has(f)))})"
        )
    for field, needed in (("external_id", "role"), ("mfa_token", "mfa_serial")):
        if has(field) and not has(needed):
            problems.append(f"{_FLAGS[field]} has no effect without {_FLAGS[needed]}")
    if has("duration") and not (has("role") or has("mfa_serial")):
        problems.append("--duration has no effect without --role or --mfa-serial")
    return problems


def _as_namespace(namespace: argparse.Namespace | Mapping[str, Any]) -> argparse.Namespace:
    if isinstance(namespace, Mapping):
        return argparse.Namespace(**namespace)
    if isinstance(namespace, argparse.Namespace):
        return argparse.Namespace(**vars(namespace))
    msg = f"expected an argparse.Namespace or a mapping, got {type(namespace).__name__}"
    raise InvalidArgumentTypeError(msg, argument="namespace")
