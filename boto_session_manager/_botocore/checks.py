"""Every assumption the package makes about botocore's internals, checked at once.

:func:`check` runs once, before the first session, client or refreshable
credentials are built (:func:`ensure_checked`, a flag test afterwards), and
raises one :class:`~boto_session_manager.exceptions.BotocoreCompatibilityError`
listing every assumption the installed botocore breaks, with its version. A
test runs it against the installed botocore, so an upgrade that breaks the
package fails its test suite, not a user's program.

Thread safety: safe; concurrent first calls may both run the checks (they
only read), and the flag is set once they pass.
"""

from __future__ import annotations

import inspect
import threading
import types
from collections.abc import Callable, Iterator
from typing import Any

import botocore
import botocore.client
import botocore.credentials
import botocore.endpoint
import botocore.handlers
import botocore.hooks
import botocore.regions
import botocore.session
from botocore.docs.docstring import ClientMethodDocstring

from .. import _forksafe
from ..exceptions import BotocoreCompatibilityError

_checked: list[bool] = []


def _handler_table() -> Iterator[str]:
    table = getattr(botocore.handlers, "BUILTIN_HANDLERS", None)
    if not isinstance(table, list):
        yield "botocore.handlers.BUILTIN_HANDLERS is a list"
    elif not all(isinstance(entry, tuple) and 2 <= len(entry) <= 3 for entry in table):
        yield "BUILTIN_HANDLERS holds (event, handler[, section]) tuples"


def _hooks() -> Iterator[str]:
    hooks: Any = botocore.hooks
    if not isinstance(getattr(hooks, "_PrefixTrie", None), type):
        yield "botocore.hooks._PrefixTrie is a class"
    if not isinstance(getattr(hooks, "_MIDDLE", None), int):
        yield "botocore.hooks._MIDDLE is an int"
    emitter: Any = botocore.hooks.HierarchicalEmitter()
    root = getattr(getattr(emitter, "_handlers", None), "_root", None)
    if not isinstance(root, dict) or not {"chunk", "values", "children"} <= root.keys():
        yield "HierarchicalEmitter._handlers._root is a chunk/values/children dict"
    if not isinstance(getattr(emitter, "_lookup_cache", None), dict):
        yield "HierarchicalEmitter._lookup_cache is a dict"
    if not callable(getattr(emitter, "_verify_accept_kwargs", None)):
        yield "HierarchicalEmitter._verify_accept_kwargs exists"
    aliaser: Any = botocore.hooks.EventAliaser(emitter)
    if not isinstance(getattr(aliaser, "_alias_name_cache", None), dict):
        yield "EventAliaser._alias_name_cache is a dict"
    if not isinstance(getattr(hooks, "EVENT_ALIASES", None), dict):
        yield "botocore.hooks.EVENT_ALIASES is a dict"


def _session() -> Iterator[str]:
    session_class: Any = botocore.session.Session
    parameters = inspect.signature(session_class.__init__).parameters
    if not {"event_hooks", "include_builtin_handlers"} <= parameters.keys():
        yield "botocore.session.Session takes event_hooks and include_builtin_handlers"
        return
    if not callable(getattr(session_class, "_register_event_emitter", None)):
        yield "Session._register_event_emitter exists"
    session: Any = session_class(include_builtin_handlers=False)
    for name in ("_original_handler", "_events", "_credentials"):
        if not hasattr(session, name):
            yield f"a botocore Session has {name}"
    profile = getattr(session, "session_var_map", {}).get("profile")
    if not (isinstance(profile, tuple) and len(profile) == 4):
        yield "Session.session_var_map['profile'] is a 4-tuple"


def _clients() -> Iterator[str]:
    regions: Any = botocore.regions
    if not isinstance(getattr(regions, "EndpointProvider", None), type):
        yield "botocore.regions.EndpointProvider is a class"
    make = getattr(botocore.client.ClientCreator, "_create_api_method", None)
    consts = getattr(getattr(make, "__code__", None), "co_consts", ())
    if not any(isinstance(c, types.CodeType) and c.co_name == "_api_call" for c in consts):
        yield "ClientCreator._create_api_method generates an _api_call function"
    doc: Any = ClientMethodDocstring(operation_model=None, method_name="x", event_emitter=None)
    if not (isinstance(doc._gen_args, tuple) and isinstance(doc._gen_kwargs, dict)):
        yield "ClientMethodDocstring keeps _gen_args and _gen_kwargs"
    if "http_session" not in inspect.signature(botocore.endpoint.Endpoint.__init__).parameters:
        yield "botocore.endpoint.Endpoint takes an http_session"
    if "endpoint" not in inspect.signature(botocore.client.BaseClient.__init__).parameters:
        yield "BaseClient keeps the endpoint it is given (client._endpoint)"


def _credentials() -> Iterator[str]:
    creds: Any = botocore.credentials.DeferredRefreshableCredentials(
        refresh_using=dict, method="check"
    )
    lock = getattr(creds, "_refresh_lock", None)
    if not (callable(getattr(lock, "acquire", None)) and callable(getattr(lock, "release", None))):
        yield "RefreshableCredentials._refresh_lock is a lock"
    if not callable(getattr(creds, "_protected_refresh", None)):
        yield "RefreshableCredentials._protected_refresh exists"
    for name in ("_frozen_credentials", "_expiry_time"):
        if not hasattr(creds, name):
            yield f"RefreshableCredentials has {name}"
    for name in ("_advisory_refresh_timeout", "_mandatory_refresh_timeout"):
        if not isinstance(getattr(creds, name, None), (int, float)):
            yield f"RefreshableCredentials.{name} is a number of seconds"


#: Each group of assumptions, in the order they are reported.
CHECKS: tuple[Callable[[], Iterator[str]], ...] = (
    _handler_table,
    _hooks,
    _session,
    _clients,
    _credentials,
)


def check() -> None:
    """Verify every botocore internal the package relies on; raise if one is gone.

    Raises:
        BotocoreCompatibilityError: naming the botocore version and every
            assumption it breaks.

    Example::

        from boto_session_manager import _botocore

        _botocore.check()   # silent with a supported botocore
    """
    broken: list[str] = []
    for group in CHECKS:
        try:
            broken.extend(group())
        except Exception as exc:  # an internal that changed shape beyond our test
            broken.append(f"{group.__name__.strip('_')}: {type(exc).__name__}: {exc}")
    if broken:
        msg = (
            f"botocore {botocore.__version__} breaks what boto_session_manager relies on: "
            + "; ".join(f"expected {item}" for item in broken)
            + ". Install a botocore release this version of boto_session_manager supports."
        )
        raise BotocoreCompatibilityError(msg)
    _checked.append(True)


_lock = threading.Lock()


def _renew_lock() -> None:
    global _lock
    _lock = threading.Lock()


_forksafe.register(_renew_lock)


def ensure_checked() -> None:
    """:func:`check` once per process; later calls cost one list test."""
    if not _checked:
        with _lock:
            if not _checked:
                check()
