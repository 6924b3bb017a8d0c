"""The manager: one boto3 session, its cached clients and resources, identity, roles.

:class:`BotoSesManager` holds a boto3 session and hands out clients and
resources from a cache keyed by every argument that changes the client, so a
later call with another region or endpoint gets its own client and the same
call always gets the same object. It knows who it is (one cached STS
``GetCallerIdentity``), when its credentials expire, how to assume roles (with
automatic refresh through botocore's refreshable credentials), and how to hand
its credentials to child processes and other Python processes.

Thread safety, in one place:

- ``get_client``/``get_resource``, the ``*_client`` properties, ``boto_ses``,
  the identity properties, ``is_expired``, ``assume_role``, ``to_snapshot``
  and ``clear_cache`` are safe to call from many threads at once. Exactly one
  client is created per distinct argument set; cache hits take no lock.
- Clients are thread safe (botocore's promise); boto3 *resources* are not:
  share a cached resource between threads only if each thread uses it
  read-only, or ask each thread for its own with a distinct argument.
- ``awscli()`` changes the process environment; overlapping blocks (threads,
  asyncio tasks) may exit in any order (see :mod:`boto_session_manager.awscli`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Hashable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable, TypeVar

import attrs
import boto3
from boto3.exceptions import ResourceNotExistsError
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.exceptions import UnknownServiceError as BotocoreUnknownServiceError

from . import _forksafe, _validate
from . import credentials as _creds
from ._botocore import (
    guard_client,
    guard_resource,
    ignore_environment_profile,
    new_botocore_session,
)
from ._clients import AwsServiceEnum, ClientProperties
from ._redact import install_on_session
from .awscli import credentials_environment, patched_environ
from .credentials import (
    AutoRefreshCredentials,
    Clock,
    FrozenCredentials,
    TemporaryCredentials,
    utc_now,
)
from .exceptions import InvalidArgumentError, SnapshotError
from .identity import CallerIdentity, check_identity, mask_account_id, mask_user_id, source_name
from .roles import Origin, RoleMethods
from .services import ServiceHelpers
from .services._cache import TTLCache
from .snapshot import (
    PathLike,
    default_snapshot_path,
    parse_snapshot,
    read_snapshot_file,
    resolve_path,
    temporary_file,
)

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from botocore.credentials import Credentials

    from .fanout import AccountResult, FanOutOptions, FanOutResult

T = TypeVar("T")

__all__ = ["PATH_DEFAULT_SNAPSHOT", "AwsServiceEnum", "BotoSesManager", "SessionManager"]

#: ``~/.bsm-snapshot.json`` at import time (upstream's import path; the
#: manager itself resolves the home directory at call time).
PATH_DEFAULT_SNAPSHOT = default_snapshot_path()

_NOT_FETCHED: Any = object()
_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})
_SECRET_KWARGS = frozenset({"aws_secret_access_key", "aws_session_token"})


def _optional_utc(value: datetime | None) -> datetime | None:
    checked = _validate.expiration_time(value)
    return None if checked is None else _creds.as_utc(checked)


def _check_credential(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Keys and token: a str without control characters (the error never shows them)."""
    _validate.credential_text(value, attribute.name)


def _check_region(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    _validate.region_name(value, attribute.name)


def _copy_kwargs(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if value is None else dict(value)


def _repr_client_kwargs(value: Mapping[str, Any] | None) -> str:
    if value is None:
        return "None"
    shown = {k: ("***" if k in _SECRET_KWARGS else v) for k, v in value.items()}
    return repr(shown)


def _service_aliases() -> dict[str, str]:
    """Upstream's constant names for services (``CloudWatchLogs`` -> ``logs``)."""
    return {
        name: value
        for name, value in vars(AwsServiceEnum).items()
        if not name.startswith("_") and isinstance(value, str)
    }


def _config_key(config: Config) -> str:
    """Equal botocore Configs share one client; a new but equal Config is no new key."""
    return repr(sorted(vars(config).items(), key=lambda item: item[0]))


@attrs.define(kw_only=True, eq=False)
class BotoSesManager(RoleMethods, ClientProperties, ServiceHelpers):
    """A boto3 session with cached clients, identity, roles and expiry.

    Every argument is optional; with none, the standard boto3 credential chain
    is used (environment, shared files, SSO, container and instance roles, web
    identity).

    Args:
        aws_access_key_id: an access key id.
        aws_secret_access_key: its secret key (never shown in repr or logs).
        aws_session_token: the session token of temporary credentials.
        region_name: the default region of every client.
        botocore_session: a botocore session to build on (used as is).
        profile_name: a profile of ``~/.aws/config`` / ``~/.aws/credentials``.
        default_client_kwargs: arguments merged under every ``get_client`` /
            ``get_resource`` call (e.g. ``{"endpoint_url": ...}``), inherited
            by every manager derived from this one, STS calls included.
        expiration_time: when the credentials expire (a naive datetime is
            taken as UTC).
        unsigned: never sign requests and never look for credentials
            (public buckets, open endpoints).
        clock: returns a tz-aware "now"; tests inject a fake one. Inherited by
            derived managers and used by their refreshing credentials.

    Example::

        from boto_session_manager import BotoSesManager

        bsm = BotoSesManager(profile_name="dev", region_name="us-east-1")
        bsm.s3_client.list_buckets()
        prod = bsm.assume_role("arn:aws:iam::111122223333:role/deploy", auto_refresh=True)
        print(prod.aws_account_id)
    """

    aws_access_key_id: str | None = attrs.field(default=None, validator=_check_credential)
    aws_secret_access_key: str | None = attrs.field(
        default=None, repr=False, validator=_check_credential
    )
    aws_session_token: str | None = attrs.field(
        default=None, repr=False, validator=_check_credential
    )
    region_name: str | None = attrs.field(default=None, validator=_check_region)
    botocore_session: Any = attrs.field(default=None, repr=False)
    profile_name: str | None = None
    default_client_kwargs: dict[str, Any] | None = attrs.field(
        default=None, converter=_copy_kwargs, repr=_repr_client_kwargs
    )
    expiration_time: datetime | None = attrs.field(default=None, converter=_optional_utc)
    unsigned: bool = False
    clock: Clock = attrs.field(default=utc_now, repr=False)

    _credentials: Credentials | None = attrs.field(default=None, init=False, repr=False)
    _origin: Origin | None = attrs.field(default=None, init=False, repr=False)
    _lock: threading.RLock = attrs.field(factory=threading.RLock, init=False, repr=False)
    _session: boto3.session.Session | None = attrs.field(default=None, init=False, repr=False)
    _clients: dict[Hashable, Any] = attrs.field(factory=dict, init=False, repr=False)
    _resources: dict[Hashable, Any] = attrs.field(factory=dict, init=False, repr=False)
    _identity: CallerIdentity | None = attrs.field(default=None, init=False, repr=False)
    _alias: Any = attrs.field(default=_NOT_FETCHED, init=False, repr=False)
    _helper_cache: TTLCache = attrs.field(factory=TTLCache, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        _forksafe.register(self._renew_lock)

    def _renew_lock(self) -> None:
        """In a forked child: a new lock (a parent thread may have held the old one)."""
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ session

    def create_boto_ses(self) -> boto3.session.Session:
        """Create a new boto3 session from this manager's settings.

        Sessions built here share the process-wide botocore data loader (see
        :mod:`boto_session_manager.sharing`) and, for derived managers, the same
        refreshing credentials object.

        Example::

            session = bsm.create_boto_ses()
            session.client("s3")
        """
        region = self.region_name
        if self.botocore_session is not None:
            install_on_session(self.botocore_session)  # errors never quote a secret
            return boto3.session.Session(
                aws_access_key_id=self.aws_access_key_id,
                aws_secret_access_key=self.aws_secret_access_key,
                aws_session_token=self.aws_session_token,
                region_name=region,
                botocore_session=self.botocore_session,
                profile_name=self.profile_name,
            )
        botocore_session = new_botocore_session()
        install_on_session(botocore_session)  # errors never quote a secret
        if self.profile_name is None and (
            self.aws_access_key_id or self._credentials is not None or self.unsigned
        ):
            ignore_environment_profile(botocore_session)
        if self._credentials is not None:
            _creds.attach(botocore_session, self._credentials)
            if isinstance(self._credentials, AutoRefreshCredentials):
                events = botocore_session.get_component("event_emitter")
                _creds.install_refresh_and_retry(events, self._credentials)
        elif self.unsigned:
            _creds.attach_none(botocore_session)
        return boto3.session.Session(
            aws_access_key_id=self.aws_access_key_id,
            aws_secret_access_key=self.aws_secret_access_key,
            aws_session_token=self.aws_session_token,
            region_name=region,
            botocore_session=botocore_session,
            profile_name=self.profile_name,
        )

    @property
    def boto_ses(self) -> boto3.session.Session:
        """The cached boto3 session (created on first use).

        Example::

            bsm.boto_ses.region_name
        """
        session = self._session
        if session is None:
            with self._lock:
                session = self._session
                if session is None:
                    session = self._session = self.create_boto_ses()
        return session

    # ------------------------------------------------------------ clients cache

    def _client_kwargs(
        self, given: Mapping[str, Any], use_ssl: bool, config: Config | None, unsigned: bool
    ) -> dict[str, Any]:
        """``default_client_kwargs`` with the call's own arguments merged over them."""
        kwargs = dict(self.default_client_kwargs or {})
        kwargs.update({k: v for k, v in given.items() if v is not None})
        if not use_ssl:
            kwargs["use_ssl"] = False
        if config is not None:
            base = kwargs.get("config")
            kwargs["config"] = base.merge(config) if isinstance(base, Config) else config
        if unsigned or self.unsigned:
            unsigned_config = Config(signature_version=UNSIGNED)
            base = kwargs.get("config")
            kwargs["config"] = base.merge(unsigned_config) if base is not None else unsigned_config
        return kwargs

    def _cached(self, cache: dict[Hashable, Any], key: Hashable, make: Callable[[], T]) -> T:
        with self._lock:
            found = cache.get(key)
            if found is None:
                found = cache[key] = make()
            return found

    def get_client(
        self,
        service_name: str,
        region_name: str | None = None,
        api_version: str | None = None,
        use_ssl: bool = True,
        verify: bool | str | None = None,
        endpoint_url: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        config: Config | None = None,
        *,
        unsigned: bool = False,
    ) -> BaseClient:
        """A low-level client, cached per distinct argument set.

        ``default_client_kwargs`` are merged under the arguments given here.
        Equal :class:`botocore.config.Config` objects count as the same key.

        Args:
            service_name: a botocore service name (``"s3"``, ``"dynamodb"`` ...).
            unsigned: an anonymous client (botocore ``UNSIGNED``), e.g. for
                public buckets.
            others: as :meth:`boto3.session.Session.client`.

        Thread safety: safe from any number of threads; exactly one client is
        created per key.

        Example::

            s3 = bsm.get_client("s3")
            assert s3 is bsm.get_client("s3")
            s3_eu = bsm.get_client("s3", region_name="eu-west-1")   # another client
        """
        if (
            region_name is None
            and api_version is None
            and use_ssl is True
            and verify is None
            and endpoint_url is None
            and aws_access_key_id is None
            and aws_secret_access_key is None
            and aws_session_token is None
            and config is None
            and not unsigned
        ):
            # The common call (and every *_client property): keyed by the name alone.
            client = self._clients.get(service_name)
            if client is not None:
                return client  # type: ignore[no-any-return]
            key: Hashable = service_name
        else:
            key = None
        return self._get_or_create(  # type: ignore[no-any-return]
            "client", key, service_name, region_name, api_version, use_ssl, verify,
            endpoint_url, aws_access_key_id, aws_secret_access_key, aws_session_token,
            config, unsigned,
        )  # fmt: skip

    def get_resource(
        self,
        service_name: str,
        region_name: str | None = None,
        api_version: str | None = None,
        use_ssl: bool = True,
        verify: bool | str | None = None,
        endpoint_url: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        config: Config | None = None,
        *,
        unsigned: bool = False,
    ) -> Any:
        """A boto3 service resource, cached per distinct argument set.

        Same arguments and merging as :meth:`get_client`.

        Thread safety: creation is safe from many threads, but boto3 resources
        themselves are not thread safe: don't mutate one from two threads.

        Example::

            table = bsm.get_resource("dynamodb").Table("users")
        """
        return self._get_or_create(
            "resource", None, service_name, region_name, api_version, use_ssl, verify,
            endpoint_url, aws_access_key_id, aws_secret_access_key, aws_session_token,
            config, unsigned,
        )  # fmt: skip

    def _get_or_create(
        self,
        kind: str,
        key: Hashable | None,
        service_name: str,
        region_name: str | None,
        api_version: str | None,
        use_ssl: bool,
        verify: bool | str | None,
        endpoint_url: str | None,
        aws_access_key_id: str | None,
        aws_secret_access_key: str | None,
        aws_session_token: str | None,
        config: Config | None,
        unsigned: bool,
    ) -> Any:
        """The cached client or resource for these arguments, created once."""
        cache = self._clients if kind == "client" else self._resources
        if key is None:
            key = (
                service_name, region_name, api_version, use_ssl, verify, endpoint_url,
                aws_access_key_id, aws_secret_access_key, aws_session_token,
                None if config is None else _config_key(config), unsigned,
            )  # fmt: skip
            found = cache.get(key)
            if found is not None:
                return found
        given = {
            "region_name": region_name,
            "api_version": api_version,
            "verify": verify,
            "endpoint_url": endpoint_url,
            "aws_access_key_id": aws_access_key_id,
            "aws_secret_access_key": aws_secret_access_key,
            "aws_session_token": aws_session_token,
        }
        _validate.client_arguments(given)
        kwargs = self._client_kwargs(given, use_ssl, config, unsigned)
        session: Any = self.boto_ses  # the stubs' overloads want a literal service name
        try:
            if kind == "client":
                return self._cached(
                    cache, key, lambda: guard_client(session.client(service_name, **kwargs))
                )
            return self._cached(
                cache, key, lambda: guard_resource(session.resource(service_name, **kwargs))
            )
        except (BotocoreUnknownServiceError, ResourceNotExistsError):
            if service_name in session.get_available_services():
                raise  # a real service without boto3 resources: boto3's message says so
            available = session.get_available_services()
            raise _validate.unknown_service(service_name, available, _service_aliases()) from None

    def clear_cache(self) -> None:
        """Forget the session, clients, resources, identity and account alias.

        The next call builds them again (credentials are read again too).

        Example::

            bsm.clear_cache()
        """
        with self._lock:
            self._session = None
            self._clients.clear()
            self._resources.clear()
            self._identity = None
            self._alias = _NOT_FETCHED
            self._helper_cache.clear()

    # ----------------------------------------------------------------- identity

    def _caller_identity(self) -> CallerIdentity:
        identity = self._identity
        if identity is None:
            with self._lock:
                identity = self._identity
                if identity is None:
                    response = self.sts_client.get_caller_identity()
                    identity = self._identity = CallerIdentity.from_response(response)
        return identity

    @property
    def aws_account_id(self) -> str:
        """The account id of the credentials (one cached STS call).

        Example::

            bsm.aws_account_id   # '123456789012'
        """
        return self._caller_identity().account

    @property
    def aws_account_user_id(self) -> str:
        """The unique id of the principal (``AIDA...`` or ``AROA...:session``)."""
        return self._caller_identity().user_id

    @property
    def principal_arn(self) -> str:
        """The ARN of the principal (user, assumed-role session ...)."""
        return self._caller_identity().arn

    @property
    def masked_aws_account_id(self) -> str:
        """The account id with its middle digits hidden, e.g. ``12********12``."""
        return mask_account_id(self.aws_account_id)

    @property
    def masked_aws_account_user_id(self) -> str:
        """The principal's unique id with all but its first and last 4 characters hidden.

        Example::

            bsm.masked_aws_account_user_id   # 'AIDA************WXYZ'
        """
        return mask_user_id(self.aws_account_user_id)

    @property
    def masked_principal_arn(self) -> str:
        """The principal ARN with the account id masked."""
        account = self.aws_account_id
        return self.principal_arn.replace(account, mask_account_id(account))

    @property
    def aws_region(self) -> str | None:
        """The region of the session (from the argument, profile or environment).

        None when no region is configured anywhere.
        """
        region: str | None = self.boto_ses.region_name
        return region

    @property
    def aws_account_alias(self) -> str | None:
        """The account's first IAM alias, or None when it has none (cached).

        Also None when the principal may not call ``iam:ListAccountAliases``.
        """
        alias = self._alias
        if alias is _NOT_FETCHED:
            with self._lock:
                alias = self._alias
                if alias is _NOT_FETCHED:
                    try:
                        aliases = self.iam_client.list_account_aliases()["AccountAliases"]
                    except ClientError as exc:
                        if exc.response.get("Error", {}).get("Code") not in _DENIED:
                            raise
                        aliases = []  # narrow roles may not list aliases: not an error here
                    alias = self._alias = aliases[0] if aliases else None
        return alias  # type: ignore[no-any-return]

    def check_credentials(self) -> CallerIdentity:
        """Check the credentials with AWS now (one uncached ``GetCallerIdentity``).

        CI jobs call it first, to fail fast with a message that says what is
        wrong instead of failing on the first real call.

        Returns:
            The caller's identity (also cached for :attr:`aws_account_id` ...).

        Raises:
            InvalidCredentialsError: ``reason`` is ``"expired"``,
                ``"invalid-key"``, ``"bad-signature"`` or ``"no-credentials"``;
                the message says what to do.

        Example::

            try:
                me = bsm.check_credentials()
            except InvalidCredentialsError as exc:
                sys.exit(str(exc))
            print(me.account)
        """
        identity = self._identity = check_identity(lambda: self.get_client("sts"))
        return identity

    @property
    def credential_source(self) -> str:
        """Where the credentials come from.

        One of ``"explicit-keys"``, ``"profile"``, ``"env"``, ``"assume-role"``,
        ``"session-token"``, ``"web-identity"``, ``"sso"``,
        ``"credential-process"``, ``"container"``, ``"instance-metadata"``,
        ``"unsigned"`` or ``"none"`` (botocore's name for anything newer).
        Resolving it may look up the default chain, but makes no AWS call.

        Example::

            if bsm.credential_source == "env":
                print("using the job's environment credentials")
        """
        if self.unsigned:
            return "unsigned"
        if self._origin is not None:
            return self._origin.kind
        if self.aws_access_key_id and self.botocore_session is None:
            return "explicit-keys"
        creds = self.boto_ses.get_credentials()
        return source_name(None if creds is None else getattr(creds, "method", None))

    @property
    def has_keys(self) -> bool:
        """True when the credentials are keys given to the constructor."""
        return self.credential_source == "explicit-keys"

    @property
    def has_profile(self) -> bool:
        """True when a profile was named (``profile_name=``)."""
        return self.profile_name is not None

    @property
    def has_role(self) -> bool:
        """True when this manager is an assumed role (any kind of assumption)."""
        return self._origin is not None and self._origin.kind in ("assume-role", "web-identity")

    @property
    def has_mfa(self) -> bool:
        """True when an MFA device was used to obtain these credentials."""
        return self._origin is not None and "SerialNumber" in self._origin.params

    def use_as_default(self) -> _DefaultSessionSwitch:
        """Make plain ``boto3.client(...)`` / ``boto3.resource(...)`` use this manager.

        Legacy code that calls ``boto3.client("s3")`` then signs with this
        manager's credentials (refreshing ones included). Called plainly it
        switches for good; used as a context manager it restores the previous
        default on exit, normal or by exception.

        ``default_client_kwargs`` do not apply to plain ``boto3.client`` calls
        (set ``AWS_ENDPOINT_URL`` for a local endpoint).

        Thread safety: boto3's default session is process-wide: the switch is
        seen by every thread at once. Switch once at start-up, or hold the
        context manager around code that no other thread runs concurrently.

        Example::

            with prod.use_as_default():
                legacy_report()            # its boto3.client("sts") is prod's
        """
        return _DefaultSessionSwitch(self)

    def who_am_i(self, masked: bool = True) -> dict[str, str | None]:
        """Account, alias, principal and region as a dict (what ``bsm whoami`` prints)."""
        return {
            "account_id": self.masked_aws_account_id if masked else self.aws_account_id,
            "account_alias": self.aws_account_alias,
            "principal_arn": self.masked_principal_arn if masked else self.principal_arn,
            "user_id": self.masked_aws_account_user_id if masked else self.aws_account_user_id,
            "region": self.aws_region,
        }

    def print_who_am_i(self, masked: bool = True) -> None:
        """Print the account, alias, principal and region (masked by default).

        Example::

            >>> bsm.print_who_am_i()
            User Id = AIDA************WXYZ
            AWS Account Id = 12********12
            Principal Arn = arn:aws:iam::12********12:user/alice
            AWS Account Alias = my-company-dev
            AWS Region = us-east-1
        """
        info = self.who_am_i(masked=masked)
        print(f"User Id = {info['user_id']}")
        print(f"AWS Account Id = {info['account_id']}")
        print(f"Principal Arn = {info['principal_arn']}")
        print(f"AWS Account Alias = {info['account_alias']}")
        print(f"AWS Region = {info['region']}")

    # -------------------------------------------------------------- credentials

    def _live_credentials(self) -> Credentials | None:
        if self._credentials is not None:
            return self._credentials
        return self.boto_ses.get_credentials()

    def get_frozen_credentials(self) -> FrozenCredentials:
        """One consistent (access key, secret key, token) set, refreshed if due.

        The value is botocore's ``ReadOnlyCredentials`` tuple (same fields,
        unpacking and ``isinstance``) whose repr hides the secret key and token.

        Raises:
            NoCredentialsError: the manager has no credentials at all.

        Example::

            creds = bsm.get_frozen_credentials()
            creds.access_key
        """
        return _creds.frozen(self._live_credentials())

    def current_credentials(self) -> TemporaryCredentials:
        """The credentials in use now, keys and expiry as one consistent value.

        A refreshing manager refreshes first when it is due; the keys and the
        expiry always belong to the same set, even when a refresh happens
        between the two reads.

        Raises:
            NoCredentialsError: the manager has no credentials at all.

        Thread safety: safe from any thread.

        Example::

            creds = role.current_credentials()
            print(creds.access_key_id, creds.expiration)   # the repr hides the secrets
        """
        live = self._live_credentials()
        for _ in range(3):
            before = _creds.frozen(live)
            expiry = _creds.current_expiry(live)
            if _creds.frozen(live) == before:
                break
        return TemporaryCredentials(
            access_key_id=before.access_key or "",
            secret_access_key=before.secret_key or "",
            session_token=before.token or None,
            expiration=expiry or self.expiration_time,
        )

    @property
    def credential_expiration(self) -> datetime | None:
        """When the credentials in use now expire (None when they never do).

        For a refreshing manager this is the expiry of the current set, which
        moves forward at each refresh.
        """
        return self.current_credentials().expiration

    def is_expired(self, delta: int = 0) -> bool:
        """True when the credentials expire within ``delta`` seconds from now.

        Credentials without an expiry never expire. A refreshing manager
        refreshes first when its credentials are due, so it answers for the
        set it would use now.

        Example::

            if bsm.is_expired(delta=300):
                bsm = make_a_new_manager()
        """
        seconds = _validate.delta_seconds(delta)
        expiry = self.credential_expiration
        if expiry is None:
            return False
        return expiry - timedelta(seconds=seconds) <= self.clock()

    # ---------------------------------------------------------- derived managers

    def _on_credentials(
        self, credentials: Credentials | None, region_name: str | None
    ) -> BotoSesManager:
        """A manager with this one's client defaults and clock, on ``credentials``.

        The credentials object is shared, not copied: refreshing credentials
        keep refreshing for every manager holding them.
        """
        other = type(self)(
            region_name=region_name,
            default_client_kwargs=self.default_client_kwargs,
            clock=self.clock,
        )
        other._credentials = credentials
        return other

    def _derive(
        self,
        *,
        fetch: Callable[[], TemporaryCredentials],
        method: str,
        kind: str,
        params: Mapping[str, Any],
        auto_refresh: bool,
        region_name: str | None,
    ) -> BotoSesManager:
        """A manager on credentials from ``fetch``, remembering how they were made."""
        region = region_name or self.region_name or self.aws_region
        first: list[TemporaryCredentials] = []

        def fetch_and_keep_first() -> TemporaryCredentials:
            fresh = fetch()
            if not first:
                first.append(fresh)
            return fresh

        if auto_refresh:
            live = AutoRefreshCredentials(
                fetch_and_keep_first,
                method=method,
                clock=self.clock,
                on_rejected=getattr(fetch, "discard", None),  # the file cache forgets a refused set
            )
            live.get_frozen_credentials()  # fail now, not at the first API call
            derived = self._on_credentials(live, region)
        else:
            fresh = fetch_and_keep_first()
            derived = type(self)(
                aws_access_key_id=fresh.access_key_id,
                aws_secret_access_key=fresh.secret_access_key,
                aws_session_token=fresh.session_token,
                expiration_time=fresh.expiration,
                region_name=region,
                default_client_kwargs=self.default_client_kwargs,
                clock=self.clock,
            )
        derived._origin = Origin(kind=kind, parent=self, params=params, auto_refresh=auto_refresh)
        # STS already said who the role session is: no GetCallerIdentity needed.
        derived._identity = first[0].caller_identity() if first else None
        return derived

    # --------------------------------------------------------- command-line, IAM

    @classmethod
    def from_args(cls, namespace: Any) -> BotoSesManager:
        """Build a manager from :class:`~boto_session_manager.cli_args.AWSArgumentParser` options.

        Assumes the role when ``--role`` was given, and opens an MFA session
        when ``--mfa-serial`` was given without a role.

        Example::

            parser = AWSArgumentParser(role_session_name="nightly-report")
            bsm = BotoSesManager.from_args(parser.parse_args())
        """
        from .cli_args import manager_from_args

        return manager_from_args(namespace, manager_class=cls)

    def generate_password(self) -> str:
        """A random password that meets this account's IAM password policy.

        AWS's default policy is used when the account has none.

        Example::

            password = bsm.generate_password()
        """
        from .password import account_password_policy, generate_password

        return generate_password(account_password_policy(self.get_client("iam")))

    # ----------------------------------------------------- child processes, files

    @contextmanager
    def awscli(self) -> Iterator[BotoSesManager]:
        """Put this manager's credentials and region into ``os.environ`` for the block.

        Sets ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
        ``AWS_SESSION_TOKEN`` (removed when there is none), ``AWS_REGION``,
        ``AWS_DEFAULT_REGION`` and ``AWS_CREDENTIAL_EXPIRATION`` (removed when
        the credentials never expire); removes ``AWS_PROFILE`` and
        ``AWS_DEFAULT_PROFILE``. On exit, normal or by exception, the
        environment is restored exactly.

        Raises:
            NoCredentialsError: before touching the environment, when the
                manager has no credentials.

        Thread safety: the environment is process-wide. Blocks from several
        threads or asyncio tasks may overlap and exit in any order: while
        any is active the most recently entered one's values are in effect,
        and once the last one exits the environment from before the first
        is back exactly (see :mod:`boto_session_manager.awscli`).

        Example::

            import subprocess

            with bsm.awscli():
                subprocess.run(["aws", "sts", "get-caller-identity"], check=True)
        """
        env = credentials_environment(self.current_credentials(), self.aws_region)
        with patched_environ(env):
            yield self

    def to_snapshot(self) -> dict[str, Any]:
        """The credentials and region as a dict (upstream's key names).

        Keys: ``region_name``, ``aws_access_key_id``, ``aws_secret_access_key``,
        ``aws_session_token`` (only when there is one) and ``expiration_time``
        (ISO 8601, only when the credentials expire). The dict holds secrets:
        keep it out of logs.

        Example::

            snapshot = bsm.to_snapshot()
            same = BotoSesManager.from_snapshot(snapshot)
        """
        creds = self.current_credentials()
        snapshot: dict[str, Any] = {
            "region_name": self.aws_region,
            "aws_access_key_id": creds.access_key_id,
            "aws_secret_access_key": creds.secret_access_key,
        }
        if creds.session_token:
            snapshot["aws_session_token"] = creds.session_token
        if creds.expiration is not None:
            snapshot["expiration_time"] = creds.expiration.isoformat()
        return snapshot

    @classmethod
    def from_snapshot(
        cls, snapshot: Mapping[str, Any], *, allow_expired: bool = False, **kwargs: Any
    ) -> BotoSesManager:
        """Build a manager from a :meth:`to_snapshot` dict.

        Extra keyword arguments (e.g. ``default_client_kwargs``) go to the
        constructor. Expired credentials are refused unless ``allow_expired``.

        Raises:
            SnapshotError: the dict is malformed (the message says which key).
            SnapshotExpiredError: its ``expiration_time`` has passed.
        """
        options = parse_snapshot(snapshot, allow_expired=allow_expired)
        return _from_snapshot_options(cls, options, kwargs, "snapshot")

    @classmethod
    def from_snapshot_file(
        cls, path: PathLike | None = None, *, allow_expired: bool = False, **kwargs: Any
    ) -> BotoSesManager:
        """Build a manager from a snapshot file (default ``~/.bsm-snapshot.json``).

        The file must be the current user's, not writable by group or others,
        and not a symlink. Expired credentials are refused unless
        ``allow_expired``.

        Raises:
            SnapshotError: the file is missing, unreadable, not JSON or
                malformed; the message names the file.
            SnapshotExpiredError: its ``expiration_time`` has passed.
            UntrustedFileError: a symlink, another user's file, or writable by
                group or others (the message says how to fix it).

        Example::

            bsm = BotoSesManager.from_snapshot_file()
        """
        options = read_snapshot_file(path, allow_expired=allow_expired)
        where = f"snapshot file {str(resolve_path(path))!r}"
        return _from_snapshot_options(cls, options, kwargs, where)

    @contextmanager
    def temp_snapshot(self, path: PathLike | None = None) -> Iterator[Any]:
        """Write a snapshot file for the block (mode 0600, atomic), then delete it.

        A file already at ``path`` is never overwritten or deleted: the call
        refuses with :class:`~boto_session_manager.exceptions.SnapshotExistsError`.

        Yields:
            The path of the file (a :class:`pathlib.Path`).

        Example::

            import subprocess

            with bsm.temp_snapshot():
                with other_account.awscli():
                    # my_script.py calls BotoSesManager.from_snapshot_file()
                    subprocess.run(["python", "my_script.py"], check=True)
        """
        text = json.dumps(self.to_snapshot(), indent=2)
        with temporary_file(resolve_path(path), text) as file:
            yield file

    # ======================================================================
    # Many accounts and pickling: delegations to fanout.py and
    # _pickling.py. Keep this section last in the class body.
    # ======================================================================

    def for_each_account(
        self, func: Callable[..., T], *, options: FanOutOptions | None = None, **keywords: Any
    ) -> FanOutResult[T]:
        """Run ``func(account_bsm)`` in every account, in threads; collect values and errors.

        The accounts are the organization's ACTIVE ones, or ``account_ids``,
        or those of ``organizational_units``; minus ``exclude``; only those
        with every tag of ``account_tags``. With ``regions`` (a list, or
        ``"enabled"``), ``func(account_bsm, region)`` runs per account and
        region. This manager's own account runs with this manager (no role
        assumed). One failing account never stops the others; throttling is
        retried with backoff. The keywords (``account_ids=None``,
        ``role_name="OrganizationAccountAccessRole"``, ``regions=None``,
        ``max_workers=16`` ...) are the fields of
        :class:`~boto_session_manager.fanout.FanOutOptions`; the thread-safety
        contract (``func`` runs concurrently!) is in
        :mod:`boto_session_manager.fanout`.

        Returns:
            A :class:`~boto_session_manager.fanout.FanOutResult` whose
            ``.results`` and ``.errors`` are keyed by account id, or by
            ``(account_id, region)`` when ``regions`` is given; typed by what
            ``func`` returns.

        Example::

            run = bsm.for_each_account(lambda a: a.s3_client.list_buckets()["Buckets"])
            print(len(run.results), "accounts,", len(run.errors), "failed")
        """
        from .fanout import for_each_account

        return for_each_account(self, func, options=options, **keywords)

    def for_each_account_iter(
        self, func: Callable[..., T], *, options: FanOutOptions | None = None, **keywords: Any
    ) -> Iterator[AccountResult[T]]:
        """Like :meth:`for_each_account`, yielding each account's result as it finishes.

        At most ``max_in_flight`` (default ``2 * max_workers``) tasks are in
        memory at once. See :func:`boto_session_manager.fanout.for_each_account_iter`.

        Example::

            for outcome in bsm.for_each_account_iter(audit, account_ids=ids):
                print(outcome.key, outcome.value if outcome.ok else outcome.error)
        """
        from .fanout import for_each_account_iter

        return for_each_account_iter(self, func, options=options, **keywords)

    def __getstate__(self) -> dict[str, Any]:
        """Credentials and recipe only, never clients, sessions or locks (see ``_pickling``)."""
        from ._pickling import manager_state

        return manager_state(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Rebuild from :meth:`__getstate__`; auto-refresh managers keep refreshing."""
        from ._pickling import restore_manager

        restore_manager(self, state)


def _from_snapshot_options(
    cls: type[BotoSesManager], options: dict[str, Any], kwargs: Mapping[str, Any], where: str
) -> BotoSesManager:
    """A manager from snapshot options; a value the constructor refuses is a SnapshotError."""
    from_snapshot = dict(options)
    options = dict(options, **kwargs)
    try:
        return cls(**options)
    except InvalidArgumentError as exc:
        if exc.argument not in from_snapshot or exc.argument in kwargs:
            raise
        msg = f"{where}: {exc}"  # names the key, never the value
        raise SnapshotError(msg) from None


#: The same class under a shorter name.
SessionManager = BotoSesManager


class _DefaultSessionSwitch:
    """Returned by :meth:`BotoSesManager.use_as_default`: already switched; a
    ``with`` block switches back on exit."""

    def __init__(self, bsm: BotoSesManager) -> None:
        self._previous = boto3.DEFAULT_SESSION
        self._bsm = bsm
        boto3.DEFAULT_SESSION = bsm.boto_ses

    def __enter__(self) -> BotoSesManager:
        return self._bsm

    def __exit__(self, *exc_info: object) -> None:
        boto3.DEFAULT_SESSION = self._previous
