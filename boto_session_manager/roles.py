"""Assuming roles: STS role assumption, MFA sessions and web identity.

:class:`RoleMethods` is a mixin of :class:`~boto_session_manager.BotoSesManager`:
each method builds a *derived* manager whose credentials come from STS, either
once (static keys with an expiry) or for as long as the process runs
(``auto_refresh=True``: botocore refreshable credentials fed by the fetchers of
:mod:`boto_session_manager.credentials`). A derived manager keeps the recipe
that made it (:class:`Origin`), which is what pickling and the credential cache
work from.

Thread safety: every method here is safe to call from many threads; the STS
calls go through the parent's cached (thread-safe) STS client.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Callable, Protocol

import attrs

from . import _validate
from . import credentials as _creds
from .credentials import Clock, MfaToken, TemporaryCredentials
from .exceptions import InvalidArgumentError, NoCredentialsError

if TYPE_CHECKING:
    from .manager import BotoSesManager
    from .snapshot import PathLike

_MIN_DURATION, _MAX_DURATION = 900, 43200


@attrs.frozen
class Origin:
    """How a derived manager's credentials were obtained (its recipe)."""

    kind: str
    parent: BotoSesManager
    params: Mapping[str, Any]
    auto_refresh: bool


class _Source(Protocol):
    """What the role methods need from the manager they are mixed into."""

    region_name: str | None
    aws_access_key_id: str | None
    profile_name: str | None
    default_client_kwargs: dict[str, Any] | None
    clock: Clock
    _origin: Origin | None

    @property
    def aws_region(self) -> str | None: ...

    def get_client(self, service_name: str, *, unsigned: bool = False) -> Any: ...

    def _derive(
        self,
        *,
        fetch: Callable[[], TemporaryCredentials],
        kind: str,
        method: str,
        params: Mapping[str, Any],
        auto_refresh: bool,
        region_name: str | None,
    ) -> BotoSesManager: ...

    def _maybe_cached(
        self,
        cache_dir: PathLike | None,
        operation: str,
        params: Mapping[str, Any],
        given_session_name: str | None,
        fetch: Callable[[], TemporaryCredentials],
    ) -> Callable[[], TemporaryCredentials]: ...

    def _cache_identity(self) -> str: ...

    def get_frozen_credentials(self) -> Any: ...


class RoleMethods:
    """Mixin of :class:`~boto_session_manager.BotoSesManager`: roles and STS sessions."""

    def assume_role(
        self: _Source,
        role_arn: str,
        role_session_name: str | None = None,
        duration_seconds: int = 3600,
        tags: list[dict[str, str]] | None = None,
        transitive_tag_keys: list[str] | None = None,
        external_id: str | None = None,
        mfa_serial_number: str | None = None,
        mfa_token: MfaToken | None = None,
        source_identity: str | None = None,
        region_name: str | None = None,
        auto_refresh: bool = False,
        policy: str | Mapping[str, Any] | None = None,
        policy_arns: list[str] | None = None,
        cache_dir: PathLike | None = None,
    ) -> BotoSesManager:
        """Assume an IAM role and return a manager for it.

        The new manager keeps this one's ``default_client_kwargs`` and region
        (unless ``region_name`` is given), and its STS calls go through this
        manager's cached STS client, so endpoints and role chains work.

        Args:
            role_arn: ``arn:PARTITION:iam::ACCOUNT:role/NAME``; checked before
                any network call.
            role_session_name: defaults to a unique ``bsm-...`` name.
            duration_seconds: 900 to 43200.
            tags, transitive_tag_keys, external_id, source_identity: as STS.
            mfa_serial_number: the MFA device, when the role requires MFA.
            mfa_token: the code, or a callable returning a fresh code (asked
                again at each refresh).
            region_name: region of the new manager.
            auto_refresh: re-assume the role before the credentials expire,
                for the life of the manager; clients made before a refresh
                keep working.
            policy: a session policy (JSON string or dict).
            policy_arns: managed policy ARNs limiting the session.
            cache_dir: keep the credentials in this directory (see
                :mod:`boto_session_manager.cache`) so other processes and
                later runs reuse them until they near expiry.

        Raises:
            InvalidArnError: ``role_arn`` is not an IAM role ARN.
            ValueError: ``duration_seconds`` is out of range.
            botocore.exceptions.ClientError: STS refused (e.g. AccessDenied).

        Thread safety: safe; a refreshing manager refreshes once even when
        many threads find it due at the same time.

        Example::

            prod = bsm.assume_role(
                "arn:aws:iam::111122223333:role/deploy",
                duration_seconds=900,
                auto_refresh=True,
            )
            prod.s3_client.list_buckets()
        """
        params = _role_request(
            role_arn,
            role_session_name,
            duration_seconds,
            policy,
            policy_arns,
            tags=tags,
            transitive_tag_keys=transitive_tag_keys,
            external_id=external_id,
            mfa_serial_number=mfa_serial_number,
            source_identity=source_identity,
        )
        fetch = _creds.assume_role_fetcher(lambda: self.get_client("sts"), params, mfa_token)
        return self._derive(
            fetch=self._maybe_cached(cache_dir, "AssumeRole", params, role_session_name, fetch),
            method="assume-role",
            auto_refresh=auto_refresh,
            region_name=region_name,
            kind="assume-role",
            params=params,
        )

    def get_session_token(
        self: _Source,
        duration_seconds: int = 43200,
        mfa_serial_number: str | None = None,
        mfa_token: MfaToken | None = None,
        *,
        auto_refresh: bool = False,
        cache_dir: PathLike | None = None,
    ) -> BotoSesManager:
        """Open an STS session (an MFA session when a device is given).

        Roles assumed from the returned manager need no MFA code again: the
        session itself is MFA-authenticated.

        Args:
            duration_seconds: 900 to 129600 (STS's own default: 43200).
            mfa_serial_number: the MFA device ARN (or serial of a hardware token).
            mfa_token: the code, or a callable returning a fresh one (asked
                again only when STS is called again).
            auto_refresh: open a new session before this one expires (a
                callable ``mfa_token`` is asked for a new code then).
            cache_dir: reuse the session across processes and runs until it
                nears expiry (no new MFA code needed meanwhile).

        Example::

            mfa = bsm.get_session_token(
                mfa_serial_number="arn:aws:iam::123456789012:mfa/alice",
                mfa_token=lambda: input("MFA code: "),
                cache_dir="~/.cache/bsm",
            )
            admin = mfa.assume_role("arn:aws:iam::111122223333:role/admin")
        """
        _check_duration(duration_seconds, maximum=129600)
        params: dict[str, Any] = {"DurationSeconds": duration_seconds}
        if mfa_serial_number is not None:
            params["SerialNumber"] = mfa_serial_number
        fetch = _creds.session_token_fetcher(lambda: self.get_client("sts"), params, mfa_token)
        return self._derive(
            fetch=self._maybe_cached(cache_dir, "GetSessionToken", params, None, fetch),
            method="session-token",
            auto_refresh=auto_refresh,
            region_name=None,
            kind="session-token",
            params=params,
        )

    def assume_role_with_web_identity(
        self: _Source,
        role_arn: str,
        web_identity_token: str | None = None,
        web_identity_token_file: PathLike | None = None,
        role_session_name: str | None = None,
        duration_seconds: int = 3600,
        auto_refresh: bool = False,
        *,
        region_name: str | None = None,
        policy: str | Mapping[str, Any] | None = None,
        policy_arns: list[str] | None = None,
        cache_dir: PathLike | None = None,
    ) -> BotoSesManager:
        """Assume a role with an OpenID Connect token (CI OIDC: GitHub Actions, GitLab).

        The STS call is unsigned: this manager needs no credentials of its
        own, only a region (and endpoint settings, which are inherited).

        Args:
            role_arn: the role trusting the identity provider.
            web_identity_token: the token itself, or
            web_identity_token_file: a file holding it, read again at every
                refresh (CI systems rotate it in place).
            role_session_name: defaults to a unique ``bsm-...`` name.
            duration_seconds: 900 to 43200.
            auto_refresh: assume again before the credentials expire.
            region_name, policy, policy_arns, cache_dir: as :meth:`assume_role`.

        Raises:
            InvalidArnError: ``role_arn`` is not an IAM role ARN.
            ValueError: neither or both of the token and the token file.

        Example::

            bsm = BotoSesManager(region_name="us-east-1")
            ci = bsm.assume_role_with_web_identity(
                "arn:aws:iam::111122223333:role/github-deploy",
                web_identity_token_file=os.environ["AWS_WEB_IDENTITY_TOKEN_FILE"],
                auto_refresh=True,
            )
        """
        params = _role_request(role_arn, role_session_name, duration_seconds, policy, policy_arns)
        if (web_identity_token is None) == (web_identity_token_file is None):
            msg = "give exactly one of web_identity_token and web_identity_token_file"
            raise InvalidArgumentError(msg, argument="web_identity_token")
        token_file = None if web_identity_token_file is None else str(web_identity_token_file)
        fetch = _creds.web_identity_fetcher(
            lambda: self.get_client("sts", unsigned=True), params, web_identity_token, token_file
        )
        # Who is asking is the token: it is part of the cache key (hashed, or its file).
        token_hash = (
            None if web_identity_token is None else hashlib.sha256(web_identity_token.encode())
        )
        cache_params = dict(
            params,
            WebIdentityTokenFile=token_file,
            WebIdentityTokenSha256=None if token_hash is None else token_hash.hexdigest(),
        )
        return self._derive(
            fetch=self._maybe_cached(
                cache_dir, "AssumeRoleWithWebIdentity", cache_params, role_session_name, fetch
            ),
            method="assume-role-with-web-identity",
            auto_refresh=auto_refresh,
            region_name=region_name,
            kind="web-identity",
            params=dict(params, WebIdentityTokenFile=token_file),
        )

    def _maybe_cached(
        self: _Source,
        cache_dir: PathLike | None,
        operation: str,
        params: Mapping[str, Any],
        given_session_name: str | None,
        fetch: Callable[[], TemporaryCredentials],
    ) -> Callable[[], TemporaryCredentials]:
        """``fetch`` behind the credential file cache when ``cache_dir`` is given."""
        if cache_dir is None:
            return fetch
        from .cache import cached_fetcher

        material = dict(params, operation=operation, source=self._cache_identity())
        if given_session_name is None:
            # A generated session name differs per run; it must not defeat the cache.
            material.pop("RoleSessionName", None)
        client_kwargs = self.default_client_kwargs or {}
        material["endpoint_url"] = client_kwargs.get("endpoint_url")
        material["region"] = self.region_name or self.aws_region
        return cached_fetcher(cache_dir, material, fetch, clock=self.clock)

    def _cache_identity(self: _Source) -> str:
        """Who the source credentials are, without a network call or a secret."""
        if self._origin is not None:
            return f"{self._origin.kind}:{self._origin.params.get('RoleArn', '')}:" + (
                self._origin.parent._cache_identity()
            )
        # The key actually resolved (profile, environment, SSO ...), so two
        # principals sharing a cache directory never share a role's credentials.
        try:
            return f"key:{self.get_frozen_credentials().access_key}"
        except NoCredentialsError:
            return "anonymous"  # unsigned STS calls (web identity): the token decides


def _role_request(
    role_arn: str,
    role_session_name: str | None,
    duration_seconds: int,
    policy: str | Mapping[str, Any] | None,
    policy_arns: list[str] | None,
    **optional: Any,
) -> dict[str, Any]:
    """A checked AssumeRole request (ARN and duration validated before any call)."""
    _check_role_arn(role_arn)
    _check_duration(duration_seconds)
    _validate.role_session_name(role_session_name)
    return _creds.assume_role_params(
        role_arn=role_arn,
        role_session_name=role_session_name or _creds.default_role_session_name(),
        duration_seconds=duration_seconds,
        policy=policy if policy is None or isinstance(policy, str) else json.dumps(policy),
        policy_arns=policy_arns,
        **optional,
    )


def _check_role_arn(role_arn: str) -> None:
    _validate.role_arn(role_arn)


def _check_duration(duration_seconds: int, maximum: int = _MAX_DURATION) -> None:
    _validate.duration_seconds(duration_seconds, maximum=maximum)
