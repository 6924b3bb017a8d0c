"""Forks while many threads create clients, all through the fault proxy.

64 threads create clients (each with its own argument set, so every call is
a creation under the manager's locks) and read SSM parameters through a
proxy that throttles, fails and drops requests; meanwhile the main thread
forks 20 times, once every few rounds of the threads' work. Each child,
inheriting whatever locks the threads held at that instant, creates a client
of its own from the same manager and reads a parameter. The parent does not
wait for a child before the next fork (the children run side by side), so
the threads do only as much work as the forks need. Counted: errors in the
threads, children that hang (a deadlock) or fail, and parameters read
wrongly or not at all (anything lost).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from typing import Any

import pytest
from botocore.config import Config

from . import fault_proxy
from .fault_proxy import FaultyAWS

faulty_aws = fault_proxy.faulty_aws

THREADS = 64
FORKS = 20
#: A hung child never exits, so a long wait costs nothing when all is well and
#: leaves room for a loaded machine running the 20 children side by side.
CHILD_TIMEOUT = 60.0
MIN_ROUNDS, MAX_ROUNDS = 2, 400
#: Rounds the threads complete (all together) between two forks.
ROUNDS_BETWEEN_FORKS = 16

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork"),
]


def _child(bsm: Any, names: dict[str, str], write_fd: int) -> None:  # pragma: no cover - child
    """Runs in a forked child: a new client from the parent's manager, one read."""
    status = 1
    try:
        client = bsm.get_client("ssm", config=Config(user_agent_extra="child"))
        name = sorted(names)[os.getpid() % len(names)]
        value = client.get_parameter(Name=name)["Parameter"]["Value"]
        os.write(write_fd, b"ok" if value == names[name] else b"wrong value")
        status = 0
    except BaseException as exc:
        os.write(write_fd, f"error {type(exc).__name__}".encode())
    finally:
        os._exit(status)


def _wait_for(pid: int, read_fd: int, deadline: float) -> str:
    """The child's report, or "deadlock" when it has not exited by ``deadline``."""
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.read(read_fd, 200).decode() or "no report"
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return "deadlock"


def test_64_threads_and_20_forks_during_client_creation_under_faults(
    faulty_aws: FaultyAWS,
) -> None:
    direct = faulty_aws.aws.manager()
    names = {f"/fork/p{i:02d}": f"value-{i:02d}" for i in range(THREADS)}
    ssm_direct = direct.get_client("ssm")
    for name, value in names.items():
        ssm_direct.put_parameter(Name=name, Value=value, Type="String")
    rules = [
        faulty_aws.proxy.add("throttle", every=9),
        faulty_aws.proxy.add("500", every=13),
        faulty_aws.proxy.add("drop", every=17),
    ]
    faulty_aws.max_attempts = 10  # a call meets several faults in a row now and then
    bsm = faulty_aws.manager()

    errors: list[str] = []
    read: dict[str, str] = {}
    start = threading.Barrier(THREADS + 1)
    stop = threading.Event()
    progress = threading.Condition()
    done_rounds = [0]

    def worker(index: int) -> None:
        name = sorted(names)[index]
        rounds = 0
        try:
            start.wait(30)
            while rounds < MIN_ROUNDS or (not stop.is_set() and rounds < MAX_ROUNDS):
                # A new argument set each round, and the cache emptied now and
                # then: nearly every call creates a client under the locks.
                config = Config(user_agent_extra=f"w{index}-r{rounds % 4}")
                client = bsm.get_client("ssm", config=config)
                read[name] = client.get_parameter(Name=name)["Parameter"]["Value"]
                rounds += 1
                with progress:
                    done_rounds[0] += 1
                    progress.notify_all()
                if rounds % 4 == 0 and index % 8 == 0:
                    bsm.clear_cache()
        except Exception as exc:
            errors.append(f"{name}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    start.wait(30)

    children: list[tuple[int, int]] = []
    try:
        for fork in range(FORKS):
            # Let the threads move on between forks (counted in rounds, not time).
            target = fork * ROUNDS_BETWEEN_FORKS
            with progress:
                progress.wait_for(lambda target=target: done_rounds[0] >= target, 60)
            read_fd, write_fd = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - child
                os.close(read_fd)
                _child(bsm, names, write_fd)
            os.close(write_fd)
            children.append((pid, read_fd))
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
    outcomes: list[str] = []
    deadline = time.monotonic() + CHILD_TIMEOUT
    for pid, read_fd in children:
        try:
            outcomes.append(_wait_for(pid, read_fd, deadline))
        finally:
            os.close(read_fd)

    hung = [t for t in threads if t.is_alive()]
    deadlocks = outcomes.count("deadlock")
    failed = [o for o in outcomes if o not in ("ok", "deadlock")]
    lost = {n for n in names if read.get(n) != names[n]}
    sys.stderr.write(
        f"threads={THREADS} forks={FORKS} errors={len(errors)} deadlocks={deadlocks} "
        f"failed_children={len(failed)} lost={len(lost)} hung_threads={len(hung)} "
        f"proxy_requests={faulty_aws.proxy.requests} "
        f"faults={[rule.fired for rule in rules]}\n"
    )
    assert all(rule.fired for rule in rules), "no fault was injected: the run proves nothing"
    assert errors == []
    assert deadlocks == 0, outcomes
    assert failed == []
    assert hung == []
    assert lost == set()
