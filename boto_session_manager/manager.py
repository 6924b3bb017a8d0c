"""The manager: an index of what a boto3 session manager does, each part in its own room.

:class:`BotoSesManager` holds the constructor's settings and a few
collaborators, and each public method is a few lines that delegate: the
:class:`~boto_session_manager.client_cache.ClientCache` (one client per
:class:`~boto_session_manager.client_cache.ClientKey`), the
:class:`~boto_session_manager.identity.Identity` (who the credentials are),
the :class:`~boto_session_manager.recipe.Recipe` (how they are made), the
session builder (:mod:`boto_session_manager.session`) and the
:class:`~boto_session_manager.services.ServiceHelpers`. Its bases add
methods that use only its public API: identity properties, where the
credentials come from, roles, service helpers, exports, fan-out, and the
generated ``*_client`` properties.

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

import threading
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import boto3
from botocore.config import Config

from . import _forksafe, _validate
from . import credentials as _creds
from ._auth_manager import build_manager
from ._clients import AwsServiceEnum, ClientProperties
from ._fanout_methods import FanOutMethods
from .awscli import DefaultSessionSwitch
from .cache import CredentialFileCache, ProviderCache
from .client_cache import ClientCache, ClientKey, make_client, repr_client_kwargs
from .credentials import Clock, FrozenCredentials, TemporaryCredentials, utc_now
from .exports import ExportMethods, snapshot_manager
from .identity import Identity, IdentityMethods
from .recipe import (
    CredentialRequest,
    Recipe,
    SourceMethods,
    base_recipe,
    derived_arguments,
    shared_arguments,
)
from .roles import RoleMethods
from .services import HelperMethods, ServiceHelpers
from .services._cache import TTLCache
from .session import build_session
from .snapshot import (
    PathLike,
    default_snapshot_path,
    parse_snapshot,
    read_snapshot_file,
    resolve_path,
)

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from botocore.credentials import Credentials


T = TypeVar("T")

__all__ = ["PATH_DEFAULT_SNAPSHOT", "AwsServiceEnum", "BotoSesManager", "SessionManager"]

#: ``~/.bsm-snapshot.json`` at import time (upstream's import path; the
#: manager itself resolves the home directory at call time).
PATH_DEFAULT_SNAPSHOT = default_snapshot_path()


def _optional_utc(value: datetime | None) -> datetime | None:
    checked = _validate.expiration_time(value)
    return None if checked is None else _creds.as_utc(checked)


@attrs.define(eq=False)
class BotoSesManager(
    ClientProperties,
    IdentityMethods,
    SourceMethods,
    HelperMethods,
    RoleMethods,
    ExportMethods,
    FanOutMethods,
):
    """A boto3 session with cached clients, identity, roles and expiry.

    Every argument is optional; with none, the standard boto3 credential chain
    is used (environment, shared files, SSO, container and instance roles, web
    identity). The first eight may be given by position, in this order.

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
        cache_dir: with a profile that assumes a role (``role_arn`` and
            ``source_profile``), keep that role's credentials in this
            directory as ``assume_role`` does, so managers and processes
            on the profile make one AssumeRole call until they near expiry.
        recipe: how the credentials are made; given by the methods that
            derive managers (``assume_role``, ``in_region`` ...),
            worked out from the other arguments otherwise.

    Example::

        from boto_session_manager import BotoSesManager

        bsm = BotoSesManager(profile_name="dev", region_name="us-east-1")
        bsm.s3_client.list_buckets()
        prod = bsm.assume_role("arn:aws:iam::111122223333:role/deploy", auto_refresh=True)
        print(prod.aws_account_id)
    """

    aws_access_key_id: str | None = attrs.field(default=None, validator=_validate.credential_field)
    aws_secret_access_key: str | None = attrs.field(
        default=None, repr=False, validator=_validate.credential_field
    )
    aws_session_token: str | None = attrs.field(
        default=None, repr=False, validator=_validate.credential_field
    )
    region_name: str | None = attrs.field(default=None, validator=_validate.region_field)
    botocore_session: Any = attrs.field(default=None, repr=False)
    profile_name: str | None = None
    default_client_kwargs: dict[str, Any] | None = attrs.field(
        default=None, converter=_validate.copied_mapping, repr=repr_client_kwargs
    )
    expiration_time: datetime | None = attrs.field(default=None, converter=_optional_utc)
    unsigned: bool = attrs.field(default=False, kw_only=True)
    clock: Clock = attrs.field(default=utc_now, repr=False, kw_only=True)
    cache_dir: PathLike | None = attrs.field(default=None, repr=False, kw_only=True)
    _recipe: Recipe | None = attrs.field(default=None, repr=False, kw_only=True, alias="recipe")

    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)
    _session: boto3.session.Session | None = attrs.field(default=None, init=False, repr=False)
    _clients: ClientCache = attrs.field(factory=ClientCache, init=False, repr=False)
    _identity: Identity = attrs.field(init=False, repr=False)
    _helper_cache: TTLCache = attrs.field(factory=TTLCache, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self._recipe is None:
            self._recipe = base_recipe(
                unsigned=self.unsigned,
                has_keys=bool(self.aws_access_key_id),
                has_botocore_session=self.botocore_session is not None,
            )
        self._identity = Identity(known=self._recipe.identity)
        _forksafe.register(self._after_fork)

    def _after_fork(self) -> None:
        """In a forked child: new locks (a parent thread may have held the old ones)."""
        self._lock = threading.Lock()
        self._clients.reset()
        self._identity.reset()

    @property
    def recipe(self) -> Recipe:
        """How this manager's credentials are made (see :mod:`boto_session_manager.recipe`).

        Example::

            role = bsm.assume_role(role_arn)
            role.recipe.source, role.recipe.parent is bsm   # ("assume-role", True)
        """
        assert self._recipe is not None  # set by __attrs_post_init__
        return self._recipe

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
        return build_session(
            keys=(self.aws_access_key_id, self.aws_secret_access_key, self.aws_session_token),
            region_name=self.region_name,
            profile_name=self.profile_name,
            botocore_session=self.botocore_session,
            shared=self.recipe.credentials,
            unsigned=self.unsigned,
            settings=dict(self.recipe.settings),
            role_cache=(
                None
                if self.cache_dir is None
                else ProviderCache(CredentialFileCache(self.cache_dir, self.clock))
            ),
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

    def _make(self, key: ClientKey) -> Any:
        """Build the client or resource ``key`` names (the cache calls it once per key)."""
        return make_client(self.boto_ses, key, self.default_client_kwargs, unsigned=self.unsigned)

    def _get_client(
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

        Raises:
            UnknownServiceError: botocore knows no such service; the message
                suggests the nearest names (``logs`` for ``cloudwatch-logs``).
            InvalidArgumentError: a region or key that cannot be used (keys
                and tokens are never quoted).

        Thread safety: safe from any number of threads; exactly one client is
        created per key (see :class:`~boto_session_manager.client_cache.ClientCache`).

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
            # The common call (and every *_client property): looked up by name alone.
            client = self._clients.defaults.get(service_name)
            if client is not None:
                return client  # type: ignore[no-any-return]
        key = ClientKey(
            service_name, region_name, api_version, use_ssl, verify, endpoint_url,
            aws_access_key_id, aws_secret_access_key, aws_session_token, config, unsigned,
        )  # fmt: skip
        return self._clients.get(key, self._make)  # type: ignore[no-any-return]

    def _get_resource(
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
        key = ClientKey(
            service_name, region_name, api_version, use_ssl, verify, endpoint_url,
            aws_access_key_id, aws_secret_access_key, aws_session_token, config, unsigned,
            kind="resource",
        )  # fmt: skip
        return self._clients.get(key, self._make)

    if not TYPE_CHECKING:
        # Type checkers read ClientProperties' base instead: one overload per
        # service name (_client_types.pyi), so get_client("s3") is an S3Client.
        get_client = _get_client
        get_resource = _get_resource

    def clear_cache(self) -> None:
        """Forget the session, clients, resources, identity and account alias.

        The next call builds them again (credentials are read again too).

        Example::

            bsm.clear_cache()
        """
        with self._lock:
            self._session = None
        self._clients.clear()
        self._identity.clear()
        self._helper_cache.clear()

    # ----------------------------------------------------------------- identity

    @property
    def identity(self) -> Identity:
        """The cache of who these credentials are (caller identity, account alias).

        The identity properties (:attr:`aws_account_id` ...) read it.
        """
        return self._identity

    def use_as_default(self) -> DefaultSessionSwitch[BotoSesManager]:
        """Make plain ``boto3.client(...)`` / ``boto3.resource(...)`` use this manager.

        Called plainly it switches for good; used as a context manager it
        restores the previous default on exit, normal or by exception.
        ``default_client_kwargs`` do not apply to plain ``boto3.client`` calls
        (set ``AWS_ENDPOINT_URL`` for a local endpoint).

        Thread safety: boto3's default session is process-wide: the switch is
        seen by every thread at once. Switch once at start-up, or hold the
        context manager around code that no other thread runs concurrently.

        Example::

            with prod.use_as_default():
                legacy_report()            # its boto3.client("sts") is prod's
        """
        return DefaultSessionSwitch(self)

    # -------------------------------------------------------------- credentials

    def _live_credentials(self) -> Credentials | None:
        shared = self.recipe.credentials
        return shared if shared is not None else self.boto_ses.get_credentials()

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
        return TemporaryCredentials.from_frozen(before, expiry or self.expiration_time)

    @property
    def credential_expiration(self) -> datetime | None:
        """When the credentials in use now expire (None when they never do).

        For a refreshing manager this is the expiry of the current set, which
        moves forward at each refresh.
        """
        return self.current_credentials().expiration

    def is_expired(self, delta: int = 0) -> bool:
        """True when the credentials expire within ``delta`` seconds from now.

        Credentials without an expiry never expire, and neither does a
        manager that renews itself (``auto_refresh=True``).

        Raises:
            InvalidArgumentTypeError: ``delta`` is not a number of seconds.

        Example::

            if bsm.is_expired(delta=300):
                bsm = make_a_new_manager()
        """
        seconds = _validate.delta_seconds(delta)
        if self.recipe.renews_itself:
            return False
        expiry = self.credential_expiration
        if expiry is None:
            return False
        return expiry - timedelta(seconds=seconds) <= self.clock()

    # ---------------------------------------------------------- derived managers

    def in_region(self, region_name: str | None) -> BotoSesManager:
        """A manager on these very credentials, client defaults and clock, in another region.

        The credentials object is shared, not copied: refreshing credentials
        keep refreshing for both managers at once.

        Thread safety: safe from any thread.

        Example::

            eu = bsm.in_region("eu-west-1")
            eu.get_client("s3")
        """
        return type(self)(**shared_arguments(self, region_name))

    def derive(
        self,
        request: CredentialRequest,
        *,
        auto_refresh: bool = False,
        region_name: str | None = None,
        cache_dir: PathLike | None = None,
    ) -> BotoSesManager:
        """A manager on the credentials ``request`` fetches, remembering how (its recipe).

        The new manager keeps this one's ``default_client_kwargs``, clock and
        region (unless ``region_name`` is given). :meth:`assume_role`,
        :meth:`get_session_token` and :meth:`assume_role_with_web_identity`
        are this method on the requests of :mod:`boto_session_manager.roles`.

        Example::

            from boto_session_manager.roles import assume_role_request

            role = bsm.derive(assume_role_request(bsm.get_client, role_arn))
        """
        arguments = derived_arguments(
            self, request, auto_refresh=auto_refresh, region_name=region_name, cache_dir=cache_dir
        )
        return type(self)(**arguments)

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
        return build_manager(namespace, cls)

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
        return snapshot_manager(cls, options, kwargs, "snapshot")

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
        return snapshot_manager(cls, options, kwargs, where)

    # -------------------------------------------- many accounts, helpers, pickling

    @property
    def helpers(self) -> ServiceHelpers:
        """The service helpers on this manager's clients and helper cache.

        The ``get_secret``, ``get_parameter`` ... methods of the manager are
        these helpers' methods.
        """
        return ServiceHelpers(self.get_client, self._helper_cache)

    def __getstate__(self) -> dict[str, Any]:
        """Credentials and recipe only, never clients, sessions or locks (see ``_pickling``)."""
        from ._pickling import manager_state

        return manager_state(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Rebuild from :meth:`__getstate__`; auto-refresh managers keep refreshing."""
        from ._pickling import restored_arguments

        self.__init__(**restored_arguments(state))  # type: ignore[misc]


#: The same class under a shorter name.
SessionManager = BotoSesManager
