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

import contextlib
import os
import sys
import threading
import types
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager

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


class _ForkGate:
    """Forks wait until no thread is inside a section a fork must not split.

    Building a client makes an SSL context, and on Python 3.10 OpenSSL's
    global locks are taken with the interpreter lock released: a thread
    forking at that moment leaves the child with an OpenSSL lock held for
    ever, and the child's first client hangs. So the fork waits (at most
    ``timeout`` seconds) until the threads inside :meth:`section` have left,
    and no thread enters one until the fork is done. A section the forking
    thread is in itself, or one nested in another, never waits.
    """

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self._renew()

    def _renew(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._inside = 0
        self._forking = False
        self._mine = threading.local()

    @contextmanager
    def section(self) -> Iterator[None]:
        depth = getattr(self._mine, "depth", 0)
        with self._cond:
            if depth == 0:
                self._cond.wait_for(lambda: not self._forking)
            self._inside += 1
        self._mine.depth = depth + 1
        try:
            yield
        finally:
            self._mine.depth = depth
            with self._cond:
                self._inside -= 1
                self._cond.notify_all()

    def before_fork(self) -> None:
        mine = getattr(self._mine, "depth", 0)
        with self._cond:
            self._forking = True
            self._cond.wait_for(lambda: self._inside <= mine, self.timeout)

    def after_fork_in_parent(self) -> None:
        with self._cond:
            self._forking = False
            self._cond.notify_all()


_gate = _ForkGate()


def unsplit() -> contextlib.AbstractContextManager[None]:
    """A section no fork splits: forks wait for it to end (thread safe, reentrant)."""
    return _gate.section()


def _forget_module_import_locks() -> None:
    """Forget the imports other threads had under way at the fork, and their locks.

    A thread that was importing a module when another thread forked does not
    exist in the child, so that import never finishes there: its module stays
    in ``sys.modules`` half run (boto3 imports its service customisations the
    first time a client of the service is built, so a fork while threads
    build clients meets one), and its per-module import lock stays held. On
    Python 3.10 ``importlib.import_module`` takes that lock even for a loaded
    module, so the child's next client waited for ever; without the lock it
    found the half-run module and failed with an ``AttributeError``. The
    child therefore drops those modules (its own next import runs them again,
    whole) and makes new locks when it needs them. An import the forking
    thread itself has under way is left alone. An interpreter without this
    table has nothing to forget.
    """
    bootstrap = sys.modules.get("importlib._bootstrap")
    locks = getattr(bootstrap, "_module_locks", None)
    if not isinstance(locks, dict):
        return
    me = threading.get_ident()
    for name, ref in list(locks.items()):
        lock = ref() if callable(ref) else None
        owner = getattr(lock, "owner", None)
        module = sys.modules.get(name)
        spec = getattr(module, "__spec__", None)
        if owner is not None and owner != me and getattr(spec, "_initializing", False):
            del sys.modules[name]
    locks.clear()


register(_forget_module_import_locks)
register(_gate._renew)

if hasattr(os, "register_at_fork"):  # absent on Windows, which has no fork
    os.register_at_fork(
        before=_gate.before_fork,
        after_in_parent=_gate.after_fork_in_parent,
        after_in_child=after_fork_in_child,
    )
