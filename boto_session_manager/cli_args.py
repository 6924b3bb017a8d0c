"""AWS credential options for scripts: :class:`AWSArgumentParser`, :func:`manager_from_args`.

A script gets the usual AWS options (keys, profile, region, role, MFA, config
files, endpoint) in one line, with defaults from the standard ``AWS_*``
environment variables, and turns the parsed options into a manager::

    from boto_session_manager import BotoSesManager
    from boto_session_manager.cli_args import AWSArgumentParser

    parser = AWSArgumentParser(role_session_name="nightly-report", region="us-east-1")
    parser.add_argument("--bucket", required=True)
    args = parser.parse_args()
    bsm = BotoSesManager.from_args(args)        # assumes --role when given

Where a value comes from, highest first:

1. the command line;
2. the environment (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
   ``AWS_SESSION_TOKEN``, ``AWS_PROFILE`` then ``AWS_DEFAULT_PROFILE``,
   ``AWS_REGION`` then ``AWS_DEFAULT_REGION``, ``AWS_CONFIG_FILE``,
   ``AWS_SHARED_CREDENTIALS_FILE``, ``AWS_ENDPOINT_URL``), read when the
   arguments are parsed, not when the parser is built;
3. the ``region`` / ``profile`` given to the parser's constructor.

Keys and profile are two ways of naming the credentials, so they are resolved
as a pair: a key option on the command line hides ``AWS_PROFILE`` and a
``--profile`` hides the key variables (the three key variables are taken
together, never mixed with keys from the command line). Both given at the
same level is an error, as is a session token without keys or one key
without the other. Errors name the option or variable, never its value.

**Using the options in your own parser.** ``AWSArgumentParser`` validates
inside ``parse_args`` / ``parse_known_args``. When it is a *parent* of your
parser (``argparse.ArgumentParser(parents=[AWSArgumentParser(...,
add_help=False)])``) your parser does the parsing, so call
:func:`validate_auth_args` on its result to get the same defaults and errors.
Simpler, and the usual argparse idiom: make ``AWSArgumentParser`` the child,
``AWSArgumentParser(..., parents=[your_parser])``. Either way
:func:`manager_from_args` resolves and checks the namespace again if nobody
did, raising :class:`~boto_session_manager.exceptions.InvalidAuthArgumentsError`,
so a forgotten call can never build the wrong manager.

Secrets (secret key, session token, MFA code) are held as :class:`SecretStr`,
a ``str`` whose ``repr`` is masked, so printing the namespace does not leak
them; ``--help`` names the environment variables but never shows their values.

Thread safety: parsing mutates only the namespace being built, so separate
parses are independent. ``manager_from_args`` works on a copy of the
namespace and is safe from many threads (``--mfa-serial`` without
``--mfa-token`` prompts on the terminal, which only makes sense from one).
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Callable, TypeVar, overload

import attrs

from .arn import parse_arn
from .exceptions import (
    BotoSessionManagerError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidArnError,
    InvalidAuthArgumentsError,
)
from .region import REGION_VARIABLES

if TYPE_CHECKING:  # boto3 is imported only when a manager is built, not to parse
    from .manager import BotoSesManager

__all__ = [
    "AUTH_TYPES",
    "AWSArgumentParser",
    "InvalidAuthArgumentsError",
    "SecretStr",
    "check_auth_args",
    "manager_from_args",
    "validate_auth_args",
]

T = TypeVar("T")

#: The values ``enforce_auth_type`` accepts.
AUTH_TYPES = ("keys", "keys_with_session", "profile", "profile_role", "config", "credentials")

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


# ---------------------------------------------------------------- option types


def _duration(value: str) -> int:
    try:
        seconds = int(value)
    except ValueError:
        seconds = -1
    if not _MIN_DURATION <= seconds <= _MAX_DURATION:
        msg = (
            f"must be a whole number of seconds from {_MIN_DURATION} to {_MAX_DURATION}, "
            f"got {value!r}"
        )
        raise argparse.ArgumentTypeError(msg)
    return seconds


def _role_arn(value: str) -> str:
    try:
        arn = parse_arn(value)
    except InvalidArnError:
        arn = None
    if arn is None or arn.service != "iam" or arn.resource_type != "role" or not arn.account:
        msg = f"not an IAM role ARN (expected arn:aws:iam::ACCOUNT:role/NAME): {value!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _session_name(value: str) -> str:
    if not _SESSION_NAME.match(value):
        msg = (
            "a role session name is 2 to 64 letters, digits or the characters "
            f"+=,.@_- , got {value!r}"
        )
        raise argparse.ArgumentTypeError(msg)
    return value


def _secret(value: str) -> SecretStr:
    return SecretStr(value)


def _mfa_code(value: str) -> SecretStr:
    if not _MFA_CODE.match(value.strip()):
        msg = "must be the 6-digit code shown by the MFA device"  # never echo the value
        raise argparse.ArgumentTypeError(msg)
    return SecretStr(value.strip())


def _endpoint_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        msg = f"must start with http:// or https://, got {value!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _existing_file(value: str) -> str:
    if not os.path.isfile(os.path.expanduser(value)):
        msg = f"no such file: {value!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


# --------------------------------------------------------------------- parser


class AWSArgumentParser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` with the AWS credential options.

    Options (all optional; defaults from the environment at parse time):
    ``--aws-access-key-id``, ``--aws-secret-access-key``,
    ``--aws-session-token``, ``--profile``, ``--region``, ``--role`` (an IAM
    role ARN to assume), ``--role-session-name`` (also spelled
    ``--role_session_name``), ``--external-id``,
    ``--duration`` (seconds, 900 to 43200), ``--mfa-serial``, ``--mfa-token``,
    ``--config-path``, ``--credentials-path``, ``--endpoint-url``,
    ``--cache-dir`` (reuse temporary credentials across runs) and
    ``--auth-debug`` (print which credentials would be used, then exit).

    Args:
        role_session_name: the session name used when ``--role-session-name``
            is not given.
        region: the region when neither ``--region`` nor ``AWS_REGION`` /
            ``AWS_DEFAULT_REGION`` gives one.
        profile: the profile when neither ``--profile``, ``AWS_PROFILE`` /
            ``AWS_DEFAULT_PROFILE`` nor any access key gives the credentials.
        enforce_auth_type: lock the script to one way of authenticating:

            - ``"keys"``: an access key id and secret key are required;
            - ``"keys_with_session"``: key id, secret key and session token;
            - ``"profile"``: a profile is required (keys are refused);
            - ``"profile_role"``: a profile and ``--role``;
            - ``"config"``: a config file (``--config-path`` /
              ``AWS_CONFIG_FILE``), keys are refused;
            - ``"credentials"``: a credentials file (``--credentials-path`` /
              ``AWS_SHARED_CREDENTIALS_FILE``), keys are refused.
        **argparse_kwargs: anything :class:`argparse.ArgumentParser` takes
            (``prog``, ``description``, ``parents``, ``add_help`` ...).

    Raises:
        ValueError: ``enforce_auth_type`` is not one of :data:`AUTH_TYPES`, or
            ``role_session_name`` is not a valid session name.

    Parsing exits with status 2 and a message naming the options (never
    their values) on: a session token without keys, one key without the
    other, a profile together with keys, ``--external-id`` without
    ``--role``, ``--mfa-token`` without ``--mfa-serial``, ``--duration``
    without ``--role`` or ``--mfa-serial``, or whatever ``enforce_auth_type``
    requires that is missing.

    Thread safety: build the parser once; each ``parse_args`` call works on
    its own namespace.

    Example::

        parser = AWSArgumentParser(
            role_session_name="deploy",
            region="eu-west-1",
            enforce_auth_type="profile_role",
            description="Deploy the stack",
        )
        args = parser.parse_args(
            ["--profile", "ci", "--role", "arn:aws:iam::111122223333:role/deploy"]
        )
        bsm = BotoSesManager.from_args(args)

    As a parent of your own parser (then call :func:`validate_auth_args`)::

        aws = AWSArgumentParser(role_session_name="deploy", add_help=False)
        parser = argparse.ArgumentParser(parents=[aws])
        args = validate_auth_args(parser.parse_args(), parser)
    """

    def __init__(
        self,
        role_session_name: str,
        region: str | None = None,
        profile: str | None = None,
        enforce_auth_type: str | None = None,
        **argparse_kwargs: Any,
    ) -> None:
        if enforce_auth_type is not None and enforce_auth_type not in AUTH_TYPES:
            msg = (
                f"enforce_auth_type must be one of {', '.join(AUTH_TYPES)}; "
                f"got {enforce_auth_type!r}"
            )
            raise InvalidArgumentError(msg, argument="enforce_auth_type")
        if not isinstance(role_session_name, str) or not _SESSION_NAME.match(role_session_name):
            msg = (
                "role_session_name must be 2 to 64 letters, digits or the characters "
                f"+=,.@_- , got {role_session_name!r}"
            )
            raise InvalidArgumentError(msg, argument="role_session_name")
        super().__init__(**argparse_kwargs)
        self.role_session_name = role_session_name
        self.region = region
        self.profile = profile
        self.enforce_auth_type = enforce_auth_type
        self.set_defaults(**{_SETTINGS: _Settings(enforce_auth_type, region, profile)})
        self._add_aws_arguments()

    def _add_aws_arguments(self) -> None:
        keys = self.add_argument_group("AWS credentials")
        keys.add_argument(
            "--aws-access-key-id", metavar="KEY_ID",
            help="access key id (default: $AWS_ACCESS_KEY_ID)",
        )  # fmt: skip
        keys.add_argument(
            "--aws-secret-access-key", metavar="SECRET", type=_secret,
            help="secret access key (default: $AWS_SECRET_ACCESS_KEY; never shown)",
        )  # fmt: skip
        keys.add_argument(
            "--aws-session-token", metavar="TOKEN", type=_secret,
            help="session token of temporary keys (default: $AWS_SESSION_TOKEN; never shown)",
        )  # fmt: skip
        fallback = f", then {self.profile!r}" if self.profile else ""
        keys.add_argument(
            "--profile", metavar="NAME",
            help="profile of the AWS config files "
            f"(default: $AWS_PROFILE, then $AWS_DEFAULT_PROFILE{fallback})",
        )  # fmt: skip
        fallback = f", then {self.region!r}" if self.region else ""
        keys.add_argument(
            "--region", metavar="REGION",
            help=f"AWS region (default: $AWS_REGION, then $AWS_DEFAULT_REGION{fallback})",
        )  # fmt: skip
        keys.add_argument(
            "--config-path", metavar="FILE", type=_existing_file,
            help="AWS config file (default: $AWS_CONFIG_FILE, then ~/.aws/config)",
        )  # fmt: skip
        keys.add_argument(
            "--credentials-path", metavar="FILE", type=_existing_file,
            help="AWS credentials file "
            "(default: $AWS_SHARED_CREDENTIALS_FILE, then ~/.aws/credentials)",
        )  # fmt: skip
        keys.add_argument(
            "--endpoint-url", metavar="URL", type=_endpoint_url,
            help="send every request to this endpoint (default: $AWS_ENDPOINT_URL)",
        )  # fmt: skip
        role = self.add_argument_group("AWS role and MFA")
        role.add_argument(
            "--role", metavar="ROLE_ARN", type=_role_arn,
            help="ARN of an IAM role to assume with the credentials above",
        )  # fmt: skip
        role.add_argument(
            "--role-session-name", "--role_session_name", metavar="NAME", type=_session_name,
            default=self.role_session_name,
            help=f"session name of the assumed role (default: {self.role_session_name!r})",
        )  # fmt: skip
        role.add_argument(
            "--external-id", metavar="ID", help="external id the role's trust policy asks for"
        )
        role.add_argument(
            "--duration", metavar="SECONDS", type=_duration,
            help=f"lifetime of the role or MFA session, {_MIN_DURATION} to {_MAX_DURATION} "
            "seconds (default: 3600 for a role, 43200 for an MFA session)",
        )  # fmt: skip
        role.add_argument(
            "--mfa-serial", metavar="ARN",
            help="MFA device (serial number or ARN): assume --role with MFA, "
            "or without --role open an MFA session",
        )  # fmt: skip
        role.add_argument(
            "--mfa-token", metavar="CODE", type=_mfa_code,
            help="the 6-digit MFA code (asked on the terminal when omitted; never shown)",
        )  # fmt: skip
        role.add_argument(
            "--cache-dir", metavar="DIR",
            help="keep the temporary credentials in DIR and reuse them until they near expiry",
        )  # fmt: skip
        role.add_argument(
            "--auth-debug", action="store_true",
            help="print (masked) which credentials and principal would be used, then exit",
        )  # fmt: skip

    @overload
    def parse_known_args(
        self, args: Iterable[str] | None = None, namespace: None = None
    ) -> tuple[argparse.Namespace, list[str]]: ...

    @overload
    def parse_known_args(self, args: Iterable[str] | None, namespace: T) -> tuple[T, list[str]]: ...

    @overload
    def parse_known_args(self, *, namespace: T) -> tuple[T, list[str]]: ...

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> tuple[Any, list[str]]:
        """Parse as argparse does, then fill environment defaults and check the combination.

        ``parse_args`` goes through here too. Exits with status 2 (via
        ``error()``) when the AWS options do not fit together.

        Example::

            args, rest = parser.parse_known_args(["--profile", "dev", "--other"])
        """
        parsed, extras = super().parse_known_args(args, namespace)
        validate_auth_args(parsed, self)
        return parsed, extras


# ----------------------------------------------------------------- validation


def validate_auth_args(
    namespace: argparse.Namespace, parser: argparse.ArgumentParser
) -> argparse.Namespace:
    """Fill the environment defaults into ``namespace`` and check the AWS options.

    :class:`AWSArgumentParser` calls this itself. Call it when the options
    came through another parser that has an ``AWSArgumentParser`` among its
    ``parents`` (argparse does not run a parent's checks). Calling it twice is
    harmless: the environment is read only the first time.

    Args:
        namespace: the result of ``parser.parse_args()``; changed in place.
        parser: the parser that produced it; its :meth:`~argparse.ArgumentParser.error`
            reports a problem (exit status 2).

    Returns:
        The same namespace, for chaining.

    Thread safety: changes only ``namespace``; don't share one namespace
    between threads while it is being validated.

    Example::

        aws = AWSArgumentParser(role_session_name="report", add_help=False)
        parser = argparse.ArgumentParser(parents=[aws])
        parser.add_argument("--bucket")
        args = validate_auth_args(parser.parse_args(), parser)
    """
    try:
        _resolve_and_check(namespace)
    except InvalidAuthArgumentsError as exc:
        parser.error(str(exc))
    return namespace


def check_auth_args(options: argparse.Namespace | Mapping[str, Any]) -> None:
    """Check that credential options fit together, as given (no environment read).

    The same checks as parsing (a session token needs both keys, one key
    needs the other, a profile excludes keys, ``external_id`` needs a role,
    ``mfa_token`` an MFA device ...), on a namespace or a mapping of the
    parser's field names (``aws_access_key_id``, ``profile``, ``role`` ...);
    fields absent or ``None`` count as not given.

    Raises:
        InvalidAuthArgumentsError: the options do not fit; the message names
            them, never their values.
        TypeError: ``options`` is neither a namespace nor a mapping.

    Thread safety: pure; safe from any thread.

    Example::

        check_auth_args({"profile": "dev", "aws_access_key_id": "AKIA..."})  # raises
    """
    ns = _as_namespace(options)
    problems = _problems(ns, _Settings(None, None, None, origins={}))
    if problems:
        raise InvalidAuthArgumentsError("; ".join(problems))


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


# -------------------------------------------------------------------- manager


def _as_namespace(namespace: argparse.Namespace | Mapping[str, Any]) -> argparse.Namespace:
    if isinstance(namespace, Mapping):
        return argparse.Namespace(**namespace)
    if isinstance(namespace, argparse.Namespace):
        return argparse.Namespace(**vars(namespace))
    msg = f"expected an argparse.Namespace or a mapping, got {type(namespace).__name__}"
    raise InvalidArgumentTypeError(msg, argument="namespace")


def _plain(value: Any) -> str | None:
    return None if value is None else str(value)


def _mask_arn(arn: str) -> str:
    """``arn:aws:iam::123456789012:role/x`` -> ``arn:aws:iam::12********12:role/x``."""
    return _ACCOUNT_IN_ARN.sub(lambda match: f"{match[0][:2]}********{match[0][-2:]}", arn)


def _terminal_prompt(serial: str) -> Callable[[], str]:
    """A callable MFA token that asks on the terminal (again at each refresh)."""

    def ask() -> str:
        if not sys.stdin.isatty():
            msg = (
                "--mfa-serial was given without --mfa-token and there is no terminal "
                "to ask for the code: pass --mfa-token"
            )
            raise InvalidAuthArgumentsError(msg)
        return getpass.getpass(f"MFA code for {_mask_arn(serial)}: ").strip()

    return ask


def _base_manager(ns: argparse.Namespace, manager_class: type[BotoSesManager]) -> BotoSesManager:
    botocore_session = None
    if ns.config_path or ns.credentials_path:
        from ._botocore import ignore_environment_profile, new_botocore_session

        botocore_session = new_botocore_session()
        if ns.config_path:
            botocore_session.set_config_variable("config_file", os.path.expanduser(ns.config_path))
        if ns.credentials_path:
            path = os.path.expanduser(ns.credentials_path)
            botocore_session.set_config_variable("credentials_file", path)
        if ns.aws_access_key_id and not ns.profile:
            ignore_environment_profile(botocore_session)
    return manager_class(
        aws_access_key_id=_plain(ns.aws_access_key_id),
        aws_secret_access_key=_plain(ns.aws_secret_access_key),
        aws_session_token=_plain(ns.aws_session_token),
        profile_name=ns.profile,
        region_name=ns.region,
        botocore_session=botocore_session,
        default_client_kwargs={"endpoint_url": ns.endpoint_url} if ns.endpoint_url else None,
    )


def manager_from_args(
    namespace: argparse.Namespace | Mapping[str, Any],
    manager_class: type[BotoSesManager] | None = None,
    *,
    auto_refresh: bool = False,
) -> BotoSesManager:
    """Build a manager from the options of :class:`AWSArgumentParser`.

    Keys, token, profile and region build the base manager (``--endpoint-url``
    becomes ``default_client_kwargs={"endpoint_url": ...}``; ``--config-path``
    / ``--credentials-path`` are set on a botocore session of its own). Then
    ``--role`` is assumed (with the session name, external id, duration, MFA
    device and code, and cache directory given), or, with ``--mfa-serial``
    and no role, an MFA session is opened with ``get_session_token``. Without
    ``--mfa-token`` the MFA code is asked on the terminal.

    With ``--auth-debug`` nothing is assumed: it prints where the credentials
    come from and the (masked) principal, account and region, then exits
    with status 0 (1 when the credentials do not work). Keys are never printed.

    Attributes of the namespace this function does not know are ignored, so a
    namespace from a parser with many other options (or ``vars()`` of one)
    can be passed as is. A namespace nobody validated yet (see
    :func:`validate_auth_args`) is resolved and checked here, on a copy.

    Args:
        namespace: the parsed options (a :class:`argparse.Namespace` or a mapping).
        manager_class: the class to build (default ``BotoSesManager``, or a subclass).
        auto_refresh: re-assume ``--role`` before it expires, for long jobs.

    Returns:
        The manager, already on the assumed role or MFA session when asked.

    Raises:
        InvalidAuthArgumentsError: the options do not fit together.
        SystemExit: after ``--auth-debug`` has printed its report.
        botocore.exceptions.ClientError: STS refused the role or MFA session.

    Thread safety: safe; the namespace is copied, never changed.

    Example::

        parser = AWSArgumentParser(role_session_name="nightly-report")
        bsm = manager_from_args(parser.parse_args())
        print(bsm.masked_aws_account_id)
    """
    if manager_class is None:  # imported here: parsing alone never loads boto3
        from .manager import BotoSesManager

        manager_class = BotoSesManager
    ns = _as_namespace(namespace)
    _resolve_and_check(ns)
    base = _base_manager(ns, manager_class)
    if ns.auth_debug:
        raise SystemExit(_print_auth_debug(ns, base))
    mfa_token: Any = ns.mfa_token
    if ns.mfa_serial and mfa_token is None:
        mfa_token = _terminal_prompt(ns.mfa_serial)
    elif mfa_token is not None:
        mfa_token = str(mfa_token)
    if ns.role:
        return base.assume_role(
            ns.role,
            role_session_name=ns.role_session_name,
            duration_seconds=ns.duration or 3600,
            external_id=ns.external_id,
            mfa_serial_number=ns.mfa_serial,
            mfa_token=mfa_token,
            auto_refresh=auto_refresh,
            cache_dir=ns.cache_dir,
        )
    if ns.mfa_serial:
        duration: dict[str, int] = {} if ns.duration is None else {"duration_seconds": ns.duration}
        return base.get_session_token(
            mfa_serial_number=ns.mfa_serial,
            mfa_token=mfa_token,
            auto_refresh=auto_refresh,
            cache_dir=ns.cache_dir,
            **duration,
        )
    return base


def _print_auth_debug(ns: argparse.Namespace, bsm: BotoSesManager) -> int:
    """Print the --auth-debug report; return the exit status."""
    from botocore.exceptions import BotoCoreError, ClientError

    settings: _Settings = getattr(ns, _SETTINGS)
    origins = settings.origins or {}
    out = sys.stdout
    print("AWS authentication (--auth-debug; no key or secret is printed)", file=out)
    if ns.aws_access_key_id or ns.aws_secret_access_key:
        given = "access keys" + (" with a session token" if ns.aws_session_token else "")
        print(f"  credentials: {given}, from {origins.get('aws_access_key_id', '?')}", file=out)
    elif ns.profile:
        print(f"  credentials: profile {ns.profile!r}, from {origins['profile']}", file=out)
    else:
        print("  credentials: boto3's default chain (nothing given)", file=out)
    for field in ("config_path", "credentials_path", "endpoint_url"):
        if getattr(ns, field):
            label = field.replace("_", " ")
            print(f"  {label}: {getattr(ns, field)} (from {origins[field]})", file=out)
    try:
        source = getattr(bsm, "credential_source", "unknown")
        print(f"  credential source: {source}", file=out)
        print(f"  region: {bsm.aws_region} (from {origins.get('region', 'botocore')})", file=out)
        print(f"  principal: {bsm.masked_principal_arn}", file=out)
        print(f"  account: {bsm.masked_aws_account_id}", file=out)
    except (BotoCoreError, ClientError, BotoSessionManagerError) as exc:
        print(f"  principal: unavailable, the credentials do not work: {exc}", file=out)
        return 1
    if ns.role:
        print(
            f"  then: assume role {_mask_arn(ns.role)} as session {ns.role_session_name!r} "
            f"for {ns.duration or 3600} s" + (" with MFA" if ns.mfa_serial else ""),
            file=out,
        )
    elif ns.mfa_serial:
        print(f"  then: open an MFA session with {_mask_arn(ns.mfa_serial)}", file=out)
    return 0
