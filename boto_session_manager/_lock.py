"""An exclusive lock file with a bounded wait, on POSIX and on Windows.

The lock module is chosen by which one imports: ``fcntl`` (``flock``, POSIX)
or else ``msvcrt`` (``locking`` of the first byte, Windows). Either way the
operating system releases the lock when its holder dies, even by ``SIGKILL``,
so a crashed process never blocks the next one for good. Waiting polls a
non-blocking attempt with a growing pause (1 ms up to 50 ms), and gives up
after ``timeout`` seconds with
:class:`~boto_session_manager.exceptions.LockTimeoutError` naming the lock file.

The lock file itself is opened without following a symlink, created 0600
(Windows ignores the mode).

Thread safety: a :func:`file_lock` is held by one open file, so two threads of
one process exclude each other like two processes do (``flock`` locks belong
to the open file, not the process). Clock and sleep are injectable so tests
never wait for real.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Protocol

from .exceptions import LockTimeoutError

#: Seconds :func:`file_lock` waits by default before giving up.
DEFAULT_LOCK_TIMEOUT = 30.0


class LockBackend(Protocol):
    """Non-blocking exclusive locking of an open file."""

    name: str

    def try_lock(self, fd: int) -> bool:
        """Take the lock without waiting; False when someone else holds it."""

    def unlock(self, fd: int) -> None:
        """Release the lock (closing the file releases it too)."""


class FlockBackend:
    """POSIX ``flock``: the lock belongs to the open file description."""

    name = "fcntl"

    def __init__(self, fcntl: ModuleType) -> None:
        self._fcntl = fcntl

    def try_lock(self, fd: int) -> bool:
        try:
            self._fcntl.flock(fd, self._fcntl.LOCK_EX | self._fcntl.LOCK_NB)
        except (BlockingIOError, PermissionError):
            return False
        return True

    def unlock(self, fd: int) -> None:
        self._fcntl.flock(fd, self._fcntl.LOCK_UN)


class MsvcrtBackend:
    """Windows ``msvcrt.locking`` of the file's first byte."""

    name = "msvcrt"

    def __init__(self, msvcrt: ModuleType) -> None:
        self._msvcrt = msvcrt

    def try_lock(self, fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            self._msvcrt.locking(fd, self._msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def unlock(self, fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        with contextlib.suppress(OSError):
            self._msvcrt.locking(fd, self._msvcrt.LK_UNLCK, 1)


def select_backend() -> LockBackend:
    """``fcntl`` where it imports, else ``msvcrt``.

    Raises:
        ImportError: neither module exists on this platform.
    """
    try:
        fcntl = importlib.import_module("fcntl")
    except ImportError:
        return MsvcrtBackend(importlib.import_module("msvcrt"))
    return FlockBackend(fcntl)


BACKEND: LockBackend = select_backend()


def _open_lock_file(path: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    return os.open(path, flags, 0o600)


@contextmanager
def file_lock(
    path: Path,
    *,
    timeout: float = DEFAULT_LOCK_TIMEOUT,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    backend: LockBackend | None = None,
) -> Iterator[int]:
    """Hold an exclusive lock on ``path`` for the block; yield its descriptor.

    Args:
        path: the lock file (created 0600 if missing, never through a symlink).
        timeout: the most seconds to wait for another holder.
        clock: monotonic seconds (injectable for tests).
        sleep: how to pause between attempts (injectable for tests).
        backend: the locking primitive; :data:`BACKEND` by default.

    Raises:
        LockTimeoutError: still held by someone else after ``timeout`` seconds.
        OSError: the lock file cannot be opened (e.g. a symlink is planted).

    Example::

        with file_lock(Path("/tmp/my.lock"), timeout=5):
            ...
    """
    locker = BACKEND if backend is None else backend
    fd = _open_lock_file(path)
    try:
        _acquire(fd, path, locker, timeout, clock, sleep)
        try:
            yield fd
        finally:
            locker.unlock(fd)
    finally:
        os.close(fd)


def _acquire(
    fd: int,
    path: Path,
    locker: LockBackend,
    timeout: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> None:
    deadline = clock() + timeout
    pause = 0.001
    while not locker.try_lock(fd):
        remaining = deadline - clock()
        if remaining <= 0:
            msg = (
                f"gave up after {timeout:g} s waiting for the lock file {str(path)!r} "
                "(another process or thread holds it; if none is running, remove the file, "
                "or allow a longer lock_timeout)"
            )
            raise LockTimeoutError(msg, lock_path=str(path), timeout=timeout)
        sleep(min(pause, remaining))
        pause = min(pause * 2, 0.05)
