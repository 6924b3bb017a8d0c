"""The credential cache: temporary credentials kept as private JSON files.

With ``cache_dir=`` (on ``assume_role``, ``get_session_token`` and
``assume_role_with_web_identity``) parallel processes and repeated runs of a
script reuse credentials until they near expiry, instead of calling STS (or
asking for an MFA code) again. Each entry is one file::

    <cache_dir>/<sha256 of the request>.json   mode 0600, replaced atomically
    <cache_dir>/<sha256 of the request>.lock   held (flock) around read-refresh-write

The directory is created with mode 0700. The request hash covers everything
that changes the answer (operation, role ARN, session name when one was given,
duration, policies, external id, MFA device, endpoint, region), never the MFA
code or a web identity token. A corrupt, foreign or planted file (bad JSON, a
wrong shape, a symlink) is ignored with a :class:`CredentialCacheWarning` and
replaced; it never crashes the caller and is never followed.

Thread and process safety: an exclusive file lock serialises read-refresh-write
for one entry across processes (ten processes starting at once make one STS
call); an in-process lock does the same for threads, which ``flock`` alone
would not separate on every platform.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from .credentials import Clock, TemporaryCredentials, as_utc, refresh_windows, utc_now
from .exceptions import CredentialCacheError, CredentialCacheWarning, SnapshotError
from .snapshot import PathLike, write_private_file

logger = logging.getLogger(__name__)

CACHE_FORMAT = "boto_session_manager/credential-cache/1"

_thread_locks: dict[str, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


def cache_key(material: Mapping[str, Any]) -> str:
    """A stable file name for a request (sha256 of its canonical JSON)."""
    canonical = json.dumps(material, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _thread_lock(path: str) -> threading.Lock:
    with _thread_locks_guard:
        return _thread_locks.setdefault(path, threading.Lock())


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        msg = f"cannot open the lock file {str(path)!r}: {exc.strerror}"
        raise CredentialCacheError(msg) from exc
    try:
        if sys.platform == "win32":  # pragma: no cover
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _prepare_directory(directory: Path) -> None:
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        msg = f"cannot create the credential cache directory {str(directory)!r}: {exc.strerror}"
        raise CredentialCacheError(msg) from exc
    if not directory.is_dir():
        msg = f"the credential cache path {str(directory)!r} is not a directory"
        raise CredentialCacheError(msg)


class CredentialFileCache:
    """A directory of cached temporary credentials.

    Args:
        directory: where the files live (created 0700 if missing).
        clock: tz-aware clock deciding when an entry is too close to expiry.

    Example::

        cache = CredentialFileCache("~/.cache/bsm")
        creds = cache.get_or_fetch(cache_key({"role": arn}), fetch=my_fetcher)
    """

    def __init__(self, directory: PathLike, clock: Clock = utc_now) -> None:
        self.directory = Path(os.fspath(directory)).expanduser()
        self._clock = clock

    def _usable(self, entry: tuple[TemporaryCredentials, datetime]) -> bool:
        creds, issued = entry
        if creds.expiration is None:
            return False
        lifetime = (creds.expiration - issued).total_seconds()
        remaining = (creds.expiration - self._clock()).total_seconds()
        # Reuse only outside the advisory refresh window of the credentials'
        # lifetime, so a refreshing manager never receives a set already due.
        return remaining > refresh_windows(lifetime)[0]

    def read(self, key: str) -> tuple[TemporaryCredentials, datetime] | None:
        """The cached credentials for ``key`` and when they were stored.

        None when the entry is missing, corrupt or foreign.
        """
        path = self.directory / f"{key}.json"
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(path, flags)
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._warn(path, f"cannot be opened ({exc.strerror}; a symlink is never followed)")
            return None
        try:
            with os.fdopen(fd, encoding="utf-8") as handle:
                data = json.load(handle)
        except (ValueError, UnicodeDecodeError):
            self._warn(path, "is not valid JSON")
            return None
        except OSError as exc:  # a directory planted at the path, a read error
            self._warn(path, f"cannot be read ({exc.strerror})")
            return None
        try:
            if data.get("format") != CACHE_FORMAT:
                raise ValueError("format")
            expiration = as_utc(datetime.fromisoformat(data["Expiration"]))
            issued = as_utc(datetime.fromisoformat(data["Issued"]))
            creds = TemporaryCredentials(
                access_key_id=_text(data["AccessKeyId"]),
                secret_access_key=_text(data["SecretAccessKey"]),
                session_token=_text(data["SessionToken"]),
                expiration=expiration,
            )
        except (AttributeError, KeyError, TypeError, ValueError):
            self._warn(path, "is not a credential cache entry of this library")
            return None
        return creds, issued

    def write(self, key: str, creds: TemporaryCredentials) -> None:
        """Store ``creds`` under ``key`` (0600, atomic replace)."""
        if creds.expiration is None:
            return
        data = {
            "format": CACHE_FORMAT,
            "AccessKeyId": creds.access_key_id,
            "SecretAccessKey": creds.secret_access_key,
            "SessionToken": creds.session_token,
            "Expiration": creds.expiration.isoformat(),
            "Issued": self._clock().isoformat(),
        }
        path = self.directory / f"{key}.json"
        try:
            write_private_file(path, json.dumps(data), overwrite=True)
        except (OSError, SnapshotError) as exc:
            # The credentials are good; only their reuse is lost. Never fail the caller.
            message = f"credential cache file {str(path)!r} cannot be written ({exc}); not cached"
            logger.warning(message)
            warnings.warn(message, CredentialCacheWarning, stacklevel=3)

    def discard(self, key: str, access_key_id: str) -> None:
        """Forget the entry for ``key`` if it still holds ``access_key_id``.

        Called when AWS has refused those keys: the next fetch must not be
        served the same refused set from the cache.
        """
        path = self.directory / f"{key}.json"
        lock_path = self.directory / f"{key}.lock"
        with _thread_lock(str(lock_path)), _file_lock(lock_path):
            entry = self.read(key)
            if entry is not None and entry[0].access_key_id == access_key_id:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)

    def get_or_fetch(
        self, key: str, fetch: Callable[[], TemporaryCredentials]
    ) -> TemporaryCredentials:
        """Cached credentials while they are fresh, else ``fetch()`` and store.

        The read-refresh-write runs under an exclusive lock, so concurrent
        callers (threads or processes) wait for one fetch and then reuse it.
        """
        _prepare_directory(self.directory)
        lock_path = self.directory / f"{key}.lock"
        with _thread_lock(str(lock_path)), _file_lock(lock_path):
            cached = self.read(key)
            if cached is not None and self._usable(cached):
                logger.debug("credential cache hit %s (key %s)", key[:12], cached[0].access_key_id)
                return cached[0]
            fresh = fetch()
            self.write(key, fresh)
            return fresh

    @staticmethod
    def _warn(path: Path, problem: str) -> None:
        message = f"credential cache file {str(path)!r} {problem}; it will be replaced"
        logger.warning(message)
        warnings.warn(message, CredentialCacheWarning, stacklevel=4)


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError("expected a non-empty string")
    return value


def cached_fetcher(
    cache_dir: PathLike | None,
    material: Mapping[str, Any],
    fetch: Callable[[], TemporaryCredentials],
    clock: Clock = utc_now,
) -> Callable[[], TemporaryCredentials]:
    """``fetch`` itself without a cache directory, else ``fetch`` behind the cache.

    The cached fetcher also has a ``discard(access_key_id)`` method, which
    refreshing credentials call when AWS refuses a set.
    """
    if cache_dir is None:
        return fetch
    return _CachedFetch(CredentialFileCache(cache_dir, clock=clock), cache_key(material), fetch)


class _CachedFetch:
    """A fetcher behind the file cache, able to forget a refused set."""

    def __init__(
        self, cache: CredentialFileCache, key: str, fetch: Callable[[], TemporaryCredentials]
    ) -> None:
        self._cache = cache
        self._key = key
        self._fetch = fetch

    def __call__(self) -> TemporaryCredentials:
        return self._cache.get_or_fetch(self._key, self._fetch)

    def discard(self, access_key_id: str) -> None:
        self._cache.discard(self._key, access_key_id)
