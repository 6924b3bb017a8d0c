"""Exponential backoff with full jitter: the one retry policy of the library.

The fan-out retries throttled STS and Organizations calls with it; the
DynamoDB helper waits with it between ``BatchWriteItem`` calls that left
items unprocessed.

Thread safety: a :class:`Backoff` is frozen; one instance may be used by any
number of threads at once (its ``sleep`` and ``random`` must be thread safe,
as ``time.sleep`` and ``random.random`` are).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

import attrs
from botocore.exceptions import ClientError

from .exceptions import InvalidArgumentError

__all__ = ["THROTTLING_CODES", "Backoff", "is_throttling"]

#: The type of what the retried function returns (so ``Backoff().call(lambda: "ok")``
#: is a ``str``).
T = TypeVar("T")

#: AWS error codes that mean "slow down" (STS, Organizations, EC2 ...).
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
    }
)


def is_throttling(exc: BaseException) -> bool:
    """True for a botocore ``ClientError`` whose code is in ``THROTTLING_CODES``.

    Example::

        >>> is_throttling(ValueError("no"))
        False
    """
    if not isinstance(exc, ClientError):
        return False
    return exc.response.get("Error", {}).get("Code") in THROTTLING_CODES


@attrs.frozen
class Backoff:
    """Exponential backoff with full jitter.

    Attempt ``n`` (from 0) waits ``random() * min(cap, base * 2**n)`` seconds.

    Attributes:
        max_attempts: tries in all, the first included.
        base: seconds of the first backoff ceiling.
        cap: the largest backoff ceiling.
        sleep: called with the delay (tests inject a recorder).
        random: returns a float in [0, 1) (tests inject a constant).

    Example::

        Backoff(max_attempts=3, sleep=lambda s: None)   # no real waiting in tests
    """

    max_attempts: int = 8
    base: float = 0.5
    cap: float = 20.0
    sleep: Callable[[float], None] = attrs.field(default=time.sleep, repr=False)
    random: Callable[[], float] = attrs.field(default=random.random, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.max_attempts < 1:
            msg = f"Backoff max_attempts must be at least 1, got {self.max_attempts!r}"
            raise InvalidArgumentError(msg, argument="max_attempts")

    def delay(self, attempt: int) -> float:
        """The wait after failed attempt ``attempt`` (0-based)."""
        return self.random() * min(self.cap, self.base * 2.0**attempt)

    def wait(self, attempt: int) -> None:
        """Sleep for :meth:`delay` of ``attempt``."""
        self.sleep(self.delay(attempt))

    def call(
        self, func: Callable[[], T], retry_if: Callable[[BaseException], bool] = is_throttling
    ) -> T:
        """Call ``func``, retrying while what it raises passes ``retry_if``.

        Args:
            func: the call to make, without arguments.
            retry_if: which exceptions are worth another attempt (default:
                throttling ``ClientError`` codes).

        Returns:
            What ``func`` returned.

        Raises:
            Exception: the last error, once ``max_attempts`` are used or as
                soon as an error is not retryable.
        """
        attempt = 0
        while True:
            try:
                return func()
            except Exception as exc:
                if not retry_if(exc) or attempt + 1 >= self.max_attempts:
                    raise
            self.wait(attempt)
            attempt += 1
