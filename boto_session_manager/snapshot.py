"""Credential snapshots: a plain dict, a private JSON file, and safe file writes.

A snapshot uses the constructor's own key names, exactly as upstream
boto-session-manager writes them, so its files load unchanged::

    {"region_name": "us-east-1",
     "aws_access_key_id": "ASIA...",
     "aws_secret_access_key": "...",
     "aws_session_token": "...",              # only when there is one
     "expiration_time": "2026-11-22T06:00:00+00:00"}   # only when they expire

Files are written with mode 0600, atomically (a temporary file in the same
directory, then a link or rename), and never through a symlink planted at the
path. Unknown keys are ignored so newer snapshots load in older versions.

Thread safety: the functions here keep no state; two threads writing the same
path get one winner and one :class:`~boto_session_manager.exceptions.SnapshotExistsError` (or, with
``overwrite=True``, the last complete file).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Union

from .credentials import as_utc
from .exceptions import SnapshotError, SnapshotExistsError

PathLike = Union[str, "os.PathLike[str]"]

SNAPSHOT_FILENAME = ".bsm-snapshot.json"

_REQUIRED = ("aws_access_key_id", "aws_secret_access_key")
_OPTIONAL = ("aws_session_token", "region_name")


def default_snapshot_path() -> Path:
    """``~/.bsm-snapshot.json`` for the current user (read at call time)."""
    return Path.home() / SNAPSHOT_FILENAME


def resolve_path(path: PathLike | None) -> Path:
    """``path`` as a Path, or the default snapshot path when None."""
    return default_snapshot_path() if path is None else Path(os.fspath(path)).expanduser()


def parse_snapshot(data: Any, source: str = "snapshot") -> dict[str, Any]:
    """Validate a snapshot and return the manager's constructor arguments.

    Args:
        data: the decoded snapshot.
        source: what to call it in error messages (a file name, usually).

    Raises:
        SnapshotError: naming ``source`` and the key that is wrong.

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
    kwargs["expiration_time"] = None if expiration is None else _parse_time(expiration, source)
    return kwargs


def _parse_time(value: Any, source: str) -> datetime:
    if isinstance(value, str):
        text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
        try:
            return as_utc(datetime.fromisoformat(text))
        except ValueError:
            pass
    msg = f"{source}: 'expiration_time' must be an ISO 8601 date and time, got {value!r}"
    raise SnapshotError(msg)


def read_snapshot_file(path: PathLike | None = None) -> dict[str, Any]:
    """Read and validate a snapshot file; return the constructor arguments.

    Raises:
        SnapshotError: the file is missing, unreadable, not JSON, or malformed;
            the message names the file.
    """
    file = resolve_path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        msg = f"snapshot file {str(file)!r} does not exist"
        raise SnapshotError(msg) from exc
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"snapshot file {str(file)!r} cannot be read: {exc.__class__.__name__}"
        raise SnapshotError(msg) from exc
    if not text.strip():
        msg = f"snapshot file {str(file)!r} is empty"
        raise SnapshotError(msg)
    try:
        data = json.loads(text)
    except ValueError as exc:
        msg = f"snapshot file {str(file)!r} is not valid JSON (line {getattr(exc, 'lineno', '?')})"
        raise SnapshotError(msg) from None
    return parse_snapshot(data, source=f"snapshot file {str(file)!r}")


def write_private_file(path: PathLike, text: str, *, overwrite: bool) -> os.stat_result:
    """Write ``text`` to ``path`` with mode 0600, atomically.

    The content goes to a temporary file in the same directory first (created
    0600 by :func:`tempfile.mkstemp`, so the secret is never readable by others
    even for a moment). Without
    ``overwrite`` it is then hard-linked into place, which fails if anything
    (a file, a symlink) is already there; with ``overwrite`` it replaces the
    path with a rename, which replaces a symlink rather than following it.
    A crash at any point leaves either the old file or the new one, never a
    partial file.

    Returns:
        The ``lstat`` of the written file (to recognise it later).

    Raises:
        SnapshotExistsError: ``overwrite`` is false and the path exists.
    """
    target = Path(os.fspath(path))
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        msg = f"cannot write {str(target)!r}: {exc.strerror} (in {str(directory)!r})"
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


def _link_exclusive(source: str, target: Path) -> None:
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


@contextlib.contextmanager
def temporary_file(path: PathLike, text: str) -> Iterator[Path]:
    """Write a private file for the block and remove it afterwards.

    The file is removed only if it is still the one written here: a file
    already at the path is refused
    (:class:`~boto_session_manager.exceptions.SnapshotExistsError`), and one that
    replaced ours during the block is left alone.
    """
    target = Path(os.fspath(path))
    written = write_private_file(target, text, overwrite=False)
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


def _identity(status: os.stat_result) -> tuple[int, ...]:
    # A freed inode number is often reused at once: compare times and size too.
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
