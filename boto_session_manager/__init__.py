"""boto_session_manager: one thread-safe manager for boto3 sessions, clients and roles.

Example::

    from boto_session_manager import BotoSesManager

    bsm = BotoSesManager(profile_name="dev")
    print(bsm.aws_account_id)
"""

from ._version import __version__
from .arn import Arn, parse_arn
from .manager import BotoSesManager, SessionManager

__all__ = [
    "Arn",
    "BotoSesManager",
    "SessionManager",
    "__version__",
    "parse_arn",
]
