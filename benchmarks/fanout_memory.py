"""Memory over a long fan-out: RSS as 2,000 accounts go through ``for_each_account_iter``.

Each account: AssumeRole (against moto's server in a child process, no added
latency) and an s3 and a dynamodb client built in the account. RSS (psutil)
is printed every quarter of the run; flat means each account's manager and
clients are freed once its task is done.

Run: ``python benchmarks/fanout_memory.py [--accounts 2000]`` (about a minute).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import boto3
import psutil

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from latency_proxy import served_in_child

from boto_session_manager import BotoSesManager
from boto_session_manager.testing import TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY


def work(account_bsm: BotoSesManager) -> int:
    account_bsm.get_client("s3")
    account_bsm.get_client("dynamodb")
    return 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2000)
    args = parser.parse_args()
    n = args.accounts
    print(f"Python {sys.version.split()[0]}, boto3 {boto3.__version__}, {os.cpu_count()} CPUs")
    process = psutil.Process()
    with served_in_child(0.0) as url:
        bsm = BotoSesManager(
            aws_access_key_id=TEST_ACCESS_KEY_ID,
            aws_secret_access_key=TEST_SECRET_ACCESS_KEY,
            region_name="us-east-1",
            default_client_kwargs={"endpoint_url": url},
        )
        ids = (f"{300000000000 + i:012d}" for i in range(n))
        marks = {n // 4, n // 2, 3 * n // 4, n}
        start = time.perf_counter()
        rss0 = process.memory_info().rss
        print(f"{'accounts done':>14}{'RSS MB':>10}{'growth MB':>11}{'seconds':>9}")
        for done, outcome in enumerate(bsm.for_each_account_iter(work, account_ids=ids), 1):
            assert outcome.ok, outcome.error
            if done in marks:
                rss = process.memory_info().rss
                print(
                    f"{done:>14}{rss / 2**20:>10.0f}{(rss - rss0) / 2**20:>11.0f}"
                    f"{time.perf_counter() - start:>9.1f}"
                )


if __name__ == "__main__":
    main()
