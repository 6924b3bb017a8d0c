"""awsauthhelper's ``Credentials``, ``AWSArgumentParser`` and helpers on the core API.

Replace ``import awsauthhelper`` by ``from boto_session_manager.compat import
awsauthhelper`` (or ``from awsauthhelper import X`` by ``from
boto_session_manager.compat.awsauthhelper import X``); names, arguments and
defaults stay, including ``mfa_session_life=900`` and the
``--role_session_name`` / ``--mfa-session-life`` spellings::

    aws_options = awsauthhelper.AWSArgumentParser(role_session_name="nightly")
    configs = aws_options.parse_args()
    credentials = awsauthhelper.Credentials(**vars(configs))
    if credentials.has_role():
        credentials.assume_role()
    boto3_session = credentials.get_session_generator()
    s3 = boto3_session().resource("s3")
    ec2 = boto3_session(region="eu-west-1").client("ec2")

Every AWS call is the core's: role assumption and MFA sessions are
:meth:`~boto_session_manager.BotoSesManager.assume_role` and
:meth:`~boto_session_manager.BotoSesManager.get_session_token`, options
become managers through
:func:`~boto_session_manager.cli_args.manager_from_args`, passwords come from
:func:`~boto_session_manager.password.generate_password`.

Differences, on purpose: errors are typed
(:class:`~boto_session_manager.exceptions.InvalidAuthArgumentsError`, a
``ValueError``, where awsauthhelper raised a bare ``ValueError``;
:class:`~boto_session_manager.exceptions.CredentialArgumentsError`, also an
``argparse.ArgumentError``, from :func:`validate_creds`); ``config_path`` and
``credentials_path`` apply to this object's sessions only instead of being
written into ``os.environ``; nothing is logged, secrets least of all; the
MFA code is asked with ``getpass`` on a terminal (a typed error without one);
``--auth-debug`` prints the core's masked report before exiting.

Thread safety: a :class:`Credentials` object changes state on
``assume_role``/``authenticate_mfa``/``reset``: use one per thread, or finish
those calls before sharing it. The session generator it returns is safe to
call from many threads (each call makes a new boto3 Session).
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from .. import cli_args as _cli_args
from ..exceptions import CredentialArgumentsError, InvalidArgumentError
from ..password import generate_password as _generate_password

if TYPE_CHECKING:
    import boto3

    from ..manager import BotoSesManager

__all__ = [
    "AWSArgumentParser",
    "CredentialArgumentsError",
    "Credentials",
    "generate_password",
    "validate_credentials",
    "validate_creds",
]

_MFA_MIN, _MFA_MAX = 900, 129600


def _mfa_session_life(value: Any) -> int:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        seconds = -1
    if isinstance(value, bool) or not _MFA_MIN <= seconds <= _MFA_MAX:
        msg = f"must be a whole number of seconds from {_MFA_MIN} to {_MFA_MAX}, got {value!r}"
        raise argparse.ArgumentTypeError(msg)
    return seconds


class AWSArgumentParser(_cli_args.AWSArgumentParser):
    """The core's :class:`~boto_session_manager.cli_args.AWSArgumentParser` plus
    ``--mfa-session-life`` (seconds, default 900), with ``add_help=False`` by default
    so it can be a parent of your parser.

    Args:
        role_session_name: the session name when ``--role_session_name`` /
            ``--role-session-name`` is not given.
        region: the region when ``--region`` and the environment give none.
        profile: the profile when ``--profile`` and the environment give none.
        enforce_auth_type: one of ``keys``, ``keys_with_session``,
            ``profile``, ``profile_role``, ``config``, ``credentials``.
        kwargs: anything :class:`argparse.ArgumentParser` takes.

    Thread safety: build once; each parse works on its own namespace.

    Example::

        parser = AWSArgumentParser(role_session_name="report", parents=[my_parser])
        credentials = Credentials(**vars(parser.parse_args()))
    """

    def __init__(
        self,
        role_session_name: str,
        region: str | None = None,
        profile: str | None = None,
        enforce_auth_type: str | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("add_help", False)
        super().__init__(role_session_name, region, profile, enforce_auth_type, **kwargs)
        self.add_argument_group("AWS MFA session").add_argument(
            "--mfa-session-life", "--mfa_session_life", metavar="SECONDS",
            type=_mfa_session_life, default=_MFA_MIN,
            help=f"lifetime of an MFA session, {_MFA_MIN} to {_MFA_MAX} s (default: {_MFA_MIN})",
        )  # fmt: skip


def validate_creds(
    aws_access_key_id: str | None = None,
    aws_secret_access_key: str | None = None,
    aws_session_token: str | None = None,
    profile: str | None = None,
    **kwargs: Any,
) -> bool:
    """Check that credential options fit together; True when they do.

    Raises:
        CredentialArgumentsError: a session token without both keys, one key
            without the other, or keys together with a profile (also an
            ``argparse.ArgumentError`` and a ``ValueError``); the message names
            the options, never their values.

    Example::

        validate_creds(**vars(parser.parse_args()))
    """
    options = {
        "aws_access_key_id": aws_access_key_id,
        "aws_secret_access_key": aws_secret_access_key,
        "aws_session_token": aws_session_token,
        "profile": profile,
    }
    try:
        _cli_args.check_auth_args(options)
    except _cli_args.InvalidAuthArgumentsError as exc:
        raise CredentialArgumentsError(str(exc)) from exc
    return True


#: The name awsauthhelper's module uses for :func:`validate_creds`.
validate_credentials = validate_creds


def generate_password(password_policy: Any = None) -> str:
    """A random password meeting an IAM password policy.

    Args:
        password_policy: boto3's ``iam.AccountPasswordPolicy()`` (or any
            object with ``minimum_password_length``, ``require_symbols``,
            ``require_numbers``, ``require_uppercase_characters``,
            ``require_lowercase_characters``), or the policy dict.

    Returns:
        A password from the minimum length to ``ceil(1.3 * minimum)`` long.

    Raises:
        InvalidPasswordPolicyError: the policy is unusable (names the key).

    Example::

        password = generate_password(session.resource("iam").AccountPasswordPolicy())
    """
    return _generate_password(password_policy)


class Credentials:
    """Base credentials, an optional role and MFA device, and sessions made from them.

    The arguments are awsauthhelper's: ``region``, ``aws_secret_access_key``,
    ``aws_access_key_id``, ``aws_session_token``, ``profile``, ``role``,
    ``role_session_name``, ``config_path``, ``credentials_path``,
    ``mfa_serial``, ``mfa_session_life`` (900 seconds), ``mfa_token``,
    ``force_mfa`` (open an MFA session before any session is made; needs
    ``mfa_serial``) and ``auth_debug``. Of ``**kwargs`` (the rest of
    ``vars(parse_args())``), ``endpoint_url``, ``external_id`` and
    ``cache_dir`` are used, the rest ignored.

    Raises:
        InvalidArgumentError: ``mfa_session_life`` is not 900 to 129600 seconds.

    Thread safety: see the module's docstring.

    Example::

        credentials = Credentials(profile="dev", role="arn:aws:iam::111122223333:role/ops")
        if credentials.should_assume_role():
            credentials.assume_role()
        session = credentials.get_session_generator()(region="eu-west-1")
    """

    freeze_properties: ClassVar[tuple[str, ...]] = (
        "region",
        "aws_secret_access_key",
        "aws_access_key_id",
        "aws_session_token",
        "profile",
        "role",
        "mfa_serial",
    )
    #: The first Credentials object created in the process.
    default: ClassVar[Credentials | None] = None

    def __init__(
        self,
        region: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_access_key_id: str | None = None,
        aws_session_token: str | None = None,
        profile: str | None = None,
        role: str | None = None,
        role_session_name: str | None = None,
        config_path: str | None = None,
        credentials_path: str | None = None,
        mfa_serial: str | None = None,
        mfa_session_life: int = 900,
        mfa_token: str | None = None,
        force_mfa: bool = False,
        auth_debug: bool = False,
        **kwargs: Any,
    ) -> None:
        try:
            self.mfa_session_life = _mfa_session_life(mfa_session_life)
        except argparse.ArgumentTypeError as exc:
            msg = f"mfa_session_life: {exc}"
            raise InvalidArgumentError(msg, argument="mfa_session_life") from None
        self.region, self.profile, self.role = region, profile, role
        self.aws_access_key_id = aws_access_key_id
        self.aws_secret_access_key = aws_secret_access_key
        self.aws_session_token = aws_session_token
        self.role_session_name = role_session_name
        self.config_path, self.credentials_path = config_path, credentials_path
        self.mfa_serial, self.mfa_token = mfa_serial, mfa_token
        self.force_mfa, self.auth_debug = bool(force_mfa), bool(auth_debug)
        self.endpoint_url: str | None = kwargs.get("endpoint_url")
        self.external_id: str | None = kwargs.get("external_id")
        self.cache_dir: str | None = kwargs.get("cache_dir")
        self._freeze: dict[str, Any] = {}
        self._mfa_authenticated = False
        if Credentials.default is None:
            Credentials.default = self

    def __repr__(self) -> str:
        return (
            f"Credentials(region={self.region!r}, profile={self.profile!r}, role={self.role!r}, "
            f"has_keys={self.has_keys()}, has_session_keys={self.has_session_keys()}, "
            f"mfa_serial={self.mfa_serial!r})"
        )

    # ---------------------------------------------------------------- questions

    def has_keys(self) -> bool:
        """Do we have key credentials (an access key id and a secret key)?"""
        return self.aws_access_key_id is not None and self.aws_secret_access_key is not None

    def has_session_keys(self) -> bool:
        """Do we have temporary key credentials (keys and a session token)?"""
        return self.aws_session_token is not None and self.has_keys()

    def has_profile(self) -> bool:
        """Do we have profile credentials?"""
        return self.profile is not None

    def has_role(self) -> bool:
        """Do we have a role to assume?"""
        return self.role is not None

    def has_mfa(self) -> bool:
        """Have we been given an MFA device (``mfa_serial``)?"""
        return self.mfa_serial is not None

    def should_assume_role(self) -> bool:
        """True with a role and base credentials (keys or a profile) to assume it with."""
        return self.has_role() and (self.has_keys() or self.has_profile())

    #: awsauthhelper's other name for :meth:`should_assume_role`.
    using_role = should_assume_role

    # ------------------------------------------------------------------ actions

    def manager(self) -> BotoSesManager:
        """A core manager on the current credentials (the assumed ones once assumed).

        Example::

            credentials.assume_role().manager().print_who_am_i()
        """
        return _cli_args.manager_from_args(self._options())

    def assume_role(self) -> Credentials:
        """Assume ``role`` with the current credentials and switch to the role's.

        With an MFA device and no MFA session yet, the role is assumed with
        MFA (the code from ``mfa_token`` or asked on the terminal). The state
        before is remembered (:meth:`freeze`), so :meth:`reset` goes back.

        Raises:
            InvalidAuthArgumentsError: no role, or no keys or profile to
                assume it with (a ``ValueError``).

        Example::

            credentials.assume_role().get_session_generator()()
        """
        if not self.should_assume_role():
            msg = "role: no role to assume with keys or a profile (give role and keys or profile)"
            raise _cli_args.InvalidAuthArgumentsError(msg)
        self.freeze()
        mfa = self.has_mfa() and not self._mfa_authenticated
        assumed = _cli_args.manager_from_args(
            self._options(
                role=self.role,
                external_id=self.external_id,
                mfa_serial=self.mfa_serial if mfa else None,
                mfa_token=self.mfa_token if mfa else None,
            )
        )
        return self._switch(assumed)

    def assume_temp_session(self) -> Credentials:
        """Switch to temporary credentials (``GetSessionToken``, ``mfa_session_life`` s).

        Example::

            credentials.assume_temp_session()
        """
        return self._switch(self.manager().get_session_token(self.mfa_session_life))

    def authenticate_mfa(self) -> Credentials:
        """Open an MFA session (``GetSessionToken`` with the device) and switch to it.

        Raises:
            InvalidAuthArgumentsError: no ``mfa_serial``; or no ``mfa_token``
                and no terminal to ask on.

        Example::

            Credentials(profile="dev", mfa_serial=device, mfa_token="123456").authenticate_mfa()
        """
        if not self.has_mfa():
            msg = "mfa_serial: an MFA session needs the MFA device (mfa_serial / --mfa-serial)"
            raise _cli_args.InvalidAuthArgumentsError(msg)
        session = _cli_args.manager_from_args(
            self._options(
                mfa_serial=self.mfa_serial,
                mfa_token=self.mfa_token,
                duration=self.mfa_session_life,
            )
        )
        self._mfa_authenticated = True
        return self._switch(session)

    def freeze(self) -> Credentials:
        """Remember the current credentials, region, profile, role and MFA device."""
        self._freeze = {key: getattr(self, key) for key in self.freeze_properties}
        return self

    def reset(self) -> Credentials:
        """Go back to the state remembered by :meth:`freeze` (before any role assumption).

        Example::

            credentials.assume_role()
            credentials.reset()          # the base credentials again
        """
        for key, value in self._freeze.items():
            setattr(self, key, value)
        return self

    def get_session_generator(self, internal: bool = False) -> Callable[..., boto3.session.Session]:
        """A callable ``(region=self.region) -> boto3.Session`` on the current credentials.

        With ``force_mfa`` an MFA session is opened first; with
        ``auth_debug`` (and ``internal`` false) the core's masked report is
        printed and the program exits.

        Example::

            boto3_session = credentials.get_session_generator()
            boto3_session(region="us-west-2").client("ec2").describe_instances()
        """
        if self.force_mfa and not self._mfa_authenticated:
            self.authenticate_mfa()
        if self.auth_debug and not internal:
            _cli_args.manager_from_args(self._options(auth_debug=True))  # prints, then exits
        options = self._options()
        default_region = self.region

        def build_session(region: str | None = default_region) -> boto3.session.Session:
            return _cli_args.manager_from_args({**options, "region": region}).boto_ses

        return build_session

    def create_session(self, internal: bool = False) -> Callable[..., boto3.session.Session]:
        """Deprecated name of :meth:`get_session_generator` (warns)."""
        warnings.warn(
            "Credentials.create_session() is deprecated; use get_session_generator()",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.get_session_generator(internal)

    def use_as_global(self) -> Credentials:
        """Make plain ``boto3.client(...)`` calls use the current credentials (process-wide)."""
        self.manager().use_as_default()
        return self

    # ------------------------------------------------------------------ private

    def _options(self, **extra: Any) -> dict[str, Any]:
        keys = self.has_keys()
        options: dict[str, Any] = {
            "aws_access_key_id": self.aws_access_key_id if keys else None,
            "aws_secret_access_key": self.aws_secret_access_key if keys else None,
            "aws_session_token": self.aws_session_token if self.has_session_keys() else None,
            "profile": None if keys else self.profile,
            "region": self.region,
            "role_session_name": self.role_session_name,
            "config_path": self.config_path,
            "credentials_path": self.credentials_path,
            "endpoint_url": self.endpoint_url,
            "cache_dir": self.cache_dir,
        }
        options.update(extra)
        return options

    def _switch(self, bsm: BotoSesManager) -> Credentials:
        creds = bsm.current_credentials()
        self.aws_access_key_id = creds.access_key_id
        self.aws_secret_access_key = creds.secret_access_key
        self.aws_session_token = creds.session_token
        return self
