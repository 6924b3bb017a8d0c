"""Locks the package owns, replaced in the child after ``os.fork()``.

A fork copies every lock in the state it is in, but only the forking thread:
a lock another thread held at that moment stays held for ever in the child,
and the child's first client (or session, or cache read) waits on it. Each
object or module that owns a lock registers a function here that replaces
its locks (and forgets half-done work); the functions run in the child right
after a fork, before any of its code.

Objects are held weakly (a bound method is kept as a
:class:`weakref.WeakMethod`), so registering never keeps a manager, session
or client alive. On platforms without ``os.register_at_fork`` (Windows) there
is no fork, and nothing is installed.

Thread safety: :func:`register` may be called from any thread; the hooks run
in the child, where only the forking thread exists.

Example::

    class Cache:
        def __init__(self) -> None:
            self._lock = threading.Lock()
            _forksafe.register(self._renew_locks)

        def _renew_locks(self) -> None:
            self._lock = threading.Lock()
"""

from __future__ import annotations

import os
import sys
import types
import weakref
from collections.abc import Callable

#: Bound methods, by (id of their object, name); an entry leaves with its object.
_methods: dict[tuple[int, str], weakref.WeakMethod[Callable[[], None]]] = {}
#: Plain functions (module-level state), kept for the life of the process.
_functions: list[Callable[[], None]] = []


def register(reset: Callable[[], None]) -> None:
    """Run ``reset()`` in the child after every fork (a bound method is held weakly)."""
    if isinstance(reset, types.MethodType):
        key = (id(reset.__self__), reset.__name__)

        def forget(_: object) -> None:
            _methods.pop(key, None)

        _methods[key] = weakref.WeakMethod(reset, forget)
    else:
        _functions.append(reset)


def after_fork_in_child() -> None:
    """Run every registered reset (called by ``os.register_at_fork``; tests call it too)."""
    for function in list(_functions):
        function()
    for ref in list(_methods.values()):
        method = ref()
        if method is not None:
            method()


def _forget_module_import_locks() -> None:
    """Forget the per-module import locks that other threads may have held at the fork.

    On Python 3.10 ``importlib.import_module`` takes a module's import lock
    even when the module is already loaded, and boto3 imports its service
    customisations that way each time botocore builds a client class. A lock
    that another thread held at the fork stays held in the child, whose first
    client then waits for ever. The child makes new locks when it needs them.
    An interpreter without this table has nothing to forget.
    """
    bootstrap = sys.modules.get("importlib._bootstrap")
    locks = getattr(bootstrap, "_module_locks", None)
    if isinstance(locks, dict):
        locks.clear()


register(_forget_module_import_locks)

if hasattr(os, "register_at_fork"):  # absent on Windows, which has no fork
    os.register_at_fork(after_in_child=after_fork_in_child)
