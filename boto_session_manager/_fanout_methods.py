"""Base of :class:`~boto_session_manager.BotoSesManager`: running a function in many accounts.

The methods hand the manager to :mod:`boto_session_manager.fanout`, imported
when first used, so a manager that never fans out never loads it. The
fan-out takes any :class:`~boto_session_manager.fanout.ManagerLike` and
never imports the manager module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:  # annotations only
    from .fanout import AccountResult, FanOutOptions, FanOutResult, ManagerLike

#: The type of what the function run in each account returns (so
#: ``bsm.for_each_account(lambda b: b.aws_account_id, account_ids=ids)`` gives a
#: ``FanOutResult[str]``).
T = TypeVar("T")


class FanOutMethods:
    """``for_each_account`` and ``for_each_account_iter``; no manager state is touched here.

    Only a manager has these methods, and a manager is a
    :class:`~boto_session_manager.fanout.ManagerLike`: each method hands
    itself to the fan-out as one.
    """

    __slots__ = ()

    def for_each_account(
        self, func: Callable[..., T], *, options: FanOutOptions | None = None, **keywords: Any
    ) -> FanOutResult[T]:
        """Run ``func(account_bsm)`` in every account, in threads; collect values and errors.

        The accounts are the organization's ACTIVE ones, or ``account_ids``,
        or those of ``organizational_units``; minus ``exclude``; only those
        with every tag of ``account_tags``. With ``regions`` (a list, or
        ``"enabled"``), ``func(account_bsm, region)`` runs per account and
        region. This manager's own account runs with this manager (no role
        assumed). One failing account never stops the others; throttling is
        retried with backoff. The keywords (``account_ids=None``,
        ``role_name="OrganizationAccountAccessRole"``, ``regions=None``,
        ``max_workers=16`` ...) are the fields of
        :class:`~boto_session_manager.fanout.FanOutOptions`; the thread-safety
        contract (``func`` runs concurrently!) is in
        :mod:`boto_session_manager.fanout`.

        Returns:
            A :class:`~boto_session_manager.fanout.FanOutResult` whose
            ``.results`` and ``.errors`` are keyed by account id, or by
            ``(account_id, region)`` when ``regions`` is given; typed by what
            ``func`` returns.

        Example::

            run = bsm.for_each_account(lambda a: a.s3_client.list_buckets()["Buckets"])
            print(len(run.results), "accounts,", len(run.errors), "failed")
        """
        from .fanout import for_each_account

        return for_each_account(cast("ManagerLike", self), func, options=options, **keywords)

    def for_each_account_iter(
        self, func: Callable[..., T], *, options: FanOutOptions | None = None, **keywords: Any
    ) -> Iterator[AccountResult[T]]:
        """Like :meth:`for_each_account`, yielding each account's result as it finishes.

        At most ``max_in_flight`` (default ``2 * max_workers``) tasks are in
        memory at once. See :func:`boto_session_manager.fanout.for_each_account_iter`.

        Example::

            for outcome in bsm.for_each_account_iter(audit, account_ids=ids):
                print(outcome.key, outcome.value if outcome.ok else outcome.error)
        """
        from .fanout import for_each_account_iter

        return for_each_account_iter(cast("ManagerLike", self), func, options=options, **keywords)
