"""Coming from another AWS helper: one thin module per tool, same names and shapes.

Each module keeps the names, arguments and return shapes its tool's users
know, and only reshapes calls into the core API and results back; every
behaviour (caching, pagination, retries, errors) is the core's. Switching is
a change of the import line:

- :mod:`boto_session_manager.compat.chronos`: chronos_lab's ``aws_*``
  functions, ``parse_arn`` returning a dict, ``DynamoDBDatabase``;
- :mod:`boto_session_manager.compat.powertools`: AWS Lambda Powertools'
  parameters utility (``get_secret``, ``set_secret``, ``get_parameter``,
  ``get_parameters``, ``SecretsProvider``, ``SSMProvider`` ...);
- :mod:`boto_session_manager.compat.awsauthhelper`: awsauthhelper's
  ``Credentials``, ``AWSArgumentParser``, ``validate_creds`` and
  ``generate_password``.

Where those tools return ``None`` on error, these modules raise a typed
error under :class:`~boto_session_manager.exceptions.BotoSessionManagerError`.

The functions that take no session use one module-wide default manager,
created on first use as ``BotoSesManager()`` (boto3's usual credential chain
and region); :func:`set_default_manager` replaces it, e.g. with an assumed
role or, in tests, a manager pointed at a local endpoint.

Thread safety: the default manager is created once even when many threads
ask at the same time, and replacing it is atomic; calls already running keep
the manager they started with.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from ..exceptions import InvalidArgumentTypeError

if TYPE_CHECKING:
    from ..manager import BotoSesManager

__all__ = ["get_default_manager", "set_default_manager"]

_lock = threading.Lock()
_default: BotoSesManager | None = None


def get_default_manager() -> BotoSesManager:
    """The manager the compat functions use, created on first use.

    Returns:
        The manager given to :func:`set_default_manager`, or a
        ``BotoSesManager()`` created by the first call (then kept).

    Thread safety: safe; exactly one default manager is ever created.

    Example::

        from boto_session_manager import compat

        compat.get_default_manager().aws_account_id
    """
    global _default
    manager = _default
    if manager is not None:
        return manager
    from ..manager import BotoSesManager  # boto3 loads only when a compat call is made

    with _lock:
        if _default is None:
            _default = BotoSesManager()
        return _default


def set_default_manager(bsm: BotoSesManager | None) -> None:
    """Make the compat functions use ``bsm`` (``None``: a new default on next use).

    Args:
        bsm: the manager, e.g. an assumed role, or ``None`` to forget the
            current one.

    Raises:
        InvalidArgumentTypeError: ``bsm`` is not a manager.

    Thread safety: safe; the switch is atomic and seen by every thread.

    Example::

        from boto_session_manager import BotoSesManager, compat
        from boto_session_manager.compat.chronos import aws_get_secret

        compat.set_default_manager(BotoSesManager(profile_name="prod"))
        aws_get_secret("prod/database/credentials")   # read with the prod profile
    """
    global _default
    if bsm is not None:
        from ..manager import BotoSesManager

        if not isinstance(bsm, BotoSesManager):
            msg = f"bsm: expected a BotoSesManager or None, not {type(bsm).__name__}"
            raise InvalidArgumentTypeError(msg, argument="bsm")
    with _lock:
        _default = bsm
