"""botocore's event-handler machinery, shared: copy-on-write tries, cheaper registrations.

Private botocore names used here: ``botocore.hooks._PrefixTrie`` and
``_MIDDLE`` (subclassed), an emitter's ``_handlers``/``_lookup_cache``, its
``_verify_accept_kwargs`` and an aliaser's ``_alias_name_cache``. All are
verified by :func:`boto_session_manager._botocore.check`.

Thread safety: see each class.
"""

from __future__ import annotations

import copy
import inspect
import threading
import types
from typing import Any

import botocore
import botocore.hooks

from .. import _forksafe
from ..exceptions import BotocoreCompatibilityError

#: Key marking the handler-trie nodes a :class:`_SharedTrie` may change in place.
_OWNER = "bsm-owner"

_hooks: Any = botocore.hooks  # private names: not in botocore's type stubs
try:  # the botocore internals the handler trie builds on
    _PrefixTrie: Any = _hooks._PrefixTrie
    _MIDDLE: int = _hooks._MIDDLE
except AttributeError as exc:  # pragma: no cover - only on an incompatible botocore
    _msg = (
        f"botocore {botocore.__version__} lacks botocore.hooks.{exc.name}: "
        "sessions cannot share event handlers"
    )
    raise BotocoreCompatibilityError(_msg) from exc


def _copy_emitter(
    template: botocore.hooks.HierarchicalEmitter,
) -> botocore.hooks.HierarchicalEmitter:
    """A copy of the handler template; the one place that knows emitter internals.

    ``HierarchicalEmitter.__copy__`` copies the handler tree but shares the
    lookup cache dict with the original; a copy that emitted before anyone
    registered on it would fill the template's cache. Each copy therefore gets
    its own empty cache.
    """
    emitter = copy.copy(template)
    if not isinstance(emitter, botocore.hooks.HierarchicalEmitter) or not hasattr(
        emitter, "_lookup_cache"
    ):  # pragma: no cover - only on an incompatible botocore
        msg = (
            "botocore's HierarchicalEmitter no longer copies as expected "
            "(no _lookup_cache); the event-handler template cannot be used"
        )
        raise BotocoreCompatibilityError(msg)
    emitter._lookup_cache = {}
    return emitter


class _SharedTrie(_PrefixTrie):  # type: ignore[misc,unused-ignore]
    """botocore's handler trie, copied in O(1) and copied on write along one path.

    A node is a dict (``chunk``, ``values``, ``children``) as in botocore,
    plus a mark naming the trie that may change it in place. A copy shares
    every node with its original and both forget that they owned any
    (``__copy__`` gives each side a new owner token). A registration or
    removal first makes its key's path its own: each node on it that carries
    another mark (or none) is replaced by a copy with a copy of its handler
    lists. So a shared node is never changed, and neither side of a copy can
    see what the other registers. ``prefix_search``, ordering and the
    removal rules are botocore's own code, run on the owned path.

    Thread safety: registrations, removals and copies of one trie are
    serialised by its lock (replacing a path's nodes is not atomic, and
    s3transfer registers on a client from its worker threads); lookups take
    no lock and, as in botocore, see a registration made concurrently or not.
    Nodes shared between tries are never changed.
    """

    def __init__(self, root: dict[str, Any] | None = None) -> None:
        if root is None:
            super().__init__()
        else:
            self._root = root
        self._owner = object()
        self._lock = threading.Lock()
        _forksafe.register(self._renew_lock)

    def _renew_lock(self) -> None:
        self._lock = threading.Lock()

    def __copy__(self) -> _SharedTrie:
        with self._lock:
            self._owner = object()  # from now on every node is shared with the copy
            return _SharedTrie(self._root)

    def _own(self, node: dict[str, Any]) -> dict[str, Any]:
        if node.get(_OWNER) is self._owner:
            return node
        values = node["values"]
        return {
            "chunk": node["chunk"],
            "values": None if values is None else copy.copy(values),
            "children": dict(node["children"]),
            _OWNER: self._owner,
        }

    def _own_path(self, key: str, *, create: bool) -> None:
        node = self._root = self._own(self._root)
        for part in key.split("."):
            children = node["children"]
            child = children.get(part)
            if child is None:
                if not create:
                    return  # botocore's remove_item reports the missing key
                child = {"chunk": part, "values": None, "children": {}, _OWNER: self._owner}
            node = children[part] = self._own(child)

    def append_item(self, key: str, value: Any, section: int = _MIDDLE) -> None:
        with self._lock:
            self._own_path(key, create=True)
            super().append_item(key, value, section)

    def remove_item(self, key: str, value: Any) -> None:
        with self._lock:
            self._own_path(key, create=False)
            super().remove_item(key, value)


class _SharedEmitter(botocore.hooks.HierarchicalEmitter):  # type: ignore[misc,unused-ignore]
    """botocore's emitter, minus a signature inspection per registration.

    botocore checks that every handler takes ``**kwargs`` with
    ``inspect.getfullargspec`` (~15 us), and each client registers a dozen
    handlers. For a plain function or a method of one (no ``__signature__``
    of its own), the code object's flags give the same answer directly; any
    other callable, and any handler that fails the check, goes through
    botocore's own check and error.
    """

    def _verify_accept_kwargs(self, func: Any) -> Any:
        target = func.__func__ if type(func) is types.MethodType else func
        if (
            type(target) is types.FunctionType
            and "__signature__" not in target.__dict__
            and target.__code__.co_flags & inspect.CO_VARKEYWORDS
        ):
            return None
        base: Any = super()  # a private botocore method: not in its type stubs
        return base._verify_accept_kwargs(func)


class _SharedAliaser(botocore.hooks.EventAliaser):  # type: ignore[misc,unused-ignore]
    """botocore's EventAliaser with one cache of aliased names for the whole process.

    botocore rewrites old event names (``before-call.apigateway`` ...) by
    trying ~30 aliases on each name an aliaser has not seen yet, and every
    session and every client's copy starts with an empty cache. Aliasers
    built here with botocore's default aliases (and their copies, which copy
    those aliases) compute the same names, so they share one cache. An
    aliaser given other aliases keeps a cache of its own.

    Thread safety: the cache only ever gains entries, each the same whoever
    writes it.
    """

    def __init__(self, event_emitter: Any, event_aliases: Any = None) -> None:
        super().__init__(event_emitter, event_aliases)
        if event_aliases is None or event_aliases == _DEFAULT_ALIASES:
            self._alias_name_cache = _ALIASED_NAMES


class _AliasedNames(dict):  # type: ignore[type-arg,unused-ignore]
    """The process's cache of aliased event names, which stops growing at :attr:`CAP`.

    Event names include user-chosen parts (``getattr.<service>.<attribute>``),
    so the set is open-ended; past the cap a new name is derived again at each
    use, exactly as botocore derives it the first time.
    """

    CAP = 10_000

    def __setitem__(self, name: str, aliased: str) -> None:
        if len(self) < self.CAP:
            super().__setitem__(name, aliased)


_DEFAULT_ALIASES = dict(getattr(botocore.hooks, "EVENT_ALIASES", {}))
_ALIASED_NAMES = _AliasedNames()


def _event_nodes(emitter: Any, first_part: str) -> tuple[Any, Any] | None:
    """An emitter's handler nodes that events named ``first_part.*`` can reach.

    That is the ``first_part`` node and the ``*`` node at the top. Sessions
    built here share these nodes with the template until something registers
    under them, so comparing them with the template's tells whether a session
    has handlers of its own for those events. None for an emitter of another kind.
    """
    trie = getattr(getattr(emitter, "_emitter", emitter), "_handlers", None)
    if not isinstance(trie, _SharedTrie):
        return None
    children = trie._root["children"]
    return (children.get(first_part), children.get("*"))


def _docs_nodes(emitter: Any) -> tuple[Any, Any] | None:
    """An emitter's handler nodes that docs events can reach (``docs`` and ``*``)."""
    return _event_nodes(emitter, "docs")


def has_own_handlers(emitter: Any, template: Any, first_part: str) -> bool:
    """Whether ``emitter`` has handlers for ``first_part.*`` events the template lacks."""
    mine, shared = _event_nodes(emitter, first_part), _event_nodes(template, first_part)
    return mine is None or shared is None or mine[0] is not shared[0] or mine[1] is not shared[1]
