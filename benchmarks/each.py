"""``bsm each`` and ``for_each_account`` against the ideal parallel time, at 200 ms per request.

Every request goes through ``latency_proxy`` (200 ms added, as a far-away
STS would take) in front of moto's server, both in a child process, so the
run is bound by waiting, not by this machine's cores. One run is what a
multi-account job does in one (account, region): AssumeRole into the
account, then one request there:

- ``bsm each``: the command is ``curl`` of the endpoint (one request
  through the proxy), with the account's credentials in its environment;
- ``for_each_account``: ``func`` makes one STS ``GetCallerIdentity`` call.

The ideal is ``runs x (time of one run alone) / workers``. The time of one
run alone is measured, not assumed: the run with one (account, region) minus
the same run with none (the start-up every run pays once: ``bsm each`` asks
STS who it is and Organizations for the account names). Each ratio is
``(time of N runs - start-up) / ideal``; 1.0 is perfect, the targets are 1.3
(``bsm each``) and 1.2 (``for_each_account``). Every time is the median of
several runs (5 for one run, 3 for the others).

Memory: the peak RSS of this process (sampled every 20 ms) while 100 and
then 1,000 runs go through, for both; flat means the 1,000-run peak is
within a few MB of the 100-run one.

Run: ``python benchmarks/each.py [--runs 200] [--workers 16] [--delay 0.2]
[--memory-runs 100,1000] [--json PATH]`` (a few minutes); ``--json PATH``
also writes the results (see ``_results.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import botocore
import psutil

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _results
from latency_proxy import served_in_child

from boto_session_manager import BotoSesManager
from boto_session_manager.cli import main as bsm_main
from boto_session_manager.testing import TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY

ROLE = "OrganizationAccountAccessRole"
REGION = "us-east-1"


def account_ids(count: int, offset: int) -> list[str]:
    """Distinct ids per measurement: no run reuses another's assumed role."""
    return [f"{200000000000 + offset + i:012d}" for i in range(count)]


def manager(endpoint: str) -> BotoSesManager:
    return BotoSesManager(
        aws_access_key_id=TEST_ACCESS_KEY_ID,
        aws_secret_access_key=TEST_SECRET_ACCESS_KEY,
        region_name=REGION,
        default_client_kwargs={"endpoint_url": endpoint},
    )


@contextlib.contextmanager
def peak_rss() -> Iterator[list[int]]:
    """Yield a one-element list that holds the peak RSS seen during the block."""
    process = psutil.Process()
    peak = [process.memory_info().rss]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.02):
            peak[0] = max(peak[0], process.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        stop.set()
        sampler.join()


def run_cli(endpoint: str, ids: list[str], workers: int, sink: Any) -> float:
    """Seconds of one in-process ``bsm each`` over ``ids`` (jsonl to ``sink``)."""
    curl = shutil.which("curl") or "curl"
    args = [
        "each",
        "--aws-access-key-id", TEST_ACCESS_KEY_ID,
        "--aws-secret-access-key", TEST_SECRET_ACCESS_KEY,
        "--region", REGION,
        "--endpoint-url", endpoint,
        "--max-workers", str(workers),
        "--output", "jsonl",
    ]  # fmt: skip
    if ids:
        args += ["--accounts", ",".join(ids)]
    else:  # no run at all: only the start-up
        args += ["--accounts", "100000000000", "--exclude", "100000000000"]
    args += ["--", curl, "-sf", "-o", "/dev/null", f"{endpoint}/moto-api/"]
    started = time.perf_counter()
    with contextlib.redirect_stderr(sink):  # its progress lines and summary table
        status = bsm_main(args, out=sink)
    elapsed = time.perf_counter() - started
    assert status == 0, f"bsm each exited {status}"
    return elapsed


def run_library(endpoint: str, ids: list[str], workers: int) -> float:
    """Seconds of one ``for_each_account`` over ``ids`` (a warmed-up manager)."""
    bsm = manager(endpoint)
    bsm.aws_account_id  # noqa: B018 - who am I: the start-up, before the clock starts
    started = time.perf_counter()
    run = bsm.for_each_account(
        lambda b: b.get_client("sts").get_caller_identity()["Account"],
        account_ids=ids,
        role_name=ROLE,
        max_workers=workers,
        auto_refresh=False,
    )
    elapsed = time.perf_counter() - started
    assert not run.errors, next(iter(run.errors.values()))
    return elapsed


def measure(
    name: str, timed: Callable[[list[str], int], float], args: argparse.Namespace
) -> dict[str, Any]:
    offset = [0]

    def fresh(count: int) -> list[str]:
        offset[0] += 10_000
        return account_ids(count, offset[0])

    # Medians: on a shared machine one measurement can be off by a third.
    startup = statistics.median(timed(fresh(0), args.workers) for _ in range(3))
    one = statistics.median(timed(fresh(1), args.workers) for _ in range(5)) - startup
    total = statistics.median(timed(fresh(args.runs), args.workers) for _ in range(3))
    ideal = args.runs * one / args.workers
    ratio = (total - startup) / ideal
    memory: dict[str, float] = {}
    for count in args.memory_runs:
        with peak_rss() as peak:
            timed(fresh(count), args.workers)
        memory[str(count)] = round(peak[0] / 2**20, 1)
    sizes = [str(c) for c in args.memory_runs]
    growth = memory[sizes[-1]] - memory[sizes[0]]
    print(
        f"{name:<18} one run {one:6.3f} s, start-up {startup:5.2f} s, "
        f"{args.runs} runs {total:6.2f} s, ideal {ideal:5.2f} s -> ratio {ratio:4.2f}"
    )
    print(
        f"{'':<18} peak RSS "
        + ", ".join(f"{c} runs {memory[c]:.0f} MB" for c in sizes)
        + f" (growth {growth:+.1f} MB)"
    )
    return {
        "runs": args.runs,
        "workers": args.workers,
        "one_run_seconds": round(one, 4),
        "startup_seconds": round(startup, 4),
        "total_seconds": round(total, 4),
        "ideal_seconds": round(ideal, 4),
        "ratio": round(ratio, 3),
        "peak_rss_mb_by_runs": memory,
        "rss_growth_mb": round(growth, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds added per request")
    parser.add_argument(
        "--memory-runs", default="100,1000", type=lambda v: [int(x) for x in v.split(",")]
    )
    _results.add_json_option(parser)
    args = parser.parse_args()
    _results.record_output()
    print(
        f"Python {sys.version.split()[0]}, boto3 {boto3.__version__}, "
        f"botocore {botocore.__version__}, {os.cpu_count()} CPUs"
    )
    print(f"+{args.delay * 1000:.0f} ms per request, {args.workers} workers\n")
    with served_in_child(args.delay) as url, open(os.devnull, "w") as sink:
        cli = measure("bsm each", lambda ids, w: run_cli(url, ids, w, sink), args)
        library = measure("for_each_account", lambda ids, w: run_library(url, ids, w), args)
    print(
        f"\nbsm each: {cli['ratio']:.2f}x the ideal (target <= 1.3); "
        f"for_each_account: {library['ratio']:.2f}x (target <= 1.2)"
    )
    params = {
        "runs": args.runs,
        "workers": args.workers,
        "delay_ms": round(args.delay * 1000),
        "memory_runs": args.memory_runs,
        "targets": {"bsm_each": 1.3, "for_each_account": 1.2},
    }
    _results.write(args.json, "each", params, {"bsm_each": cli, "for_each_account": library})


if __name__ == "__main__":
    main()
