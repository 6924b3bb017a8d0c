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
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, overload

from ._auth_manager import build_manager
from ._auth_options import (
    _MAX_DURATION,
    _MFA_CODE,
    _MIN_DURATION,
    _SESSION_NAME,
    _SETTINGS,
    SecretStr,
    _as_namespace,
    _problems,
    _resolve_and_check,
    _Settings,
)
from .arn import parse_arn
from .exceptions import InvalidArgumentError, InvalidArnError, InvalidAuthArgumentsError

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

#: The namespace given to ``parse_known_args``, returned filled in with its own type.
T = TypeVar("T")

#: The values ``enforce_auth_type`` accepts.
AUTH_TYPES = ("keys", "keys_with_session", "profile", "profile_role", "config", "credentials")

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
        self._add_key_arguments()
        self._add_role_arguments()

    def _add_key_arguments(self) -> None:
        """The options that name the credentials: keys, profile, region, files, endpoint."""
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

    def _add_role_arguments(self) -> None:
        """The options that turn the credentials into a role or MFA session."""
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


# -------------------------------------------------------------------- manager


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
    return build_manager(namespace, manager_class, auto_refresh=auto_refresh)
