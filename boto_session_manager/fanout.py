"""Run one function in every account of an organization (or the accounts given).

:func:`for_each_account` collects every result and error into a
:class:`FanOutResult`; :func:`for_each_account_iter` yields an
:class:`AccountResult` per account (or per account and region) as each
finishes, keeping at most ``max_in_flight`` accounts in memory, so ten thousand
accounts never sit in memory at once.

For each account the manager assumes ``role_name`` there (one STS call) and
calls ``func(account_bsm)``, or ``func(account_bsm, region)`` once per region
when ``regions`` is given (one role assumption serves all of an account's
regions). The account the manager is already in runs with the manager itself,
no role assumed (or, when ``region_name`` names another region, a manager in
that region on the very same credentials). When an account's last task is
done, its manager is dropped and its clients freed: memory stays flat however
many accounts there are.

Failures stay per account: a role that cannot be assumed (recorded as
:class:`AccountAccessError`, whose ``__cause__`` is the STS error) or an
exception from ``func`` is recorded for that key and the run goes on. STS
throttling (``Throttling``, ``ThrottlingException``, ``RequestLimitExceeded``,
``TooManyRequestsException``) is retried with exponential backoff and full
jitter (:class:`Backoff`) on top of botocore's own retries.

Thread safety: ``func`` runs in ``max_workers`` threads **at once**. With
``regions``, the tasks of one account share that account's manager, and the
caller's own account runs with the calling manager itself (or one manager in
``region_name`` sharing its credentials): a manager's ``get_client`` is thread
safe, but boto3 *resources* are not, so create resources inside ``func``.
Anything else ``func`` touches (a shared list, a file, a counter) needs its own
lock. The ``progress`` callback and the iterator's consumer run in the calling
thread only, one result at a time.

Example::

    from boto_session_manager import BotoSesManager

    def buckets(account_bsm):
        return [b["Name"] for b in account_bsm.s3_client.list_buckets()["Buckets"]]

    bsm = BotoSesManager(profile_name="management")
    run = bsm.for_each_account(buckets)
    for account_id, names in run.results.items():
        print(account_id, names)
    for account_id, error in run.errors.items():
        print(account_id, "failed:", error)
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any, Union

import attrs
from botocore.exceptions import ClientError

from .exceptions import (
    AccountAccessError,
    FanOutError,
    FanOutTimeoutError,
    InvalidAccountIdError,
    InvalidArgumentError,
)

if TYPE_CHECKING:
    from .manager import BotoSesManager

#: ``account_id``, or ``(account_id, region)`` when regions are given.
Key = Union[str, tuple[str, str]]

THROTTLING_CODES = frozenset(
    {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"}
)
_ACCOUNT_ID = re.compile(r"\d{12}")


@attrs.frozen
class Backoff:
    """Exponential backoff with full jitter for throttled STS calls.

    Attempt ``n`` (from 0) waits ``random() * min(cap, base * 2**n)`` seconds.

    Attributes:
        max_attempts: tries in all, the first included.
        base: seconds of the first backoff ceiling.
        cap: the largest backoff ceiling.
        sleep: called with the delay (tests inject a recorder).
        random: returns a float in [0, 1) (tests inject a constant).

    Example::

        Backoff(max_attempts=3, sleep=lambda s: None)   # no real waiting in tests
    """

    max_attempts: int = 8
    base: float = 0.5
    cap: float = 20.0
    sleep: Callable[[float], None] = attrs.field(default=time.sleep, repr=False)
    random: Callable[[], float] = attrs.field(default=random.random, repr=False)

    def delay(self, attempt: int) -> float:
        """The wait after failed attempt ``attempt`` (0-based)."""
        return self.random() * min(self.cap, self.base * 2.0**attempt)

    def call(self, func: Callable[[], Any]) -> Any:
        """Call ``func``, retrying while it raises a throttling ``ClientError``."""
        for attempt in range(self.max_attempts):
            try:
                return func()
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code")
                if code not in THROTTLING_CODES or attempt + 1 >= self.max_attempts:
                    raise
            self.sleep(self.delay(attempt))
        msg = "Backoff.max_attempts must be at least 1"  # pragma: no cover - max_attempts=0
        raise InvalidArgumentError(msg, argument="max_attempts")  # pragma: no cover


@attrs.frozen
class AccountResult:
    """What one task produced: a value or an error.

    Attributes:
        account_id: the account.
        region: the region, or None when the run had no regions.
        value: what ``func`` returned (None on error).
        error: the exception, or None on success.
    """

    account_id: str
    region: str | None
    value: Any = None
    error: BaseException | None = None

    @property
    def key(self) -> Key:
        """``account_id``, or ``(account_id, region)`` when regions were given."""
        return self.account_id if self.region is None else (self.account_id, self.region)

    @property
    def ok(self) -> bool:
        """True when ``func`` returned without raising."""
        return self.error is None


@attrs.frozen
class Progress:
    """Where a run stands, handed to the ``progress`` callback after each task.

    Attributes:
        done: tasks finished so far (successes and errors).
        failed: tasks that ended with an error.
        total: tasks in the run, or None while the Organizations listing is
            still being read.
        last: the task that just finished.
    """

    done: int
    failed: int
    total: int | None
    last: AccountResult


@attrs.frozen
class FanOutResult:
    """Every value and error of a run.

    Attributes:
        results: ``func``'s return value per key (account id, or
            ``(account_id, region)`` when regions were given).
        errors: the exception per key that failed.

    Example::

        run = bsm.for_each_account(func)
        if run.errors:
            for key, error in run.errors.items():
                print(key, type(error).__name__, error)
    """

    results: dict[Key, Any] = attrs.field(factory=dict)
    errors: dict[Key, BaseException] = attrs.field(factory=dict)

    @property
    def ok(self) -> bool:
        """True when no task failed."""
        return not self.errors


def validate_account_ids(account_ids: Iterable[str]) -> list[str]:
    """The ids in order, duplicates dropped, each checked to be 12 digits.

    Raises:
        InvalidAccountIdError: the first id that is not 12 digits, named.

    Example::

        >>> validate_account_ids(["111122223333", "111122223333"])
        ['111122223333']
    """
    if isinstance(account_ids, str):
        msg = f"account_ids must be a list of ids, not one string: {account_ids!r}"
        raise InvalidAccountIdError(msg)
    seen: dict[str, None] = {}
    for account_id in account_ids:
        if not isinstance(account_id, str) or not _ACCOUNT_ID.fullmatch(account_id):
            msg = f"not an AWS account id (12 digits): {account_id!r}"
            raise InvalidAccountIdError(msg)
        seen[account_id] = None
    return list(seen)


def organization_account_ids(bsm: BotoSesManager) -> Iterator[str]:
    """The ids of the organization's ACTIVE accounts, page by page (lazily).

    Raises:
        FanOutError: the accounts cannot be listed (not the management or a
            delegated administrator account, no permission ...).

    Example::

        for account_id in organization_account_ids(bsm):
            print(account_id)
    """
    try:
        pages = bsm.get_client("organizations").get_paginator("list_accounts").paginate()
        for page in pages:
            for account in page["Accounts"]:
                if (account.get("State") or account.get("Status")) == "ACTIVE":
                    yield account["Id"]
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "?")
        msg = f"cannot list the organization's accounts ({code}); pass account_ids= instead"
        raise FanOutError(msg) from exc


def _in_region(bsm: BotoSesManager, region_name: str) -> BotoSesManager:
    """A manager like ``bsm`` (same credentials object, client defaults, clock) in another region.

    The credentials are shared, not copied: refreshing ones keep refreshing,
    for both managers at once.
    """
    return bsm._on_credentials(bsm.boto_ses.get_credentials(), region_name)


class _AccountManagers:
    """Account managers shared by an account's region tasks, dropped after the last.

    Thread safety: all methods are safe from any thread; each account's role
    is assumed once, by the first task that needs it.
    """

    def __init__(self, make: Callable[[str], BotoSesManager], uses: int) -> None:
        self._make = make
        self._uses = uses
        self._lock = threading.Lock()
        self._entries: dict[str, list[Any]] = {}  # id -> [lock, manager|error|None, users]

    def acquire(self, account_id: str) -> BotoSesManager:
        with self._lock:
            entry = self._entries.get(account_id)
            if entry is None:
                entry = self._entries[account_id] = [threading.Lock(), None, self._uses]
        with entry[0]:
            if entry[1] is None:
                try:
                    entry[1] = self._make(account_id)
                except Exception as exc:
                    entry[1] = exc
        found = entry[1]
        if isinstance(found, BaseException):
            raise found
        return found  # type: ignore[no-any-return]

    def release(self, account_id: str) -> None:
        """End one task of the account; after its last, drop the manager and its clients."""
        with self._lock:
            entry = self._entries[account_id]
            entry[2] -= 1
            if entry[2] > 0:
                return  # other regions of the account still use its manager
            del self._entries[account_id]
        manager = entry[1]
        if manager is not None and not isinstance(manager, BaseException):
            manager.clear_cache()


def for_each_account_iter(
    bsm: BotoSesManager,
    func: Callable[..., Any],
    *,
    account_ids: Iterable[str] | None = None,
    role_name: str = "OrganizationAccountAccessRole",
    regions: Sequence[str] | None = None,
    max_workers: int = 16,
    max_in_flight: int | None = None,
    role_session_name: str | None = None,
    external_id: str | None = None,
    duration_seconds: int = 3600,
    auto_refresh: bool = True,
    region_name: str | None = None,
    include_own_account: bool = True,
    timeout: float | None = None,
    progress: Callable[[Progress], None] | None = None,
    backoff: Backoff | None = None,
) -> Iterator[AccountResult]:
    """Run ``func`` per account (and region); yield each result as it finishes.

    Args:
        bsm: the manager to start from (usually in the management account).
        func: called as ``func(account_bsm)``, or ``func(account_bsm, region)``
            when ``regions`` is given. Runs in worker threads, many at once.
        account_ids: the accounts; by default every ACTIVE account of the
            organization (Organizations ``ListAccounts``, read lazily).
        role_name: the role to assume in each account (a path is allowed:
            ``"ops/auditor"``).
        regions: run once per region of each account.
        max_workers: threads.
        max_in_flight: tasks submitted but not yet yielded (default
            ``2 * max_workers``): the memory bound.
        role_session_name: the STS session name (CloudTrail shows it);
            defaults to a unique ``bsm-...`` name per account.
        external_id: the ``ExternalId`` the roles require, if any.
        duration_seconds: lifetime of each account's credentials.
        auto_refresh: re-assume a role whose task outlives its credentials.
        region_name: the region of the account managers (default: ``bsm``'s),
            the caller's own account included.
        include_own_account: run ``func`` in ``bsm``'s own account when that
            account is in the list, with no role assumed: with ``bsm`` itself,
            or, when ``region_name`` differs from ``bsm``'s region, with one
            manager in that region sharing ``bsm``'s credentials object (so
            refreshing credentials keep refreshing). False skips that account.
        timeout: seconds for the whole run. Tasks not finished by then are
            yielded with a :class:`FanOutTimeoutError` (running threads finish
            in the background; their results are dropped).
        progress: called with a :class:`Progress` after each task, in this
            thread.
        backoff: the retry policy for STS throttling.

    Yields:
        One :class:`AccountResult` per account (per account and region), in
        completion order.

    Raises:
        InvalidAccountIdError: an id in ``account_ids`` is not 12 digits
            (raised before any work starts).
        FanOutError: the organization's accounts cannot be listed.

    Thread safety: see the module docstring; ``func`` must be safe to run
    concurrently with itself.

    Example::

        for outcome in bsm.for_each_account_iter(func, regions=["us-east-1", "eu-west-1"]):
            print(outcome.key, outcome.value if outcome.ok else outcome.error)
    """
    if max_workers < 1:
        msg = f"max_workers must be at least 1, got {max_workers!r}"
        raise InvalidArgumentError(msg, argument="max_workers")
    if isinstance(regions, str):
        msg = f"regions must be a list of region names, not one string: {regions!r}"
        raise InvalidArgumentError(msg, argument="regions")
    explicit = None if account_ids is None else validate_account_ids(account_ids)
    return _run(
        bsm,
        func,
        explicit=explicit,
        role_name=role_name,
        region_list=list(regions) if regions is not None else [None],
        max_workers=max_workers,
        in_flight=max(max_in_flight or 2 * max_workers, 1),
        role_session_name=role_session_name,
        external_id=external_id,
        duration_seconds=duration_seconds,
        auto_refresh=auto_refresh,
        region_name=region_name,
        include_own_account=include_own_account,
        timeout=timeout,
        progress=progress,
        policy=backoff or Backoff(),
    )


def _run(
    bsm: BotoSesManager,
    func: Callable[..., Any],
    *,
    explicit: list[str] | None,
    role_name: str,
    region_list: list[str | None],
    max_workers: int,
    in_flight: int,
    role_session_name: str | None,
    external_id: str | None,
    duration_seconds: int,
    auto_refresh: bool,
    region_name: str | None,
    include_own_account: bool,
    timeout: float | None,
    progress: Callable[[Progress], None] | None,
    policy: Backoff,
) -> Iterator[AccountResult]:
    if not region_list:
        return
    own_account = bsm.aws_account_id
    partition = bsm.principal_arn.split(":")[1]
    role_path = role_name.strip("/")

    def assume(account_id: str) -> BotoSesManager:
        role_arn = f"arn:{partition}:iam::{account_id}:role/{role_path}"
        try:
            return policy.call(  # type: ignore[no-any-return]
                lambda: bsm.assume_role(
                    role_arn,
                    role_session_name=role_session_name,
                    duration_seconds=duration_seconds,
                    external_id=external_id,
                    region_name=region_name,
                    auto_refresh=auto_refresh,
                )
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "?")
            msg = f"cannot assume {role_arn} in account {account_id} ({code})"
            raise AccountAccessError(msg, account_id=account_id, role_arn=role_arn) from exc

    managers = _AccountManagers(assume, uses=len(region_list))
    own_bsm = bsm
    if include_own_account and region_name and region_name != bsm.aws_region:
        own_bsm = _in_region(bsm, region_name)

    def run(account_id: str, region: str | None) -> Any:
        if account_id == own_account:
            return func(own_bsm) if region is None else func(own_bsm, region)
        try:
            account_bsm = managers.acquire(account_id)
            return func(account_bsm) if region is None else func(account_bsm, region)
        finally:
            managers.release(account_id)

    ids: Iterable[str] = explicit if explicit is not None else organization_account_ids(bsm)
    if not include_own_account:
        ids = (i for i in ids if i != own_account)
    tasks = ((a, r) for a in ids for r in region_list)
    total = (
        None
        if explicit is None
        else len(region_list) * sum(1 for a in explicit if include_own_account or a != own_account)
    )
    deadline = None if timeout is None else time.monotonic() + timeout
    done = failed = submitted = 0
    pending: dict[Future[Any], tuple[str, str | None]] = {}
    exhausted = False
    executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="bsm-fanout")
    timed_out = False
    try:
        while True:
            while not exhausted and len(pending) < in_flight:
                task = next(tasks, None)
                if task is None:
                    exhausted = True
                    total = submitted
                    break
                pending[executor.submit(run, *task)] = task
                submitted += 1
            if not pending:
                return
            remaining = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            finished, _ = wait(pending, timeout=remaining, return_when=FIRST_COMPLETED)
            if not finished:
                timed_out = True
                break
            for future in finished:
                account_id, region = pending.pop(future)
                error = future.exception()
                outcome = AccountResult(
                    account_id=account_id,
                    region=region,
                    value=None if error is not None else future.result(),
                    error=error,
                )
                done += 1
                failed += error is not None
                if progress is not None:
                    progress(Progress(done=done, failed=failed, total=total, last=outcome))
                yield outcome
        # The deadline passed: everything not finished is reported as timed out.
        left = [*pending.values(), *tasks]
        total = done + len(left)
        for account_id, region in left:
            error = FanOutTimeoutError(
                f"account {account_id}{'' if region is None else ' ' + region}: "
                f"not finished within the run's timeout of {timeout} s"
            )
            outcome = AccountResult(account_id=account_id, region=region, error=error)
            done += 1
            failed += 1
            if progress is not None:
                progress(Progress(done=done, failed=failed, total=total, last=outcome))
            yield outcome
    finally:
        for future in pending:
            future.cancel()
        executor.shutdown(wait=not timed_out, cancel_futures=True)


def for_each_account(
    bsm: BotoSesManager,
    func: Callable[..., Any],
    *,
    account_ids: Iterable[str] | None = None,
    role_name: str = "OrganizationAccountAccessRole",
    regions: Sequence[str] | None = None,
    max_workers: int = 16,
    **options: Any,
) -> FanOutResult:
    """Run ``func`` per account (and region) in threads; collect values and errors.

    Takes the same arguments as :func:`for_each_account_iter`, which it
    consumes; the ``options`` are ``max_in_flight``, ``role_session_name``,
    ``external_id``, ``duration_seconds``, ``auto_refresh``, ``region_name``,
    ``include_own_account``, ``timeout``, ``progress`` and ``backoff``.

    Returns:
        A :class:`FanOutResult` keyed by account id, or by
        ``(account_id, region)`` when ``regions`` is given. Every account is
        in exactly one of ``results`` and ``errors``.

    Raises:
        InvalidAccountIdError: an id in ``account_ids`` is not 12 digits.
        FanOutError: the organization's accounts cannot be listed.

    Thread safety: ``func`` runs in up to ``max_workers`` threads at once (see
    the module docstring).

    Example::

        run = bsm.for_each_account(
            lambda account_bsm, region: account_bsm.get_client("ec2", region_name=region)
            .describe_vpcs()["Vpcs"],
            account_ids=["111122223333", "444455556666"],
            regions=["us-east-1", "eu-west-1"],
        )
        run.results[("111122223333", "eu-west-1")]
    """
    outcome = FanOutResult()
    results = for_each_account_iter(
        bsm,
        func,
        account_ids=account_ids,
        role_name=role_name,
        regions=regions,
        max_workers=max_workers,
        **options,
    )
    for result in results:
        if result.error is None:
            outcome.results[result.key] = result.value
        else:
            outcome.errors[result.key] = result.error
    return outcome
