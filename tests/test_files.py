"""Trusting files on disk: the credential cache, snapshot files, the lock, JSON limits.

No AWS here: the cache is driven with a stand-in fetcher, time with fake clocks.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import types
import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager._files import MAX_FILE_BYTES, STALE_TEMP_SECONDS, temp_name
from boto_session_manager._lock import (
    FlockBackend,
    MsvcrtBackend,
    file_lock,
    select_backend,
)
from boto_session_manager._safejson import MAX_DEPTH, load_bounded
from boto_session_manager.cache import (
    CredentialCacheWarning,
    CredentialFileCache,
    cache_key,
    cached_fetcher,
)
from boto_session_manager.credentials import TemporaryCredentials
from boto_session_manager.exceptions import (
    BotoSessionManagerError,
    CredentialCacheError,
    DocumentLimitError,
    InvalidCacheDirError,
    LockTimeoutError,
    SnapshotError,
    SnapshotExpiredError,
    UntrustedFileError,
)
from boto_session_manager.snapshot import (
    parse_snapshot,
    read_snapshot_file,
    write_private_file,
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX owners and modes")
as_root = pytest.mark.skipif(
    getattr(os, "geteuid", lambda: 1)() != 0, reason="chown to another user needs root"
)
OTHER_UID = 65534  # nobody


def fresh_credentials(hours: float = 1) -> TemporaryCredentials:
    return TemporaryCredentials(
        access_key_id="ASIAFRESH",
        secret_access_key="fresh-secret-sentinel",
        session_token="fresh-token-sentinel",
        expiration=datetime.now(timezone.utc) + timedelta(hours=hours),
    )


class CountingFetch:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> TemporaryCredentials:
        self.calls += 1
        return fresh_credentials()


def valid_entry() -> str:
    now = datetime.now(timezone.utc)
    return json.dumps(
        {
            "format": "boto_session_manager/credential-cache/1",
            "AccessKeyId": "ASIAPLANTED",
            "SecretAccessKey": "planted-secret",
            "SessionToken": "planted-token",
            "Expiration": (now + timedelta(hours=1)).isoformat(),
            "Issued": now.isoformat(),
        }
    )


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "cache"
    directory.mkdir(mode=0o700)
    return directory


# ------------------------------------------------------------ cache directory


@posix_only
@pytest.mark.parametrize("mode", [0o777, 0o770, 0o702])
def test_a_cache_dir_writable_by_others_is_refused_with_the_fix(cache_dir: Path, mode: int) -> None:
    os.chmod(cache_dir, mode)
    fetch = CountingFetch()
    with pytest.raises(UntrustedFileError) as info:
        cached_fetcher(cache_dir, {"k": 1}, fetch)()
    assert str(cache_dir) in str(info.value)
    assert f"chmod 700 '{cache_dir}'" in str(info.value)
    assert info.value.path == str(cache_dir)
    assert isinstance(info.value, (BotoSessionManagerError, PermissionError))
    assert fetch.calls == 0


@posix_only
@as_root
def test_a_cache_dir_owned_by_another_user_is_refused(cache_dir: Path) -> None:
    os.chown(cache_dir, OTHER_UID, -1)
    with pytest.raises(UntrustedFileError, match="owned by user id 65534") as info:
        cached_fetcher(cache_dir, {"k": 1}, CountingFetch())()
    assert "chown" in str(info.value)


def test_a_symlinked_cache_dir_is_never_followed(cache_dir: Path, tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(cache_dir)
    with pytest.raises(UntrustedFileError, match="symlink"):
        cached_fetcher(link, {"k": 1}, CountingFetch())()
    assert list(cache_dir.iterdir()) == []


def test_a_cache_dir_that_is_a_file_names_the_argument(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(InvalidCacheDirError, match="cache_dir") as info:
        cached_fetcher(path, {"k": 1}, CountingFetch())()
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, CredentialCacheError)
    assert info.value.argument == "cache_dir"


def test_a_missing_cache_dir_is_created_private(tmp_path: Path) -> None:
    directory = tmp_path / "a" / "b"
    cached_fetcher(directory, {"k": 1}, CountingFetch())()
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700


def test_a_cache_dir_that_cannot_be_created_is_a_cache_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CredentialCacheError):
        cached_fetcher(blocker / "sub" / "dir", {"k": 1}, CountingFetch())()


# --------------------------------------------------------------- cache entries


def plant(cache_dir: Path, content: str, mode: int = 0o600) -> Path:
    path = cache_dir / f"{cache_key({'k': 1})}.json"
    path.write_text(content)
    os.chmod(path, mode)
    return path


def test_a_trusted_entry_is_reused(cache_dir: Path) -> None:
    plant(cache_dir, valid_entry())
    fetch = CountingFetch()
    assert cached_fetcher(cache_dir, {"k": 1}, fetch)().access_key_id == "ASIAPLANTED"
    assert fetch.calls == 0


@posix_only
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o606])
def test_an_entry_others_can_read_or_write_is_a_miss_and_replaced(
    cache_dir: Path, mode: int
) -> None:
    entry = plant(cache_dir, valid_entry(), mode)
    fetch = CountingFetch()
    with pytest.warns(CredentialCacheWarning, match="by group or others") as caught:
        creds = cached_fetcher(cache_dir, {"k": 1}, fetch)()
    assert len(caught) == 1
    assert fetch.calls == 1
    assert creds.access_key_id == "ASIAFRESH"
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert json.loads(entry.read_text())["AccessKeyId"] == "ASIAFRESH"


@posix_only
@as_root
def test_an_entry_owned_by_another_user_is_never_read(cache_dir: Path) -> None:
    entry = plant(cache_dir, valid_entry())
    os.chown(entry, OTHER_UID, -1)
    fetch = CountingFetch()
    with pytest.warns(CredentialCacheWarning, match="owned by user id 65534"):
        creds = cached_fetcher(cache_dir, {"k": 1}, fetch)()
    assert (fetch.calls, creds.access_key_id) == (1, "ASIAFRESH")
    assert entry.stat().st_uid == os.getuid()


def test_a_fifo_planted_as_an_entry_never_blocks(cache_dir: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    entry = cache_dir / f"{cache_key({'k': 1})}.json"
    os.mkfifo(entry, 0o600)
    with pytest.warns(CredentialCacheWarning, match="not a regular file"):
        creds = cached_fetcher(cache_dir, {"k": 1}, CountingFetch())()
    assert creds.access_key_id == "ASIAFRESH"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"format": ' + "[" * 5000 + "]" * 5000 + "}", "'format' is nested deeper"),
        ('{"Expiration": ' + "9" * 5000 + "}", "'Expiration' holds a number longer"),
        ('{"Issued": 1e999}', "'Issued' holds a number out of range"),
        ('{"Issued": NaN}', "NaN"),
        ('{"Issued": -Infinity}', "Infinity"),
        ("[" + "1," * 20000 + "1]", "tokens"),
        (" " * (MAX_FILE_BYTES + 1), "larger than"),
        ("\xff", "not valid JSON"),
        (valid_entry().replace('"ASIAPLANTED"', "12"), "'AccessKeyId'"),
        (valid_entry().replace("+00:00", "+99:99"), "'Expiration' is not an ISO 8601"),
        ("[]", "expected a JSON object"),
    ],
)
def test_hostile_entries_are_misses_naming_the_file_and_key(
    cache_dir: Path, content: str, problem: str
) -> None:
    entry = plant(cache_dir, content)
    with pytest.warns(CredentialCacheWarning) as caught:
        creds = cached_fetcher(cache_dir, {"k": 1}, CountingFetch())()
    assert creds.access_key_id == "ASIAFRESH"
    (warning,) = caught
    assert entry.name in str(warning.message)
    assert problem in str(warning.message)


def test_an_unwritable_entry_warns_once_and_still_returns(cache_dir: Path) -> None:
    (cache_dir / f"{cache_key({'k': 1})}.json").mkdir()
    with pytest.warns(CredentialCacheWarning) as caught:
        creds = cached_fetcher(cache_dir, {"k": 1}, CountingFetch())()
    assert creds.access_key_id == "ASIAFRESH"
    assert [str(w.message) for w in caught if "cannot be written" in str(w.message)]


def test_a_cache_object_can_be_passed_as_cache_dir(cache_dir: Path) -> None:
    cache = CredentialFileCache(cache_dir, lock_timeout=1.5)
    fetch = CountingFetch()
    cached_fetcher(cache, {"k": 1}, fetch)()
    cached_fetcher(cache, {"k": 1}, fetch)()
    assert fetch.calls == 1


# ----------------------------------------------------------------------- lock


class FakeTime:
    """Monotonic seconds that move only when someone 'sleeps'."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.now += seconds
        self.slept += seconds


@pytest.fixture
def held_lock(cache_dir: Path) -> Iterator[Path]:
    lock_path = cache_dir / f"{cache_key({'k': 1})}.lock"
    with file_lock(lock_path):
        yield lock_path


def test_a_lock_held_forever_times_out_naming_the_lock_file(
    cache_dir: Path, held_lock: Path
) -> None:
    fake = FakeTime()
    cache = CredentialFileCache(cache_dir, lock_timeout=7, monotonic=fake, sleep=fake.sleep)
    fetch = CountingFetch()
    with pytest.raises(LockTimeoutError) as info:
        cached_fetcher(cache, {"k": 1}, fetch)()
    assert str(held_lock) in str(info.value)
    assert info.value.lock_path == str(held_lock)
    assert info.value.timeout == 7
    assert isinstance(info.value, TimeoutError)
    assert 7 <= fake.slept < 7.1
    assert fetch.calls == 0


def test_the_default_lock_timeout_is_thirty_seconds(cache_dir: Path, held_lock: Path) -> None:
    fake = FakeTime()
    cache = CredentialFileCache(cache_dir, monotonic=fake, sleep=fake.sleep)
    with pytest.raises(LockTimeoutError, match="30 s"):
        cache.get_or_fetch(cache_key({"k": 1}), CountingFetch())
    assert 30 <= fake.slept < 30.1


def test_a_lock_released_while_waiting_is_taken(cache_dir: Path) -> None:
    lock_path = cache_dir / "x.lock"
    attempts = iter([False, False, True])

    class Flaky:
        name = "flaky"

        def try_lock(self, fd: int) -> bool:
            return next(attempts)

        def unlock(self, fd: int) -> None:
            pass

    fake = FakeTime()
    with file_lock(lock_path, timeout=5, clock=fake, sleep=fake.sleep, backend=Flaky()):
        pass
    assert fake.slept == pytest.approx(0.003)


def test_a_thread_holding_the_entry_times_out_too(cache_dir: Path) -> None:
    from boto_session_manager.cache import _thread_lock

    cache = CredentialFileCache(cache_dir, lock_timeout=0.01)
    key = cache_key({"k": 1})
    lock = _thread_lock(str(cache_dir / f"{key}.lock"))
    with lock, pytest.raises(LockTimeoutError, match="another thread"):
        cache.get_or_fetch(key, CountingFetch())


def test_a_symlink_planted_as_the_lock_file_is_refused(cache_dir: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep")
    (cache_dir / f"{cache_key({'k': 1})}.lock").symlink_to(victim)
    with pytest.raises(CredentialCacheError, match="lock file"):
        cached_fetcher(cache_dir, {"k": 1}, CountingFetch())()
    assert victim.read_text() == "keep"


class StandInMsvcrt(types.ModuleType):
    """Just enough of Windows' msvcrt: byte-range locks per file, not per descriptor."""

    LK_UNLCK = 0
    LK_NBLCK = 2

    def __init__(self) -> None:
        super().__init__("msvcrt")
        self.held: dict[tuple[int, int], int] = {}
        self.calls: list[tuple[int, int]] = []

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        status = os.fstat(fd)
        key = (status.st_dev, status.st_ino)
        self.calls.append((mode, nbytes))
        if mode == self.LK_NBLCK:
            if key in self.held and self.held[key] != fd:
                raise OSError(36, "Resource deadlock avoided")
            self.held[key] = fd
        elif mode == self.LK_UNLCK:
            self.held.pop(key, None)


def test_without_fcntl_the_lock_uses_msvcrt_with_a_bounded_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_in = StandInMsvcrt()
    monkeypatch.setitem(sys.modules, "fcntl", None)  # import fcntl now fails
    monkeypatch.setitem(sys.modules, "msvcrt", stand_in)
    backend = select_backend()
    assert isinstance(backend, MsvcrtBackend)
    lock_path = tmp_path / "w.lock"
    fake = FakeTime()
    with file_lock(lock_path, backend=backend) as first:
        assert stand_in.held
        waiting = file_lock(lock_path, timeout=2, clock=fake, sleep=fake.sleep, backend=backend)
        with pytest.raises(LockTimeoutError, match=r"w\.lock"), waiting:
            pass  # pragma: no cover
        assert first in stand_in.held.values()
    assert stand_in.held == {}
    assert (StandInMsvcrt.LK_UNLCK, 1) in stand_in.calls
    assert 2 <= fake.slept < 2.1


def test_with_fcntl_the_lock_uses_flock() -> None:
    if os.name != "posix":
        pytest.skip("POSIX only")
    assert isinstance(select_backend(), FlockBackend)


def test_the_package_imports_and_caches_where_only_msvcrt_exists(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import os, sys, types
        import subprocess  # the standard library tells Windows by msvcrt too: load it first
        sys.modules["fcntl"] = None
        modes = []
        def locking(fd, mode, nbytes):
            modes.append(mode)
        msvcrt = types.ModuleType("msvcrt")
        msvcrt.LK_UNLCK, msvcrt.LK_NBLCK, msvcrt.locking = 0, 2, locking
        sys.modules["msvcrt"] = msvcrt
        import boto_session_manager
        from boto_session_manager import _lock
        from boto_session_manager.cache import cached_fetcher
        from boto_session_manager.credentials import TemporaryCredentials
        from datetime import datetime, timedelta, timezone
        assert _lock.BACKEND.name == "msvcrt", _lock.BACKEND
        exp = datetime.now(timezone.utc) + timedelta(hours=1)
        fetch = lambda: TemporaryCredentials("ASIAWIN", "s", "t", exp)
        print(cached_fetcher({str(tmp_path / "c")!r}, {{"k": 1}}, fetch)().access_key_id)
        print(modes)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["ASIAWIN", "[2, 0]"]


# ---------------------------------------------------------- temporary files


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_temporary_files_of_dead_writers_are_swept_on_the_next_write(
    tmp_path: Path,
) -> None:
    target = tmp_path / "snap.json"
    dead = tmp_path / f".snap.json.{dead_pid()}.0123456789abcdef.tmp"
    old = tmp_path / f".snap.json.{os.getpid()}.fedcba9876543210.tmp"
    live = tmp_path / f".snap.json.{os.getpid()}.00000000000000aa.tmp"
    other = tmp_path / f".other.json.{dead_pid()}.0123456789abcdef.tmp"
    for path in (dead, old, live, other):
        path.write_text("half a secret")
    long_ago = os.stat(old).st_mtime - STALE_TEMP_SECONDS - 10
    os.utime(old, (long_ago, long_ago))
    write_private_file(target, "{}", overwrite=False)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([target.name, live.name, other.name])


def test_temporary_names_are_unique_and_carry_the_pid(tmp_path: Path) -> None:
    names = {temp_name(tmp_path / "x.json").name for _ in range(1000)}
    assert len(names) == 1000
    assert all(f".x.json.{os.getpid()}." in name for name in names)


# -------------------------------------------------------------- snapshot files


def snapshot_text(**extra: object) -> str:
    document: dict[str, object] = {
        "region_name": "us-east-1",
        "aws_access_key_id": "AKIASNAP",
        "aws_secret_access_key": "snap-secret-sentinel",
    }
    document.update(extra)
    return json.dumps(document)


@posix_only
@pytest.mark.parametrize("mode", [0o666, 0o620, 0o602])
def test_a_snapshot_file_writable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "snap.json"
    path.write_text(snapshot_text())
    os.chmod(path, mode)
    with pytest.raises(UntrustedFileError) as info:
        BotoSesManager.from_snapshot_file(path)
    assert f"chmod 600 '{path}'" in str(info.value)
    assert isinstance(info.value, SnapshotError)


@posix_only
def test_an_upstream_snapshot_left_0644_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    path.write_text(snapshot_text())
    os.chmod(path, 0o644)
    assert BotoSesManager.from_snapshot_file(path).aws_access_key_id == "AKIASNAP"


@posix_only
@as_root
def test_a_snapshot_file_owned_by_another_user_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    path.write_text(snapshot_text())
    os.chown(path, OTHER_UID, -1)
    with pytest.raises(UntrustedFileError, match="chown"):
        BotoSesManager.from_snapshot_file(path)


def test_a_symlinked_snapshot_file_is_never_read(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text(snapshot_text())
    link = tmp_path / "snap.json"
    link.symlink_to(real)
    with pytest.raises(UntrustedFileError, match="symlink"):
        BotoSesManager.from_snapshot_file(link)


def test_a_directory_at_the_snapshot_path_is_a_snapshot_error(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="not a regular file"):
        read_snapshot_file(tmp_path)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"region_name": ' + "[" * 100_000 + "]" * 100_000 + "}", "larger than"),
        ('{"region_name": ' + "[" * 50 + "]" * 50 + "}", "'region_name' is nested deeper"),
        (snapshot_text(expiration_time=int("9" * 4000)), "'expiration_time' holds a number"),
        ('{"expiration_time": 1e400}', "'expiration_time' holds a number out of range"),
        ('{"aws_access_key_id": NaN}', "'aws_access_key_id' holds NaN"),
        (snapshot_text(expiration_time=1e300), "'expiration_time' must be an ISO 8601"),
        (snapshot_text(expiration_time="9" * 60), "got str"),
        (snapshot_text(region_name=["x"]), "'region_name' must be a string"),
        ("\xff\xfe", "not UTF-8"),
    ],
)
def test_hostile_snapshot_files_raise_a_typed_error_naming_file_and_key(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "snap.json"
    path.write_bytes(content.encode("latin-1") if content.startswith("\xff") else content.encode())
    os.chmod(path, 0o600)
    with pytest.raises(SnapshotError) as info:
        BotoSesManager.from_snapshot_file(path)
    assert str(path) in str(info.value)
    assert problem in str(info.value)


def test_an_expired_snapshot_is_refused_unless_allowed(tmp_path: Path) -> None:
    expired = (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat()
    path = tmp_path / "snap.json"
    path.write_text(snapshot_text(aws_session_token="t", expiration_time=expired))
    os.chmod(path, 0o600)
    with pytest.raises(SnapshotExpiredError, match="allow_expired=True") as info:
        BotoSesManager.from_snapshot_file(path)
    assert str(path) in str(info.value)
    assert info.value.expiration == datetime.fromisoformat(expired)
    loaded = BotoSesManager.from_snapshot_file(path, allow_expired=True)
    assert loaded.expiration_time == datetime.fromisoformat(expired)
    document = json.loads(path.read_text())
    with pytest.raises(SnapshotExpiredError):
        BotoSesManager.from_snapshot(document)
    assert BotoSesManager.from_snapshot(document, allow_expired=True).aws_session_token == "t"


def test_expiry_is_judged_by_the_given_clock() -> None:
    document = json.loads(snapshot_text(expiration_time="2030-01-01T00:00:00Z"))
    assert parse_snapshot(document)["expiration_time"].year == 2030
    late = datetime(2031, 1, 1, tzinfo=timezone.utc)
    with pytest.raises(SnapshotExpiredError):
        parse_snapshot(document, clock=lambda: late)


# ----------------------------------------------------------------- JSON limits


def test_json_within_the_limits_loads_as_json_would() -> None:
    text = json.dumps({"a": [1, 2.5, -3e10, 'x\\"[{', {"b": None}], "c": True})
    assert load_bounded(text) == json.loads(text)


def test_json_nesting_is_limited_before_parsing() -> None:
    ok = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert load_bounded(ok) is not None
    with pytest.raises(DocumentLimitError) as info:
        load_bounded('{"deep": ' + "[" * (MAX_DEPTH) + "]" * MAX_DEPTH + "}")
    assert info.value.key == "deep"


def test_brackets_inside_strings_do_not_count() -> None:
    assert load_bounded(json.dumps({"k": "[" * 1000})) == {"k": "[" * 1000}


def test_no_warning_is_printed_twice(cache_dir: Path, capfd: pytest.CaptureFixture[str]) -> None:
    plant(cache_dir, "{not json")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cached_fetcher(cache_dir, {"k": 1}, CountingFetch())()
    assert len(caught) == 1
    assert capfd.readouterr().err == ""


def test_an_os_error_from_the_fetcher_passes_through_unchanged(cache_dir: Path) -> None:
    def fetch() -> TemporaryCredentials:
        raise FileNotFoundError(2, "No such file", "/token")

    with pytest.raises(FileNotFoundError, match="/token") as info:
        cached_fetcher(cache_dir, {"k": 1}, fetch)()
    assert not isinstance(info.value, CredentialCacheError)
