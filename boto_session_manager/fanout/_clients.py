"""The fan-out's own STS and Organizations clients: botocore's adaptive retry mode.

A run lists and checks accounts with one Organizations client and assumes
every account's role through one STS client that all its worker threads
share. That is where botocore's *adaptive* retry mode fits: standard
retries, plus a token bucket in the client that slows every thread using it
down as soon as AWS throttles, and speeds it up again as calls succeed.

So the fan-out asks the manager for these clients with
``Config(retries={"mode": "adaptive"})`` merged over its
``default_client_kwargs`` (the endpoint, CA bundle, FIPS, timeouts and any
retry attempts given there are kept; only the mode changes), unless a retry
mode was chosen: in the ``Config`` of ``default_client_kwargs``, on the
session or a parent manager, in ``AWS_RETRY_MODE`` or in the profile
(``retry_mode``). Then the chosen mode is used and the fan-out uses the
manager's default clients. The clients come from the manager's cache: one
per service however many accounts and threads. The functions given to a
fan-out get account managers whose clients are untouched.

Thread safety: every function here is safe from any thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.config import Config

from ..session import configured_retry_mode
from ._manager import ManagerLike

#: The retry mode of the fan-out's own clients when none was chosen.
FANOUT_RETRY_MODE = "adaptive"

#: Returns the fan-out's client for a service name (``"sts"``, ``"organizations"``).
ClientSource = Callable[..., Any]


def fanout_retry_config(bsm: ManagerLike) -> Config | None:
    """The ``Config`` the fan-out adds to its own clients; None when a retry mode was chosen.

    The retries given in ``default_client_kwargs`` (``max_attempts`` ...)
    are kept, with ``mode`` set to :data:`FANOUT_RETRY_MODE`.
    """
    base = (bsm.default_client_kwargs or {}).get("config")
    retries = getattr(base, "retries", None)
    chosen = dict(retries) if isinstance(retries, dict) else {}
    if "mode" in chosen or configured_retry_mode(bsm.boto_ses) is not None:
        return None
    chosen["mode"] = FANOUT_RETRY_MODE
    return Config(retries=chosen)  # type: ignore[arg-type]


def client_source(bsm: ManagerLike) -> ClientSource:
    """``source(service_name)``: the fan-out's client for a service, from ``bsm``'s cache.

    The retry mode is worked out once, here; each call is a cache lookup, so
    every thread (and every refresh of an account's role) gets the same
    client.
    """
    config = fanout_retry_config(bsm)
    if config is None:
        return bsm.get_client

    def source(service_name: str, **_: Any) -> Any:
        return bsm.get_client(service_name, config=config)

    return source


def fanout_client(bsm: ManagerLike, service_name: str) -> Any:
    """The client a fan-out from ``bsm`` uses itself for ``"sts"`` or ``"organizations"``.

    In botocore's adaptive retry mode unless a retry mode was chosen (see
    :mod:`boto_session_manager.fanout`); the manager's cached client, so the
    very one the run uses: register event handlers on it to watch or stub
    the run's own calls.

    Thread safety: safe from any thread; one client per manager and service.

    Example::

        from boto_session_manager.fanout import fanout_client

        sts = fanout_client(bsm, "sts")
        sts.meta.config.retries["mode"]   # "adaptive"
        sts.meta.events.register("before-call.sts.AssumeRole", print)
    """
    return client_source(bsm)(service_name)
