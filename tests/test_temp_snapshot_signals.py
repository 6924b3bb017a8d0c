"""temp_snapshot when its writer is killed: real processes, real signals.

A file left by a writer that died no longer blocks the next temp_snapshot; a
snapshot a user saved on purpose is still never overwritten or deleted.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager.exceptions import SnapshotExistsError
from boto_session_manager.snapshot import write_private_file, writer_record_path

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")

WRITER = textwrap.dedent(
    """
    import sys, time
    from boto_session_manager import BotoSesManager
    bsm = BotoSesManager(
        aws_access_key_id="AKIACHILD", aws_secret_access_key="child-secret-sentinel",
        region_name="us-east-1")
    with bsm.temp_snapshot(sys.argv[1]):
        print("ready", flush=True)
        time.sleep(120)
    """
)


def static_manager() -> BotoSesManager:
    return BotoSesManager(
        aws_access_key_id="AKIAPARENT",
        aws_secret_access_key="parent-secret-sentinel",
        region_name="us-east-1",
    )


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """A child process inside temp_snapshot(path), waiting to be killed."""
    path = tmp_path / "snap.json"
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        yield child, path
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()


def test_a_live_temp_snapshot_is_never_taken_over(
    writer: tuple[subprocess.Popen[str], Path],
) -> None:
    _child, path = writer
    with (
        pytest.raises(SnapshotExistsError, match="in use by a running temp_snapshot"),
        static_manager().temp_snapshot(path),
    ):
        pass  # pragma: no cover
    assert json.loads(path.read_text())["aws_access_key_id"] == "AKIACHILD"


def test_sigkill_leaves_a_file_the_next_temp_snapshot_replaces(
    writer: tuple[subprocess.Popen[str], Path],
) -> None:
    child, path = writer
    child.send_signal(signal.SIGKILL)
    assert child.wait(timeout=30) == -signal.SIGKILL
    assert path.exists()
    with static_manager().temp_snapshot(path):
        assert json.loads(path.read_text())["aws_access_key_id"] == "AKIAPARENT"
    assert sorted(path.parent.iterdir()) == []


def test_sigterm_removes_the_snapshot_and_its_record(
    writer: tuple[subprocess.Popen[str], Path],
) -> None:
    child, path = writer
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=30) == -signal.SIGTERM
    assert sorted(path.parent.iterdir()) == []


def test_a_file_saved_on_purpose_after_a_crash_is_never_replaced(
    writer: tuple[subprocess.Popen[str], Path],
) -> None:
    child, path = writer
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    path.unlink()
    write_private_file(path, '{"saved": "on purpose"}', overwrite=False)
    assert writer_record_path(path).exists()  # the dead writer's record is still there
    with (
        pytest.raises(SnapshotExistsError, match="never overwritten"),
        static_manager().temp_snapshot(path),
    ):
        pass  # pragma: no cover
    assert json.loads(path.read_text()) == {"saved": "on purpose"}


def test_a_file_without_a_writer_record_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    write_private_file(path, "mine", overwrite=False)
    with pytest.raises(SnapshotExistsError), static_manager().temp_snapshot(path):
        pass  # pragma: no cover
    assert path.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap.json"]


def test_a_garbled_writer_record_protects_the_file(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    write_private_file(path, "mine", overwrite=False)
    write_private_file(writer_record_path(path), '{"file": "nope"}', overwrite=False)
    with pytest.raises(SnapshotExistsError), static_manager().temp_snapshot(path):
        pass  # pragma: no cover
    assert path.read_text() == "mine"


def test_a_handler_the_program_installed_is_left_alone(tmp_path: Path) -> None:
    seen: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: seen.append(signum))
    try:
        with static_manager().temp_snapshot(tmp_path / "snap.json"):
            os.kill(os.getpid(), signal.SIGTERM)
        assert seen == [signal.SIGTERM]
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert sorted(tmp_path.iterdir()) == []


def test_outside_the_block_sigterm_has_its_default_action_again(tmp_path: Path) -> None:
    with static_manager().temp_snapshot(tmp_path / "snap.json"):
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
