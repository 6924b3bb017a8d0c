"""What a fan-out uses of the manager it starts from: a few public methods, nothing more.

The fan-out is written against :class:`ManagerLike`, not against the manager
class, so it sits below the manager: the manager's ``for_each_account``
hands itself over, and a fan-out never imports the manager module.
"""

from __future__ import annotations

from typing import Any, Protocol


class ManagerLike(Protocol):
    """The part of a manager that a fan-out uses: who it is, its clients, its roles.

    :class:`~boto_session_manager.BotoSesManager` and its subclasses are
    such managers; nothing needs to inherit from this class. The managers a
    fan-out makes for other accounts (``assume_role``) and regions
    (``in_region``) are what ``func`` is called with, so ``func`` gets the
    class of the manager the run started from.

    Thread safety: a fan-out calls ``get_client``, ``assume_role`` and
    ``clear_cache`` from its worker threads at once; a manager given to it
    must allow that (``BotoSesManager`` does).

    Example::

        from boto_session_manager.fanout import ManagerLike, for_each_account

        def audit_all(bsm: ManagerLike) -> None:
            run = for_each_account(bsm, lambda account_bsm: account_bsm.aws_account_id)
            print(sorted(run.results))
    """

    @property
    def aws_account_id(self) -> str: ...

    @property
    def principal_arn(self) -> str: ...

    @property
    def aws_region(self) -> str | None: ...

    def get_client(self, service_name: str, /) -> Any: ...

    def in_region(self, region_name: str | None) -> ManagerLike: ...

    def assume_role(
        self,
        role_arn: str,
        role_session_name: str | None = None,
        duration_seconds: int = 3600,
        *,
        external_id: str | None = None,
        region_name: str | None = None,
        auto_refresh: bool = False,
    ) -> ManagerLike: ...

    def clear_cache(self) -> None: ...
