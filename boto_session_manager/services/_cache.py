"""A small TTL cache for helper results, one per manager.

Keys are tuples of everything that changes the answer (the helper, the name,
the decryption flag, the version ...). Each entry remembers when it was
stored, so a reader can ask for a value no older than *its own* ``max_age``
(``max_age=0`` means "always fetch"), whatever the writer's was.

Thread safety: every method takes the cache's lock, but no lock is held
across a network call, so a read may fetch a value, then a write (elsewhere)
replaces it and invalidates the cache, and only then the read stores what it
fetched: the old value would be cached after the write. To prevent that the
cache counts its invalidations (:attr:`TTLCache.generation`, bumped by
:meth:`~TTLCache.invalidate` and :meth:`~TTLCache.clear`); a reader takes the
generation before fetching and stores with ``put(..., if_generation=gen)``,
which stores nothing if anything was invalidated meanwhile. Two threads
missing the same key at once may both fetch (the later value wins); both
fetched after any write the cache was told of, so either value is current.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from .. import _forksafe


def freeze(value: Any) -> Hashable:
    """A hashable, order-independent stand-in for request options, for cache keys.

    Mappings become sorted tuples of pairs, lists and tuples tuples, sets
    frozensets, recursively; anything else must be hashable already. Two
    option sets that make the same request give equal keys.

    Thread safety: pure.

    Example::

        >>> freeze({"VersionStage": "AWSCURRENT", "Filters": [{"Key": "a"}]})
        (('Filters', ((('Key', 'a'),),)), ('VersionStage', 'AWSCURRENT'))
    """
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(freeze(v) for v in value)
    hashable: Hashable = value
    return hashable


class TTLCache:
    """Values with an expiry, keyed by tuples.

    Args:
        clock: a monotonic clock in seconds (tests inject a fake one).

    Thread safety: every method takes the cache's lock; none holds it across
    a fetch, which is what ``if_generation`` is for (see the module text).

    Example::

        cache = TTLCache()
        cache.put(("secret", "db"), "s3cr3t", max_age=60)
        cache.get(("secret", "db"))                 # "s3cr3t" for 60 s
        cache.get(("secret", "db"), max_age=5)      # only if stored < 5 s ago

        gen = cache.generation                      # before fetching
        value = fetch()
        cache.put(key, value, 60, if_generation=gen)  # skipped if invalidated since
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        _forksafe.register(self._renew_lock)
        # key -> (stored at, expires at, value)
        self._data: dict[Hashable, tuple[float, float, Any]] = {}
        self._generation = 0

    def _renew_lock(self) -> None:
        self._lock = threading.Lock()

    @property
    def generation(self) -> int:
        """How many times :meth:`invalidate` or :meth:`clear` ran (read before fetching)."""
        with self._lock:
            return self._generation

    def __repr__(self) -> str:
        # Never show values: they may be secrets.
        return f"<TTLCache entries={len(self._data)}>"

    def get(self, key: Hashable, default: Any = None, *, max_age: float | None = None) -> Any:
        """The live value for ``key``, or ``default`` when absent or expired.

        Args:
            key: the entry's key.
            default: returned on a miss.
            max_age: when given, also treat the entry as a miss if it was
                stored ``max_age`` seconds ago or more (``0`` always misses).
        """
        with self._lock:
            found = self._data.get(key)
            if found is None:
                return default
            stored_at, deadline, value = found
            now = self._clock()
            if deadline <= now:
                del self._data[key]
                return default
            if max_age is not None and stored_at + max_age <= now:
                return default
            return value

    def put(
        self, key: Hashable, value: Any, max_age: float, *, if_generation: int | None = None
    ) -> None:
        """Keep ``value`` for ``max_age`` seconds (nothing is kept when <= 0).

        Args:
            key: the entry's key.
            value: the value.
            max_age: seconds to keep it.
            if_generation: the :attr:`generation` read before ``value`` was
                fetched; when anything was invalidated since, ``value`` may
                predate a write and is not stored.
        """
        if max_age <= 0:
            return
        with self._lock:
            if if_generation is not None and if_generation != self._generation:
                return
            now = self._clock()
            self._data[key] = (now, now + max_age, value)

    def invalidate(self, predicate: Callable[[Hashable], bool]) -> None:
        """Drop every entry whose key matches ``predicate``."""
        with self._lock:
            self._generation += 1
            for key in [k for k in self._data if predicate(k)]:
                del self._data[key]

    def clear(self) -> None:
        """Drop everything."""
        with self._lock:
            self._generation += 1
            self._data.clear()
