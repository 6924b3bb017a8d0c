"""How a manager pickles: credentials plus the recipe, never clients, sessions or locks.

What travels, by kind of manager:

- **Static keys** (given to the constructor): the keys, their expiry, region,
  ``default_client_kwargs``.
- **Profile or default chain**: only the settings (profile name, region ...);
  the other process resolves the chain again, there.
- **Built on a caller's botocore session**: that session cannot travel; its
  current credentials do, as static keys.
- **Derived** (assumed role, session token, web identity): its current keys
  and its recipe (``_origin``: the parent manager, pickled the same way, and
  the STS request). An **auto-refresh** manager is rebuilt around new
  refreshing credentials that start from the keys it had (no STS call on
  arrival while they have more than a minute left) and then refresh in the
  new process by themselves, through the unpickled parent: a role chain
  refreshes at every link.

Not carried: an MFA code or callable, and a literal web identity token. A
refreshing manager that needs one keeps working in the other process until
its keys near expiry; then it raises :class:`UnpicklableRecipeError` instead
of asking STS without the code. The credential file cache (``cache_dir``) is
not carried either.

The clock is carried when it pickles (the default :func:`~boto_session_manager.credentials.utc_now`
does); a clock that does not (a lambda, a test's local fake) is replaced by
``utc_now``.

A pickle of a manager holds its secrets (and its parents'): treat the bytes
like the keys themselves.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from . import credentials as _creds
from .credentials import AutoRefreshCredentials, Clock, TemporaryCredentials, utc_now
from .exceptions import UnpicklableRecipeError

if TYPE_CHECKING:
    from .manager import BotoSesManager

logger = logging.getLogger(__name__)

_STATE_VERSION = 1
#: Carried keys with less than this left are not reused: the new process fetches.
_SEED_MIN_LEFT = timedelta(seconds=60)


def _portable_clock(clock: Clock) -> Clock:
    if clock is utc_now:
        return clock
    try:
        pickle.dumps(clock)
    except Exception:  # any pickling failure: lambdas, locals, unpicklable state
        logger.debug("the manager's clock does not pickle; utc_now is used instead")
        return utc_now
    return clock


def manager_state(bsm: BotoSesManager) -> dict[str, Any]:
    """The picklable state of ``bsm`` (see the module docstring)."""
    state: dict[str, Any] = {
        "version": _STATE_VERSION,
        "region_name": bsm.region_name,
        "profile_name": bsm.profile_name,
        "default_client_kwargs": bsm.default_client_kwargs,
        "unsigned": bsm.unsigned,
        "clock": _portable_clock(bsm.clock),
        "keys": None,
        "origin": None,
        "refresh": None,
    }
    live = bsm._credentials
    origin = bsm._origin
    if origin is not None:
        state["origin"] = {
            "kind": origin.kind,
            "parent": origin.parent,
            "params": dict(origin.params),
            "auto_refresh": origin.auto_refresh,
        }
    if isinstance(live, AutoRefreshCredentials) and origin is not None:
        frozen = live.get_frozen_credentials()
        state["refresh"] = {
            "method": live.method,
            "current": TemporaryCredentials(
                access_key_id=frozen.access_key or "",
                secret_access_key=frozen.secret_key or "",
                session_token=frozen.token,
                expiration=_creds.current_expiry(live),
            ),
        }
        state["profile_name"] = None
    elif live is not None or bsm.botocore_session is not None:
        creds = bsm.current_credentials()
        state["keys"] = {
            "aws_access_key_id": creds.access_key_id,
            "aws_secret_access_key": creds.secret_access_key,
            "aws_session_token": creds.session_token,
            "expiration_time": creds.expiration,
        }
        state["profile_name"] = None
    elif bsm.aws_access_key_id is not None:
        state["keys"] = {
            "aws_access_key_id": bsm.aws_access_key_id,
            "aws_secret_access_key": bsm.aws_secret_access_key,
            "aws_session_token": bsm.aws_session_token,
            "expiration_time": bsm.expiration_time,
        }
    return state


def _needs_code(kind: str, what: str) -> Callable[[], TemporaryCredentials]:
    def fetch() -> TemporaryCredentials:
        msg = (
            f"this {kind} manager was unpickled in another process and cannot refresh "
            f"there: {what} does not travel in a pickle; refresh it in the original "
            "process and send it again"
        )
        raise UnpicklableRecipeError(msg)

    return fetch


def _fetcher(
    kind: str, parent: BotoSesManager, params: Mapping[str, Any]
) -> Callable[[], TemporaryCredentials]:
    """The STS fetcher that rebuilds ``kind`` credentials through ``parent``."""
    if kind in ("assume-role", "session-token") and "SerialNumber" in params:
        return _needs_code(kind, "an MFA code")
    if kind == "assume-role":
        return _creds.assume_role_fetcher(lambda: parent.get_client("sts"), params)
    if kind == "session-token":
        return _creds.session_token_fetcher(lambda: parent.get_client("sts"), params)
    if kind == "web-identity":
        request = dict(params)
        token_file = request.pop("WebIdentityTokenFile", None)
        if token_file is None:
            return _needs_code(kind, "a literal web identity token")
        return _creds.web_identity_fetcher(
            lambda: parent.get_client("sts", unsigned=True), request, None, token_file
        )
    msg = f"cannot rebuild refreshing credentials of kind {kind!r} after unpickling"
    raise UnpicklableRecipeError(msg)


def _seeded(
    fetch: Callable[[], TemporaryCredentials], first: TemporaryCredentials, clock: Clock
) -> Callable[[], TemporaryCredentials]:
    """``fetch``, except that the first call returns ``first`` while it is fresh enough.

    botocore's refresh lock serialises calls, so the one-item list needs no lock.
    """
    pending = [first]

    def fetch_seeded() -> TemporaryCredentials:
        if pending:
            seed = pending.pop()
            if seed.expiration is None or seed.expiration - clock() > _SEED_MIN_LEFT:
                return seed
        return fetch()

    return fetch_seeded


def restore_manager(bsm: BotoSesManager, state: Mapping[str, Any]) -> None:
    """Initialise the blank ``bsm`` (made by pickle) from :func:`manager_state`'s dict."""
    from .roles import Origin

    version = state.get("version")
    if version != _STATE_VERSION:
        msg = f"cannot unpickle a manager from state version {version!r} (expected 1)"
        raise UnpicklableRecipeError(msg)
    init: dict[str, Any] = {
        "region_name": state["region_name"],
        "profile_name": state["profile_name"],
        "default_client_kwargs": state["default_client_kwargs"],
        "unsigned": state["unsigned"],
        "clock": state["clock"],
    }
    init.update(state["keys"] or {})
    bsm.__init__(**init)  # type: ignore[misc]
    origin = state["origin"]
    if origin is None:
        return
    parent = origin["parent"]
    refresh = state["refresh"]
    if refresh is not None:
        fetch = _fetcher(origin["kind"], parent, origin["params"])
        bsm._credentials = AutoRefreshCredentials(
            _seeded(fetch, refresh["current"], bsm.clock),
            method=refresh["method"],
            clock=bsm.clock,
        )
    bsm._origin = Origin(
        kind=origin["kind"],
        parent=parent,
        params=origin["params"],
        auto_refresh=origin["auto_refresh"],
    )
