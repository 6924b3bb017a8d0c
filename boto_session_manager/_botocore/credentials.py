"""botocore's refreshable-credential internals: the refresh lock, windows and expiry.

botocore offers no public way to refresh under its own lock, to scale the
refresh windows of a ``DeferredRefreshableCredentials`` or to read the expiry
of the set in use; these functions do, and nothing else in the package reads
those attributes. Each one is verified by
:func:`boto_session_manager._botocore.check`.

Thread safety: :func:`refresh_locked` holds botocore's own refresh lock, so it
is serialised with botocore's refreshes; the others read or set one attribute.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from botocore.credentials import Credentials, ReadOnlyCredentials, RefreshableCredentials

from .checks import ensure_checked


def refresh_locked(
    creds: RefreshableCredentials, before: Callable[[ReadOnlyCredentials | None], bool]
) -> None:
    """Under botocore's refresh lock: ask ``before``, then refresh unless it says no.

    ``before`` is given the set in use (None before the first fetch) and
    returns False to skip the refresh (another thread already replaced the set).
    """
    ensure_checked()
    internals: Any = creds
    with internals._refresh_lock:
        if before(internals._frozen_credentials):
            internals._protected_refresh(is_mandatory=True)


def set_refresh_windows(creds: RefreshableCredentials, advisory: float, mandatory: float) -> None:
    """Refresh when ``advisory`` seconds are left; block readers at ``mandatory``."""
    ensure_checked()
    internals: Any = creds
    internals._advisory_refresh_timeout = advisory
    internals._mandatory_refresh_timeout = mandatory


def expiry_time(creds: Credentials) -> datetime | None:
    """The expiry of the set in use (None for credentials that do not refresh)."""
    if not isinstance(creds, RefreshableCredentials):
        return None
    internals: Any = creds
    expiry: datetime | None = internals._expiry_time
    return expiry


def ignore_environment_profile(botocore_session: Any) -> None:
    """Stop ``botocore_session`` from reading ``AWS_PROFILE`` / ``AWS_DEFAULT_PROFILE``.

    For sessions whose credentials are given: a profile variable naming a
    profile that does not exist on this machine must not break every client.
    """
    botocore_session.session_var_map["profile"] = (None, None, None, None)


def botocore_session_of(session: Any) -> Any:
    """The botocore session under a boto3 ``session`` (boto3 keeps it private)."""
    core = getattr(session, "_session", None)
    if core is None or not hasattr(core, "get_config_variable"):
        raise RuntimeError("boto3.session.Session no longer keeps its botocore session in _session")
    return core
