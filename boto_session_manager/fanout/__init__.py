"""Run one function in every account of an organization (or the accounts chosen).

:func:`for_each_account` collects every result and error into a
:class:`FanOutResult`; :func:`for_each_account_iter` yields an
:class:`AccountResult` per account (or per account and region) as each
finishes, keeping at most ``max_in_flight`` tasks in memory, so ten thousand
accounts never sit in memory at once. Every option is a field of one frozen
:class:`FanOutOptions` (``bsm each`` builds one too); pass it as ``options=``,
give its fields as keyword arguments, or both (keywords win).

Which accounts: the ids given (``account_ids``), or every ACTIVE account of
the organization, or of some OUs and every OU below them
(``organizational_units``); minus ``exclude``; only those carrying every tag
of ``account_tags``. Which regions: none (``func(account_bsm)``), a list
(``func(account_bsm, region)`` once per region), or ``"enabled"``: the
regions enabled in each account.

For each account the manager assumes ``role_name`` there (one STS call,
cached for the run: one role assumption serves all of an account's regions)
and calls ``func``. The account the manager is already in runs with the
manager itself, no role assumed (or, when ``region_name`` names another
region, a manager in that region on the very same credentials). When an
account's last task is done, its manager is dropped and its clients freed:
memory stays flat however many accounts there are.

Failures stay per account: a role that cannot be assumed (recorded as
:class:`~boto_session_manager.exceptions.AccountAccessError`, whose
``__cause__`` is the STS error), tags or regions that cannot be read, or an
exception from ``func`` is recorded for that key and the run goes on.

Throttling: the run's own calls (Organizations to list and check the
accounts, STS to assume each account's role, and later to refresh it) go
through one Organizations and one STS client, shared by every worker thread
(:func:`fanout_client`). They use botocore's **adaptive** retry mode:
standard retries plus client-side rate limiting, which slows every thread
down together once AWS throttles. A retry mode you chose wins: one in the
``Config`` of ``default_client_kwargs``
(``Config(retries={"mode": "standard"})``), on the session or a parent
manager, in ``AWS_RETRY_MODE`` or in the profile's ``retry_mode``; then the
run uses the manager's default clients. Only the mode changes: endpoint, CA
bundle, FIPS, timeouts and retry attempts are the manager's. Throttling that
outlasts botocore's attempts is retried again, request by request, with
exponential backoff and full jitter
(:class:`~boto_session_manager.backoff.Backoff`, ``backoff=``). The clients
``func`` gets from its account manager are untouched.

Thread safety: ``func`` runs in ``max_workers`` threads **at once**. The tasks
of one account share that account's manager, and the caller's own account
runs with the calling manager itself (or one manager in ``region_name``
sharing its credentials): a manager's ``get_client`` is thread safe, but boto3
*resources* are not, so create resources inside ``func``. Anything else
``func`` touches (a shared list, a file, a counter) needs its own lock. The
``progress`` callback and the iterator's consumer run in the calling thread
only, one result at a time.

Example::

    from boto_session_manager import BotoSesManager

    def buckets(account_bsm):
        return [b["Name"] for b in account_bsm.s3_client.list_buckets()["Buckets"]]

    bsm = BotoSesManager(profile_name="management")
    run = bsm.for_each_account(buckets, organizational_units=["ou-ab12-34cd56ef"],
                               exclude=["111122223333"], account_tags={"env": "prod"})
    for account_id, names in run.results.items():
        print(account_id, names)
    for account_id, error in run.errors.items():
        print(account_id, "failed:", error)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from ..backoff import THROTTLING_CODES, Backoff
from ..exceptions import (
    AccountAccessError,
    FanOutError,
    FanOutTimeoutError,
    InvalidAccountIdError,
)
from ..services.organizations import OrgAccount, list_accounts
from ._clients import fanout_client
from ._manager import ManagerLike
from ._runner import Runner
from ._targets import current_account
from ._values import (
    DEFAULT_ROLE_NAME,
    ENABLED_REGIONS,
    AccountResult,
    FanOutOptions,
    FanOutResult,
    Key,
    Progress,
    validate_account_ids,
)

__all__ = [
    "DEFAULT_ROLE_NAME",
    "ENABLED_REGIONS",
    "THROTTLING_CODES",
    "AccountAccessError",
    "AccountResult",
    "Backoff",
    "FanOutOptions",
    "FanOutResult",
    "FanOutTimeoutError",
    "InvalidAccountIdError",
    "Key",
    "ManagerLike",
    "OrgAccount",
    "Progress",
    "current_account",
    "fanout_client",
    "for_each_account",
    "for_each_account_iter",
    "organization_account_ids",
    "validate_account_ids",
]

#: The type of what the function run in each account returns (so
#: ``for_each_account(bsm, lambda b: b.aws_account_id, account_ids=ids)`` gives
#: a ``FanOutResult[str]``).
T = TypeVar("T")

# Documented here, defined in private modules: name them by their public home.
for _value in (FanOutOptions, AccountResult, Progress, FanOutResult, ManagerLike):
    _value.__module__ = __name__
current_account.__module__ = validate_account_ids.__module__ = __name__
fanout_client.__module__ = __name__


def organization_account_ids(bsm: ManagerLike) -> Iterator[str]:
    """The ids of the organization's ACTIVE accounts, page by page (lazily).

    Listed through the fan-out's own Organizations client
    (:func:`fanout_client`: adaptive retry mode unless one was chosen).

    Raises:
        FanOutError: the accounts cannot be listed (not the management or a
            delegated administrator account, no permission ...).

    Example::

        for account_id in organization_account_ids(bsm):
            print(account_id)
    """
    try:
        client = fanout_client(bsm, "organizations")
        for account in list_accounts(client, retry=Backoff().call):
            yield account.id
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "?")
        msg = f"cannot list the organization's accounts ({code}); pass account_ids= instead"
        raise FanOutError(msg) from exc


def _adapt(func: Callable[..., T]) -> Callable[[ManagerLike, str | None], T]:
    def call(account_bsm: ManagerLike, region: str | None) -> T:
        return func(account_bsm) if region is None else func(account_bsm, region)

    return call


def for_each_account_iter(
    bsm: ManagerLike,
    func: Callable[..., T],
    *,
    options: FanOutOptions | None = None,
    **keywords: Any,
) -> Iterator[AccountResult[T]]:
    """Run ``func`` per account (and region); yield each result as it finishes.

    Args:
        bsm: the manager to start from (usually in the management account).
        func: called as ``func(account_bsm)``, or ``func(account_bsm, region)``
            when ``regions`` is given. Runs in worker threads, many at once.
        options: the run's :class:`FanOutOptions` (defaults if not given).
        keywords: fields of :class:`FanOutOptions` (``account_ids``,
            ``organizational_units``, ``exclude``, ``account_tags``,
            ``role_name``, ``regions``, ``max_workers``, ``max_in_flight``,
            ``timeout``, ``progress`` ...), applied over ``options``.

    Yields:
        One :class:`AccountResult` per account (per account and region), in
        completion order. When the regions enabled in an account (or its
        tags) cannot be read, that account yields one result keyed by its id
        alone, with the error.

    Raises:
        InvalidAccountIdError: an id in ``account_ids`` or ``exclude`` is not
            12 digits (raised before any work starts).
        InvalidArgumentError: another option is wrong (raised before any work).
        FanOutError: the organization's (or an OU's) accounts cannot be listed.

    Thread safety: see the module docstring; ``func`` must be safe to run
    concurrently with itself.

    Example::

        for outcome in bsm.for_each_account_iter(func, regions=["us-east-1", "eu-west-1"]):
            print(outcome.key, outcome.value if outcome.ok else outcome.error)
    """
    chosen = (options or FanOutOptions()).with_keywords(keywords)
    return iter(Runner(bsm, _adapt(func), chosen))


def for_each_account(
    bsm: ManagerLike,
    func: Callable[..., T],
    *,
    options: FanOutOptions | None = None,
    **keywords: Any,
) -> FanOutResult[T]:
    """Run ``func`` per account (and region) in threads; collect values and errors.

    Takes the same arguments as :func:`for_each_account_iter`, which it
    consumes: ``account_ids=None``, ``role_name="OrganizationAccountAccessRole"``,
    ``regions=None``, ``max_workers=16`` and every other field of
    :class:`FanOutOptions`.

    Returns:
        A :class:`FanOutResult` keyed by account id, or by
        ``(account_id, region)`` when ``regions`` is given. Every task is in
        exactly one of ``results`` and ``errors``.

    Raises:
        InvalidAccountIdError: an id in ``account_ids`` is not 12 digits.
        InvalidArgumentError: another option is wrong.
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
    outcome: FanOutResult[T] = FanOutResult()
    for result in for_each_account_iter(bsm, func, options=options, **keywords):
        if result.error is None:
            outcome.results[result.key] = result.value  # type: ignore[assignment]
        else:
            outcome.errors[result.key] = result.error
    return outcome
