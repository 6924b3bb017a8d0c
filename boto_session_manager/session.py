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
- errors of its clients are redacted before the caller sees them.

Thread safety: :func:`build_session` builds a new session at each call and
shares nothing mutable; callers cache its result under their own lock.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.credentials import Credentials

from . import credentials as _creds
from ._botocore import ignore_environment_profile, new_botocore_session
from ._redact import install_on_session
from .credentials import AutoRefreshCredentials
from .region import resolve_region

__all__ = ["build_session"]


def build_session(
    *,
    keys: tuple[str | None, str | None, str | None],
    region_name: str | None,
    profile_name: str | None,
    botocore_session: Any = None,
    shared: Credentials | None = None,
    unsigned: bool = False,
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
    else:
        install_on_session(botocore_session)  # errors never quote a secret
    return boto3.session.Session(
        aws_access_key_id=keys[0],
        aws_secret_access_key=keys[1],
        aws_session_token=keys[2],
        region_name=resolve_region(region_name),
        botocore_session=botocore_session,
        profile_name=profile_name,
    )
