"""Turning resolved AWS credential options into a manager.

:func:`build_manager` is what :func:`boto_session_manager.cli_args.manager_from_args`
and :meth:`BotoSesManager.from_args <boto_session_manager.manager.BotoSesManager.from_args>`
run. It is given the manager class to build (a factory) and never imports the
manager module, so the manager can use it without an import circle: what it
needs of the manager it builds is :class:`Buildable`.

Thread safety: safe from many threads; the namespace is copied, never changed
(an MFA code asked on the terminal only makes sense from one thread).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ._auth_options import (
    _ACCOUNT_IN_ARN,
    _SETTINGS,
    _as_namespace,
    _resolve_and_check,
    _Settings,
)
from .exceptions import BotoSessionManagerError, InvalidAuthArgumentsError

if TYPE_CHECKING:
    from typing_extensions import Self

    from .credentials import MfaToken
    from .snapshot import PathLike


class Buildable(Protocol):
    """What building from options uses of the manager it builds (its public API)."""

    @property
    def aws_region(self) -> str | None: ...

    @property
    def masked_principal_arn(self) -> str: ...

    @property
    def masked_aws_account_id(self) -> str: ...

    def assume_role(
        self,
        role_arn: str,
        role_session_name: str | None = None,
        duration_seconds: int = 3600,
        *,
        external_id: str | None = None,
        mfa_serial_number: str | None = None,
        mfa_token: MfaToken | None = None,
        auto_refresh: bool = False,
        cache_dir: PathLike | None = None,
    ) -> Self: ...

    def get_session_token(
        self,
        duration_seconds: int = 43200,
        mfa_serial_number: str | None = None,
        mfa_token: MfaToken | None = None,
        *,
        auto_refresh: bool = False,
        cache_dir: PathLike | None = None,
    ) -> Self: ...


#: The class built: what ``build_manager`` returns is of the class it was given.
M = TypeVar("M", bound=Buildable)


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


def _base_manager(ns: argparse.Namespace, manager_class: Callable[..., M]) -> M:
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


def build_manager(
    namespace: argparse.Namespace | Mapping[str, Any],
    manager_class: Callable[..., M],
    *,
    auto_refresh: bool = False,
) -> M:
    """Build a ``manager_class`` from parsed options (see ``cli_args.manager_from_args``).

    Example::

        bsm = build_manager(parser.parse_args(), BotoSesManager)
    """
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


def _print_auth_debug(ns: argparse.Namespace, bsm: Buildable) -> int:
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
