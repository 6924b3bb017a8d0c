"""for_each_account and its iterator, against the local AWS server.

moto lets a caller assume a role ARN rewritten to any account id, so every
"other account" here is reached through the same server.
"""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator
from typing import Any

import psutil
import pytest
from botocore.awsrequest import AWSResponse

from boto_session_manager import BotoSesManager
from boto_session_manager.exceptions import FanOutError
from boto_session_manager.fanout import (
    AccountAccessError,
    AccountResult,
    Backoff,
    FanOutResult,
    FanOutTimeoutError,
    InvalidAccountIdError,
    Progress,
    fanout_client,
    for_each_account_iter,
)
from boto_session_manager.testing import DEFAULT_ACCOUNT_ID

from .helpers import create_role

OTHERS = ["111111111111", "222222222222", "333333333333"]


def _error_response(code: str, status: int = 400) -> tuple[AWSResponse, dict[str, Any]]:
    http = AWSResponse("https://sts.amazonaws.com", status, {}, None)
    return http, {"Error": {"Code": code, "Message": "injected"}, "ResponseMetadata": {}}


class AssumeRoleSpy:
    """Counts AssumeRole calls on the fan-out's STS client and fails chosen ones."""

    def __init__(self, bsm: BotoSesManager) -> None:
        self.calls: list[str] = []
        self.fail: dict[str, list[str]] = {}  # account -> codes to answer, in order
        self._lock = threading.Lock()
        fanout_client(bsm, "sts").meta.events.register("before-call.sts.AssumeRole", self)

    def __call__(self, params: dict[str, Any], **_: Any) -> Any:
        account = params["body"]["RoleArn"].split(":")[4]
        with self._lock:
            self.calls.append(account)
            codes = self.fail.get(account)
            code = codes.pop(0) if codes else None
        return None if code is None else _error_response(code)


@pytest.fixture
def org(bsm: BotoSesManager) -> list[str]:
    """An organization with two ACTIVE member accounts and one closed; the ACTIVE ids."""
    client = bsm.get_client("organizations")
    client.create_organization(FeatureSet="ALL")
    ids = [
        client.create_account(Email=f"m{i}@example.com", AccountName=f"m{i}")[
            "CreateAccountStatus"
        ]["AccountId"]
        for i in range(3)
    ]
    client.close_account(AccountId=ids[2])
    return [DEFAULT_ACCOUNT_ID, ids[0], ids[1]]


def account_of(account_bsm: BotoSesManager) -> str:
    return account_bsm.aws_account_id


def test_organization_active_accounts_each_run_in_their_own_account(
    bsm: BotoSesManager, org: list[str]
) -> None:
    run = bsm.for_each_account(account_of)

    assert isinstance(run, FanOutResult)
    assert {a: a for a in org} == run.results
    assert run.errors == {}


def test_organization_listing_failure_is_a_fanout_error(bsm: BotoSesManager) -> None:
    fanout_client(bsm, "organizations").meta.events.register(
        "before-call.organizations.ListAccounts",
        lambda **_: _error_response("AWSOrganizationsNotInUseException"),
    )

    with pytest.raises(FanOutError, match="cannot list the organization's accounts"):
        bsm.for_each_account(account_of)


def test_explicit_ids_use_the_role_name_in_each_account(bsm: BotoSesManager) -> None:
    run = bsm.for_each_account(
        lambda b: b.principal_arn, account_ids=OTHERS[:2], role_name="ops/Auditor"
    )

    assert sorted(run.results) == OTHERS[:2]
    for account, arn in run.results.items():
        assert arn.startswith(f"arn:aws:sts::{account}:assumed-role/Auditor/")


def test_own_account_runs_with_the_manager_itself_without_assuming(bsm: BotoSesManager) -> None:
    spy = AssumeRoleSpy(bsm)

    run = bsm.for_each_account(lambda b: b is bsm, account_ids=[DEFAULT_ACCOUNT_ID, OTHERS[0]])

    assert {DEFAULT_ACCOUNT_ID: True, OTHERS[0]: False} == run.results
    assert [OTHERS[0]] == spy.calls


def test_region_name_applies_to_the_own_account_too(bsm: BotoSesManager) -> None:
    spy = AssumeRoleSpy(bsm)
    assert bsm.aws_region != "eu-west-1"

    def where(b: BotoSesManager) -> tuple[str, str | None, str]:
        return b.aws_account_id, b.aws_region, b.get_client("s3").meta.region_name

    run = bsm.for_each_account(
        where, account_ids=[DEFAULT_ACCOUNT_ID, OTHERS[0]], region_name="eu-west-1"
    )

    assert run.errors == {}
    assert {a: (a, "eu-west-1", "eu-west-1") for a in (DEFAULT_ACCOUNT_ID, OTHERS[0])} == (
        run.results
    )
    assert [OTHERS[0]] == spy.calls  # still no role assumed in the own account


def test_the_own_account_in_another_region_shares_refreshing_credentials(
    bsm: BotoSesManager,
) -> None:
    root = bsm.assume_role(create_role(bsm), auto_refresh=True)
    shared = root.boto_ses.get_credentials()

    run = root.for_each_account(
        lambda b: (b is root, b.aws_region, b.boto_ses.get_credentials() is shared),
        account_ids=[DEFAULT_ACCOUNT_ID],
        region_name="eu-west-1",
    )

    assert run.results == {DEFAULT_ACCOUNT_ID: (False, "eu-west-1", True)}
    same = root.for_each_account(lambda b: b is root, account_ids=[DEFAULT_ACCOUNT_ID])
    assert same.results == {DEFAULT_ACCOUNT_ID: True}


def test_include_own_account_false_skips_it(bsm: BotoSesManager) -> None:
    run = bsm.for_each_account(
        account_of, account_ids=[DEFAULT_ACCOUNT_ID, OTHERS[0]], include_own_account=False
    )

    assert [OTHERS[0]] == list(run.results)


def test_regions_key_by_account_and_region_and_assume_once_per_account(
    bsm: BotoSesManager,
) -> None:
    spy = AssumeRoleSpy(bsm)
    regions = ["us-east-1", "eu-west-1", "ap-south-1"]

    run = bsm.for_each_account(
        lambda b, region: (b.aws_account_id, region), account_ids=OTHERS[:2], regions=regions
    )

    expected = {(a, r): (a, r) for a in OTHERS[:2] for r in regions}
    assert expected == run.results
    assert sorted(OTHERS[:2]) == sorted(spy.calls)


def test_an_accounts_manager_keeps_its_clients_until_its_last_region_is_done(
    bsm: BotoSesManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    cleared: list[BotoSesManager] = []
    clear_cache = BotoSesManager.clear_cache

    def counting_clear_cache(self: BotoSesManager) -> None:
        cleared.append(self)
        clear_cache(self)

    monkeypatch.setattr(BotoSesManager, "clear_cache", counting_clear_cache)
    clients: list[tuple[BotoSesManager, Any]] = []

    def func(account_bsm: BotoSesManager, region: str) -> None:
        clients.append((account_bsm, account_bsm.get_client("s3")))

    run = bsm.for_each_account(
        func,
        account_ids=OTHERS[:1],
        regions=["us-east-1", "eu-west-1", "ap-south-1"],
        max_workers=1,  # one task after another: each would see a cleared cache
    )

    assert run.ok, run.errors
    assert len(clients) == 3
    assert len({id(m) for m, _ in clients}) == 1
    assert len({id(c) for _, c in clients}) == 1
    assert [id(m) for m in cleared] == [id(clients[0][0])]


def test_a_failing_function_never_stops_the_others(bsm: BotoSesManager) -> None:
    def func(account_bsm: BotoSesManager) -> str:
        account = account_bsm.aws_account_id
        if account == OTHERS[1]:
            msg = "boom in the second account"
            raise RuntimeError(msg)
        return account

    run = bsm.for_each_account(func, account_ids=OTHERS)

    assert {OTHERS[0]: OTHERS[0], OTHERS[2]: OTHERS[2]} == run.results
    assert [OTHERS[1]] == list(run.errors)
    assert str(run.errors[OTHERS[1]]) == "boom in the second account"
    assert not run.ok


def test_a_role_that_cannot_be_assumed_is_an_account_access_error(bsm: BotoSesManager) -> None:
    spy = AssumeRoleSpy(bsm)
    spy.fail[OTHERS[0]] = ["AccessDenied"]

    run = bsm.for_each_account(account_of, account_ids=OTHERS[:2])

    error = run.errors[OTHERS[0]]
    assert isinstance(error, AccountAccessError)
    assert OTHERS[0] == error.account_id
    assert error.role_arn == f"arn:aws:iam::{OTHERS[0]}:role/OrganizationAccountAccessRole"
    assert "AccessDenied" in str(error)
    assert error.__cause__.response["Error"]["Code"] == "AccessDenied"  # type: ignore[union-attr]
    assert {OTHERS[1]: OTHERS[1]} == run.results


@pytest.mark.parametrize(
    "code",
    ["Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"],
)
def test_sts_throttling_is_retried_with_exponential_backoff(bsm: BotoSesManager, code: str) -> None:
    spy = AssumeRoleSpy(bsm)
    spy.fail[OTHERS[0]] = [code, code, code]
    slept: list[float] = []
    backoff = Backoff(base=0.5, cap=1.5, sleep=slept.append, random=lambda: 1.0)

    run = bsm.for_each_account(account_of, account_ids=[OTHERS[0]], backoff=backoff)

    assert {OTHERS[0]: OTHERS[0]} == run.results
    assert slept == [0.5, 1.0, 1.5]  # doubled each time, capped
    assert len(spy.calls) == 4


def test_throttling_gives_up_after_max_attempts(bsm: BotoSesManager) -> None:
    spy = AssumeRoleSpy(bsm)
    spy.fail[OTHERS[0]] = ["Throttling"] * 5
    backoff = Backoff(max_attempts=3, sleep=lambda _: None)

    run = bsm.for_each_account(account_of, account_ids=[OTHERS[0]], backoff=backoff)

    assert isinstance(run.errors[OTHERS[0]], AccountAccessError)
    assert len(spy.calls) == 3


def test_backoff_jitter_scales_the_ceiling() -> None:
    backoff = Backoff(base=1.0, cap=8.0, random=lambda: 0.25)

    assert [backoff.delay(n) for n in range(5)] == [0.25, 0.5, 1.0, 2.0, 2.0]


@pytest.mark.parametrize("bad", ["12345678901", "1234567890123", "12345678901a", 123456789012])
def test_invalid_account_ids_are_refused_before_any_call(bsm: BotoSesManager, bad: Any) -> None:
    spy = AssumeRoleSpy(bsm)

    with pytest.raises(InvalidAccountIdError, match=repr(bad).replace("'", "'?")):
        bsm.for_each_account(account_of, account_ids=[OTHERS[0], bad])
    with pytest.raises(ValueError, match="12 digits"):
        bsm.for_each_account_iter(account_of, account_ids=[bad])  # eager, no next() needed
    assert spy.calls == []


def test_duplicate_ids_run_once(bsm: BotoSesManager) -> None:
    calls: list[str] = []

    bsm.for_each_account(lambda b: calls.append(b.aws_account_id), account_ids=OTHERS[:1] * 3)

    assert OTHERS[:1] == calls


def test_iterator_yields_each_result_as_it_finishes(bsm: BotoSesManager) -> None:
    release = threading.Event()

    def func(account_bsm: BotoSesManager) -> str:
        account = account_bsm.aws_account_id
        if account == OTHERS[0]:
            release.wait(10)  # the first account finishes last
        return account

    results = bsm.for_each_account_iter(func, account_ids=OTHERS, max_workers=3)
    first = next(results)
    release.set()
    rest = list(results)

    assert isinstance(first, AccountResult)
    assert first.account_id != OTHERS[0]
    assert first.ok
    assert sorted(OTHERS) == sorted([first.key, *(r.key for r in rest)])


def test_progress_is_called_after_each_task_in_the_calling_thread(bsm: BotoSesManager) -> None:
    seen: list[Progress] = []
    threads: set[int] = set()

    def progress(p: Progress) -> None:
        seen.append(p)
        threads.add(threading.get_ident())

    bsm.for_each_account(
        lambda b, r: 1 / 0 if r == "eu-west-1" else r,
        account_ids=OTHERS[:2],
        regions=["us-east-1", "eu-west-1"],
        progress=progress,
    )

    assert [p.done for p in seen] == [1, 2, 3, 4]
    assert {4} == {p.total for p in seen}
    assert seen[-1].failed == 2
    assert {threading.get_ident()} == threads


def test_timeout_reports_unfinished_accounts(bsm: BotoSesManager) -> None:
    release = threading.Event()

    def func(account_bsm: BotoSesManager) -> str:
        account = account_bsm.aws_account_id
        if account == OTHERS[0]:
            release.wait(10)
        return account

    try:
        run = bsm.for_each_account(func, account_ids=OTHERS[:2], timeout=2.0)
    finally:
        release.set()

    assert {OTHERS[1]: OTHERS[1]} == run.results
    assert isinstance(run.errors[OTHERS[0]], FanOutTimeoutError)


def _accounts(n: int) -> Iterator[str]:
    return (f"{100000000000 + i:012d}" for i in range(n))


@pytest.mark.slow
def test_account_managers_are_released_and_memory_stays_flat(bsm: BotoSesManager) -> None:
    """120 accounts, each making clients: in-flight managers are bounded, then all freed."""
    alive: weakref.WeakSet[BotoSesManager] = weakref.WeakSet()
    peak = [0]
    lock = threading.Lock()

    def func(account_bsm: BotoSesManager) -> int:
        account_bsm.get_client("s3")
        account_bsm.get_client("dynamodb")
        with lock:
            alive.add(account_bsm)
            peak[0] = max(peak[0], len(alive))
        return 1

    process = psutil.Process()
    rss: dict[int, int] = {}
    results = for_each_account_iter(
        bsm, func, account_ids=_accounts(120), max_workers=4, max_in_flight=8
    )
    for done, outcome in enumerate(results, start=1):
        assert outcome.ok, outcome.error
        if done in (40, 120):
            gc.collect()
            rss[done] = process.memory_info().rss

    gc.collect()
    assert len(alive) == 0
    assert peak[0] <= 40  # bounded by in-flight work (plus not-yet-collected cycles)
    # Plain boto3 costs ~15 MB per account: 80 more accounts would be ~1.2 GB.
    assert rss[120] - rss[40] < 40 * 2**20, (rss[120] - rss[40]) / 2**20


def test_arguments_that_are_not_lists_are_refused(bsm: BotoSesManager) -> None:
    with pytest.raises(InvalidAccountIdError, match="not one string"):
        bsm.for_each_account(account_of, account_ids="111111111111")
    with pytest.raises(ValueError, match="not one string"):
        bsm.for_each_account(account_of, account_ids=OTHERS, regions="us-east-1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_workers"):
        bsm.for_each_account(account_of, account_ids=OTHERS, max_workers=0)


def test_no_regions_means_no_work(bsm: BotoSesManager) -> None:
    assert bsm.for_each_account(account_of, account_ids=OTHERS, regions=[]).results == {}


def test_timeout_reports_accounts_not_started_and_calls_progress(bsm: BotoSesManager) -> None:
    release = threading.Event()
    seen: list[Progress] = []
    try:
        run = bsm.for_each_account(
            lambda b: release.wait(10),
            account_ids=OTHERS,
            max_workers=1,
            max_in_flight=1,
            timeout=0.5,
            progress=seen.append,
        )
    finally:
        release.set()

    assert sorted(run.errors) == sorted(OTHERS)
    assert all(isinstance(e, FanOutTimeoutError) for e in run.errors.values())
    assert [p.done for p in seen] == [1, 2, 3]
    assert {p.total for p in seen} == {3}
