"""Locks the package owns are new in a forked child; import works without fork support."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from boto_session_manager import BotoSesManager, _forksafe

KEYS = {
    "aws_access_key_id": "AKIDEXAMPLE",
    "aws_secret_access_key": "secret",
    "region_name": "us-east-1",
}
SERVICES = ("s3", "sqs", "sns", "dynamodb", "sts", "kms")


class Holder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.renewed = 0
        _forksafe.register(self.renew)

    def renew(self) -> None:
        self.lock = threading.Lock()
        self.renewed += 1


def test_a_registered_object_gets_new_locks_and_is_held_weakly() -> None:
    holder = Holder()
    held = holder.lock
    held.acquire()  # as if another thread held it at the fork
    _forksafe.after_fork_in_child()
    assert holder.renewed == 1
    assert holder.lock is not held
    assert holder.lock.acquire(timeout=1)
    key = (id(holder), "renew")
    assert key in _forksafe._methods
    del holder
    gc.collect()
    assert key not in _forksafe._methods


def test_a_manager_held_at_the_fork_serves_clients_in_the_child() -> None:
    bsm = BotoSesManager(**KEYS)
    bsm.get_client("s3")
    assert bsm._lock.acquire(timeout=1)  # a parent thread holding it at the fork
    _forksafe.after_fork_in_child()
    done = threading.Event()
    threading.Thread(target=lambda: (bsm.get_client("sqs"), done.set()), daemon=True).start()
    assert done.wait(10)


def test_the_package_imports_and_works_without_register_at_fork() -> None:
    code = (
        "import os\n"
        "del os.register_at_fork, os.fork  # as on Windows (the stdlib checks os.fork)\n"
        "import boto_session_manager\n"
        "from boto_session_manager import BotoSesManager\n"
        "bsm = BotoSesManager(aws_access_key_id='AKIDEXAMPLE',"
        " aws_secret_access_key='x', region_name='us-east-1')\n"
        "print(bsm.get_client('s3').meta.region_name)\n"
    )
    assert _python_prints(code) == "us-east-1"


class Rounds:
    """Rounds of client creation completed by all threads; the main thread waits on it."""

    def __init__(self) -> None:
        self.done = 0
        self.changed = threading.Condition()

    def add(self) -> None:
        with self.changed:
            self.done += 1
            self.changed.notify_all()

    def wait_for(self, count: int) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.done >= count, timeout=60)


def _python_prints(code: str) -> str:
    """What a fresh interpreter running ``code`` prints (it must exit 0 within 120 s)."""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def _make_clients(bsm: BotoSesManager, stop: threading.Event, worker: int, rounds: Rounds) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        url = f"http://127.0.0.1:{1024 + worker * 1000 + n % 1000}"  # a new cache key each time
        bsm.get_client(SERVICES[n % len(SERVICES)], endpoint_url=url)
        BotoSesManager(**KEYS).get_client(SERVICES[(n + worker) % len(SERVICES)])
        if n % 200 == 0:
            bsm.clear_cache()
        rounds.add()


def _child(bsm: BotoSesManager) -> None:
    try:
        BotoSesManager(**KEYS).get_client("s3")
        bsm.get_client("sqs", region_name="eu-west-3")
        os._exit(0)
    except BaseException:  # pragma: no cover - reported as the exit status
        traceback.print_exc()  # shown among the test's captured output
        os._exit(1)


def _wait(pid: int, deadline: float) -> int | None:
    """The child's exit code, or None when it has not ended by ``deadline`` (it hung)."""
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    return None


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_20_forks_while_8_threads_create_clients_never_hang_the_child() -> None:
    bsm = BotoSesManager(**KEYS)
    stop = threading.Event()
    rounds = Rounds()
    threads = [
        threading.Thread(target=_make_clients, args=(bsm, stop, i, rounds), daemon=True)
        for i in range(8)
    ]
    for thread in threads:
        thread.start()
    children: list[int] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads, on purpose
            for fork in range(20):
                rounds.wait_for(4 * (fork + 1))  # the threads move on between forks
                pid = os.fork()
                if pid == 0:  # pragma: no cover - the child exits inside
                    _child(bsm)
                children.append(pid)  # the children run side by side
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    # A hung child never ends; 60 s leaves room for a loaded machine.
    deadline = time.monotonic() + 60
    statuses = [_wait(pid, deadline) for pid in children]
    assert statuses == [0] * 20  # None would be a child that hung


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_child_imports_a_module_whose_import_lock_another_thread_held_at_the_fork() -> None:
    code = (
        "import importlib, os, signal, threading\n"
        "import boto_session_manager._forksafe\n"
        "from importlib import _bootstrap\n"
        "held, done = threading.Event(), threading.Event()\n"
        "def hold():\n"
        "    lock = _bootstrap._get_module_lock('json')\n"
        "    lock.acquire()  # as a thread in the middle of importing json\n"
        "    held.set()\n"
        "    done.wait()\n"
        "    lock.release()\n"
        "threading.Thread(target=hold, daemon=True).start()\n"
        "held.wait()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    signal.alarm(10)  # a hang ends the child with SIGALRM\n"
        "    with _bootstrap._ModuleLockManager('json'):\n"
        "        pass\n"
        "    os._exit(0)\n"
        "done.set()\n"
        "print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))\n"
    )
    assert _python_prints(code) == "0"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_child_imports_whole_a_module_another_thread_was_importing_at_the_fork(
    tmp_path: Path,
) -> None:
    (tmp_path / "halfway.py").write_text(
        "import gate\n"
        "gate.started.set()\n"
        "gate.finish.wait()  # the importing thread stops here while the parent forks\n"
        "VALUE = 42\n"
    )
    code = (
        "import importlib, os, signal, sys, threading, types\n"
        "import boto_session_manager._forksafe\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "gate = types.ModuleType('gate')\n"
        "gate.started, gate.finish = threading.Event(), threading.Event()\n"
        "sys.modules['gate'] = gate\n"
        "threading.Thread(target=importlib.import_module, args=('halfway',), daemon=True).start()\n"
        "gate.started.wait()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    signal.alarm(10)  # a hang ends the child with SIGALRM\n"
        "    gate.finish.set()  # the child's own import of the module runs to the end\n"
        "    os._exit(0 if importlib.import_module('halfway').VALUE == 42 else 3)\n"
        "gate.finish.set()\n"
        "print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))\n"
    )
    assert _python_prints(code) == "0"


def _wait_until(gate: _forksafe._ForkGate, condition: Callable[[], bool]) -> None:
    with gate._cond:
        assert gate._cond.wait_for(condition, timeout=30)


def test_a_fork_waits_for_the_threads_inside_an_unsplit_section() -> None:
    gate = _forksafe._ForkGate()
    leave, forked = threading.Event(), threading.Event()

    def inside() -> None:
        with gate.section():
            leave.wait(30)

    def fork() -> None:
        gate.before_fork()
        forked.set()

    worker = threading.Thread(target=inside)
    worker.start()
    _wait_until(gate, lambda: gate._inside == 1)
    forker = threading.Thread(target=fork)
    forker.start()
    _wait_until(gate, lambda: gate._forking)
    assert not forked.is_set()  # the thread is still inside
    leave.set()
    forker.join(30)
    worker.join(30)
    assert forked.is_set()
    gate.after_fork_in_parent()
    assert not gate._forking


def test_no_thread_enters_a_section_while_a_fork_is_under_way() -> None:
    gate = _forksafe._ForkGate()
    gate.before_fork()
    entered = threading.Event()

    def enter() -> None:
        with gate.section():
            entered.set()

    worker = threading.Thread(target=enter)
    worker.start()
    _wait_until(gate, lambda: gate._forking)
    assert not entered.is_set()
    gate.after_fork_in_parent()
    worker.join(30)
    assert entered.is_set()


def test_a_fork_from_inside_a_section_and_a_stuck_section_do_not_block_the_fork() -> None:
    gate = _forksafe._ForkGate(timeout=0)
    with gate.section(), gate.section():  # nested, and in the forking thread: no wait
        gate.before_fork()
        gate.after_fork_in_parent()
    held: list[AbstractContextManager[None]] = []

    def enter_and_stay() -> None:
        section = gate.section()
        section.__enter__()
        held.append(section)  # never left

    worker = threading.Thread(target=enter_and_stay)
    worker.start()
    worker.join(30)
    gate.before_fork()  # goes on once the timeout is over
    gate.after_fork_in_parent()
    assert gate._inside == 1
