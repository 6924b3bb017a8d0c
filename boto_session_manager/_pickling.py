"""How a manager pickles: credentials plus the recipe, never clients, sessions or locks.

What travels is decided by the recipe's entry in
:data:`boto_session_manager.recipe.SOURCES` (its ``travels``):

- **Static keys** (given to the constructor): the keys, their expiry, region,
  ``default_client_kwargs``.
- **Profile or default chain**: only the settings (profile name, region ...);
  the other process resolves the chain again, there.
- **Built on a caller's botocore session**: that session cannot travel; its
  current credentials do, as static keys.
- **Derived** (assumed role, session token, web identity): its current keys
  and its recipe (:attr:`~boto_session_manager.BotoSesManager.recipe`:
  the parent manager, pickled the same way, and the STS request). An
  **auto-refresh** manager is rebuilt around new
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

The manager hands itself over as a :class:`Picklable` (its public settings
and credentials); this module never imports the manager module.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

import attrs

from .credentials import AutoRefreshCredentials, Clock, TemporaryCredentials, utc_now
from .exceptions import UnpicklableRecipeError
from .recipe import Recipe

__all__ = ["Picklable", "UnpicklableRecipeError", "manager_state", "restored_arguments"]

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


class Picklable(Protocol):
    """What pickling reads of a manager: its public settings, recipe and keys in use."""

    region_name: str | None
    profile_name: str | None
    default_client_kwargs: dict[str, Any] | None
    unsigned: bool
    clock: Clock
    aws_access_key_id: str | None
    aws_secret_access_key: str | None
    aws_session_token: str | None
    expiration_time: datetime | None

    @property
    def recipe(self) -> Recipe: ...

    def current_credentials(self) -> TemporaryCredentials: ...


def manager_state(bsm: Picklable) -> dict[str, Any]:
    """The picklable state of ``bsm`` (see the module docstring)."""
    recipe = bsm.recipe
    travels = recipe.kind.travels
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
    if travels == "recipe":
        state["origin"] = {
            "kind": recipe.source,
            "parent": recipe.parent,
            "params": dict(recipe.params),
            "auto_refresh": recipe.auto_refresh,
        }
    if travels == "recipe" and recipe.credentials is not None:
        state["refresh"] = {"current": bsm.current_credentials()}
    elif travels == "current-keys":
        state["keys"] = bsm.current_credentials().to_constructor_kwargs()
    elif bsm.aws_access_key_id is not None:
        state["keys"] = {
            "aws_access_key_id": bsm.aws_access_key_id,
            "aws_secret_access_key": bsm.aws_secret_access_key,
            "aws_session_token": bsm.aws_session_token,
            "expiration_time": bsm.expiration_time,
        }
    if state["keys"] is not None or state["refresh"] is not None:
        state["profile_name"] = None
    return state


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


def restored_arguments(state: Mapping[str, Any]) -> dict[str, Any]:
    """The constructor arguments that rebuild a manager from :func:`manager_state`'s dict.

    Raises:
        UnpicklableRecipeError: the state is of another version.
    """
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
    origin = state["origin"]
    if origin is None:
        return init
    recipe = Recipe(
        origin["kind"],
        parent=origin["parent"],
        params=origin["params"],
        auto_refresh=origin["auto_refresh"],
    )
    refresh = state["refresh"]
    if refresh is not None:
        fetch = _seeded(recipe.rebuild_fetcher(), refresh["current"], init["clock"])
        live = AutoRefreshCredentials(fetch, method=recipe.kind.method, clock=init["clock"])
        recipe = attrs.evolve(recipe, credentials=live)
    init["recipe"] = recipe
    return init
