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
