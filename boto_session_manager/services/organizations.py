"""AWS Organizations: the accounts of an organization, of an OU, and their tags.

Plain functions that take an ``organizations`` client (usually the
management account's, or a delegated administrator's). Every listing is
paginated and lazy: nothing is fetched before the first item is asked for.

Thread safety: the functions keep no state; botocore clients are thread safe,
so they may run in many threads at once on one client.

Example::

    from boto_session_manager.services.organizations import accounts_under

    org = bsm.get_client("organizations")
    for account in accounts_under(org, "ou-ab12-34cd56ef"):
        print(account.id, account.name)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import attrs

T = TypeVar("T")

#: How a request is made: ``retry(call)``; the fan-out passes a backoff's ``call``.
Retry = Callable[[Callable[[], Any]], Any]


def _direct(call: Callable[[], T]) -> T:
    return call()


def _pages(client: Any, operation: str, retry: Retry, **params: Any) -> Iterator[dict[str, Any]]:
    """Every page of a ``NextToken`` operation, each request made through ``retry``."""
    method = getattr(client, operation)
    token: str | None = None
    while True:
        request = {**params, "NextToken": token} if token else params
        page: dict[str, Any] = retry(lambda request=request: method(**request))  # type: ignore[misc]
        yield page
        token = page.get("NextToken")
        if not token:
            return


__all__ = ["OrgAccount", "account_tags", "accounts_under", "list_accounts"]


@attrs.frozen
class OrgAccount:
    """One account of an organization.

    Attributes:
        id: the 12-digit account id.
        name: the account's name in the organization ("" when not known).
        email: the root e-mail address ("" when not known).
        state: ``ACTIVE``, ``SUSPENDED``, ``PENDING_CLOSURE`` ...
    """

    id: str
    name: str = ""
    email: str = ""
    state: str = "ACTIVE"

    @classmethod
    def from_response(cls, account: dict[str, Any]) -> OrgAccount:
        """From one element of ``ListAccounts`` / ``ListAccountsForParent``."""
        return cls(
            id=account["Id"],
            name=account.get("Name", ""),
            email=account.get("Email", ""),
            state=account.get("State") or account.get("Status") or "",
        )

    @property
    def active(self) -> bool:
        """True when the account is ACTIVE (closed and suspended ones are not)."""
        return self.state == "ACTIVE"


def list_accounts(
    client: Any, *, active_only: bool = True, retry: Retry = _direct
) -> Iterator[OrgAccount]:
    """Every account of the organization (``ListAccounts``, every page).

    Args:
        client: an ``organizations`` client.
        active_only: skip accounts that are not ACTIVE.
        retry: makes each request, e.g. ``Backoff().call`` to retry throttling.

    Raises:
        botocore.exceptions.ClientError: the accounts cannot be listed (not
            the management or a delegated administrator account ...).

    Example::

        names = {a.id: a.name for a in list_accounts(org)}
    """
    for page in _pages(client, "list_accounts", retry):
        for item in page["Accounts"]:
            account = OrgAccount.from_response(item)
            if account.active or not active_only:
                yield account


def accounts_under(
    client: Any, parent_id: str, *, active_only: bool = True, retry: Retry = _direct
) -> Iterator[OrgAccount]:
    """The accounts in an OU (or root) and in every OU below it, depth first.

    Args:
        client: an ``organizations`` client.
        parent_id: an OU id (``ou-...``) or a root id (``r-...``).
        active_only: skip accounts that are not ACTIVE.
        retry: makes each request, e.g. ``Backoff().call`` to retry throttling.

    Raises:
        botocore.exceptions.ClientError: e.g. ``ParentNotFoundException``.

    Example::

        ids = [a.id for a in accounts_under(org, "ou-ab12-34cd56ef")]
    """
    stack = [parent_id]
    while stack:
        parent = stack.pop()
        for page in _pages(client, "list_accounts_for_parent", retry, ParentId=parent):
            for item in page["Accounts"]:
                account = OrgAccount.from_response(item)
                if account.active or not active_only:
                    yield account
        below = [
            unit["Id"]
            for page in _pages(
                client, "list_organizational_units_for_parent", retry, ParentId=parent
            )
            for unit in page["OrganizationalUnits"]
        ]
        stack.extend(reversed(below))


def account_tags(client: Any, account_id: str, *, retry: Retry = _direct) -> dict[str, str]:
    """The tags of an account (``ListTagsForResource``, every page).

    Example::

        if account_tags(org, "111122223333").get("env") == "prod":
            ...
    """
    tags: dict[str, str] = {}
    for page in _pages(client, "list_tags_for_resource", retry, ResourceId=account_id):
        tags.update((tag["Key"], tag["Value"]) for tag in page["Tags"])
    return tags
