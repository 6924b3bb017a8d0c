"""Fan-out over 200 accounts vs a sequential plain-boto3 loop, at 50 ms per request.

Every request goes through ``latency_proxy`` (50 ms added) in front of moto's
server (``boto_session_manager.testing.local_aws``), both in a child process
so that the server's own CPU work does not compete with the measured client. The work per account is
what a multi-account script does: AssumeRole into the account, then one API
call there (STS GetCallerIdentity), i.e. two requests.

- ``boto3 sequential``: the usual loop: ``sts.assume_role`` with one root
  client, ``boto3.session.Session(credentials)``, a client, the call.
- ``bsm sequential``: ``bsm.for_each_account(..., max_workers=1)``.
- ``bsm fan-out``: ``bsm.for_each_account(..., max_workers=16)``; with
  ``--workers 1,2,4,8,16,32`` once per worker count (wall time against
  workers, for the chart beside the ideal ``sequential / workers``).

Run: ``python benchmarks/fanout.py`` (about a minute and a half, mostly the plain
loop); ``--json PATH`` also writes the results (see ``_results.py``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

import boto3
import botocore

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _results
from latency_proxy import served_in_child

from boto_session_manager import BotoSesManager
from boto_session_manager.testing import TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY

ROLE = "OrganizationAccountAccessRole"


def plain_boto3(endpoint: str, account_ids: list[str]) -> dict[str, str]:
    root = boto3.session.Session(
        aws_access_key_id=TEST_ACCESS_KEY_ID,
        aws_secret_access_key=TEST_SECRET_ACCESS_KEY,
        region_name="us-east-1",
    ).client("sts", endpoint_url=endpoint)
    results = {}
    for account_id in account_ids:
        creds = root.assume_role(
            RoleArn=f"arn:aws:iam::{account_id}:role/{ROLE}", RoleSessionName="bench"
        )["Credentials"]
        session = boto3.session.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name="us-east-1",
        )
        sts = session.client("sts", endpoint_url=endpoint)
        results[account_id] = sts.get_caller_identity()["Account"]
    return results


def with_bsm(endpoint: str, account_ids: list[str], workers: int) -> dict[str, str]:
    bsm = BotoSesManager(
        aws_access_key_id=TEST_ACCESS_KEY_ID,
        aws_secret_access_key=TEST_SECRET_ACCESS_KEY,
        region_name="us-east-1",
        default_client_kwargs={"endpoint_url": endpoint},
    )
    run = bsm.for_each_account(
        lambda b: b.get_client("sts").get_caller_identity()["Account"],
        account_ids=account_ids,
        role_name=ROLE,
        max_workers=workers,
        auto_refresh=False,
    )
    assert not run.errors, next(iter(run.errors.values()))
    return run.results  # type: ignore[return-value]


def run_all(url: str, ids: list[str], workers: list[int]) -> dict[str, float]:
    """Time the plain loop, then the manager once per worker count."""
    timings: dict[str, float] = {}
    cases: list[tuple[str, Callable[[], dict[str, str]]]] = [
        ("boto3 sequential", lambda: plain_boto3(url, ids))
    ]
    for count in workers:
        name = "bsm sequential" if count == 1 else f"bsm fan-out ({count} threads)"
        cases.append((name, lambda count=count: with_bsm(url, ids, count)))
    for name, run in cases:
        start = time.perf_counter()
        results = run()
        timings[name] = time.perf_counter() - start
        assert results == {i: i for i in ids}
        print(f"{name:<28}{timings[name]:>8.2f} s")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument(
        "--workers", default="1,16", help="comma-separated worker counts (default: 1,16)"
    )
    _results.add_json_option(parser)
    args = parser.parse_args()
    _results.record_output()
    workers = sorted({int(w) for w in args.workers.split(",")} | {1})
    ids = [f"{200000000000 + i:012d}" for i in range(args.accounts)]
    print(
        f"Python {sys.version.split()[0]}, boto3 {boto3.__version__}, "
        f"botocore {botocore.__version__}, {os.cpu_count()} CPUs"
    )
    print(f"{args.accounts} accounts, 2 requests each, +{args.delay * 1000:.0f} ms per request\n")
    with served_in_child(args.delay) as url:
        timings = run_all(url, ids, workers)
    base = timings.pop("boto3 sequential")
    # a worker count given twice is timed under one name: fewer timings than counts
    by_workers = dict(zip(workers, timings.values(), strict=False))
    best = min(by_workers, key=by_workers.__getitem__)
    print(
        f"\nfan-out ({best} threads): {base / by_workers[best]:.1f}x faster than the "
        "sequential plain-boto3 loop (target >=10x)"
    )
    params = {"accounts": args.accounts, "delay_seconds": args.delay, "requests_per_account": 2}
    results = {
        "boto3_sequential_seconds": base,
        "bsm": [{"workers": w, "seconds": s} for w, s in by_workers.items()],
    }
    _results.write(args.json, "fanout", params, results)


if __name__ == "__main__":
    main()
