"""The public names in one flat module, as upstream boto-session-manager offers them.

Code written for upstream boto-session-manager keeps working unchanged::

    from boto_session_manager.api import AwsServiceEnum, BotoSesManager, PATH_DEFAULT_SNAPSHOT

    bsm = BotoSesManager.from_snapshot_file(PATH_DEFAULT_SNAPSHOT)
    s3 = bsm.get_client(AwsServiceEnum.S3)

New code can import the same names from :mod:`boto_session_manager`.
``NoBotocoreCredentialError`` is upstream's name for
:class:`~boto_session_manager.exceptions.NoCredentialsError` (the same class).
"""

from __future__ import annotations

from ._clients import AwsServiceEnum
from ._version import __version__
from .arn import Arn, parse_arn
from .exceptions import (
    AccountAccessError,
    BatchWriteError,
    BotocoreCompatibilityError,
    BotoSessionManagerError,
    BotoSessionManagerWarning,
    BucketNotFoundError,
    CommandError,
    CredentialCacheError,
    CredentialCacheWarning,
    DuplicateNameError,
    FanOutError,
    FanOutTimeoutError,
    InvalidAccountIdError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidArnError,
    InvalidAuthArgumentsError,
    InvalidCredentialsError,
    InvalidPasswordPolicyError,
    LocalAWSUnavailableError,
    NoBotocoreCredentialError,
    NoCredentialsError,
    NotFoundError,
    ParameterNotFoundError,
    SecretNotFoundError,
    SnapshotError,
    SnapshotExistsError,
    TableNotFoundError,
    TransformError,
    UnknownServiceError,
    UnpicklableRecipeError,
)
from .identity import CallerIdentity
from .manager import PATH_DEFAULT_SNAPSHOT, BotoSesManager, SessionManager
from .services.dynamodb import DynamoDBTable

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
    "CallerIdentity",
    "CommandError",
    "CredentialCacheError",
    "CredentialCacheWarning",
    "DuplicateNameError",
    "DynamoDBTable",
    "FanOutError",
    "FanOutTimeoutError",
    "InvalidAccountIdError",
    "InvalidArgumentError",
    "InvalidArgumentTypeError",
    "InvalidArnError",
    "InvalidAuthArgumentsError",
    "InvalidCredentialsError",
    "InvalidPasswordPolicyError",
    "LocalAWSUnavailableError",
    "NoBotocoreCredentialError",
    "NoCredentialsError",
    "NotFoundError",
    "ParameterNotFoundError",
    "SecretNotFoundError",
    "SessionManager",
    "SnapshotError",
    "SnapshotExistsError",
    "TableNotFoundError",
    "TransformError",
    "UnknownServiceError",
    "UnpicklableRecipeError",
    "__version__",
    "parse_arn",
]
