"""The error names of upstream boto-session-manager, bound to this package's classes.

Code that catches upstream's error keeps working::

    from boto_session_manager.exc import NoBotocoreCredentialError

    try:
        bsm.assume_role(role_arn, auto_refresh=True)
    except NoBotocoreCredentialError:
        ...

``NoBotocoreCredentialError`` is :class:`~boto_session_manager.exceptions.NoCredentialsError`
itself (one class, two names), so it is also a
:class:`~boto_session_manager.exceptions.BotoSessionManagerError` and a
``RuntimeError``. Every error class lives in :mod:`boto_session_manager.exceptions`.
"""

from __future__ import annotations

from .exceptions import NoBotocoreCredentialError

__all__ = ["NoBotocoreCredentialError"]
