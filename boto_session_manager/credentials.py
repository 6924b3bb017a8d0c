"""Temporary credentials: STS fetchers and botocore's refreshable credentials.

The public routes are used wherever botocore offers them:

- refreshable credentials are :class:`botocore.credentials.DeferredRefreshableCredentials`
  fed by our own fetchers (plain functions returning
  :class:`TemporaryCredentials`);
- they reach a botocore session through a ``credential_provider`` component
  (a :class:`botocore.credentials.CredentialResolver`), never by setting
  ``session._credentials``;
- exports read ``get_frozen_credentials()``, never ``.access_key`` then
  ``.secret_key`` (two reads can straddle a refresh and mix two key sets).

Three things botocore keeps private are reached through
``boto_session_manager._botocore`` (the one door to botocore internals,
checked by its ``check()``): the refresh windows (which
:class:`~botocore.credentials.RefreshableCredentials` takes from its
constructor but :class:`~botocore.credentials.DeferredRefreshableCredentials`
does not), the expiry of the set in use, and a refresh under botocore's own
refresh lock.

Refresh windows scale with the credentials' lifetime. botocore refreshes when
15 minutes are left (advisory) and blocks every caller when 10 are left
(mandatory): 900-second credentials, the STS minimum and the usual lifetime of
chained roles, are then *always* due, and every API call made an STS call. Here
the windows are ``min(15 min, lifetime / 4)`` and ``min(10 min, lifetime / 6)``,
recomputed at each refresh from what STS actually returned.

Thread safety: a refreshable credentials object refreshes at most once at a
time (botocore's lock); in the mandatory window other readers wait for that
one refresh instead of making their own STS call. Fetchers are safe to call
from any thread.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, Union

import attrs
from botocore.credentials import (
    CredentialProvider,
    CredentialResolver,
    Credentials,
    DeferredRefreshableCredentials,
    ReadOnlyCredentials,
)

from . import _botocore, _validate
from .exceptions import InvalidArgumentError, NoCredentialsError
from .identity import CallerIdentity

logger = logging.getLogger(__name__)

#: A clock returning a tz-aware "now" (botocore's ``time_fetcher`` pattern).
Clock = Callable[[], datetime]

#: An MFA code, or a callable asked for a fresh one each time STS needs it.
MfaToken = Union[str, Callable[[], str]]

#: The version tag of credential file cache entries.
CACHE_FORMAT = "boto_session_manager/credential-cache/1"

ADVISORY_WINDOW_MAX = 15 * 60
MANDATORY_WINDOW_MAX = 10 * 60


def utc_now() -> datetime:
    """The default clock: tz-aware UTC (20x cheaper than botocore's tzlocal clock)."""
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """A naive datetime is taken as UTC; an aware one is converted to UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def default_role_session_name() -> str:
    """A unique session name, so concurrent runs are told apart in CloudTrail."""
    return f"bsm-{uuid.uuid4().hex[:16]}"


@attrs.frozen
class TemporaryCredentials:
    """One set of credentials as STS hands it out. The repr hides the secrets.

    Attributes:
        access_key_id: the access key id (not a secret: it names the key).
        secret_access_key: the secret key.
        session_token: the session token, or None for long-term keys.
        expiration: tz-aware expiry, or None when the keys never expire.
    """

    access_key_id: str
    secret_access_key: str = attrs.field(repr=False)
    session_token: str | None = attrs.field(default=None, repr=False)
    expiration: datetime | None = None
    assumed_role_arn: str | None = None
    assumed_role_id: str | None = None

    @classmethod
    def from_sts(cls, response: Mapping[str, Any]) -> TemporaryCredentials:
        """Build from an STS response (``AssumeRole``, ``GetSessionToken`` ...)."""
        creds = response["Credentials"]
        user = response.get("AssumedRoleUser") or {}
        return cls(
            access_key_id=creds["AccessKeyId"],
            secret_access_key=creds["SecretAccessKey"],
            session_token=creds.get("SessionToken"),
            expiration=as_utc(creds["Expiration"]),
            assumed_role_arn=user.get("Arn"),
            assumed_role_id=user.get("AssumedRoleId"),
        )

    def caller_identity(self) -> CallerIdentity | None:
        """Who these credentials are, when STS said so (role assumptions do)."""
        arn, user_id = self.assumed_role_arn, self.assumed_role_id
        parts = (arn or "").split(":")
        if not arn or not user_id or len(parts) < 6 or not parts[4]:
            return None
        return CallerIdentity(account=parts[4], user_id=user_id, arn=arn)

    @classmethod
    def from_frozen(
        cls, frozen: ReadOnlyCredentials, expiration: datetime | None = None
    ) -> TemporaryCredentials:
        """Build from botocore's ``get_frozen_credentials()`` triple and an expiry."""
        return cls(
            access_key_id=frozen.access_key or "",
            secret_access_key=frozen.secret_key or "",
            session_token=frozen.token or None,
            expiration=expiration,
        )

    def to_constructor_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of :class:`~boto_session_manager.BotoSesManager` for these keys."""
        return {
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_access_key,
            "aws_session_token": self.session_token,
            "expiration_time": self.expiration,
        }

    def to_snapshot(self, region: str | None) -> dict[str, Any]:
        """The snapshot dict (upstream's key names; token and expiry only when present)."""
        snapshot: dict[str, Any] = {
            "region_name": region,
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_access_key,
        }
        if self.session_token:
            snapshot["aws_session_token"] = self.session_token
        if self.expiration is not None:
            snapshot["expiration_time"] = self.expiration.isoformat()
        return snapshot

    def to_environment(self, region: str | None) -> dict[str, str | None]:
        """The variables that make a child process use these credentials (None: remove).

        ``AWS_SESSION_TOKEN`` and ``AWS_CREDENTIAL_EXPIRATION`` are removed when
        there is none; the profile variables and the legacy
        ``AWS_SECURITY_TOKEN`` are always removed.
        """
        env: dict[str, str | None] = {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_SESSION_TOKEN": self.session_token or None,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            # The legacy name some tools still read first.
            "AWS_SECURITY_TOKEN": None,
            "AWS_PROFILE": None,
            "AWS_DEFAULT_PROFILE": None,
        }
        # Always set or removed: an outer AWS_CREDENTIAL_EXPIRATION (from bsm exec,
        # aws-vault ...) would otherwise be paired with these keys by the child.
        expiration = self.expiration
        env["AWS_CREDENTIAL_EXPIRATION"] = expiration.isoformat() if expiration else None
        return env

    def to_credential_process(self) -> dict[str, Any]:
        """The ``credential_process`` JSON document (Version 1)."""
        document: dict[str, Any] = {
            "Version": 1,
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
        }
        if self.session_token:
            document["SessionToken"] = self.session_token
        if self.expiration is not None:
            document["Expiration"] = self.expiration.isoformat()
        return document

    def to_cache_entry(self, issued: datetime) -> dict[str, Any]:
        """The credential file cache's entry (``format`` names its version).

        :func:`boto_session_manager.cache.parse_cache_entry` reads it back,
        checking every field.
        """
        return {
            "format": CACHE_FORMAT,
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "SessionToken": self.session_token,
            "Expiration": None if self.expiration is None else self.expiration.isoformat(),
            "Issued": issued.isoformat(),
        }

    def to_botocore_metadata(self) -> dict[str, Any]:
        """The dict botocore's refreshable credentials expect from a refresh."""
        expiration = self.expiration or (utc_now() + timedelta(days=3650))
        return {
            "access_key": self.access_key_id,
            "secret_key": self.secret_access_key,
            "token": self.session_token,
            "expiry_time": expiration.isoformat(),
        }


_SECRET_FIELDS = frozenset({"secret_key", "token"})


class FrozenCredentials(ReadOnlyCredentials):  # type: ignore[misc, unused-ignore]
    """botocore's ``ReadOnlyCredentials`` tuple with a repr that hides the secrets.

    Same fields, order and behaviour (``access_key, secret_key, token =
    creds`` and ``creds.secret_key`` work, and it *is* a
    :class:`botocore.credentials.ReadOnlyCredentials`); only ``repr``/``str``
    differ, so printing or logging it never shows the secret key or token.

    Example::

        >>> FrozenCredentials("AKIAEXAMPLE", "secret", None)
        FrozenCredentials(access_key='AKIAEXAMPLE', secret_key=***, token=None, ...)
    """

    __slots__ = ()

    def __repr__(self) -> str:
        shown = []
        for name, value in zip(self._fields, self, strict=True):
            masked = name in _SECRET_FIELDS and value is not None
            shown.append(f"{name}=***" if masked else f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    __str__ = __repr__


def refresh_windows(lifetime_seconds: float) -> tuple[float, float]:
    """Advisory and mandatory refresh windows (seconds) for a credential lifetime.

    Example::

        >>> refresh_windows(3600)   # botocore's own defaults for an hour
        (900, 600)
        >>> refresh_windows(900)    # the STS minimum: refresh after ~11 minutes
        (225.0, 150.0)
    """
    lifetime = max(lifetime_seconds, 0.0)
    return min(ADVISORY_WINDOW_MAX, lifetime / 4), min(MANDATORY_WINDOW_MAX, lifetime / 6)


class AutoRefreshCredentials(DeferredRefreshableCredentials):  # type: ignore[misc, unused-ignore]
    """botocore refreshable credentials whose refresh windows follow the lifetime.

    Args:
        fetch: returns fresh :class:`TemporaryCredentials`; called on first use
            and whenever the current set nears expiry.
        method: the botocore credential method name (``"assume-role"`` ...).
        clock: a tz-aware clock (tests inject a fake one).
        on_rejected: told the access key id of a set AWS refused, before the
            forced refresh (the credential cache forgets that set).

    Example::

        creds = AutoRefreshCredentials(fetch=my_fetcher, method="assume-role")
        creds.get_frozen_credentials()   # fetches on first use
    """

    def __init__(
        self,
        fetch: Callable[[], TemporaryCredentials],
        method: str,
        clock: Clock = utc_now,
        on_rejected: Callable[[str], None] | None = None,
    ) -> None:
        self._fetch = fetch
        self._on_rejected = on_rejected
        self._clock = clock
        self._generation = 0
        super().__init__(refresh_using=self._fetch_metadata, method=method, time_fetcher=clock)

    def _fetch_metadata(self) -> dict[str, Any]:
        fresh = self._fetch()
        self._generation += 1
        if fresh.expiration is not None:
            lifetime = (fresh.expiration - self._clock()).total_seconds()
            _botocore.set_refresh_windows(self, *refresh_windows(lifetime))
        logger.debug(
            "refreshed %s credentials for key %s, valid until %s",
            self.method,
            fresh.access_key_id,
            fresh.expiration,
        )
        return fresh.to_botocore_metadata()

    def force_refresh(self) -> None:
        """Fetch a new set now, whatever the clock says (one caller at a time)."""
        self.refresh_after_rejection(None)

    @property
    def generation(self) -> int:
        """How many sets have been fetched (tags each request with the set it used)."""
        return self._generation

    def refresh_after_rejection(self, generation: int | None) -> None:
        """Refresh because AWS rejected the set of ``generation``, unless already replaced.

        Many threads can meet the same rejection at once: the first one
        refreshes, the others find a newer set than the one they were refused
        with and simply retry with it.
        """

        def still_refused(in_use: ReadOnlyCredentials | None) -> bool:
            if generation is not None and generation != self._generation:
                return False  # another thread already replaced the refused set
            refused = None if in_use is None else in_use.access_key
            if self._on_rejected is not None and refused is not None:
                self._on_rejected(refused)
            return True

        _botocore.refresh_locked(self, still_refused)


def current_expiry(creds: Credentials | None) -> datetime | None:
    """The expiry of the credential set in use now (None for static keys)."""
    if creds is None:
        return None
    expiry = _botocore.expiry_time(creds)
    return None if expiry is None else as_utc(expiry)


def frozen(creds: Credentials | None, what: str = "the manager") -> FrozenCredentials:
    """One consistent (key, secret, token) triple, refreshing first if due.

    Raises:
        NoCredentialsError: there are no credentials at all.
    """
    if creds is None:
        msg = (
            f"no AWS credentials found for {what}: pass keys or a profile, "
            "or configure the standard chain (environment, ~/.aws, SSO, instance role)"
        )
        raise NoCredentialsError(msg)
    return FrozenCredentials(*creds.get_frozen_credentials())


class _FixedProvider(CredentialProvider):  # type: ignore[misc, unused-ignore]
    """A credential provider that always answers with one credentials object."""

    def __init__(self, credentials: Credentials, method: str) -> None:
        super().__init__()
        self._credentials = credentials
        self.METHOD = method
        self.CANONICAL_NAME = method

    def load(self) -> Credentials:
        return self._credentials


def attach(botocore_session: Any, credentials: Credentials) -> None:
    """Make ``botocore_session`` use ``credentials`` (shared, not copied).

    Every boto3 session built on it, and every client made from those, then
    reads the same object: a refresh done for one is seen by all.
    """
    method = getattr(credentials, "method", "explicit")
    resolver = CredentialResolver(providers=[_FixedProvider(credentials, method)])
    botocore_session.register_component("credential_provider", resolver)


def resolve_mfa(token: MfaToken | None, serial: str | None) -> str | None:
    """The MFA code to send: a string as is, a callable asked now."""
    if token is None:
        return None
    if callable(token):
        code = token()
        if not isinstance(code, str) or not code:
            msg = f"mfa_token: the MFA token callable for {serial!r} returned no code"
            raise InvalidArgumentError(msg, argument="mfa_token")
        return _validate.mfa_code(code)
    return _validate.mfa_code(token)


def assume_role_params(
    *,
    role_arn: str,
    role_session_name: str,
    duration_seconds: int,
    tags: list[dict[str, str]] | None = None,
    transitive_tag_keys: list[str] | None = None,
    external_id: str | None = None,
    mfa_serial_number: str | None = None,
    source_identity: str | None = None,
    policy: str | None = None,
    policy_arns: list[str] | None = None,
) -> dict[str, Any]:
    """The AssumeRole request, without the MFA code (asked at call time)."""
    params: dict[str, Any] = {
        "RoleArn": role_arn,
        "RoleSessionName": role_session_name,
        "DurationSeconds": duration_seconds,
    }
    optional = {
        "Tags": tags,
        "TransitiveTagKeys": transitive_tag_keys,
        "ExternalId": external_id,
        "SerialNumber": mfa_serial_number,
        "SourceIdentity": source_identity,
        "Policy": policy,
        "PolicyArns": [{"arn": arn} for arn in policy_arns] if policy_arns else None,
    }
    params.update({k: v for k, v in optional.items() if v is not None})
    return params


def assume_role_fetcher(
    sts_client: Callable[[], Any],
    params: Mapping[str, Any],
    mfa_token: MfaToken | None = None,
) -> Callable[[], TemporaryCredentials]:
    """A fetcher that calls AssumeRole with the parent's (cached) STS client.

    ``sts_client`` is called at each fetch, so a parent with refreshing
    credentials signs every AssumeRole with its current keys: refresh works at
    every link of a role chain.
    """

    def fetch() -> TemporaryCredentials:
        request = dict(params)
        code = resolve_mfa(mfa_token, request.get("SerialNumber"))
        if code is not None:
            request["TokenCode"] = code
        logger.debug("AssumeRole %s as %s", request["RoleArn"], request["RoleSessionName"])
        return TemporaryCredentials.from_sts(sts_client().assume_role(**request))

    return fetch


def attach_none(botocore_session: Any) -> None:
    """Make ``botocore_session`` find no credentials and never search for any."""
    botocore_session.register_component("credential_provider", CredentialResolver(providers=[]))


def session_token_fetcher(
    sts_client: Callable[[], Any],
    params: Mapping[str, Any],
    mfa_token: MfaToken | None = None,
) -> Callable[[], TemporaryCredentials]:
    """A fetcher that calls GetSessionToken (an MFA session when a device is given)."""

    def fetch() -> TemporaryCredentials:
        request = dict(params)
        code = resolve_mfa(mfa_token, request.get("SerialNumber"))
        if code is not None:
            request["TokenCode"] = code
        logger.debug("GetSessionToken for %s seconds", request.get("DurationSeconds"))
        return TemporaryCredentials.from_sts(sts_client().get_session_token(**request))

    return fetch


def web_identity_fetcher(
    sts_client: Callable[[], Any],
    params: Mapping[str, Any],
    token: str | None = None,
    token_file: str | None = None,
) -> Callable[[], TemporaryCredentials]:
    """A fetcher that calls AssumeRoleWithWebIdentity.

    With ``token_file`` the file is read again at every fetch: CI systems
    (GitHub Actions, GitLab, EKS) rotate the token in place.
    """

    if token_file is None:
        _validate.web_identity_token(token)

    def fetch() -> TemporaryCredentials:
        if token_file is not None:
            current = _validate.read_web_identity_token(token_file)
        else:
            current = token or ""
        request = dict(params, WebIdentityToken=current)
        logger.debug("AssumeRoleWithWebIdentity %s", request["RoleArn"])
        return TemporaryCredentials.from_sts(sts_client().assume_role_with_web_identity(**request))

    return fetch


#: Error codes meaning "these credentials are no longer accepted".
EXPIRED_CODES = frozenset(
    {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId"}
)


def install_refresh_and_retry(events: Any, credentials: AutoRefreshCredentials) -> None:
    """On a rejected-credentials error, refresh once and retry the call once.

    Registered on a botocore session's event system (so every client and
    resource made from it inherits it) for the ``needs-retry`` event, which
    botocore emits after each attempt; returning a delay asks for a retry, and
    the retried request is signed again with the refreshed keys.
    """

    def tag(request: Any = None, **_: Any) -> None:
        # Runs before the signer: remember which credential set signs this request.
        if request is not None:
            request.context[_GENERATION_KEY] = credentials.generation

    def retry(response: Any = None, request_dict: Any = None, **_: Any) -> float | None:
        if not response or len(response) < 2 or not response[1]:
            return None
        code = response[1].get("Error", {}).get("Code")
        context = (request_dict or {}).get("context", {})
        # Once per call, whichever attempt meets it: the first attempt may
        # have been throttled or dropped before the token was refused.
        if code not in EXPIRED_CODES or context.get(_REFRESHED_KEY):
            return None
        context[_REFRESHED_KEY] = True
        logger.info("the service answered %s; refreshing the credentials and retrying once", code)
        credentials.refresh_after_rejection(context.get(_GENERATION_KEY))
        return 0.0

    events.register_first("request-created", tag, unique_id="boto_session_manager.tag_generation")
    events.register("needs-retry", retry, unique_id="boto_session_manager.refresh_and_retry")


_GENERATION_KEY = "boto_session_manager_credential_generation"
_REFRESHED_KEY = "boto_session_manager_refreshed_after_rejection"
