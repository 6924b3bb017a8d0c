"""Files that hold secrets: trusted like OpenSSH's StrictModes, read with limits.

Every file and directory the library reads credentials from is checked before
a byte of it is used:

- it is never reached through a symbolic link (``O_NOFOLLOW`` / ``lstat``);
- it is owned by the current user (or root), so no other local user planted it;
- it is not writable by group or others (a credential cache entry, which we
  always write 0600, must not even be readable by them);
- it is a regular file (a directory, FIFO or device planted at the path is
  refused without blocking) of at most :data:`MAX_FILE_BYTES`.

A refused path raises :class:`~boto_session_manager.exceptions.UntrustedFileError`
naming the path and the ``chmod``/``chown`` command that fixes it.

Windows has no POSIX owner or mode bits (``os.getuid`` does not exist and
``st_mode`` only reflects the read-only flag): there the owner and mode checks
are skipped and the ACLs of the user's profile directory protect the files;
the symlink, file-type and size checks still apply.

Writes go to a uniquely named temporary file in the same directory
(``.<name>.<pid>.<random>.tmp``, created 0600 with ``O_EXCL``), then a link or
rename puts it in place. Temporary files of this user whose writer is gone (a
process killed mid-write) are swept on the next write to the same path.

Thread safety: the functions keep no state and may be called from any thread.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import time
from pathlib import Path

from .exceptions import UntrustedFileError

#: The largest snapshot or cache file read (bytes); larger ones are refused.
MAX_FILE_BYTES = 64 * 1024

#: Mode bits that must be clear on a trusted directory or snapshot file.
NOT_WRITABLE_BY_OTHERS = 0o022
#: Mode bits that must be clear on a file we always write 0600 ourselves.
PRIVATE_ONLY = 0o077

#: A temporary file this old is swept even if its writer might live (seconds).
STALE_TEMP_SECONDS = 3600.0

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def current_uid() -> int | None:
    """The current user id, or None where there are no POSIX owners (Windows)."""
    getuid = getattr(os, "getuid", None)
    return None if getuid is None else int(getuid())


def untrusted_reason(status: os.stat_result, forbidden_bits: int) -> str | None:
    """Why a file with this ``lstat``/``fstat`` cannot be trusted, or None."""
    if stat.S_ISLNK(status.st_mode):
        return "is a symlink (never followed)"
    uid = current_uid()
    if uid is None:
        return None
    if status.st_uid not in (uid, 0):
        return f"is owned by user id {status.st_uid}, not by the current user ({uid})"
    loose = stat.S_IMODE(status.st_mode) & forbidden_bits
    if loose:
        who = "readable or writable" if forbidden_bits & 0o044 else "writable"
        return f"is {who} by group or others (mode {stat.S_IMODE(status.st_mode):04o})"
    return None


def fix_hint(path: Path, reason: str, *, directory: bool = False) -> str:
    """The command that makes ``path`` trusted again, for an error message."""
    quoted = "'" + str(path).replace("'", "'\\''") + "'"
    if "symlink" in reason:
        return f"replace the link with a real {'directory' if directory else 'file'}: rm {quoted}"
    if "owned by" in reason:
        return f'remove it, or take it over: chown "$(id -u)" {quoted}'
    return f"chmod {'700' if directory else '600'} {quoted}"


def refuse(path: Path, what: str, reason: str, *, directory: bool = False) -> UntrustedFileError:
    """The error for an untrusted path: names it, says why and how to fix it."""
    fix = fix_hint(path, reason, directory=directory)
    msg = f"{what} {str(path)!r} {reason}; refusing to use it ({fix})"
    return UntrustedFileError(msg, path=str(path))


def read_trusted(path: Path, *, what: str, forbidden_bits: int) -> bytes:
    """The bytes of a trusted regular file, at most :data:`MAX_FILE_BYTES`.

    Raises:
        FileNotFoundError: nothing at the path.
        UntrustedFileError: a symlink, another owner, loose mode bits, not a
            regular file, or too large.
        OSError: the file cannot be read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise refuse(path, what, "is a symlink (never followed)") from None
        raise
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise refuse(path, what, "is not a regular file")
        reason = untrusted_reason(status, forbidden_bits)
        if reason is not None:
            raise refuse(path, what, reason)
        chunks = []
        size = 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, MAX_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > MAX_FILE_BYTES:
        raise refuse(path, what, f"is larger than {MAX_FILE_BYTES} bytes")
    return data


def prepare_private_directory(directory: Path, *, what: str) -> None:
    """Create ``directory`` (0700) if missing, then check it is trusted.

    Raises:
        NotADirectoryError: something that is not a directory is at the path.
        UntrustedFileError: a symlink, another owner, or writable by others.
        OSError: it cannot be created.
    """
    with contextlib.suppress(FileExistsError):
        directory.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.mkdir(directory, 0o700)
    status = os.lstat(directory)
    if stat.S_ISLNK(status.st_mode):
        raise refuse(directory, what, "is a symlink (never followed)", directory=True)
    if not stat.S_ISDIR(status.st_mode):
        raise NotADirectoryError(errno.ENOTDIR, "not a directory", str(directory))
    reason = untrusted_reason(status, NOT_WRITABLE_BY_OTHERS)
    if reason is not None:
        raise refuse(directory, what, reason, directory=True)


# ------------------------------------------------------------------- writing

_TEMP_NAME = re.compile(r"\.(?P<target>.+)\.(?P<pid>\d+)\.[0-9a-f]{16}\.tmp\Z")


def temp_name(target: Path) -> Path:
    """A fresh, unique temporary name next to ``target`` (pid + 64 random bits)."""
    return target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(8)}.tmp")


def _writer_gone(pid: int, age: float) -> bool:
    if age > STALE_TEMP_SECONDS:
        return True
    if os.name != "posix" or pid == os.getpid():
        return False  # no safe liveness probe (os.kill terminates on Windows)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # alive, another user's
    return False


def sweep_stale_temporaries(target: Path, now: float | None = None) -> list[Path]:
    """Remove this user's temporary files for ``target`` whose writer is gone.

    A writer is gone when its process no longer exists, or the file is older
    than :data:`STALE_TEMP_SECONDS`. Files of other users are left alone.

    Returns:
        The paths removed.
    """
    directory = target.parent
    now = time.time() if now is None else now
    uid = current_uid()
    removed: list[Path] = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        match = _TEMP_NAME.match(name)
        if match is None or match["target"] != target.name:
            continue
        path = directory / name
        try:
            status = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISREG(status.st_mode) or (uid is not None and status.st_uid != uid):
            continue
        if _writer_gone(int(match["pid"]), now - status.st_mtime):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
                removed.append(path)
    return removed


def create_temp_file(target: Path) -> tuple[int, Path]:
    """Create a uniquely named 0600 temporary file next to ``target``."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_BINARY", 0)
    while True:
        name = temp_name(target)
        try:
            return os.open(name, flags, 0o600), name
        except FileExistsError:  # pragma: no cover - 64 random bits
            continue
