"""One shared manager under 32 threads: no errors, one client per key, one STS call per refresh.

Two managers are shared by every thread: one with static keys and one
auto-refreshing assumed role. For about two seconds each thread runs a mix of
client lookups (several services and regions) and helper calls (secrets with
``max_age``, parameters, S3 listing, DynamoDB reads and writes, identity);
halfway through, the injected clock is moved into the role's mandatory
refresh window, so every thread meets the one due refresh at once.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager.testing import LocalAWS

from .helpers import OTHER_ACCOUNT, FakeClock, create_role

THREADS = 32
RUN_SECONDS = 2.0
SERVICES = ("s3", "sts", "dynamodb", "ssm", "secretsmanager", "iam")
REGIONS = (None, "us-east-1", "eu-west-1", "ap-southeast-2")
SECRET_VALUE = "load-test-secret-value"
KEYS = [f"objects/{i:02d}" for i in range(5)]


def count_client_creations(bsm: BotoSesManager) -> Counter[tuple[str, str]]:
    """Wrap the manager's session so every client it builds is counted by its arguments."""
    session = bsm.boto_ses
    real = session.client
    made: Counter[tuple[str, str]] = Counter()
    lock = threading.Lock()

    def counting(service_name: str, **kwargs: Any) -> Any:
        with lock:
            made[(service_name, repr(sorted(kwargs.items(), key=lambda kv: kv[0])))] += 1
        return real(service_name, **kwargs)

    session.client = counting  # type: ignore[method-assign]
    return made


def setup_resources(bsm: BotoSesManager) -> None:
    bsm.set_secret("load/secret", SECRET_VALUE)
    bsm.put_parameter("/load/param", "param-value")
    s3 = bsm.get_client("s3")
    s3.create_bucket(Bucket="load-bucket")
    for key in KEYS:
        s3.put_object(Bucket="load-bucket", Key=key, Body=b"x")
    bsm.get_client("dynamodb").create_table(
        TableName="load",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    bsm.dynamodb_table("load").put_item({"pk": "fixed", "value": 42})


@pytest.mark.slow
def test_32_threads_share_one_manager_without_errors_or_duplicate_clients(
    aws: LocalAWS, clock: FakeClock
) -> None:
    bsm = aws.manager(clock=clock)
    setup_resources(bsm)
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    assume_calls: list[str] = []
    bsm.get_client("sts").meta.events.register(
        "before-call.sts.AssumeRole", lambda **_: assume_calls.append("AssumeRole")
    )
    role = bsm.assume_role(arn, auto_refresh=True)
    first_key = role.get_frozen_credentials().access_key
    bsm.clear_cache()  # every client below is created under load
    static_made = count_client_creations(bsm)
    role_made = count_client_creations(role)
    # The refresh's AssumeRole goes through bsm's (new) STS client: count it there too.
    bsm.get_client("sts").meta.events.register(
        "before-call.sts.AssumeRole", lambda **_: assume_calls.append("AssumeRole")
    )
    assert len(assume_calls) == 1

    start = threading.Barrier(THREADS + 1)
    refreshed = threading.Event()
    stop_at = [0.0]
    errors: list[BaseException] = []
    seen_clients: dict[tuple[int, str, str | None], Any] = {}
    seen_lock = threading.Lock()
    calls_after_refresh = Counter[str]()

    def lookup(manager_id: int, manager: BotoSesManager, rng: random.Random) -> None:
        service, region = rng.choice(SERVICES), rng.choice(REGIONS)
        client = manager.get_client(service, region_name=region)
        with seen_lock:
            first = seen_clients.setdefault((manager_id, service, region), client)
        assert first is client

    def static_helpers(rng: random.Random) -> None:
        op = rng.randrange(6)
        if op == 0:
            assert bsm.get_secret("load/secret", max_age=0.2) == SECRET_VALUE
        elif op == 1:
            assert bsm.get_parameter("/load/param", max_age=0.2) == "param-value"
        elif op == 2:
            assert [o["Key"] for o in bsm.s3_list_objects("load-bucket")] == KEYS
        elif op == 3:
            table = bsm.dynamodb_table("load")
            table.put_item({"pk": f"thread-{threading.get_ident()}", "n": rng.random()})
            assert table.get_item({"pk": "fixed"}) == {"pk": "fixed", "value": 42}
        elif op == 4:
            assert bsm.aws_account_id == "123456789012"
        else:
            assert bsm.get_secret("load/secret") == SECRET_VALUE  # max_age=0: always fetched

    def role_calls(rng: random.Random) -> None:
        op = rng.randrange(3)
        if op == 0:
            assert role.aws_account_id == OTHER_ACCOUNT
        elif op == 1:
            role.get_client("s3").list_buckets()
        else:
            assert role.get_client("sts").get_caller_identity()["Account"] == OTHER_ACCOUNT
        if refreshed.is_set():
            with seen_lock:
                calls_after_refresh["role"] += 1

    work: list[Callable[[random.Random], None]] = [
        lambda rng: lookup(0, bsm, rng),
        lambda rng: lookup(1, role, rng),
        static_helpers,
        role_calls,
    ]

    def worker(seed: int) -> int:
        rng = random.Random(seed)
        done = 0
        start.wait(timeout=30)
        while time.monotonic() < stop_at[0]:
            try:
                rng.choice(work)(rng)
            except BaseException as exc:  # every error is a failure
                errors.append(exc)
            done += 1
        return done

    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(worker, seed) for seed in range(THREADS)]
        stop_at[0] = time.monotonic() + RUN_SECONDS
        start.wait(timeout=30)
        time.sleep(RUN_SECONDS / 2)  # bounded: the run itself
        clock.move_to(role.credential_expiration - timedelta(minutes=1))
        refreshed.set()
        done = sum(f.result(timeout=60) for f in futures)

    assert errors == []
    assert done > THREADS  # every thread did real work
    # Exactly one client per distinct key, on both managers.
    assert static_made and max(static_made.values()) == 1
    assert role_made and max(role_made.values()) == 1
    assert len(bsm._clients) == sum(static_made.values())
    assert len(role._clients) == sum(role_made.values())
    # One AssumeRole for the assumption and exactly one for the due refresh.
    assert len(assume_calls) == 2
    assert role.get_frozen_credentials().access_key != first_key
    assert calls_after_refresh["role"] > 0
