"""boto_session_manager: one thread-safe manager for boto3 sessions, clients and roles.

Example::

    from boto_session_manager import BotoSesManager

    bsm = BotoSesManager(profile_name="dev")
    print(bsm.aws_account_id)

Names are imported on first use (PEP 562), so ``import boto_session_manager``
and ``bsm --help`` do not pay for importing boto3.
"""

from __future__ import annotations

import gc
import importlib
import logging
import sys
from typing import TYPE_CHECKING, Any

from . import _forksafe
from ._version import __version__

# A library logs, the application decides where: no "No handlers" warning.
logging.getLogger(__name__).addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from ._clients import AwsServiceEnum
    from .api import PATH_DEFAULT_SNAPSHOT
    from .arn import Arn, parse_arn
    from .exceptions import (
        AccountAccessError,
        BatchWriteError,
        BotocoreCompatibilityError,
        BotoSessionManagerError,
        BotoSessionManagerWarning,
        BucketNotFoundError,
        CacheEntryError,
        CommandError,
        CredentialArgumentsError,
        CredentialCacheError,
        CredentialCacheWarning,
        DocumentLimitError,
        DuplicateNameError,
        FanOutError,
        FanOutTimeoutError,
        GetParameterError,
        InvalidAccountIdError,
        InvalidArgumentError,
        InvalidArgumentTypeError,
        InvalidArnError,
        InvalidAuthArgumentsError,
        InvalidCacheDirError,
        InvalidCredentialsError,
        InvalidPasswordPolicyError,
        LocalAWSUnavailableError,
        LockTimeoutError,
        NoBotocoreCredentialError,
        NoCredentialsError,
        NotFoundError,
        ParameterNotFoundError,
        SecretNotFoundError,
        SetSecretError,
        SnapshotError,
        SnapshotExistsError,
        SnapshotExpiredError,
        SnapshotNotFoundError,
        TableNotFoundError,
        TransformError,
        TransformParameterError,
        UnknownServiceError,
        UnpicklableRecipeError,
        UntrustedFileError,
        UntrustedSnapshotError,
    )
    from .identity import CallerIdentity
    from .manager import BotoSesManager, SessionManager
    from .services.dynamodb import DynamoDBTable

_LAZY = {
    "AccountAccessError": ".exceptions",
    "Arn": ".arn",
    "AwsServiceEnum": "._clients",
    "BatchWriteError": ".exceptions",
    "BotoSesManager": ".manager",
    "BotoSessionManagerError": ".exceptions",
    "BotoSessionManagerWarning": ".exceptions",
    "BotocoreCompatibilityError": ".exceptions",
    "BucketNotFoundError": ".exceptions",
    "CacheEntryError": ".exceptions",
    "CallerIdentity": ".identity",
    "CommandError": ".exceptions",
    "CredentialCacheError": ".exceptions",
    "CredentialArgumentsError": ".exceptions",
    "CredentialCacheWarning": ".exceptions",
    "DocumentLimitError": ".exceptions",
    "DuplicateNameError": ".exceptions",
    "DynamoDBTable": ".services.dynamodb",
    "FanOutError": ".exceptions",
    "FanOutTimeoutError": ".exceptions",
    "GetParameterError": ".exceptions",
    "InvalidAccountIdError": ".exceptions",
    "InvalidArgumentError": ".exceptions",
    "InvalidArgumentTypeError": ".exceptions",
    "InvalidArnError": ".exceptions",
    "InvalidAuthArgumentsError": ".exceptions",
    "InvalidCacheDirError": ".exceptions",
    "InvalidCredentialsError": ".exceptions",
    "InvalidPasswordPolicyError": ".exceptions",
    "LocalAWSUnavailableError": ".exceptions",
    "LockTimeoutError": ".exceptions",
    "NoBotocoreCredentialError": ".exceptions",
    "NoCredentialsError": ".exceptions",
    "NotFoundError": ".exceptions",
    "PATH_DEFAULT_SNAPSHOT": ".api",
    "ParameterNotFoundError": ".exceptions",
    "SecretNotFoundError": ".exceptions",
    "SetSecretError": ".exceptions",
    "SessionManager": ".manager",
    "SnapshotError": ".exceptions",
    "SnapshotExistsError": ".exceptions",
    "SnapshotExpiredError": ".exceptions",
    "SnapshotNotFoundError": ".exceptions",
    "TableNotFoundError": ".exceptions",
    "TransformError": ".exceptions",
    "TransformParameterError": ".exceptions",
    "UnknownServiceError": ".exceptions",
    "UnpicklableRecipeError": ".exceptions",
    "UntrustedFileError": ".exceptions",
    "UntrustedSnapshotError": ".exceptions",
    "parse_arn": ".arn",
}

__all__ = [
    "PATH_DEFAULT_SNAPSHOT",
    "AccountAccessError",
    "Arn",
    "AwsServiceEnum",
    "BatchWriteError",
    "BotoSesManager",
    "BotoSessionManagerError",
    "BotoSessionManagerWarning",
    "BotocoreCompatibilityError",
    "BucketNotFoundError",
    "CacheEntryError",
    "CallerIdentity",
    "CommandError",
    "CredentialArgumentsError",
    "CredentialCacheError",
    "CredentialCacheWarning",
    "DocumentLimitError",
    "DuplicateNameError",
    "DynamoDBTable",
    "FanOutError",
    "FanOutTimeoutError",
    "GetParameterError",
    "InvalidAccountIdError",
    "InvalidArgumentError",
    "InvalidArgumentTypeError",
    "InvalidArnError",
    "InvalidAuthArgumentsError",
    "InvalidCacheDirError",
    "InvalidCredentialsError",
    "InvalidPasswordPolicyError",
    "LocalAWSUnavailableError",
    "LockTimeoutError",
    "NoBotocoreCredentialError",
    "NoCredentialsError",
    "NotFoundError",
    "ParameterNotFoundError",
    "SecretNotFoundError",
    "SessionManager",
    "SetSecretError",
    "SnapshotError",
    "SnapshotExistsError",
    "SnapshotExpiredError",
    "SnapshotNotFoundError",
    "TableNotFoundError",
    "TransformError",
    "TransformParameterError",
    "UnknownServiceError",
    "UnpicklableRecipeError",
    "UntrustedFileError",
    "UntrustedSnapshotError",
    "__version__",
    "parse_arn",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'boto_session_manager' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(_import_paused(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def _import_paused(module: str) -> Any:
    """Import ``module`` with the cyclic garbage collector paused the first time.

    Defining the manager's classes allocates thousands of objects; with boto3
    already loaded, that triggers full collections that walk every botocore
    object in the process, about a third of this package's import time. Only
    the thread that finds the collector on turns it back on, so an import
    racing another (or a client being built) never leaves it off, and a
    process forked during the import starts with the collector on.
    """
    global _import_holds_collector
    if f"{__name__}{module}" in sys.modules or not gc.isenabled():
        return importlib.import_module(module, __name__)
    gc.disable()
    _import_holds_collector = True
    try:
        return importlib.import_module(module, __name__)
    finally:
        _import_holds_collector = False
        gc.enable()


_import_holds_collector = False  # in a forked child, no thread is left to turn it on


def _collector_back_on_in_child() -> None:
    global _import_holds_collector
    if _import_holds_collector:
        _import_holds_collector = False
        gc.enable()


_forksafe.register(_collector_back_on_in_child)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
