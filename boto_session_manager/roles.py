"""Assuming roles: the checked STS requests behind ``assume_role`` and friends.

Each function here validates its arguments (before any network call) and
returns a :class:`~boto_session_manager.recipe.CredentialRequest`: the STS
request, the fetcher that makes the call through a *client provider* (a
callable returning the parent manager's cached STS client), and what
identifies the request in the credential file cache. The manager turns a
request into a derived manager (:meth:`BotoSesManager.assume_role
<boto_session_manager.BotoSesManager.assume_role>` and friends), once
(static keys with an expiry) or for as long as the process runs
(``auto_refresh=True``: botocore refreshable credentials fed by the fetcher).

Thread safety: every function here is pure; the fetchers are safe to call
from any thread (the STS client is botocore's, thread safe).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from . import _validate
from . import credentials as _creds
from .credentials import MfaToken
from .exceptions import InvalidArgumentError
from .recipe import CredentialRequest

if TYPE_CHECKING:
    from .snapshot import PathLike

__all__ = ["RoleMethods", "assume_role_request", "session_token_request", "web_identity_request"]

#: The manager a role method is called on; the manager it returns has its type.
_M = TypeVar("_M", bound="RoleMethods")

_MAX_DURATION = 43200

#: Returns the parent manager's STS client (an anonymous one when called with ``unsigned=True``).
StsProvider = Callable[..., Any]


def assume_role_request(
    sts: StsProvider,
    role_arn: str,
    role_session_name: str | None = None,
    duration_seconds: int = 3600,
    *,
    mfa_token: MfaToken | None = None,
    policy: str | Mapping[str, Any] | None = None,
    policy_arns: list[str] | None = None,
    **optional: Any,
) -> CredentialRequest:
    """The AssumeRole request of ``BotoSesManager.assume_role``.

    ``optional`` holds ``tags``, ``transitive_tag_keys``, ``external_id``,
    ``mfa_serial_number`` and ``source_identity``.

    Raises:
        InvalidArnError: ``role_arn`` is not an IAM role ARN.
        ValueError: ``duration_seconds`` is out of range.
    """
    params = _role_request(
        role_arn, role_session_name, duration_seconds, policy, policy_arns, **optional
    )
    return CredentialRequest(
        source="assume-role",
        params=params,
        fetch=_creds.assume_role_fetcher(lambda: sts("sts"), params, mfa_token),
        cache_params=params,
        session_name_given=role_session_name is not None,
    )


def session_token_request(
    sts: StsProvider,
    duration_seconds: int = 43200,
    mfa_serial_number: str | None = None,
    mfa_token: MfaToken | None = None,
) -> CredentialRequest:
    """The GetSessionToken request of ``BotoSesManager.get_session_token``.

    Raises:
        ValueError: ``duration_seconds`` is out of range (900 to 129600).
    """
    _check_duration(duration_seconds, maximum=129600)
    params: dict[str, Any] = {"DurationSeconds": duration_seconds}
    if mfa_serial_number is not None:
        params["SerialNumber"] = mfa_serial_number
    return CredentialRequest(
        source="session-token",
        params=params,
        fetch=_creds.session_token_fetcher(lambda: sts("sts"), params, mfa_token),
        cache_params=params,
        session_name_given=False,
    )


def web_identity_request(
    sts: StsProvider,
    role_arn: str,
    web_identity_token: str | None = None,
    web_identity_token_file: PathLike | None = None,
    role_session_name: str | None = None,
    duration_seconds: int = 3600,
    *,
    policy: str | Mapping[str, Any] | None = None,
    policy_arns: list[str] | None = None,
) -> CredentialRequest:
    """The AssumeRoleWithWebIdentity request (an unsigned STS call).

    Raises:
        InvalidArnError: ``role_arn`` is not an IAM role ARN.
        ValueError: neither or both of the token and the token file.
    """
    params = _role_request(role_arn, role_session_name, duration_seconds, policy, policy_arns)
    if (web_identity_token is None) == (web_identity_token_file is None):
        msg = "give exactly one of web_identity_token and web_identity_token_file"
        raise InvalidArgumentError(msg, argument="web_identity_token")
    token_file = None if web_identity_token_file is None else str(web_identity_token_file)
    fetch = _creds.web_identity_fetcher(
        lambda: sts("sts", unsigned=True), params, web_identity_token, token_file
    )
    # Who is asking is the token: it is part of the cache key (hashed, or its file).
    token_hash = None if web_identity_token is None else hashlib.sha256(web_identity_token.encode())
    return CredentialRequest(
        source="web-identity",
        params=dict(params, WebIdentityTokenFile=token_file),
        fetch=fetch,
        cache_params=dict(
            params,
            WebIdentityTokenFile=token_file,
            WebIdentityTokenSha256=None if token_hash is None else token_hash.hexdigest(),
        ),
        session_name_given=role_session_name is not None,
    )


class RoleMethods:
    """Base of :class:`~boto_session_manager.BotoSesManager`: managers for roles and STS sessions.

    Each method builds its request with the functions above and hands it to
    the manager's public :meth:`~boto_session_manager.BotoSesManager.derive`;
    nothing here touches the manager's state.
    """

    __slots__ = ()

    if TYPE_CHECKING:

        def get_client(self, service_name: str, /) -> Any: ...

        def derive(
            self: _M,
            request: CredentialRequest,
            *,
            auto_refresh: bool = False,
            region_name: str | None = None,
            cache_dir: PathLike | None = None,
        ) -> _M: ...

    def assume_role(
        self: _M,
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
    ) -> _M:
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
        request = assume_role_request(
            self.get_client, role_arn, role_session_name, duration_seconds,
            mfa_token=mfa_token, policy=policy, policy_arns=policy_arns, tags=tags,
            transitive_tag_keys=transitive_tag_keys, external_id=external_id,
            mfa_serial_number=mfa_serial_number, source_identity=source_identity,
        )  # fmt: skip
        return self.derive(
            request, auto_refresh=auto_refresh, region_name=region_name, cache_dir=cache_dir
        )

    def get_session_token(
        self: _M,
        duration_seconds: int = 43200,
        mfa_serial_number: str | None = None,
        mfa_token: MfaToken | None = None,
        *,
        auto_refresh: bool = False,
        cache_dir: PathLike | None = None,
    ) -> _M:
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
        request = session_token_request(
            self.get_client, duration_seconds, mfa_serial_number, mfa_token
        )
        return self.derive(request, auto_refresh=auto_refresh, cache_dir=cache_dir)

    def assume_role_with_web_identity(
        self: _M,
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
    ) -> _M:
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
        request = web_identity_request(
            self.get_client, role_arn, web_identity_token, web_identity_token_file,
            role_session_name, duration_seconds, policy=policy, policy_arns=policy_arns,
        )  # fmt: skip
        return self.derive(
            request, auto_refresh=auto_refresh, region_name=region_name, cache_dir=cache_dir
        )


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
