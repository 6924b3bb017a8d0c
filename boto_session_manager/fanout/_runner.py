"""The engine of a fan-out: a bounded pool of tasks, one result per task, in completion order.

A *task* is one call of ``func`` in one account (and region). When the run
needs a request per account before it knows that account's tasks (its tags,
or the regions enabled in it), a *preparation* runs first in the pool; it
yields no result unless it fails.

Thread safety: a :class:`Runner` is consumed by one thread (the iterator);
the tasks run in its pool; :class:`AccountManagers` is safe from any thread.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Generic, TypeVar

from botocore.exceptions import ClientError

from ..exceptions import AccountAccessError, FanOutTimeoutError
from ..roles import assume_role_request
from ..services.ec2 import enabled_regions
from ..services.organizations import OrgAccount, account_tags
from ._clients import ClientSource, client_source
from ._manager import ManagerLike
from ._targets import (
    counted_targets,
    reset_current,
    set_current,
    target_accounts,
)
from ._values import ENABLED_REGIONS, AccountResult, FanOutOptions, Progress

T = TypeVar("T")

#: ``call(account_bsm, region)``: the user's function, adapted.
Call = Callable[[ManagerLike, "str | None"], T]


class AccountManagers:
    """Account managers shared by an account's tasks, dropped after the last.

    Each account's role is assumed once, by the first task that needs it; a
    failure is remembered and raised to every task of that account.

    Thread safety: all methods are safe from any thread.
    """

    def __init__(self, make: Callable[[str], ManagerLike]) -> None:
        self._make = make
        self._lock = threading.Lock()
        self._entries: dict[str, list[Any]] = {}  # id -> [lock, manager|error|None, users]

    def acquire(self, account_id: str, uses: int) -> ManagerLike:
        """The account's manager; a new entry expects ``uses`` releases in all."""
        with self._lock:
            entry = self._entries.get(account_id)
            if entry is None:
                entry = self._entries[account_id] = [threading.Lock(), None, uses]
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

    def add_uses(self, account_id: str, uses: int) -> None:
        """Expect ``uses`` more releases (an acquired account's tasks, once known)."""
        with self._lock:
            self._entries[account_id][2] += uses

    def release(self, account_id: str) -> None:
        """End one use; after the last, drop the manager and its clients."""
        with self._lock:
            entry = self._entries[account_id]
            entry[2] -= 1
            if entry[2] > 0:
                return  # other tasks of the account still use its manager
            del self._entries[account_id]
        manager = entry[1]
        if manager is not None and not isinstance(manager, BaseException):
            manager.clear_cache()


class _Work:
    """The per-account work done in the pool: assume, prepare, run."""

    def __init__(self, bsm: ManagerLike, call: Call[Any], options: FanOutOptions) -> None:
        self.bsm = bsm
        self.call = call
        self.clients: ClientSource = client_source(bsm)  # the run's STS and Organizations
        self.options = options
        self.own_account = bsm.aws_account_id
        self.partition = bsm.principal_arn.split(":")[1]
        self.own_bsm = bsm
        if options.include_own_account and options.region_name not in (None, bsm.aws_region):
            self.own_bsm = bsm.in_region(options.region_name)
        regions = options.regions
        self.fixed: list[str | None] = (
            [None] if regions is None else [] if regions == ENABLED_REGIONS else list(regions)
        )
        self.prepares = options.account_tags is not None or regions == ENABLED_REGIONS
        self.managers = AccountManagers(self.assume)

    def assume(self, account_id: str) -> ManagerLike:
        options = self.options
        role_arn = f"arn:{self.partition}:iam::{account_id}:role/{options.role_name.strip('/')}"
        # Through the run's one STS client (and so do the role's refreshes).
        request = assume_role_request(
            self.clients,
            role_arn,
            options.role_session_name,
            options.duration_seconds,
            external_id=options.external_id,
        )
        try:
            return options.backoff.call(
                lambda: self.bsm.derive(
                    request, auto_refresh=options.auto_refresh, region_name=options.region_name
                )
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "?")
            msg = f"cannot assume {role_arn} in account {account_id} ({code})"
            raise AccountAccessError(msg, account_id=account_id, role_arn=role_arn) from exc

    def run(self, account: OrgAccount, region: str | None) -> Any:
        """One task: ``func`` in the account (and region)."""
        token = set_current(account)
        try:
            if account.id == self.own_account:
                return self.call(self.own_bsm, region)
            try:
                return self.call(self.managers.acquire(account.id, len(self.fixed)), region)
            finally:
                self.managers.release(account.id)
        finally:
            reset_current(token)

    def prepare(self, account: OrgAccount) -> list[str | None]:
        """The account's regions to run in; [] when its tags do not match."""
        wanted = self.options.account_tags
        if wanted:
            client = self.clients("organizations")
            tags = account_tags(client, account.id, retry=self.options.backoff.call)
            if any(tags.get(key) != value for key, value in wanted.items()):
                return []
        if self.options.regions != ENABLED_REGIONS:
            return list(self.fixed)
        if account.id == self.own_account:
            return list(enabled_regions(self.own_bsm.get_client("ec2")))
        manager = self.managers.acquire(account.id, 1)
        try:
            found = self.options.backoff.call(lambda: enabled_regions(manager.get_client("ec2")))
            self.managers.add_uses(account.id, len(found))
            return list(found)
        finally:
            self.managers.release(account.id)


class Runner(Generic[T]):
    """Iterate to run; yields one :class:`AccountResult` per task as each finishes."""

    def __init__(self, bsm: ManagerLike, call: Call[T], options: FanOutOptions) -> None:
        self._work = _Work(bsm, call, options)
        self._options = options
        self._accounts = target_accounts(self._work.clients, options, self._work.own_account)
        self._ready: deque[tuple[OrgAccount, str | None]] = deque()
        self._pending: dict[Future[Any], tuple[OrgAccount, str | None, bool]] = {}
        self._exhausted = False
        self._planned = 0  # results known to come: tasks queued + failed preparations
        self._done = self._failed = 0
        counted = counted_targets(options, self._work.own_account)
        fixed = len(self._work.fixed)
        self._total = None if counted is None or self._work.prepares else counted * fixed

    def __iter__(self) -> Iterator[AccountResult[T]]:
        if not self._work.fixed and not self._work.prepares:
            return
        options = self._options
        deadline = None if options.timeout is None else time.monotonic() + options.timeout
        pool = ThreadPoolExecutor(options.max_workers, thread_name_prefix="bsm-fanout")
        timed_out = False
        try:
            while True:
                self._fill(pool)
                if not self._pending:
                    return
                remaining = None if deadline is None else max(deadline - time.monotonic(), 0.0)
                finished, _ = wait(self._pending, timeout=remaining, return_when=FIRST_COMPLETED)
                if not finished:
                    timed_out = True
                    break
                for future in finished:
                    yield from self._finish(future)
            yield from self._time_out()
        finally:
            for future in self._pending:
                future.cancel()
            pool.shutdown(wait=not timed_out, cancel_futures=True)

    def _fill(self, pool: ThreadPoolExecutor) -> None:
        work = self._work
        while len(self._pending) < self._options.in_flight:
            if self._ready:
                account, region = self._ready.popleft()
                self._pending[pool.submit(work.run, account, region)] = (account, region, False)
                continue
            if self._exhausted:
                return
            following = next(self._accounts, None)
            if following is None:
                self._exhausted = True
            elif work.prepares:
                self._pending[pool.submit(work.prepare, following)] = (following, None, True)
            else:
                self._queue(following, work.fixed)

    def _queue(self, account: OrgAccount, regions: list[str | None]) -> None:
        self._ready.extend((account, region) for region in regions)
        self._planned += len(regions)

    def _known_total(self) -> int | None:
        if self._total is not None:
            return self._total
        preparing = any(prep for _, _, prep in self._pending.values())
        return self._planned if self._exhausted and not preparing else None

    def _finish(self, future: Future[Any]) -> Iterator[AccountResult[T]]:
        account, region, preparing = self._pending.pop(future)
        error = future.exception()
        if preparing and error is None:
            self._queue(account, future.result())
            return
        self._planned += preparing
        outcome: AccountResult[T] = AccountResult(
            account_id=account.id,
            region=region,
            value=None if error is not None else future.result(),
            error=error,
            account_name=account.name or None,
        )
        yield self._report(outcome, self._known_total())

    def _report(self, outcome: AccountResult[T], total: int | None) -> AccountResult[T]:
        self._done += 1
        self._failed += outcome.error is not None
        if self._options.progress is not None:
            self._options.progress(
                Progress(done=self._done, failed=self._failed, total=total, last=outcome)
            )
        return outcome

    def _time_out(self) -> Iterator[AccountResult[T]]:
        """After the deadline: every task not finished is reported as timed out."""
        left = [(account, region) for account, region, _ in self._pending.values()]
        left.extend(self._ready)
        fixed = [None] if self._work.prepares else self._work.fixed
        left.extend((account, region) for account in self._accounts for region in fixed)
        total = self._done + len(left)
        for account, region in left:
            where = "" if region is None else f" {region}"
            error = FanOutTimeoutError(
                f"account {account.id}{where}: not finished within the run's "
                f"timeout of {self._options.timeout} s"
            )
            outcome: AccountResult[T] = AccountResult(
                account.id, region, error=error, account_name=account.name or None
            )
            yield self._report(outcome, total)
