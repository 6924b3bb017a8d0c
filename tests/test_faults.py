"""Through a faulty network every helper still gives exact, complete results.

Each test sends its calls through :mod:`tests.fault_proxy`, which answers
every N-th request with a server error, throttling, a connection dropped
mid-response, DynamoDB ``UnprocessedItems`` or an expired token, and checks
two things: the result is exactly what the local server holds (nothing lost,
nothing doubled), and the faults were really injected (so the test proves
something). Setup and verification go straight to the server.

Who recovers from what: botocore's standard-mode retries handle 5xx,
throttling and dropped connections (the library turns a body cut short into
a retryable connection error), and so does adaptive mode, which the fan-out's
own STS and Organizations clients use unless a mode was chosen; the library's
refresh-and-retry handles an expired token; the DynamoDB helper's backoff
handles ``UnprocessedItems``; ``for_each_account``'s backoff handles STS
throttling that outlasts botocore's retries.
"""

from __future__ import annotations

import base64
from collections import Counter
from datetime import timedelta
from typing import Any

import attrs
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError

from boto_session_manager import BotoSesManager
from boto_session_manager.fanout import Backoff, fanout_client
from boto_session_manager.testing import LocalAWS

from . import fault_proxy
from .fault_proxy import FaultProxy, FaultyAWS, RequestInfo
from .helpers import OTHER_ACCOUNT, FakeClock, count_calls, create_role, store_s3_objects
from .organization import build_organization

faulty_aws = fault_proxy.faulty_aws

ACCOUNTS = ["210987654321", "222233334444", "333344445555", "444455556666", "555566667777"]


def temporary_key(info: RequestInfo) -> bool:
    """Signed by STS-issued keys (an assumed role), not the static test key."""
    return info.access_key_id.startswith("ASIA")


def one_attempt(faulty_aws: FaultyAWS) -> BotoSesManager:
    """A manager through the proxy whose clients never retry (to see raw answers)."""
    return faulty_aws.aws.manager(
        default_client_kwargs={
            "endpoint_url": faulty_aws.url,
            "config": Config(retries={"total_max_attempts": 1, "mode": "standard"}),
        }
    )


# ----------------------------------------------------------------- the proxy


def test_proxy_answers_in_each_protocols_error_shape(faulty_aws: FaultyAWS) -> None:
    bsm = one_attempt(faulty_aws)
    faulty_aws.proxy.add("throttle", times=3)
    faulty_aws.proxy.add("expired_token", times=3)
    calls = [
        lambda: bsm.get_client("sts").get_caller_identity(),  # query protocol, XML
        lambda: bsm.get_client("ssm").get_parameter(Name="/x"),  # JSON 1.1
        lambda: bsm.get_client("s3").list_buckets(),  # rest-xml
    ]
    codes = []
    for call in calls * 2:
        with pytest.raises(ClientError) as info:
            call()
        codes.append(info.value.response["Error"]["Code"])
    assert codes == [
        "Throttling",
        "ThrottlingException",
        "SlowDown",
        "ExpiredToken",
        "ExpiredTokenException",
        "ExpiredToken",
    ]
    assert faulty_aws.proxy.injected == Counter({"throttle": 3, "expired_token": 3})


def test_proxy_rules_fire_on_every_nth_matching_request_only(faulty_aws: FaultyAWS) -> None:
    bsm = one_attempt(faulty_aws)
    rule = faulty_aws.proxy.add("500", every=3, service="sts", operation="GetCallerIdentity")
    outcomes = []
    for _ in range(7):
        bsm.get_client("s3").list_buckets()  # another service: never counted
        try:
            bsm.get_client("sts").get_caller_identity()
            outcomes.append("ok")
        except ClientError as exc:
            outcomes.append(exc.response["ResponseMetadata"]["HTTPStatusCode"])
    assert outcomes == ["ok", "ok", 500, "ok", "ok", 500, "ok"]
    assert (rule.matched, rule.fired) == (7, 2)


def test_proxy_is_bounded_and_refuses_unknown_faults(aws: LocalAWS) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        fault_proxy.Rule("teapot")
    with pytest.raises(ValueError, match="loopback"):
        FaultProxy("http://example.com:80")
    with FaultProxy.running(aws.endpoint_url, max_requests=2) as proxy:
        bsm = aws.manager(
            default_client_kwargs={
                "endpoint_url": proxy.url,
                "config": Config(retries={"total_max_attempts": 1, "mode": "standard"}),
            }
        )
        sts = bsm.get_client("sts")
        sts.get_caller_identity()
        sts.get_caller_identity()
        with pytest.raises(ClientError, match="FaultProxyLimitExceeded"):
            sts.get_caller_identity()
    assert proxy.requests == 3
    assert not proxy.serving  # stopped: the server thread has ended


def test_a_body_cut_short_is_a_retryable_connection_error_not_a_result(
    aws: LocalAWS, faulty_aws: FaultyAWS
) -> None:
    aws.manager().put_parameter("/one", "value")
    once = one_attempt(faulty_aws)
    faulty_aws.proxy.add("drop", times=2)
    # JSON would parse as {"message": "<partial>"}, XML would fail to parse: neither is seen.
    with pytest.raises(ConnectionClosedError):
        once.get_client("ssm").get_parameter(Name="/one")
    with pytest.raises(ConnectionClosedError):
        once.get_client("sts").get_caller_identity()
    faulty_aws.proxy.add("drop", times=2)
    retrying = faulty_aws.manager()
    assert retrying.get_parameter("/one") == "value"
    assert retrying.aws_account_id == "123456789012"
    assert faulty_aws.proxy.injected["drop"] == 4


# ------------------------------------------------------- parameters, secrets


def test_parameter_listing_and_batched_reads_are_complete(
    aws: LocalAWS, faulty_aws: FaultyAWS
) -> None:
    plain = aws.manager()
    expected = {
        f"/app/{group}/key{i:02d}": f"value-{group}-{i}" for group in "ab" for i in range(33)
    }
    for name, value in expected.items():
        plain.put_parameter(name, value)
    plain.put_parameter("/other/key", "not under /app")
    bsm = faulty_aws.manager()
    proxy = faulty_aws.proxy
    proxy.add("drop", every=4, service="ssm")
    proxy.add("500", every=5, service="ssm")
    proxy.add("throttle", every=6, service="ssm")
    proxy.add("503", every=7, service="ssm")

    listed = bsm.get_parameters_by_path("/app", recursive=True)
    read = bsm.get_parameters(sorted(expected))
    one = bsm.get_parameter("/app/b/key32")

    assert listed == expected
    assert read == expected
    assert one == "value-b-32"
    assert set(proxy.injected) == {"drop", "500", "throttle", "503"}


def test_secret_reads_are_exact(aws: LocalAWS, faulty_aws: FaultyAWS) -> None:
    plain = aws.manager()
    secrets: dict[str, Any] = {f"app/s{i}": f"secret-value-{i}" for i in range(6)}
    secrets["app/json"] = {"user": "app", "port": 5432}
    secrets["app/bytes"] = b"\x00\x01binary\xff"
    for name, value in secrets.items():
        plain.set_secret(name, value)
    bsm = faulty_aws.manager()
    proxy = faulty_aws.proxy
    proxy.add("drop", every=2, service="secretsmanager")
    proxy.add("throttle", every=3, service="secretsmanager")
    proxy.add("503", every=4, service="secretsmanager")

    for _ in range(2):  # max_age=0: every read goes to the server
        for name, value in secrets.items():
            transform = "json" if isinstance(value, dict) else None
            assert bsm.get_secret(name, transform=transform) == value
    assert bsm.get_secret("app/s1", max_age=60) == "secret-value-1"
    encoded = base64.b64encode(b"payload").decode()
    plain.set_secret("app/b64", encoded)
    assert bsm.get_secret("app/b64", transform="binary") == b"payload"
    assert set(proxy.injected) == {"drop", "throttle", "503"}


# ------------------------------------------------------------------------ S3


@pytest.mark.slow
def test_s3_listing_of_1200_keys_is_complete_and_in_order(
    aws: LocalAWS, faulty_aws: FaultyAWS
) -> None:
    client = aws.manager().get_client("s3")
    client.create_bucket(Bucket="big")
    keys = [f"data/{i:05d}.json" for i in range(1200)]
    store_s3_objects("big", keys)
    bsm = faulty_aws.manager()
    proxy = faulty_aws.proxy
    # The first page: dropped mid-body, then throttled; the second: 500 then 503.
    proxy.add("drop", operation="ListObjectsV2", times=1)
    proxy.add("throttle", operation="ListObjectsV2", times=1)
    proxy.add("500", operation="ListObjectsV2", path_contains="continuation-token", times=1)
    proxy.add("503", operation="ListObjectsV2", path_contains="continuation-token", times=1)

    listed = [obj["Key"] for obj in bsm.s3_list_objects("big", "data/")]

    assert listed == keys
    assert proxy.injected == Counter({"drop": 1, "throttle": 1, "500": 1, "503": 1})
    assert proxy.operations[("s3", "ListObjectsV2")] == 2 + 4


# ------------------------------------------------------------------ DynamoDB


@pytest.mark.slow
def test_batch_write_of_300_items_lands_every_item_exactly_once(
    aws: LocalAWS, faulty_aws: FaultyAWS
) -> None:
    plain = aws.manager()
    plain.get_client("dynamodb").create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    # 12 batches of 25, half of each held back every other request: about
    # 30 requests, so every rule below fires at least once.
    items = [{"pk": f"order-{i:04d}", "n": i, "price": i / 4} for i in range(300)]
    bsm = faulty_aws.manager()
    proxy = faulty_aws.proxy
    proxy.add("unprocessed", every=2)
    proxy.add("drop", every=7, service="dynamodb")
    proxy.add("500", every=9, service="dynamodb")
    proxy.add("throttle", every=11, service="dynamodb")
    waits: list[float] = []
    table = attrs.evolve(bsm.dynamodb_table("orders"), sleep=waits.append)

    written = table.batch_write_items(items)

    assert written == len(items)
    scanned = list(plain.dynamodb_table("orders").scan())
    assert len(scanned) == len(items)
    assert sorted(scanned, key=lambda item: item["pk"]) == [
        {"pk": i["pk"], "n": i["n"], "price": pytest.approx(i["price"])} for i in items
    ]
    assert set(proxy.injected) == {"unprocessed", "drop", "500", "throttle"}
    assert proxy.held_back > 0
    assert waits  # the helper's own backoff ran (without sleeping)


# ----------------------------------------------------------------- STS, roles


def test_auto_refresh_role_survives_throttling_and_an_expired_token(
    aws: LocalAWS, faulty_aws: FaultyAWS, clock: FakeClock
) -> None:
    arn = create_role(aws.manager(), account_id=OTHER_ACCOUNT)
    bsm = faulty_aws.manager(clock=clock)
    assume_calls = count_calls(bsm.get_client("sts"), "AssumeRole")
    proxy = faulty_aws.proxy
    proxy.add("throttle", every=2, service="sts")
    proxy.add("expired_token", times=1, service="sts", where=temporary_key)

    role = bsm.assume_role(arn, auto_refresh=True)
    first_key = role.get_frozen_credentials().access_key
    assert role.check_credentials().account == OTHER_ACCOUNT  # ExpiredToken: one refresh, one retry
    assert len(assume_calls) == 2
    assert role.get_frozen_credentials().access_key != first_key

    clock.move_to(role.credential_expiration - timedelta(minutes=1))
    role.get_client("s3").list_buckets()  # a due refresh, through the throttling
    assert len(assume_calls) == 3
    assert role.check_credentials().account == OTHER_ACCOUNT
    assert proxy.injected["expired_token"] == 1
    assert proxy.injected["throttle"] >= 3


def test_expired_token_after_a_throttled_attempt_still_refreshes(
    aws: LocalAWS, faulty_aws: FaultyAWS
) -> None:
    arn = create_role(aws.manager(), account_id=OTHER_ACCOUNT)
    bsm = faulty_aws.manager()
    assume_calls = count_calls(bsm.get_client("sts"), "AssumeRole")
    role = bsm.assume_role(arn, auto_refresh=True)
    proxy = faulty_aws.proxy
    # The role's first GetCallerIdentity attempt is throttled; its retry meets ExpiredToken.
    proxy.add("throttle", times=1, where=temporary_key)
    proxy.add("expired_token", times=1, where=temporary_key)

    assert role.check_credentials().account == OTHER_ACCOUNT
    assert len(assume_calls) == 2
    assert proxy.injected == Counter({"throttle": 1, "expired_token": 1})


def test_expired_token_is_retried_once_only(aws: LocalAWS, faulty_aws: FaultyAWS) -> None:
    arn = create_role(aws.manager(), account_id=OTHER_ACCOUNT)
    bsm = faulty_aws.manager()
    assume_calls = count_calls(bsm.get_client("sts"), "AssumeRole")
    role = bsm.assume_role(arn, auto_refresh=True)
    faulty_aws.proxy.add("expired_token", where=temporary_key)

    with pytest.raises(ClientError, match="ExpiredToken"):
        role.get_client("sts").get_caller_identity()
    assert len(assume_calls) == 2  # one refresh, not one per attempt
    assert faulty_aws.proxy.injected["expired_token"] == 2


def test_for_each_account_completes_every_account_under_sts_throttling(
    aws: LocalAWS, faulty_aws: FaultyAWS
) -> None:
    create_role(aws.manager(), "OrganizationAccountAccessRole")
    faulty_aws.max_attempts = 2  # so some AssumeRole calls outlast botocore's retries
    bsm = faulty_aws.manager()
    own = bsm.aws_account_id
    proxy = faulty_aws.proxy
    # Six throttles for five accounts' AssumeRole: at least one account sees
    # two in a row and needs the fan-out's own backoff.
    proxy.add("throttle", times=6, service="sts", operation="AssumeRole")
    # One fault each for func's own calls: botocore's second attempt always succeeds.
    proxy.add(
        "throttle", times=1, service="sts", operation="GetCallerIdentity", where=temporary_key
    )
    proxy.add("500", times=1, service="s3")
    waits: list[float] = []

    def audit(account_bsm: BotoSesManager) -> tuple[str, list[Any]]:
        account = account_bsm.check_credentials().account  # a real STS call per account
        return account, account_bsm.get_client("s3").list_buckets()["Buckets"]

    run = bsm.for_each_account(
        audit,
        account_ids=[own, *ACCOUNTS],
        max_workers=6,
        backoff=Backoff(sleep=waits.append),
    )

    assert run.errors == {}
    assert run.results == {account: (account, []) for account in [own, *ACCOUNTS]}
    assert waits  # the fan-out's backoff took over at least once
    assert proxy.injected == Counter({"throttle": 7, "500": 1})


def test_for_each_account_in_adaptive_mode_completes_under_sts_and_organizations_throttling(
    aws: LocalAWS, faulty_aws: FaultyAWS
) -> None:
    org = build_organization(aws.manager())
    faulty_aws.mode = None  # no retry mode chosen: the fan-out's clients are adaptive
    bsm = faulty_aws.manager()
    proxy = faulty_aws.proxy
    proxy.add("throttle", times=2, service="organizations", operation="ListAccounts")
    proxy.add("throttle", times=4, service="sts", operation="AssumeRole")
    waits: list[float] = []

    run = bsm.for_each_account(
        lambda account_bsm: account_bsm.aws_account_id,
        max_workers=6,
        backoff=Backoff(sleep=waits.append),
    )

    assert run.errors == {}
    assert run.results == {account: account for account in org.active}
    assert proxy.injected == Counter({"throttle": 6})
    assert proxy.operations[("sts", "AssumeRole")] == len(org.active) - 1 + 4
    assert waits == []  # botocore's adaptive retries absorbed every throttle
    for service in ("sts", "organizations"):
        assert fanout_client(bsm, service).meta.config.retries == {
            "mode": "adaptive",
            "total_max_attempts": faulty_aws.max_attempts,
        }
