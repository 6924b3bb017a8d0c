"""Sessions on the shared loader and handler template; the cyclic-GC pause.

What is shared and why is described in :mod:`boto_session_manager.sharing`
(the public page); this module builds it.
"""

from __future__ import annotations

import copy
import gc
import inspect
import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import botocore.handlers
import botocore.hooks
import botocore.loaders
import botocore.session
from botocore import UNSIGNED

from .. import _forksafe
from ..exceptions import BotocoreCompatibilityError
from .checks import ensure_checked
from .endpoints import _install_shared_endpoint_provider, _providers
from .handlers import (
    _copy_emitter,
    _SharedAliaser,
    _SharedEmitter,
    _SharedTrie,
    has_own_handlers,
)
from .methods import _client_methods, _generated_api_call_code

_BOTO3_DATA = os.path.join(os.path.dirname(boto3.__file__), "data")
_lock = threading.Lock()
_loaders: dict[str | None, botocore.loaders.Loader] = {}
#: The handler template and the BUILTIN_HANDLERS entries it was built from.
_template: list[tuple[botocore.hooks.HierarchicalEmitter, list[Any]]] = []

#: Files every client needs, whatever its service.
_COMMON_FILES = ("endpoints", "partitions", "sdk-default-configuration", "_retry")
_RULESET = "endpoint-rule-set-1"
_EVENT_ALIASES: dict[str, str] = dict(getattr(botocore.hooks, "EVENT_ALIASES", {}))


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
        _forksafe.register(self._renew_lock)

    def _renew_lock(self) -> None:
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
                raise BotocoreCompatibilityError(msg) from exc
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


def _build_template() -> botocore.hooks.HierarchicalEmitter:
    """A fresh emitter holding exactly botocore's builtin handlers, as a shared trie."""
    template = _SharedEmitter()
    botocore.session.Session(event_hooks=template)  # registers BUILTIN_HANDLERS on it
    _client_methods._code = _generated_api_call_code()
    _install_shared_endpoint_provider()
    emitter: Any = template
    emitter._handlers = _SharedTrie(emitter._handlers._root)
    _client_methods.use_template(template)
    return template


def _handler_template() -> botocore.hooks.HierarchicalEmitter:
    """The template of builtin handlers, rebuilt when ``BUILTIN_HANDLERS`` changed.

    Libraries extend botocore's builtin handlers after it is imported (moto
    appends its request interceptor on import, others a Stubber-style
    ``before-send`` handler): a session built after such a change gets the
    new handlers exactly as a plain botocore session would. The check is one
    list comparison (identity first) per session.
    """
    found = _template[0] if _template else None
    if found is not None and found[1] == botocore.handlers.BUILTIN_HANDLERS:
        return found[0]
    with _lock:
        found = _template[0] if _template else None
        if found is None or found[1] != botocore.handlers.BUILTIN_HANDLERS:
            ensure_checked()
            entries = list(botocore.handlers.BUILTIN_HANDLERS)
            found = (_build_template(), entries)
            _template[:] = [found]
    return found[0]


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
_forksafe.register(gc_paused.after_fork_in_child)


def _renew_module_lock() -> None:
    global _lock
    _lock = threading.Lock()


_forksafe.register(_renew_module_lock)


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

    def get_service_data(self, service_name: str, api_version: str | None = None) -> Any:
        """botocore's, but ``service-data-loaded`` handlers of this session get a private copy.

        The parsed model is shared by every session of the process; a handler
        that changes it in place (as botocore lets handlers do) would change
        it for every manager. A session without such handlers of its own gets
        the shared model, read only by botocore's builtin handlers.
        """
        template = _template[0][0] if _template else None
        events = self.get_component("event_emitter")
        if template is not None and not has_own_handlers(events, template, "service-data-loaded"):
            return super().get_service_data(service_name, api_version)
        key = (service_name, api_version)
        with _lock:
            private = self.__dict__.setdefault("_bsm_private_models", {})
            data = private.get(key)
            if data is None:
                loader = self.get_component("data_loader")
                shared = loader.load_service_model(service_name, "service-2", api_version)
                data = private[key] = copy.deepcopy(shared)
        service_id = _EVENT_ALIASES.get(service_name, service_name)
        events.emit(
            f"service-data-loaded.{service_id}",
            service_data=data,
            service_name=service_name,
            session=self,
        )
        return data

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
        BotocoreCompatibilityError: the installed botocore breaks an assumption
            of the sharing (checked once, before the first session).

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
