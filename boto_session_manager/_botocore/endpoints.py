"""One botocore ``EndpointProvider`` per endpoint ruleset, for every session.

The one process-wide change the package makes: ``botocore.regions.EndpointProvider``
becomes :class:`_SharedEndpointProvider`, which behaves exactly as botocore's
class for any ruleset the shared loaders did not parse.

Thread safety: the provider table is filled under a lock; a provider is never
changed once shared.
"""

from __future__ import annotations

import threading
from typing import Any

import botocore
import botocore.regions

from .. import _forksafe
from ..exceptions import BotocoreCompatibilityError

_regions: Any = botocore.regions
try:
    _EndpointProvider: Any = _regions.EndpointProvider
except AttributeError as exc:  # pragma: no cover - only on an incompatible botocore
    _msg = f"botocore {botocore.__version__} lacks botocore.regions.EndpointProvider"
    raise BotocoreCompatibilityError(_msg) from exc


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
        _forksafe.register(self._renew_lock)
        self._rulesets: dict[int, Any] = {}
        self._built: dict[tuple[int, int, frozenset[str]], tuple[Any, Any]] = {}

    def _renew_lock(self) -> None:
        self._lock = threading.Lock()

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
