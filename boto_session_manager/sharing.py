"""What every session of the process shares: models, handlers, endpoint rules, client methods.

A plain ``boto3.Session()`` gets its own botocore ``Loader``, and each loader
parses the service model, endpoint rules and partitions JSON again on the first
client of each service: about 30-45 ms and several MB per session and service.
A process that talks to hundreds of accounts makes hundreds of sessions, so
every session this library builds shares what does not depend on the account:

- **One loader per process** (per value of ``AWS_DATA_PATH``, so custom models
  keep working), given to each session through botocore's public
  ``register_component("data_loader", ...)``. Its ``instance_cache`` holds one
  parsed copy of each file. Parsing is single-flight: when 16 threads ask a
  cold loader for the S3 model at once, one parses and 15 wait for its result
  (an unlocked loader parses the same file up to 11 times, all under the GIL).
  ``prewarm()`` parses chosen services ahead of a fan-out. (``boto3.Session``
  appends its data directory to the loader's search paths on *every*
  session; the shared list ignores an entry it already holds.)
- **A template of botocore's builtin event handlers.** ``botocore.session.Session()``
  spends ~95 % of its 4 ms registering the same ~130 builtin handlers (it
  inspects each handler's signature). The template is filled once; each new
  session starts from a copy of it (``include_builtin_handlers=False``),
  about 0.3 ms. The copy holds the very same handler objects botocore would
  have registered, so signing, retries, S3 redirects and resources behave
  exactly as with a plain session (``tests/test_sharing.py`` compares the
  handler lists event by event).
- **Copy-on-write handler tries.** botocore copies the session's whole
  handler trie (~120 nodes, ~700 objects) into every client it creates, and
  the client then registers a dozen handlers of its own. Sessions and
  clients built here copy in O(1): a copy shares every node with its
  original, and a registration copies only the few nodes on its event's path
  (``_SharedTrie``).
- **One endpoint provider per endpoint ruleset.** botocore builds the
  ruleset's rule objects again for every client (~1 ms and ~500 objects for
  S3). Rulesets parsed by the shared loader get one provider each, built on
  first use and handed to every later client; providers are pure functions
  of the ruleset (botocore's own result cache then serves all accounts).
  This is the one process-wide change: ``botocore.regions.EndpointProvider``
  becomes a subclass that behaves exactly as before for any ruleset the
  shared loaders did not parse (a plain ``boto3.Session``'s, for one).
- **One set of client methods per service model.** botocore generates a
  method, a closure and a lazy docstring holding an ``OperationModel`` for
  each operation of each client class (~1,300 objects per account of three
  clients). Once a client's class is built (every ``creating-client-class``
  handler has run), one set per parsed model replaces the methods it still
  has as botocore generated them: copies of the first class's
  methods whose docstrings render through the template, so they keep no
  session alive. A generated method only carries the operation's name; the
  call itself always goes through the client's own model, credentials and
  handlers. A method another handler replaced, wrapped or changed is never
  swapped, nor are the methods of a session with ``docs.*`` handlers of its
  own (``_ClientMethods``).
- **Cheaper registrations.** botocore checks each handler's signature with
  ``inspect.getfullargspec`` and derives aliased event names again in every
  client; plain functions are checked through their code flags here
  (``_SharedEmitter``), and one cache of aliased names serves every session
  (``_SharedAliaser``).
- **A pause of the cyclic garbage collector** while a session or client is
  built (``gc_paused``). A client is hundreds of new container objects; in a
  process already holding many, the collector's scans during creation cost
  about as much as the creation itself. The pause is shared by all threads
  (first in turns the collector off, last out turns it back on); however
  many threads overlap, the first creator to finish after
  ``_GCPause.MAX_PAUSE`` (0.25 s) turns it back on. It covers in-memory work
  only: credentials (a credential process, SSO, IMDS) are resolved before
  it. A collector the caller disabled beforehand is left alone, and a child
  forked during a pause starts with the collector on.

Together: ~1,200 long-lived container objects per account of three clients
instead of ~6,100 (``tests/test_sharing.py`` holds the count under 2,000),
so the collector's full scans, which used to cost as much as the creation
itself, are cheap again. Measured numbers are in ``docs/performance.rst``.

Not shared: the ``ServiceModel``, the client class object itself, the
config store and HTTP pool of each client (small, and per-client state).

Every reach into botocore internals is checked once, when the first session
is built (``_check_botocore()``): a botocore upgrade that removes one raises
:class:`SharingError` naming what is missing instead of failing later.

Thread safety: everything here is safe from any number of threads. The
loader, the template, the providers and the method sets are built under
locks; shared nodes, providers and methods are never changed after they are
shared, and each session and client writes only to nodes it owns, one
registration at a time (a lock per handler trie).
"""

from __future__ import annotations

import copy
import gc
import inspect
import os
import threading
import time
import types
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import boto3
import botocore.client
import botocore.hooks
import botocore.loaders
import botocore.regions
import botocore.session
from botocore import UNSIGNED
from botocore.docs.docstring import ClientMethodDocstring

from .exceptions import SharingError

_BOTO3_DATA = os.path.join(os.path.dirname(boto3.__file__), "data")
_lock = threading.Lock()
_loaders: dict[str | None, botocore.loaders.Loader] = {}
_template: list[botocore.hooks.HierarchicalEmitter] = []

#: Files every client needs, whatever its service.
_COMMON_FILES = ("endpoints", "partitions", "sdk-default-configuration", "_retry")
_RULESET = "endpoint-rule-set-1"
#: Key marking the handler-trie nodes a :class:`_SharedTrie` may change in place.
_OWNER = "bsm-owner"


_hooks: Any = botocore.hooks  # private names: not in botocore's type stubs
_regions: Any = botocore.regions
try:  # the botocore internals the handler trie and the shared providers build on
    _PrefixTrie: Any = _hooks._PrefixTrie
    _MIDDLE: int = _hooks._MIDDLE
    _EndpointProvider: Any = _regions.EndpointProvider
except AttributeError as exc:  # pragma: no cover - only on an incompatible botocore
    _msg = f"botocore lacks {exc.name}: sessions cannot share handlers and endpoint rules"
    raise SharingError(_msg) from exc


class _UniquePaths(list):  # type: ignore[type-arg,unused-ignore]
    """A search path list that refuses duplicates (boto3 appends on every session)."""

    def append(self, path: Any) -> None:
        if path not in self:
            super().append(path)


class _SingleFlightLoader(botocore.loaders.Loader):  # type: ignore[misc,unused-ignore]
    """A Loader that parses each file once even when many threads ask at once.

    botocore's ``instance_cache`` is checked and filled without a lock, so
    cold concurrent callers all parse. Here the cached methods run under one
    re-entrant lock: a hit costs an uncontended acquire (~0.1 us), a miss is
    parsed by the first caller while the others wait for it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._bsm_lock = threading.RLock()

    def load_service_model(
        self, service_name: str, type_name: str, api_version: str | None = None
    ) -> Any:
        with self._bsm_lock:
            data = super().load_service_model(service_name, type_name, api_version)
        if type_name == _RULESET:
            _providers.adopt(data)
        return data

    def load_data_with_path(self, *args: Any, **kwargs: Any) -> Any:
        with self._bsm_lock:
            return super().load_data_with_path(*args, **kwargs)

    def list_available_services(self, *args: Any, **kwargs: Any) -> Any:
        with self._bsm_lock:
            return super().list_available_services(*args, **kwargs)


def shared_loader() -> botocore.loaders.Loader:
    """The process-wide botocore Loader for the current ``AWS_DATA_PATH``.

    Example::

        from boto_session_manager.sharing import shared_loader

        shared_loader().load_service_model("s3", "service-2")   # parsed once per process
    """
    data_path = os.environ.get("AWS_DATA_PATH")
    loader = _loaders.get(data_path)
    if loader is not None:
        return loader
    with _lock:
        loader = _loaders.get(data_path)
        if loader is None:
            extra = [
                os.path.expanduser(os.path.expandvars(p))
                for p in (data_path or "").split(os.pathsep)
                if p
            ]
            try:
                loader = _SingleFlightLoader(extra_search_paths=_UniquePaths(extra))
                loader.search_paths.append(_BOTO3_DATA)
            except (TypeError, AttributeError) as exc:  # pragma: no cover - botocore upgrade
                msg = f"cannot build a shared botocore Loader with this botocore: {exc}"
                raise SharingError(msg) from exc
            _loaders[data_path] = loader
    return loader


def prewarm(services: Iterable[str] = ("sts",)) -> None:
    """Parse the common files and these services' models into the shared loader now.

    Optional: the loader parses on first use anyway, once per process. Call it
    before starting threads to keep the first wave of workers from queueing
    behind one parse.

    Args:
        services: botocore service names (``"s3"``, ``"dynamodb"`` ...).

    Thread safety: safe; concurrent calls parse each file once.

    Example::

        from boto_session_manager.sharing import prewarm

        prewarm(["sts", "s3", "dynamodb"])
    """
    loader = shared_loader()
    for name in _COMMON_FILES:
        loader.load_data(name)
    for service in services:
        loader.load_service_model(service, "service-2")
        loader.load_service_model(service, _RULESET)


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
        raise SharingError(msg)
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


class _EndpointProviders:
    """One botocore ``EndpointProvider`` per ruleset parsed by a shared loader.

    ``adopt()`` records each ruleset dict a shared loader returns (it is the
    loader's cached object, so the same for every client of that service).
    Only those rulesets are looked up here; any other is built as botocore
    would build it. Entries keep the ruleset and partition dicts alive, so
    the ``id()`` in a key can never be reused by another object.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rulesets: dict[int, Any] = {}
        self._built: dict[tuple[int, int, frozenset[str]], tuple[Any, Any]] = {}

    def adopt(self, ruleset: Any) -> None:
        with self._lock:
            self._rulesets.setdefault(id(ruleset), ruleset)

    def key(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """The cache key for a constructor call, or None when it is not ours to share."""
        ruleset = kwargs.get("ruleset_data")
        if args or ruleset is None or self._rulesets.get(id(ruleset)) is not ruleset:
            return None
        if not kwargs.keys() <= {"ruleset_data", "partition_data", "excluded_params"}:
            return None  # a botocore that passes more than we know of: do not share
        excluded = frozenset(kwargs.get("excluded_params") or ())
        return (id(ruleset), id(kwargs.get("partition_data")), excluded)

    def get(self, key: Any) -> Any:
        found = self._built.get(key)
        return None if found is None else found[1]

    def put(self, key: Any, partitions: Any, provider: Any) -> None:
        with self._lock:
            self._built.setdefault(key, (partitions, provider))


_providers = _EndpointProviders()


class _SharedEndpointProvider(_EndpointProvider):  # type: ignore[misc,unused-ignore]
    """botocore's EndpointProvider; one instance per ruleset a shared loader parsed.

    Installed as ``botocore.regions.EndpointProvider`` when the first shared
    session is built. For any other ruleset (a plain ``boto3.Session``'s) it
    is botocore's class with a different name; its instances pickle and copy
    as before, since the class lives at module level. Subclasses of it (a
    program's own provider class) are never shared either way.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        key = _providers.key(args, kwargs) if cls is _SharedEndpointProvider else None
        found = None if key is None else _providers.get(key)
        return found if found is not None else super().__new__(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "_bsm_key" in self.__dict__:
            return  # a shared provider handed back by __new__: already built
        super().__init__(*args, **kwargs)
        if type(self) is not _SharedEndpointProvider:
            return  # a subclass (someone's own provider) is never shared
        key = self._bsm_key = _providers.key(args, kwargs)
        if key is not None:
            _providers.put(key, kwargs.get("partition_data"), self)


def _install_shared_endpoint_provider() -> None:
    """Make ``botocore.regions.EndpointProvider`` hand out one provider per adopted ruleset.

    A class someone else put there since this module was imported is left in
    place: endpoint providers are then simply not shared.
    """
    if _regions.EndpointProvider is _EndpointProvider:
        _regions.EndpointProvider = _SharedEndpointProvider


def _generated_api_call_code() -> types.CodeType:
    """The code object of the methods botocore generates for client classes."""
    make = getattr(botocore.client.ClientCreator, "_create_api_method", None)
    consts = getattr(getattr(make, "__code__", None), "co_consts", ())
    for const in consts:
        if isinstance(const, types.CodeType) and const.co_name == "_api_call":
            return const
    msg = (  # pragma: no cover - only on an incompatible botocore
        "botocore.client.ClientCreator no longer generates client methods from "
        "_create_api_method/_api_call; client methods cannot be shared"
    )
    raise SharingError(msg)  # pragma: no cover


class _ClientMethods:
    """The generated methods of the first client class of each model, for all later ones.

    :meth:`share` runs once a client's class is built, so every handler of
    ``creating-client-class`` (botocore's, boto3's and the user's, registered
    first, normally or last) has run: what they changed in place is on that
    class's own functions, never on shared ones. A method is taken, and
    replaced, only while it is still what botocore generated: the same code
    object and name, no attribute set on it, and its lazy docstring (a
    ``ClientMethodDocstring``) the one botocore built for this class's model
    and session. The key is the parsed model's identity, so another API
    version or a model from ``AWS_DATA_PATH`` gets methods (and docs) of its
    own.

    The first class keeps its own functions; what is shared is a copy of each,
    whose docstring renders through the builtin-handler template instead of
    the first session's emitter. So a shared method holds on to no session,
    and its docs are what any session without ``docs.*`` handlers of its own
    would render. A session that registered such handlers (or a ``*``
    handler at the top level) keeps its own methods and docs.

    Known differences from plain botocore: an attribute set on a generated
    method *after* its client was created (``type(client).get_item.__doc__ =
    ...``) is seen by the clients of every manager that share it (change
    methods in a ``creating-client-class`` handler instead); and ``docs.*``
    handlers a session registers after it created a client of a service do
    not reach that client's docstrings (register them first).

    Thread safety: :meth:`share` may run in many threads at once; the first
    set stored for a model wins and is never replaced.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._code: types.CodeType | None = None
        #: The template's ``docs`` and ``*`` handler nodes, and an emitter rendering through it.
        self._template_docs: tuple[Any, Any] | None = None
        self._docs_emitter: Any = None
        self._by_model: dict[int, tuple[Any, dict[str, Any]]] = {}

    def use_template(self, template: botocore.hooks.HierarchicalEmitter) -> None:
        self._template_docs = _docs_nodes(template)
        self._docs_emitter = _SharedAliaser(template)

    def _renders_docs_as_template(self, emitter: Any) -> bool:
        nodes, template = _docs_nodes(emitter), self._template_docs
        return (
            nodes is not None
            and template is not None
            and nodes[0] is template[0]
            and nodes[1] is template[1]
        )

    def _generated(self, class_attributes: Mapping[str, Any], names: dict[str, str]) -> Any:
        """``(model, session emitter, {name: function})`` for the still-generated methods."""
        code = self._code
        model = emitter = None
        out = {}
        for py_name in names:
            method = class_attributes.get(py_name)
            if (
                type(method) is not types.FunctionType
                or method.__code__ is not code
                or method.__name__ != py_name
                or method.__dict__
                or type(method.__doc__) is not ClientMethodDocstring
            ):
                continue
            doc: Any = method.__doc__  # a ClientMethodDocstring: its fields are private
            doc_kwargs = doc._gen_kwargs
            operation = doc_kwargs.get("operation_model")
            this_model = getattr(operation, "service_model", None)
            if model is None:
                model, emitter = this_model, doc_kwargs.get("event_emitter")
            if this_model is model and doc_kwargs.get("event_emitter") is emitter:
                out[py_name] = method
        return model, emitter, out

    def _detached(self, method: types.FunctionType) -> types.FunctionType:
        """A copy of a generated method whose docstring renders through the template."""
        copied = types.FunctionType(
            method.__code__, method.__globals__, method.__name__, None, method.__closure__
        )
        copied.__qualname__ = method.__qualname__
        doc: Any = method.__doc__  # a ClientMethodDocstring: its fields are private
        copied.__doc__ = ClientMethodDocstring(
            *doc._gen_args, **{**doc._gen_kwargs, "event_emitter": self._docs_emitter}
        )
        return copied

    def share(self, cls: type) -> None:
        """Put the shared methods of its model into ``cls``, a client class just built.

        The first class of a model only lends copies of its methods; nobody
        else has seen ``cls`` yet, so changing it is safe.
        """
        names = cls.__dict__.get("_PY_TO_OP_NAME")
        if not isinstance(names, dict):
            return
        model, emitter, generated = self._generated(cls.__dict__, names)
        description = getattr(model, "_service_description", None)
        if description is None:
            return
        key = id(description)
        found = self._by_model.get(key)
        if found is None:
            detached = {name: self._detached(method) for name, method in generated.items()}
            with self._lock:  # the description is kept so that its id() stays its own
                self._by_model.setdefault(key, (description, detached))
            return
        if not self._renders_docs_as_template(emitter):
            return  # the session renders docs its own way: keep its methods
        shared = found[1]
        for py_name in generated:
            method = shared.get(py_name)
            if method is not None:
                setattr(cls, py_name, method)


def _docs_nodes(emitter: Any) -> tuple[Any, Any] | None:
    """An emitter's handler nodes that docs events can reach (``docs`` and ``*``).

    Sessions built here share these nodes with the template until something
    registers under them. None for an emitter of another kind.
    """
    trie = getattr(getattr(emitter, "_emitter", emitter), "_handlers", None)
    if not isinstance(trie, _SharedTrie):
        return None
    children = trie._root["children"]
    return (children.get("docs"), children.get("*"))


_client_methods = _ClientMethods()


def _check_botocore(template: botocore.hooks.HierarchicalEmitter) -> None:
    """Fail early, naming the piece, if this botocore lacks what the sharing uses."""
    root = getattr(getattr(template, "_handlers", None), "_root", None)
    if not isinstance(root, dict) or not {"chunk", "values", "children"} <= root.keys():
        msg = (  # pragma: no cover - only on an incompatible botocore
            "botocore's HierarchicalEmitter no longer keeps its handlers in a _PrefixTrie "
            "of chunk/values/children nodes; the handler template cannot be shared"
        )
        raise SharingError(msg)  # pragma: no cover
    _client_methods._code = _generated_api_call_code()
    _install_shared_endpoint_provider()


def _handler_template() -> botocore.hooks.HierarchicalEmitter:
    if _template:
        return _template[0]
    with _lock:
        if not _template:
            template = _SharedEmitter()
            try:
                botocore.session.Session(event_hooks=template)
            except TypeError as exc:  # pragma: no cover - botocore upgrade
                msg = f"botocore.session.Session no longer accepts event_hooks: {exc}"
                raise SharingError(msg) from exc
            _check_botocore(template)
            emitter: Any = template
            emitter._handlers = _SharedTrie(emitter._handlers._root)
            _client_methods.use_template(template)
            _template.append(template)
    return _template[0]


class _GCPause:
    """Cyclic GC off while clients are being created, shared by all threads.

    The first creator in turns the collector off (if it was on), the last one
    out turns it back on. So that overlapping creators in many threads can
    never starve the collector, it is turned back on by whichever creator
    leaves once it has been off for :attr:`MAX_PAUSE` seconds, and stays on
    until no creator is left. A process forked during a pause starts with the
    collector on (the threads that would turn it on are not in the child).

    Limit: the pause cannot tell a ``gc.disable()`` the application makes in
    another thread *during* a pause from its own; the last creator out turns
    the collector on either way.
    """

    MAX_PAUSE = 0.25

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._paused_at: float | None = None  # set while we hold the GC off

    def after_fork_in_child(self) -> None:
        """Forget the pause of the parent's threads; only the forking thread survives."""
        self._lock = threading.Lock()
        self._inside = 0
        if self._paused_at is not None:
            self._paused_at = None
            gc.enable()

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            self._inside += 1
            if self._inside == 1 and gc.isenabled():
                gc.disable()
                self._paused_at = time.monotonic()
        try:
            yield
        finally:
            with self._lock:
                self._inside -= 1
                paused_at = self._paused_at
                if paused_at is not None and (
                    self._inside == 0 or time.monotonic() - paused_at > self.MAX_PAUSE
                ):
                    self._paused_at = None
                    gc.enable()


#: Pause the cyclic garbage collector around a block (see :class:`_GCPause`).
gc_paused = _GCPause()
os.register_at_fork(after_in_child=gc_paused.after_fork_in_child)


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


#: What botocore's ``create_client`` takes, to read its arguments as it reads them.
_CREATE_CLIENT = inspect.signature(botocore.session.Session.create_client)


class _SharedSession(botocore.session.Session):  # type: ignore[misc,unused-ignore]
    """A botocore session for shared models and handlers.

    Its event aliaser shares the process's name cache (:class:`_SharedAliaser`;
    if a botocore upgrade renames the hook used here, sessions simply keep
    botocore's aliaser), and it creates clients with the cyclic GC paused: in
    a process that already holds many sessions the collector's scans while a
    client is built cost about as much as building it (``benchmarks/accounts.py``:
    mode ``bsm`` vs ``bsm-nogc``).
    """

    def _register_event_emitter(self) -> None:
        this: Any = self  # botocore's private attributes are not in its type stubs
        this._events = _SharedAliaser(this._original_handler)
        base: Any = super()
        base._register_event_emitter()

    def create_client(self, *args: Any, **kwargs: Any) -> Any:
        if getattr(self, "_credentials", None) is None and self._takes_session_credentials(
            args, kwargs
        ):
            # A credential process, SSO or IMDS may take seconds: not with the GC off.
            self.get_credentials()
        with gc_paused():
            client = super().create_client(*args, **kwargs)
            _client_methods.share(type(client))
        return client

    def _takes_session_credentials(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
        """Whether botocore's ``create_client`` would call :meth:`get_credentials`.

        It does unless the client is unsigned or given both keys; a call
        botocore would refuse is left for botocore to refuse.
        """
        try:
            given = _CREATE_CLIENT.bind(self, *args, **kwargs).arguments
        except TypeError:
            return False
        if (
            given.get("aws_access_key_id") is not None
            or given.get("aws_secret_access_key") is not None
        ):
            return False
        config, default = given.get("config"), self.get_default_client_config()
        signature = getattr(config, "signature_version", None)
        if signature is None:
            signature = getattr(default, "signature_version", None)
        return signature is not UNSIGNED


def new_botocore_session() -> botocore.session.Session:
    """A fresh botocore session on the shared loader and the builtin-handler template.

    Raises:
        SharingError: the installed botocore no longer supports the sharing.

    Thread safety: safe; each call returns an independent session.

    Example::

        import boto3
        from boto_session_manager.sharing import new_botocore_session

        session = boto3.session.Session(botocore_session=new_botocore_session())
    """
    template = _handler_template()
    with gc_paused():
        session = _SharedSession(
            event_hooks=_copy_emitter(template), include_builtin_handlers=False
        )
        session.register_component("data_loader", shared_loader())
    return session
