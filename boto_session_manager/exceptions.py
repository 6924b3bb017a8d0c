"""Errors raised by boto_session_manager.

Every error the library raises on purpose derives from
:class:`BotoSessionManagerError`, and each one also derives from the standard
exception a caller would naturally catch, so ``except ValueError`` keeps
working for code that does not know this library::

    BotoSessionManagerError
    ├── InvalidArnError              (ValueError)
    ├── SnapshotError                (ValueError)   a snapshot dict or file is unusable
    ├── SnapshotExistsError          (FileExistsError)
    ├── NoCredentialsError           (RuntimeError) nothing in the chain gave credentials
    ├── InvalidCredentialsError      (RuntimeError) AWS refused the credentials
    ├── InvalidAuthArgumentsError    (ValueError)   options that do not fit (cli_args)
    ├── InvalidPasswordPolicyError   (ValueError)   an unusable IAM password policy (password)
    ├── CredentialCacheError         (OSError)      the cache directory cannot be used
    ├── NotFoundError                (LookupError)
    │   ├── SecretNotFoundError
    │   ├── ParameterNotFoundError   (lists every missing name)
    │   ├── BucketNotFoundError
    │   └── TableNotFoundError
    ├── TransformError               (ValueError)   a value could not be decoded as asked
    ├── BatchWriteError              (RuntimeError) items left unwritten after every retry
    ├── FanOutError                  (RuntimeError) a multi-account run cannot start
    │   ├── AccountAccessError                      the role cannot be assumed (fanout)
    │   └── FanOutTimeoutError       (TimeoutError) (fanout)
    ├── InvalidAccountIdError        (ValueError)   not a 12-digit account id (fanout)
    ├── UnpicklableRecipeError       (RuntimeError) a recipe that cannot travel (_pickling)
    ├── SharingError                 (RuntimeError) botocore changed under us (sharing)
    ├── BotocoreCompatibilityError   (RuntimeError) botocore changed under us (credentials)
    └── DuplicateNameError           (ValueError)   several resources share one Name tag

No message ever contains a secret key, session token or secret value: messages
name the *thing* that was wrong (a file, an ARN, a parameter name).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class BotoSessionManagerError(Exception):
    """Base class of every error raised by boto_session_manager."""


class InvalidArnError(BotoSessionManagerError, ValueError):
    """A string that should be an ARN is not one."""


class SnapshotError(BotoSessionManagerError, ValueError):
    """A credential snapshot (dict or file) is missing, unreadable or malformed."""


class SnapshotExistsError(BotoSessionManagerError, FileExistsError):
    """A snapshot file is already at the path: we never overwrite or delete it."""


class NoCredentialsError(BotoSessionManagerError, RuntimeError):
    """No credentials could be found for the manager."""


class InvalidCredentialsError(BotoSessionManagerError, RuntimeError):
    """AWS refused the credentials (expired, unknown key, bad signature, missing).

    Attributes:
        reason: one of ``"expired"``, ``"invalid-key"``, ``"bad-signature"``,
            ``"no-credentials"`` or ``"other"``.
    """

    def __init__(self, message: str, *, reason: str = "other") -> None:
        super().__init__(message)
        self.reason = reason


class CredentialCacheError(BotoSessionManagerError, OSError):
    """The credential cache directory cannot be used safely."""


class NotFoundError(BotoSessionManagerError, LookupError):
    """A named AWS resource does not exist (or is not visible to the caller)."""


class SecretNotFoundError(NotFoundError):
    """A Secrets Manager secret does not exist."""


class ParameterNotFoundError(NotFoundError):
    """One or more SSM parameters do not exist.

    Attributes:
        names: every missing parameter name, in the order they were asked for.
    """

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        listed = ", ".join(repr(n) for n in self.names)
        noun = "parameter" if len(self.names) == 1 else "parameters"
        super().__init__(f"SSM {noun} not found: {listed}")


class BucketNotFoundError(NotFoundError):
    """An S3 bucket does not exist."""


class TableNotFoundError(NotFoundError):
    """A DynamoDB table does not exist."""


class TransformError(BotoSessionManagerError, ValueError):
    """A value could not be transformed (``transform="json"`` / ``"binary"``)."""


class BatchWriteError(BotoSessionManagerError, RuntimeError):
    """DynamoDB left items unprocessed after every retry.

    Attributes:
        unprocessed: the write requests that were never written, so the caller
            can retry or record them; nothing is lost silently.
        written: how many items were written before giving up.
    """

    def __init__(self, message: str, *, unprocessed: list[Any], written: int) -> None:
        super().__init__(message)
        self.unprocessed = unprocessed
        self.written = written


class FanOutError(BotoSessionManagerError, RuntimeError):
    """A multi-account run could not start (e.g. the accounts cannot be listed)."""


class DuplicateNameError(BotoSessionManagerError, ValueError):
    """Several resources carry the same ``Name`` tag, so a name cannot pick one.

    Attributes:
        duplicates: each shared name -> the ARNs that carry it (sorted).
    """

    def __init__(self, duplicates: dict[str, list[str]]) -> None:
        self.duplicates = duplicates
        listed = "; ".join(f"{n!r}: {', '.join(a)}" for n, a in sorted(duplicates.items()))
        super().__init__(
            f"resources share a Name tag (narrow with tag_filters/resource_types, "
            f"or pass on_duplicate='first'/'last'): {listed}"
        )
