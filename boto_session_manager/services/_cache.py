"""A small TTL cache for helper results, one per manager.

Keys are tuples of everything that changes the answer (the helper, the name,
the decryption flag, the version ...). ``max_age=0`` means "always fetch".

Thread safety: every method takes the cache's lock; two threads missing the
same key at once may both fetch (the later value wins), which is harmless for
reads and cheaper than holding a lock across a network call.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any


class TTLCache:
    """Values with an expiry, keyed by tuples.

    Args:
        clock: a monotonic clock in seconds (tests inject a fake one).

    Example::

        cache = TTLCache()
        cache.put(("secret", "db"), "s3cr3t", max_age=60)
        cache.get(("secret", "db"))
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._data: dict[Hashable, tuple[float, Any]] = {}

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The live value for ``key``, or ``default`` when absent or expired."""
        with self._lock:
            found = self._data.get(key)
            if found is None:
                return default
            deadline, value = found
            if deadline <= self._clock():
                del self._data[key]
                return default
            return value

    def put(self, key: Hashable, value: Any, max_age: float) -> None:
        """Keep ``value`` for ``max_age`` seconds (nothing is kept when <= 0)."""
        if max_age <= 0:
            return
        with self._lock:
            self._data[key] = (self._clock() + max_age, value)

    def invalidate(self, predicate: Callable[[Hashable], bool]) -> None:
        """Drop every entry whose key matches ``predicate``."""
        with self._lock:
            for key in [k for k in self._data if predicate(k)]:
                del self._data[key]

    def clear(self) -> None:
        """Drop everything."""
        with self._lock:
            self._data.clear()
