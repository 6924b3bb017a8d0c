"""How a manager's boto3 session is built: credentials attached, settings applied.

:func:`build_session` turns a manager's settings into a boto3 session on a
botocore session of the package's own (shared data loader, see
:mod:`boto_session_manager.sharing`), unless the caller gave one:

- keys given to the constructor are used as is, and a profile named only by
  ``AWS_PROFILE`` cannot override them;
- credentials shared with another manager (a refreshing role, a manager in
  another region) are attached as that very object, so a refresh done for
  one is seen by all; refreshing ones also get the refresh-and-retry hook;
- an unsigned manager never looks for credentials;
- errors of its clients are redacted before the caller sees them;
- a manager derived from another gets the parent's client settings
  (:func:`client_settings`): CA bundle, FIPS and dual-stack endpoints, retry
  mode and attempts, STS regional endpoints, and the parent's profile as the
  source of configuration only (its ``services`` section and per-service
  ``endpoint_url``), never of credentials. The retry mode is kept only when
  one was chosen (:func:`configured_retry_mode`), so a derived manager can
  still tell botocore's default from a choice.

Thread safety: :func:`build_session` builds a new session at each call and
shares nothing mutable; callers cache its result under their own lock.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from botocore.credentials import Credentials

from . import credentials as _creds
from ._botocore import botocore_session_of, ignore_environment_profile, new_botocore_session
from ._redact import install_on_session
from .credentials import AutoRefreshCredentials
from .region import resolve_region

__all__ = ["INHERITED_SETTINGS", "build_session", "client_settings", "configured_retry_mode"]

#: The configuration variables a derived manager takes from its parent.
INHERITED_SETTINGS = (
    "ca_bundle",
    "use_fips_endpoint",
    "use_dualstack_endpoint",
    "retry_mode",
    "max_attempts",
    "sts_regional_endpoints",
    "defaults_mode",
    "ignore_configured_endpoint_urls",
)


def configured_retry_mode(session: boto3.session.Session) -> str | None:
    """The retry mode chosen for ``session``'s clients; None when botocore's default applies.

    Chosen means, in botocore's order: set on the botocore session (by the
    caller, or kept from a parent manager), ``AWS_RETRY_MODE``, or
    ``retry_mode`` in the profile. A mode given to one client in
    ``Config(retries=...)`` is that client's own and is not seen here.

    Thread safety: reads only; safe from any thread.

    Example::

        configured_retry_mode(BotoSesManager(profile_name="dev").boto_ses)   # "standard"
    """
    core = botocore_session_of(session)
    mode = core.instance_variables().get("retry_mode") or os.environ.get("AWS_RETRY_MODE")
    return mode or core.get_scoped_config().get("retry_mode") or None


def client_settings(session: boto3.session.Session) -> dict[str, Any]:
    """The client configuration of ``session`` a derived manager keeps.

    The effective values of :data:`INHERITED_SETTINGS` (from the profile, the
    environment or set on the session) and the profile name under
    ``"profile"`` (read for its ``services`` section and ``endpoint_url``);
    unset ones are left out, and so is a retry mode nobody chose (see
    :func:`configured_retry_mode`): the derived manager's clients get
    botocore's default all the same. Example::

        client_settings(bsm.boto_ses)   # {"profile": "dev", "retry_mode": "standard"}
    """
    core = botocore_session_of(session)
    names = ("profile", *INHERITED_SETTINGS)
    found = {name: core.get_config_variable(name) for name in names}
    found["retry_mode"] = configured_retry_mode(session)
    return {name: value for name, value in found.items() if value is not None}


def _apply_settings(botocore_session: Any, settings: dict[str, Any]) -> None:
    for name, value in settings.items():
        botocore_session.set_config_variable(name, value)


def build_session(
    *,
    keys: tuple[str | None, str | None, str | None],
    region_name: str | None,
    profile_name: str | None,
    botocore_session: Any = None,
    shared: Credentials | None = None,
    unsigned: bool = False,
    settings: dict[str, Any] | None = None,
    role_cache: Any = None,
) -> boto3.session.Session:
    """A new boto3 session for a manager's settings.

    Args:
        keys: access key id, secret key and session token (each may be None).
        region_name: the manager's region (None: ``AWS_REGION``, then
            ``AWS_DEFAULT_REGION``, then the profile; see
            :mod:`boto_session_manager.region`).
        profile_name: the profile to read.
        botocore_session: the caller's own botocore session, used as is.
        shared: a credentials object to use as it is (not copied).
        unsigned: find no credentials and never look for any.
        settings: client settings kept from a parent manager (see
            :func:`client_settings`); needs ``keys`` or ``shared``.
        role_cache: a dict-like cache for the STS responses of a profile that
            assumes a role (``role_arn`` + ``source_profile``).
    """
    if botocore_session is None:
        botocore_session = new_botocore_session()
        install_on_session(botocore_session)  # errors never quote a secret
        if profile_name is None and (keys[0] or shared is not None or unsigned):
            ignore_environment_profile(botocore_session)
        if shared is not None:
            _creds.attach(botocore_session, shared)
            if isinstance(shared, AutoRefreshCredentials):
                events = botocore_session.get_component("event_emitter")
                _creds.install_refresh_and_retry(events, shared)
        elif unsigned:
            _creds.attach_none(botocore_session)
        _apply_settings(botocore_session, settings or {})
    else:
        install_on_session(botocore_session)  # errors never quote a secret
    session = boto3.session.Session(
        aws_access_key_id=keys[0],
        aws_secret_access_key=keys[1],
        aws_session_token=keys[2],
        region_name=resolve_region(region_name),
        botocore_session=botocore_session,
        profile_name=profile_name,
    )
    if role_cache is not None and profile_name is not None and keys[0] is None:
        resolver = botocore_session.get_component("credential_provider")
        provider = resolver.get_provider("assume-role")
        provider.cache = role_cache
    return session
