"""Credential snapshots: a plain dict, a private JSON file, and safe file writes.

A snapshot uses the constructor's own key names, exactly as upstream
boto-session-manager writes them, so its files load unchanged::

    {"region_name": "us-east-1",
     "aws_access_key_id": "ASIA...",
     "aws_secret_access_key": "...",
     "aws_session_token": "...",              # only when there is one
     "expiration_time": "2026-11-22T06:00:00+00:00"}   # only when they expire

Files are written with mode 0600, atomically (a uniquely named temporary file
in the same directory, then a link or rename), and never through a symlink
planted at the path. Unknown keys are ignored so newer snapshots load in older
versions.

Reading trusts a file as OpenSSH's StrictModes would: not a symlink, owned by
the current user (or root), not writable by group or others (an upstream file
left 0644 still loads), a regular file of at most 64 KiB, JSON within the
depth and number limits (16 levels, numbers of at most 40 characters).
Anything else raises a typed error naming the file (and the key, where there
is one). Credentials that
have expired raise :class:`~boto_session_manager.exceptions.SnapshotExpiredError`
unless ``allow_expired=True``. On Windows the owner and mode checks are
skipped (no POSIX modes there).

:func:`temporary_file` (behind ``temp_snapshot``) records its writer outside
the JSON, in a locked sidecar file ``<name>.writer``: a file left behind by a
writer that died (``SIGKILL``) is recognised and replaced by the next
``temp_snapshot``, while a file a user saved on purpose (no record, or a
record of another file) is never overwritten or deleted. ``SIGTERM`` during
the block removes the files before the process ends.

Thread safety: the functions here keep no state; two threads writing the same
path get one winner and one :class:`~boto_session_manager.exceptions.SnapshotExistsError` (or, with
``overwrite=True``, the last complete file).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import threading
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Union

from ._files import (
    NOT_WRITABLE_BY_OTHERS,
    create_temp_file,
    read_trusted,
    refuse,
    sweep_stale_temporaries,
    untrusted_reason,
)
from ._lock import file_lock
from ._safejson import load_bounded
from .credentials import Clock, as_utc, utc_now
from .exceptions import (
    DocumentLimitError,
    LockTimeoutError,
    SnapshotError,
    SnapshotExistsError,
    SnapshotExpiredError,
    SnapshotNotFoundError,
    UntrustedFileError,
    UntrustedSnapshotError,
)

PathLike = Union[str, "os.PathLike[str]"]

SNAPSHOT_FILENAME = ".bsm-snapshot.json"
#: Appended to a snapshot's name for the file recording its temporary writer.
WRITER_SUFFIX = ".writer"

_REQUIRED = ("aws_access_key_id", "aws_secret_access_key")
_OPTIONAL = ("aws_session_token", "region_name")


def default_snapshot_path() -> Path:
    """``~/.bsm-snapshot.json`` for the current user (read at call time)."""
    return Path.home() / SNAPSHOT_FILENAME


def resolve_path(path: PathLike | None) -> Path:
    """``path`` as a Path, or the default snapshot path when None."""
    return default_snapshot_path() if path is None else Path(os.fspath(path)).expanduser()


def parse_snapshot(
    data: Any,
    source: str = "snapshot",
    *,
    allow_expired: bool = False,
    clock: Clock = utc_now,
) -> dict[str, Any]:
    """Validate a snapshot and return the manager's constructor arguments.

    Args:
        data: the decoded snapshot.
        source: what to call it in error messages (a file name, usually).
        allow_expired: return credentials whose ``expiration_time`` has passed
            instead of raising.
        clock: what "now" is (tz-aware).

    Raises:
        SnapshotError: naming ``source`` and the key that is wrong.
        SnapshotExpiredError: the credentials have expired (and
            ``allow_expired`` is false).

    Example::

        >>> parse_snapshot({"aws_access_key_id": "A", "aws_secret_access_key": "s"})["region_name"]
    """
    if not isinstance(data, Mapping):
        msg = f"{source}: expected a JSON object, got {type(data).__name__}"
        raise SnapshotError(msg)
    kwargs: dict[str, Any] = {}
    for key in _REQUIRED:
        value = data.get(key)
        if not isinstance(value, str) or not value:
            msg = f"{source}: {key!r} is missing or not a non-empty string"
            raise SnapshotError(msg)
        kwargs[key] = value
    for key in _OPTIONAL:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            msg = f"{source}: {key!r} must be a string or null, not {type(value).__name__}"
            raise SnapshotError(msg)
        kwargs[key] = value or None
    expiration = data.get("expiration_time")
    expires = None if expiration is None else _parse_time(expiration, source)
    if expires is not None and not allow_expired and expires <= clock():
        msg = (
            f"{source}: the credentials expired at {expires.isoformat(timespec='seconds')} "
            "('expiration_time'); pass allow_expired=True to load them anyway"
        )
        raise SnapshotExpiredError(msg, expiration=expires)
    kwargs["expiration_time"] = expires
    return kwargs


def _parse_time(value: Any, source: str) -> datetime:
    if isinstance(value, str):
        text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
        try:
            return as_utc(datetime.fromisoformat(text))
        except (ValueError, OverflowError):
            pass
    shown = repr(value) if isinstance(value, str) and len(value) <= 40 else type(value).__name__
    msg = f"{source}: 'expiration_time' must be an ISO 8601 date and time, got {shown}"
    raise SnapshotError(msg)


def read_snapshot_file(
    path: PathLike | None = None, *, allow_expired: bool = False, clock: Clock = utc_now
) -> dict[str, Any]:
    """Read and validate a snapshot file; return the constructor arguments.

    Raises:
        SnapshotError: the file is missing, unreadable, not JSON, past a
            limit, or malformed; the message names the file (and the key).
        SnapshotExpiredError: the credentials have expired (unless
            ``allow_expired``).
        UntrustedSnapshotError: a symlink, another user's file, or writable by
            group or others; the message says how to fix it.
    """
    file = resolve_path(path)
    name = f"snapshot file {str(file)!r}"
    try:
        raw = read_trusted(file, what="snapshot file", forbidden_bits=NOT_WRITABLE_BY_OTHERS)
    except FileNotFoundError as exc:
        msg = f"{name} does not exist"
        raise SnapshotNotFoundError(msg) from exc
    except UntrustedFileError as exc:
        raise UntrustedSnapshotError(str(exc), path=exc.path) from None
    except OSError as exc:
        msg = f"{name} cannot be read: {exc.__class__.__name__}"
        raise SnapshotError(msg) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        msg = f"{name} is not UTF-8 text"
        raise SnapshotError(msg) from None
    if not text.strip():
        msg = f"{name} is empty"
        raise SnapshotError(msg)
    try:
        data = load_bounded(text)
    except DocumentLimitError as exc:
        where = f" under {exc.key!r}" if exc.key else ""
        msg = f"{name}{where} {exc.problem}"
        raise SnapshotError(msg) from None
    except ValueError as exc:
        msg = f"{name} is not valid JSON (line {getattr(exc, 'lineno', '?')})"
        raise SnapshotError(msg) from None
    return parse_snapshot(data, source=name, allow_expired=allow_expired, clock=clock)


def write_private_file(path: PathLike, text: str, *, overwrite: bool) -> os.stat_result:
    """Write ``text`` to ``path`` with mode 0600, atomically.

    The content goes to a uniquely named temporary file in the same directory
    first (created 0600 with ``O_EXCL``, so the secret is never readable by
    others even for a moment); this user's temporary files left by dead
    writers are swept first. Without ``overwrite`` it is then hard-linked into
    place, which fails if anything (a file, a symlink) is already there; with
    ``overwrite`` it replaces the path with a rename, which replaces a symlink
    rather than following it. A crash at any point leaves either the old file
    or the new one, never a partial file.

    Returns:
        The ``lstat`` of the written file (to recognise it later).

    Raises:
        SnapshotExistsError: ``overwrite`` is false and the path exists.
    """
    target = Path(os.fspath(path))
    if not str(target.parent):  # pragma: no cover - Path("x").parent is "."
        target = Path(".") / target
    sweep_stale_temporaries(target)
    try:
        fd, tmp_name = create_temp_file(target)
    except OSError as exc:
        msg = f"cannot write {str(target)!r}: {exc.strerror} (in {str(target.parent)!r})"
        raise SnapshotError(msg) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp_name, target)
        else:
            _link_exclusive(tmp_name, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
    return os.lstat(target)


def _link_exclusive(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except FileExistsError as exc:
        msg = (
            f"{str(target)!r} already exists; it is never overwritten "
            "(remove it or choose another path)"
        )
        raise SnapshotExistsError(msg) from exc
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        # A filesystem without hard links: create exclusively, never following links.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(target, flags, 0o600)
        except FileExistsError as exists:
            msg = f"{str(target)!r} already exists; it is never overwritten"
            raise SnapshotExistsError(msg) from exists
        with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
            dst.write(src.read())
            dst.flush()
            os.fsync(dst.fileno())


# ------------------------------------------------------------ temporary files


def writer_record_path(target: Path) -> Path:
    """The sidecar file that records (and locks) a temporary snapshot's writer."""
    return target.with_name(target.name + WRITER_SUFFIX)


@contextlib.contextmanager
def temporary_file(path: PathLike, text: str) -> Iterator[Path]:
    """Write a private file for the block and remove it afterwards.

    The writer holds a lock on ``<name>.writer`` for the whole block and
    records there which file it wrote. A file already at the path is refused
    (:class:`~boto_session_manager.exceptions.SnapshotExistsError`), unless the
    record shows it was left by a ``temporary_file`` whose process died: then
    it is replaced. A file that replaced ours during the block is left alone.
    In the main thread, ``SIGTERM`` during the block removes the files, then
    ends the process as the signal would have.
    """
    target = Path(os.fspath(path))
    with _cleanup_on_sigterm(), _hold_writer_record(target) as record_fd:
        _remove_if_left_by_dead_writer(target, record_fd)
        written = write_private_file(target, text, overwrite=False)
        _write_record(record_fd, written)
        try:
            yield target
        finally:
            try:
                now = os.lstat(target)
            except FileNotFoundError:
                pass
            else:
                if _identity(now) == _identity(written):
                    os.unlink(target)


@contextlib.contextmanager
def _hold_writer_record(target: Path) -> Iterator[int]:
    record = writer_record_path(target)
    for _attempt in range(5):
        stack = contextlib.ExitStack()
        try:
            fd = stack.enter_context(file_lock(record, timeout=0))
        except LockTimeoutError as exc:
            msg = (
                f"{str(target)!r} is in use by a running temp_snapshot "
                "(wait for it to finish, or choose another path)"
            )
            raise SnapshotExistsError(msg) from exc
        except OSError as exc:
            msg = f"cannot write {str(record)!r}: {exc.strerror}"
            raise SnapshotError(msg) from exc
        with stack:
            status = os.fstat(fd)
            try:
                current = os.lstat(record)
            except FileNotFoundError:
                continue  # unlinked by its last holder while we opened it: retry
            if not os.path.samestat(status, current):
                continue
            reason = untrusted_reason(status, NOT_WRITABLE_BY_OTHERS)
            if reason is not None:
                raise refuse(record, "snapshot writer record", reason)
            try:
                yield fd
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(record)
            return
    msg = f"cannot take the writer record {str(record)!r} (it keeps being replaced)"
    raise SnapshotError(msg)  # pragma: no cover - needs five lost races in a row


def _read_record(fd: int) -> list[int] | None:
    os.lseek(fd, 0, os.SEEK_SET)
    raw = os.read(fd, 4096)
    try:
        data = json.loads(raw.decode("utf-8"))
        identity = data["file"]
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(identity, list) or not all(type(i) is int for i in identity):
        return None
    return identity


def _write_record(fd: int, written: os.stat_result) -> None:
    record = json.dumps({"pid": os.getpid(), "file": list(_identity(written))}).encode()
    os.lseek(fd, 0, os.SEEK_SET)
    os.ftruncate(fd, 0)
    os.write(fd, record)
    os.fsync(fd)


def _remove_if_left_by_dead_writer(target: Path, record_fd: int) -> None:
    """Remove ``target`` if the record (whose lock we hold) says a dead writer left it."""
    recorded = _read_record(record_fd)
    if recorded is None:
        return
    try:
        status = os.lstat(target)
    except FileNotFoundError:
        return
    if list(_identity(status)) == recorded:
        os.unlink(target)


def _identity(status: os.stat_result) -> tuple[int, ...]:
    # A freed inode number is often reused at once: compare times and size too.
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


@contextlib.contextmanager
def _cleanup_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into ``SystemExit`` for the block so cleanups run, then die of it.

    Only in the main thread and only while SIGTERM has its default action: a
    handler the program installed itself is left alone.
    """
    sigterm = getattr(signal, "SIGTERM", None)
    if (
        sigterm is None
        or threading.current_thread() is not threading.main_thread()
        or signal.getsignal(sigterm) is not signal.SIG_DFL
    ):
        yield
        return
    received: list[int] = []

    def terminate(signum: int, _frame: Any) -> None:
        received.append(signum)
        raise SystemExit(128 + signum)

    signal.signal(sigterm, terminate)
    try:
        yield
    except SystemExit:
        if received:  # ours, not the program's own exit: end as the signal would have
            signal.signal(sigterm, signal.SIG_DFL)
            os.kill(os.getpid(), sigterm)
        raise
    finally:
        signal.signal(sigterm, signal.SIG_DFL)
