"""What a fan-out uses of the manager it starts from: a few public methods, nothing more.

The fan-out is written against :class:`ManagerLike`, not against the manager
class, so it sits below the manager: the manager's ``for_each_account``
hands itself over, and a fan-out never imports the manager module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # annotations only
    from botocore.config import Config

    from ..recipe import CredentialRequest


class ManagerLike(Protocol):
    """The part of a manager that a fan-out uses: who it is, its clients, its roles.

    :class:`~boto_session_manager.BotoSesManager` and its subclasses are
    such managers; nothing needs to inherit from this class. The managers a
    fan-out makes for other accounts (``derive``, on an AssumeRole request
    sent through the run's own STS client) and regions (``in_region``) are
    what ``func`` is called with, so ``func`` gets the class of the manager
    the run started from. ``default_client_kwargs`` and ``boto_ses`` tell
    the run whether a retry mode was chosen for its own clients.

    Thread safety: a fan-out calls ``get_client``, ``derive`` and
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

    # Any: pyright sees the manager's attrs field (it has a converter) as a
    # descriptor, not as the ``dict[str, Any] | None`` it reads as.
    @property
    def default_client_kwargs(self) -> Any: ...

    @property
    def boto_ses(self) -> Any: ...

    def get_client(self, service_name: str, /, *, config: Config | None = None) -> Any: ...

    def in_region(self, region_name: str | None) -> ManagerLike: ...

    def derive(
        self,
        request: CredentialRequest,
        *,
        auto_refresh: bool = False,
        region_name: str | None = None,
    ) -> ManagerLike: ...

    def clear_cache(self) -> None: ...
