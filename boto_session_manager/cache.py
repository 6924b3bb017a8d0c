"""The credential cache: temporary credentials kept as private JSON files.

With ``cache_dir=`` (on ``assume_role``, ``get_session_token`` and
``assume_role_with_web_identity``) parallel processes and repeated runs of a
script reuse credentials until they near expiry, instead of calling STS (or
asking for an MFA code) again. Each entry is one file::

    <cache_dir>/<sha256 of the request>.json   mode 0600, replaced atomically
    <cache_dir>/<sha256 of the request>.lock   held around read-refresh-write

The directory is created with mode 0700. The request hash covers everything
that changes the answer (operation, role ARN, session name when one was given,
duration, policies, external id, MFA device, endpoint, region), never the MFA
code or a web identity token.

Trust, as OpenSSH's StrictModes: the directory must be owned by the current
user (or root), not writable by group or others and not a symlink, or
:class:`~boto_session_manager.exceptions.UntrustedFileError` is raised naming it
and the ``chmod``/``chown`` that fixes it. An entry that is a symlink, owned by
someone else, readable or writable by group or others, larger than 64 KiB, or
malformed (bad JSON, nesting or numbers past the limits, a wrong shape) is
never read: it is a miss, reported once with a
:class:`~boto_session_manager.exceptions.CredentialCacheWarning`
and replaced atomically. On Windows the owner and mode checks are skipped (no
POSIX modes there; the profile directory's ACLs protect the files).

Thread and process safety: an exclusive lock file serialises read-refresh-write
for one entry across processes (ten processes starting at once make one STS
call); an in-process lock does the same for threads. Both waits are bounded by
``lock_timeout`` (30 s by default), after which
:class:`~boto_session_manager.exceptions.LockTimeoutError` names the lock file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Union

from . import _forksafe
from ._files import PRIVATE_ONLY, prepare_private_directory, read_trusted
from ._lock import DEFAULT_LOCK_TIMEOUT, file_lock
from ._safejson import load_bounded
from .credentials import (
    CACHE_FORMAT,
    Clock,
    TemporaryCredentials,
    as_utc,
    refresh_windows,
    utc_now,
)
from .exceptions import (
    CacheEntryError,
    CredentialCacheError,
    CredentialCacheWarning,
    DocumentLimitError,
    InvalidCacheDirError,
    LockTimeoutError,
    SnapshotError,
    UntrustedFileError,
)
from .snapshot import PathLike, write_private_file

logger = logging.getLogger(__name__)


_thread_locks: dict[str, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


def _renew_thread_locks() -> None:
    """In a forked child: locks no thread of the child can be holding."""
    global _thread_locks_guard
    _thread_locks_guard = threading.Lock()
    _thread_locks.clear()


_forksafe.register(_renew_thread_locks)


def cache_key(material: Mapping[str, Any]) -> str:
    """A stable file name for a request (sha256 of its canonical JSON)."""
    canonical = json.dumps(material, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _thread_lock(path: str) -> threading.Lock:
    with _thread_locks_guard:
        return _thread_locks.setdefault(path, threading.Lock())


def _prepare_directory(directory: Path) -> None:
    try:
        prepare_private_directory(directory, what="credential cache directory (cache_dir)")
    except NotADirectoryError as exc:
        msg = f"cache_dir {str(directory)!r} is not a directory (a file is in the way)"
        raise InvalidCacheDirError(msg, argument="cache_dir") from exc
    except UntrustedFileError:
        raise
    except OSError as exc:
        msg = f"cannot create the credential cache directory {str(directory)!r}: {exc.strerror}"
        raise CredentialCacheError(msg) from exc


def parse_cache_entry(data: Any, source: str) -> tuple[TemporaryCredentials, datetime]:
    """Check the shape of a decoded cache file; return the credentials and issue time.

    Raises:
        CacheEntryError: naming ``source`` and the key that is wrong.
    """
    if not isinstance(data, dict):
        msg = f"{source}: expected a JSON object, got {type(data).__name__}"
        raise CacheEntryError(msg)
    if data.get("format") != CACHE_FORMAT:
        msg = f"{source}: 'format' is not {CACHE_FORMAT!r} (not an entry of this library)"
        raise CacheEntryError(msg)
    texts = {
        key: _text(data.get(key), key, source)
        for key in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration", "Issued")
    }
    creds = TemporaryCredentials(
        access_key_id=texts["AccessKeyId"],
        secret_access_key=texts["SecretAccessKey"],
        session_token=texts["SessionToken"],
        expiration=_time(texts["Expiration"], "Expiration", source),
    )
    return creds, _time(texts["Issued"], "Issued", source)


def _text(value: Any, key: str, source: str) -> str:
    if not isinstance(value, str) or not value:
        msg = f"{source}: {key!r} is missing or not a non-empty string"
        raise CacheEntryError(msg)
    return value


def _time(value: str, key: str, source: str) -> datetime:
    try:
        return as_utc(datetime.fromisoformat(value))
    except (ValueError, OverflowError):
        msg = f"{source}: {key!r} is not an ISO 8601 date and time"
        raise CacheEntryError(msg) from None


class CredentialFileCache:
    """A directory of cached temporary credentials.

    Args:
        directory: where the files live (created 0700 if missing; must be
            owned by the current user and not writable by group or others).
        clock: tz-aware clock deciding when an entry is too close to expiry.
        lock_timeout: the most seconds to wait for another thread or process
            holding an entry's lock (then
            :class:`~boto_session_manager.exceptions.LockTimeoutError`).

    Thread safety: one instance may be shared by any number of threads; entries
    are also safe to share with other processes.

    Example::

        cache = CredentialFileCache("~/.cache/bsm", lock_timeout=10)
        creds = cache.get_or_fetch(cache_key({"role": arn}), fetch=my_fetcher)
    """

    def __init__(
        self,
        directory: PathLike,
        clock: Clock = utc_now,
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.directory = Path(os.fspath(directory)).expanduser()
        self.lock_timeout = lock_timeout
        self._clock = clock
        self._monotonic = monotonic
        self._sleep = sleep

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

        None when the entry is missing, untrusted or malformed (never read then).
        """
        path = self.directory / f"{key}.json"
        try:
            raw = read_trusted(path, what="credential cache file", forbidden_bits=PRIVATE_ONLY)
        except FileNotFoundError:
            return None
        except UntrustedFileError as exc:
            self._warn(f"{exc}; it will be replaced")
            return None
        except OSError as exc:  # a read error
            problem = f"cannot be read ({exc.strerror}); it will be replaced"
            self._warn(f"credential cache file {str(path)!r} {problem}")
            return None
        source = f"credential cache file {str(path)!r}"
        try:
            data = load_bounded(raw.decode("utf-8"))
        except DocumentLimitError as exc:
            where = f" under {exc.key!r}" if exc.key else ""
            self._warn(f"{source}{where} {exc.problem}; it will be replaced")
            return None
        except ValueError:  # UnicodeDecodeError included
            self._warn(f"{source} is not valid JSON; it will be replaced")
            return None
        try:
            return parse_cache_entry(data, source)
        except CacheEntryError as exc:
            self._warn(f"{exc}; it will be replaced")
            return None

    def write(self, key: str, creds: TemporaryCredentials) -> None:
        """Store ``creds`` under ``key`` (0600, atomic replace)."""
        if creds.expiration is None:
            return
        data = creds.to_cache_entry(issued=self._clock())
        path = self.directory / f"{key}.json"
        try:
            write_private_file(path, json.dumps(data), overwrite=True)
        except (OSError, SnapshotError) as exc:
            # The credentials are good; only their reuse is lost. Never fail the caller.
            self._warn(f"credential cache file {str(path)!r} cannot be written ({exc}); not cached")

    @contextmanager
    def _locked(self, key: str) -> Iterator[None]:
        lock_path = self.directory / f"{key}.lock"
        thread_lock = _thread_lock(str(lock_path))
        if not thread_lock.acquire(timeout=self.lock_timeout):
            msg = (
                f"gave up after {self.lock_timeout:g} s waiting for the lock file "
                f"{str(lock_path)!r} (another thread of this process holds it)"
            )
            raise LockTimeoutError(msg, lock_path=str(lock_path), timeout=self.lock_timeout)
        try:
            with contextlib.ExitStack() as stack:
                lock = file_lock(
                    lock_path, timeout=self.lock_timeout, clock=self._monotonic, sleep=self._sleep
                )
                try:
                    stack.enter_context(lock)
                except LockTimeoutError:
                    raise
                except OSError as exc:
                    msg = f"cannot open the lock file {str(lock_path)!r}: {exc.strerror}"
                    raise CredentialCacheError(msg) from exc
                yield
        finally:
            thread_lock.release()

    def discard(self, key: str, access_key_id: str) -> None:
        """Forget the entry for ``key`` if it still holds ``access_key_id``.

        Called when AWS has refused those keys: the next fetch must not be
        served the same refused set from the cache.
        """
        path = self.directory / f"{key}.json"
        with self._locked(key):
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

        Raises:
            InvalidCacheDirError: the directory path is a file.
            UntrustedFileError: the directory is a symlink, another user's, or
                writable by group or others.
            LockTimeoutError: the entry stayed locked past ``lock_timeout``.
        """
        _prepare_directory(self.directory)
        with self._locked(key):
            cached = self.read(key)
            if cached is not None and self._usable(cached):
                logger.debug("credential cache hit %s (key %s)", key[:12], cached[0].access_key_id)
                return cached[0]
            fresh = fetch()
            self.write(key, fresh)
            return fresh

    @staticmethod
    def _warn(message: str) -> None:
        # One report: a warning (shown once per place by default), not also a log record.
        logger.debug(message)
        warnings.warn(message, CredentialCacheWarning, stacklevel=4)


CacheDir = Union[PathLike, CredentialFileCache]


def cached_fetcher(
    cache_dir: CacheDir | None,
    material: Mapping[str, Any],
    fetch: Callable[[], TemporaryCredentials],
    clock: Clock = utc_now,
) -> Callable[[], TemporaryCredentials]:
    """``fetch`` itself without a cache directory, else ``fetch`` behind the cache.

    ``cache_dir`` may also be a :class:`CredentialFileCache` (to choose its
    ``lock_timeout``). The cached fetcher also has a ``discard(access_key_id)``
    method, which refreshing credentials call when AWS refuses a set.
    """
    if cache_dir is None:
        return fetch
    if isinstance(cache_dir, CredentialFileCache):
        cache = cache_dir
    else:
        cache = CredentialFileCache(cache_dir, clock=clock)
    return _CachedFetch(cache, cache_key(material), fetch)


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


class ProviderCache:
    """A :class:`CredentialFileCache` seen as botocore's credential cache (a dict).

    botocore's ``assume-role`` provider (a profile with ``role_arn`` and
    ``source_profile``) keeps STS responses in a mapping; this one keeps them
    in the file cache's directory, so managers and processes on the same
    profile share one AssumeRole call. Keys are botocore's (hex digests).
    Thread safety: as the file cache (each file is written under its lock).

    Example::

        ProviderCache(CredentialFileCache("~/.cache/bsm"))["abc"] = response
    """

    def __init__(self, files: CredentialFileCache) -> None:
        _prepare_directory(files.directory)
        self.files = files

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.files.read(key) is not None

    def __getitem__(self, key: str) -> dict[str, Any]:
        entry = self.files.read(key)
        if entry is None:
            raise KeyError(key)
        creds = entry[0]
        expiration = creds.expiration.isoformat() if creds.expiration else None
        return {
            "Credentials": {
                "AccessKeyId": creds.access_key_id,
                "SecretAccessKey": creds.secret_access_key,
                "SessionToken": creds.session_token,
                "Expiration": expiration,
            }
        }

    def __setitem__(self, key: str, response: Mapping[str, Any]) -> None:
        self.files.write(key, TemporaryCredentials.from_sts(response))
