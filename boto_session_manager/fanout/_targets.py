"""Which accounts a fan-out runs in: ids given, the organization, or OUs; minus exclusions.

The listing is lazy (page by page) and runs in the consuming thread; per
account checks that cost a request each (tags, enabled regions) run in the
worker threads instead (see ``_runner``).

Thread safety: :func:`target_accounts` returns a plain iterator, to be
consumed by one thread.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator
from typing import Any

from botocore.exceptions import ClientError

from ..exceptions import FanOutError
from ..services.organizations import OrgAccount, accounts_under, list_accounts
from ._clients import ClientSource
from ._values import FanOutOptions

_CURRENT: contextvars.ContextVar[OrgAccount | None] = contextvars.ContextVar(
    "bsm_fanout_account", default=None
)


def current_account() -> OrgAccount | None:
    """The account whose task runs in this thread, inside a fan-out's ``func``.

    Returns None outside a fan-out. ``name`` is the account's name in the
    organization when the run listed the organization or an OU, "" for ids
    given directly.

    Thread safety: each worker thread sees its own task's account.

    Example::

        from boto_session_manager.fanout import current_account

        def audit(account_bsm):
            print("auditing", current_account().name)
    """
    return _CURRENT.get()


def _listing(client: Any, options: FanOutOptions) -> Iterator[OrgAccount]:
    if options.account_ids is not None:
        yield from (OrgAccount(id=account_id) for account_id in options.account_ids)
        return
    if options.organizational_units is None:
        what = "the organization's accounts"
        try:
            yield from list_accounts(client, retry=options.backoff.call)
        except ClientError as exc:
            raise _listing_error(what, exc) from exc
        return
    seen: set[str] = set()
    for unit in options.organizational_units:
        try:
            for account in accounts_under(client, unit, retry=options.backoff.call):
                if account.id not in seen:
                    seen.add(account.id)
                    yield account
        except ClientError as exc:
            raise _listing_error(f"the accounts of {unit}", exc) from exc


def _listing_error(what: str, exc: ClientError) -> FanOutError:
    code = exc.response.get("Error", {}).get("Code", "?")
    return FanOutError(f"cannot list {what} ({code}); pass account_ids= instead")


def target_accounts(
    clients: ClientSource, options: FanOutOptions, own_account: str
) -> Iterator[OrgAccount]:
    """The accounts to run in, lazily, before any per-account check (tags).

    ``clients`` gives the run's Organizations client (see ``_clients``).

    Raises (while iterating):
        FanOutError: the organization's (or an OU's) accounts cannot be listed.
    """
    client = clients("organizations") if options.account_ids is None else None
    accounts: Iterable[OrgAccount] = _listing(client, options)
    exclude = set(options.exclude or ())
    if not options.include_own_account:
        exclude.add(own_account)
    return (account for account in accounts if account.id not in exclude)


def counted_targets(options: FanOutOptions, own_account: str) -> int | None:
    """How many accounts the run has when that is known before listing (ids given)."""
    if options.account_ids is None:
        return None
    exclude = set(options.exclude or ())
    if not options.include_own_account:
        exclude.add(own_account)
    return sum(1 for account_id in options.account_ids if account_id not in exclude)


def set_current(account: OrgAccount | None) -> contextvars.Token[OrgAccount | None]:
    """Make ``account`` this thread's :func:`current_account`; reset with the token."""
    return _CURRENT.set(account)


def reset_current(token: contextvars.Token[OrgAccount | None]) -> None:
    """Undo :func:`set_current`."""
    _CURRENT.reset(token)
