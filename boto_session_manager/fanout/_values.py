"""The values of a fan-out: its options, each task's outcome, progress, the whole result.

Thread safety: every class here is frozen except :class:`FanOutResult`,
which the calling thread fills while consuming the run; read it once the run
is over.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, Generic, Literal, TypeVar, Union

import attrs

from ..backoff import Backoff
from ..exceptions import InvalidAccountIdError, InvalidArgumentError, InvalidArgumentTypeError

T = TypeVar("T")

#: ``account_id``, or ``(account_id, region)`` when regions are given.
Key = Union[str, tuple[str, str]]

#: The role assumed in each account unless told otherwise.
DEFAULT_ROLE_NAME = "OrganizationAccountAccessRole"

#: ``regions=ENABLED_REGIONS``: the regions enabled in each account.
ENABLED_REGIONS = "enabled"

_ACCOUNT_ID = re.compile(r"\d{12}")
_PARENT_ID = re.compile(r"ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32}")


def validate_account_ids(account_ids: Iterable[str], *, argument: str = "account_ids") -> list[str]:
    """The ids in order, duplicates dropped, each checked to be 12 digits.

    Args:
        account_ids: the ids (any iterable but a single string).
        argument: the argument's name, for the message.

    Raises:
        InvalidAccountIdError: the first id that is not 12 digits, named.

    Example::

        >>> validate_account_ids(["111122223333", "111122223333"])
        ['111122223333']
    """
    if isinstance(account_ids, str):
        msg = f"{argument} must be a list of ids, not one string: {account_ids!r}"
        raise InvalidAccountIdError(msg, argument=argument)
    seen: dict[str, None] = {}
    for account_id in account_ids:
        if not isinstance(account_id, str) or not _ACCOUNT_ID.fullmatch(account_id):
            msg = f"{argument}: not an AWS account id (12 digits): {account_id!r}"
            raise InvalidAccountIdError(msg, argument=argument)
        seen[account_id] = None
    return list(seen)


def _account_ids(value: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(validate_account_ids(value))


def _exclude(value: Iterable[str] | None) -> frozenset[str]:
    return frozenset(validate_account_ids(value or (), argument="exclude"))


def _units(value: Iterable[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        msg = f"organizational_units must be a list of OU ids, not one string: {value!r}"
        raise InvalidArgumentError(msg, argument="organizational_units")
    units = tuple(dict.fromkeys(value))
    for unit in units:
        if not isinstance(unit, str) or not _PARENT_ID.fullmatch(unit):
            msg = f"organizational_units: not an OU id (ou-...) or root id (r-...): {unit!r}"
            raise InvalidArgumentError(msg, argument="organizational_units")
    return units


def _tags(value: Mapping[str, str] | None) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and k and isinstance(v, str) for k, v in value.items()
    ):
        msg = f"account_tags must map tag keys to values (strings), not {value!r}"
        raise InvalidArgumentError(msg, argument="account_tags")
    return dict(value)


def _regions(value: Sequence[str] | None) -> Sequence[str] | None:
    if value is None or value == ENABLED_REGIONS:
        return value
    if isinstance(value, str):
        msg = (
            f"regions must be a list of region names or {ENABLED_REGIONS!r}, "
            f"not one string: {value!r}"
        )
        raise InvalidArgumentError(msg, argument="regions")
    regions = tuple(dict.fromkeys(value))
    for region in regions:
        if not isinstance(region, str) or not region:
            msg = f"regions: not a region name: {region!r}"
            raise InvalidArgumentError(msg, argument="regions")
    return regions


def _at_least_one(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None and attribute.name in ("max_in_flight", "timeout"):
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        msg = f"{attribute.name} must be a positive number, got {value!r}"
        raise InvalidArgumentError(msg, argument=attribute.name)
    if attribute.name != "timeout" and (not isinstance(value, int) or value < 1):
        msg = f"{attribute.name} must be at least 1, got {value!r}"
        raise InvalidArgumentError(msg, argument=attribute.name)


@attrs.frozen(kw_only=True)
class FanOutOptions:
    """Every option of a fan-out, in one frozen value (the CLI builds one too).

    Pass it as ``options=`` to :func:`~boto_session_manager.fanout.for_each_account`
    (keyword arguments given beside it override its fields), or give the
    fields as keyword arguments directly.

    Attributes:
        account_ids: the accounts; by default every ACTIVE account of the
            organization (Organizations ``ListAccounts``, read lazily).
        organizational_units: instead of ``account_ids``: the ACTIVE accounts
            in these OUs (or roots) and every OU below them.
        exclude: account ids never to run in.
        account_tags: run only in accounts carrying every one of these tags
            with these values (Organizations ``ListTagsForResource``).
        role_name: the role to assume in each account (a path is allowed:
            ``"ops/auditor"``).
        regions: run once per region of each account; ``"enabled"`` means the
            regions enabled in each account (its EC2 ``DescribeRegions``).
        max_workers: threads.
        max_in_flight: tasks submitted but not yet yielded (default
            ``2 * max_workers``): the memory bound.
        role_session_name: the STS session name (CloudTrail shows it);
            defaults to a unique ``bsm-...`` name per account.
        external_id: the ``ExternalId`` the roles require, if any.
        duration_seconds: lifetime of each account's credentials.
        auto_refresh: re-assume a role whose task outlives its credentials.
        region_name: the region of the account managers (default: the
            calling manager's), the caller's own account included.
        include_own_account: run in the caller's own account when it is a
            target, with no role assumed. False skips that account.
        timeout: seconds for the whole run; tasks not finished by then end
            with :class:`~boto_session_manager.exceptions.FanOutTimeoutError`.
        progress: called with a :class:`Progress` after each task, in the
            consuming thread.
        backoff: the retry policy for STS and Organizations throttling.

    Raises:
        InvalidAccountIdError: an id in ``account_ids`` or ``exclude`` is not
            12 digits.
        InvalidArgumentError: any other option of the wrong kind or out of
            range (the message and ``argument`` name it).

    Example::

        from boto_session_manager.fanout import FanOutOptions

        prod = FanOutOptions(organizational_units=["ou-ab12-34cd56ef"],
                             account_tags={"env": "prod"}, regions="enabled")
        run = bsm.for_each_account(audit, options=prod)
    """

    account_ids: Iterable[str] | None = attrs.field(default=None, converter=_account_ids)
    organizational_units: Iterable[str] | None = attrs.field(default=None, converter=_units)
    exclude: Collection[str] | None = attrs.field(default=frozenset(), converter=_exclude)
    account_tags: Mapping[str, str] | None = attrs.field(default=None, converter=_tags)
    role_name: str = DEFAULT_ROLE_NAME
    regions: Sequence[str] | Literal["enabled"] | None = attrs.field(
        default=None, converter=_regions
    )
    max_workers: int = attrs.field(default=16, validator=_at_least_one)
    max_in_flight: int | None = attrs.field(default=None, validator=_at_least_one)
    role_session_name: str | None = None
    external_id: str | None = attrs.field(default=None, repr=False)
    duration_seconds: int = 3600
    auto_refresh: bool = True
    region_name: str | None = None
    include_own_account: bool = True
    timeout: float | None = attrs.field(default=None, validator=_at_least_one)
    progress: Callable[[Progress], None] | None = attrs.field(default=None, repr=False)
    backoff: Backoff = attrs.field(factory=Backoff, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.account_ids is not None and self.organizational_units is not None:
            msg = "give account_ids or organizational_units, not both"
            raise InvalidArgumentError(msg, argument="organizational_units")
        if not isinstance(self.role_name, str) or not self.role_name.strip("/"):
            msg = f"role_name must be a role name (or path/name), not {self.role_name!r}"
            raise InvalidArgumentError(msg, argument="role_name")

    @property
    def in_flight(self) -> int:
        """How many tasks may be submitted and not yet yielded."""
        return self.max_in_flight or 2 * self.max_workers

    def with_keywords(self, keywords: Mapping[str, Any]) -> FanOutOptions:
        """A copy with ``keywords`` applied; an unknown keyword names itself.

        Raises:
            InvalidArgumentTypeError: a keyword that is not a field (a
                ``TypeError``, as for any unexpected keyword argument).
        """
        fields = attrs.fields_dict(FanOutOptions)
        unknown = sorted(set(keywords) - set(fields))
        if unknown:
            msg = f"unknown fan-out option(s): {', '.join(unknown)}"
            raise InvalidArgumentTypeError(msg, argument=unknown[0])
        return attrs.evolve(self, **keywords) if keywords else self


@attrs.frozen
class AccountResult(Generic[T]):
    """What one task produced: a value or an error.

    Attributes:
        account_id: the account.
        region: the region, or None when the run had no regions (or when the
            regions enabled in the account could not be listed).
        value: what ``func`` returned (None on error).
        error: the exception, or None on success.
        account_name: the account's name in the organization, when the run
            read it from Organizations (None for ids given directly).
    """

    account_id: str
    region: str | None
    value: T | None = None
    error: BaseException | None = None
    account_name: str | None = None

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
        total: tasks in the run, or None while it is not known yet (the
            Organizations listing or an account's regions are still being read).
        last: the task that just finished.
    """

    done: int
    failed: int
    total: int | None
    last: AccountResult[Any]


@attrs.frozen
class FanOutResult(Generic[T]):
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

    results: dict[Key, T] = attrs.field(factory=dict)
    errors: dict[Key, BaseException] = attrs.field(factory=dict)

    @property
    def ok(self) -> bool:
        """True when no task failed."""
        return not self.errors
