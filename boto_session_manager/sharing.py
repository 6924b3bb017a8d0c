"""What every session of the process shares: botocore's data loader and handler template.

A plain ``boto3.Session()`` gets its own botocore ``Loader``, and each loader
parses the service model, endpoint rules and partitions JSON again on the first
client of each service: about 30-45 ms and several MB per session and service.
A process that talks to hundreds of accounts makes hundreds of sessions, so
every session this library builds shares two things:

- **One loader per process** (per value of ``AWS_DATA_PATH``, so custom models
  keep working), given to each session through botocore's public
  ``register_component("data_loader", ...)``. Its ``instance_cache`` holds one
  parsed copy of each file. Parsing is single-flight: when 16 threads ask a
  cold loader for the S3 model at once, one parses and 15 wait for its result
  (an unlocked loader parses the same file up to 11 times, all under the GIL).
  ``prewarm()`` parses chosen services ahead of a fan-out.
- **A template of botocore's builtin event handlers.** ``botocore.session.Session()``
  spends ~95 % of its 4 ms registering the same ~130 builtin handlers (it
  inspects each handler's signature). The template is filled once; each new
  session starts from a copy of it (``include_builtin_handlers=False``),
  about 0.3 ms. The copy holds the very same handler objects botocore would
  have registered, so signing, retries, S3 redirects and resources behave
  exactly as with a plain session (``tests/test_sharing.py`` compares the
  handler lists event by event).

``boto3.Session`` appends its own data directory to the loader's search paths
on *every* session; the shared list ignores an entry it already holds so it
does not grow by one path per session.

- **A pause of the cyclic garbage collector** while a session or client is
  built (``gc_paused``). A client is thousands of new container objects; in a
  process already holding many, the collector's scans during creation cost
  about as much as the creation itself. Measured at 200 accounts x 3 clients
  (paired fresh processes): 15.4 instead of 18.4 ms of CPU per account. The
  pause is shared by all threads (first in turns the collector off, last out
  turns it back on), never lasts more than ``_GCPause.MAX_PAUSE`` (0.25 s)
  however many threads overlap, and leaves a collector the caller disabled
  alone.

Not shared, because botocore has no hook for them: the ``ClientCreator``, the
``ServiceModel`` object, the generated client class, the per-client copy of
the event handlers and the endpoint-ruleset objects (together ~0.85 MB and
~10 ms of CPU per account of 3 clients, measured with the collector off).

Every reach into botocore internals is in ``_copy_emitter()``, which raises
:class:`SharingError` naming what is missing if a botocore upgrade removes it.

Thread safety: everything here is safe from any number of threads. The loader
and the template are built under a lock; each session gets its own copy of
the handler tree.
"""

from __future__ import annotations

import copy
import gc
import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import botocore.hooks
import botocore.loaders
import botocore.session

from .exceptions import BotoSessionManagerError

_BOTO3_DATA = os.path.join(os.path.dirname(boto3.__file__), "data")
_lock = threading.Lock()
_loaders: dict[str | None, botocore.loaders.Loader] = {}
_template: list[botocore.hooks.HierarchicalEmitter] = []

#: Files every client needs, whatever its service.
_COMMON_FILES = ("endpoints", "partitions", "sdk-default-configuration", "_retry")


class SharingError(BotoSessionManagerError, RuntimeError):
    """botocore changed in a way that breaks loader or handler sharing."""


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

    def load_service_model(self, *args: Any, **kwargs: Any) -> Any:
        with self._bsm_lock:
            return super().load_service_model(*args, **kwargs)

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
        loader.load_service_model(service, "endpoint-rule-set-1")


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


def _handler_template() -> botocore.hooks.HierarchicalEmitter:
    if _template:
        return _template[0]
    with _lock:
        if not _template:
            template = botocore.hooks.HierarchicalEmitter()
            try:
                botocore.session.Session(event_hooks=template)
            except TypeError as exc:  # pragma: no cover - botocore upgrade
                msg = f"botocore.session.Session no longer accepts event_hooks: {exc}"
                raise SharingError(msg) from exc
            _template.append(template)
    return _template[0]


class _GCPause:
    """Cyclic GC off while clients are being created, shared by all threads.

    The first creator in turns the collector off (if it was on), the last one
    out turns it back on. So that overlapping creators in many threads can
    never starve the collector, it is turned back on by whichever creator
    leaves once it has been off for :attr:`MAX_PAUSE` seconds, and stays on
    until no creator is left.
    """

    MAX_PAUSE = 0.25

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._paused_at: float | None = None  # set while we hold the GC off

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


class _SharedSession(botocore.session.Session):  # type: ignore[misc,unused-ignore]
    """A botocore session that creates its clients with the cyclic GC paused.

    A client is ~5,000 new container objects (client class, methods,
    endpoint rules, service model); in a process that already holds many
    sessions the collector's scans while they are built cost about as much as
    building them (``benchmarks/accounts.py``: mode ``bsm`` vs ``bsm-nogc``).
    """

    def create_client(self, *args: Any, **kwargs: Any) -> Any:
        with gc_paused():
            return super().create_client(*args, **kwargs)


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
