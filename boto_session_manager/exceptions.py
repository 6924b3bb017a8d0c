"""Every error and warning boto_session_manager raises, in one place.

Every error the library raises on purpose derives from
:class:`BotoSessionManagerError`, and each one also derives from the standard
exception a caller would naturally catch, so ``except ValueError`` keeps
working for code that does not know this library. Bad input is an
:class:`InvalidArgumentError` (a ``ValueError``; its ``argument`` names the
argument) or an :class:`InvalidArgumentTypeError` (also a ``TypeError``)::

    BotoSessionManagerError
    ├── InvalidArgumentError         (ValueError)   bad input; .argument names it
    │   ├── InvalidArgumentTypeError (TypeError)    an argument of the wrong type
    │   ├── InvalidArnError                         not an ARN
    │   ├── UnknownServiceError                     also botocore's; suggests names
    │   ├── InvalidAccountIdError                   not a 12-digit account id (fan-out)
    │   ├── InvalidAuthArgumentsError               options that do not fit (cli_args)
    │   │   └── CredentialArgumentsError            the same, also argparse.ArgumentError
    │   └── InvalidPasswordPolicyError              an unusable IAM password policy
    ├── SnapshotError                (ValueError)   a snapshot dict or file is unusable
    │   ├── SnapshotExpiredError                    its credentials have expired
    │   └── SnapshotNotFoundError    (FileNotFoundError) no snapshot file at the path
    ├── SnapshotExistsError          (FileExistsError)
    ├── UntrustedFileError           (PermissionError) a symlink, another owner, loose modes
    │   └── UntrustedSnapshotError   (SnapshotError)   such a snapshot file
    ├── LockTimeoutError             (TimeoutError) a lock file stayed held past the timeout
    ├── NoCredentialsError           (botocore's NoCredentialsError, RuntimeError)
    │                                               (also named NoBotocoreCredentialError)
    ├── InvalidCredentialsError      (RuntimeError) AWS refused the credentials
    ├── CredentialCacheError         (OSError)      the cache directory cannot be used
    │   └── InvalidCacheDirError     (InvalidArgumentError, NotADirectoryError) not a directory
    ├── CacheEntryError              (ValueError)   a cache file is malformed (a miss)
    ├── DocumentLimitError           (ValueError)   a JSON file past a depth/number/size limit
    ├── NotFoundError                (LookupError)
    │   ├── SecretNotFoundError
    │   ├── ParameterNotFoundError                  lists every missing name
    │   ├── BucketNotFoundError
    │   └── TableNotFoundError
    ├── DuplicateNameError           (ValueError)   several resources share one Name tag
    ├── TransformError               (ValueError)   a value could not be decoded as asked
    │   └── TransformParameterError                 the same, as Powertools names it
    ├── GetParameterError                           a secret or parameter read failed
    ├── SetSecretError                              a secret write failed
    ├── BatchWriteError              (RuntimeError) items left unwritten after every retry
    ├── FanOutError                  (RuntimeError) a multi-account run cannot start
    │   ├── AccountAccessError                      the role cannot be assumed
    │   └── FanOutTimeoutError       (TimeoutError)
    ├── UnpicklableRecipeError       (RuntimeError) a recipe that cannot travel
    ├── BotocoreCompatibilityError   (RuntimeError) botocore changed under us
    │                                               (also importable as SharingError)
    ├── LocalAWSUnavailableError     (ImportError)  moto's server is not installed
    └── CommandError                                a ``bsm`` command failed (exit code)

    BotoSessionManagerWarning        (UserWarning)
    └── CredentialCacheWarning                      a cache file was unusable, replaced

No message ever contains a secret key, session token or secret value: messages
name the *thing* that was wrong (a file, an ARN, a parameter name, an argument).

Example::

    from boto_session_manager.exceptions import BotoSessionManagerError, InvalidArgumentError

    try:
        bsm.s3_list_objects("")
    except InvalidArgumentError as exc:
        print(exc.argument)      # "bucket"
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import _forksafe

if TYPE_CHECKING:
    import botocore.exceptions

__all__ = [
    "AccountAccessError",
    "BatchWriteError",
    "BotoSessionManagerError",
    "BotoSessionManagerWarning",
    "BotocoreCompatibilityError",
    "BucketNotFoundError",
    "CacheEntryError",
    "CommandError",
    "CredentialArgumentsError",
    "CredentialCacheError",
    "CredentialCacheWarning",
    "DocumentLimitError",
    "DuplicateNameError",
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
]


class BotoSessionManagerError(Exception):
    """Base class of every error raised by boto_session_manager.

    Every subclass pickles with its attributes (errors travel back from
    process pools and distributed workers), whatever its constructor takes.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


def _rebuild(
    cls: type[BotoSessionManagerError], args: tuple[Any, ...], state: dict[str, Any]
) -> BotoSessionManagerError:
    """Unpickle an error without calling its constructor (which may want keywords)."""
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class InvalidArgumentError(BotoSessionManagerError, ValueError):
    """An argument has a value the library cannot use.

    The message names the argument and what is expected; it never quotes a
    secret.

    Attributes:
        argument: the name of the argument (``"bucket"``, ``"duration_seconds"``),
            or None when the whole call was wrong.
    """

    def __init__(self, message: str, *, argument: str | None = None) -> None:
        super().__init__(message)
        self.argument = argument


class InvalidArgumentTypeError(InvalidArgumentError, TypeError):
    """An argument has a type the library cannot use (also a ``TypeError``)."""


class InvalidArnError(InvalidArgumentError):
    """A string that should be an ARN is not one."""


class InvalidAccountIdError(InvalidArgumentError):
    """An account id given to a fan-out is not 12 digits (the message names it)."""


class InvalidAuthArgumentsError(InvalidArgumentError):
    """The AWS options do not make a usable set of credentials.

    :class:`~boto_session_manager.cli_args.AWSArgumentParser` turns this into an
    argparse error (exit status 2);
    :func:`~boto_session_manager.cli_args.manager_from_args` raises it. The
    message names the options or environment variables involved, never their
    values.
    """


class CredentialArgumentsError(InvalidAuthArgumentsError, argparse.ArgumentError):
    """Credential options that do not fit together (keys and a profile, half a key ...).

    Also an :class:`argparse.ArgumentError`, which is what callers of
    :func:`boto_session_manager.compat.awsauthhelper.validate_creds` catch.
    ``str()`` is the message; it names the options, never their values.
    """

    def __init__(self, message: str) -> None:
        InvalidAuthArgumentsError.__init__(self, message)
        self.argument_name = None
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidPasswordPolicyError(InvalidArgumentError):
    """A password policy dict is not one IAM could return.

    Attributes:
        key: the policy key that is wrong (``"policy"`` when the whole value is).
    """

    def __init__(self, message: str, *, key: str) -> None:
        super().__init__(message, argument="policy")
        self.key = key


class SnapshotError(BotoSessionManagerError, ValueError):
    """A credential snapshot (dict or file) is missing, unreadable or malformed."""


class SnapshotExpiredError(SnapshotError):
    """The snapshot's credentials have expired (load with ``allow_expired=True``).

    Attributes:
        expiration: when they expired (tz-aware).
    """

    def __init__(self, message: str, *, expiration: datetime) -> None:
        super().__init__(message)
        self.expiration = expiration


class SnapshotNotFoundError(SnapshotError, FileNotFoundError):
    """No snapshot file at the path (also a :class:`FileNotFoundError`, as upstream raises).

    Example::

        try:
            bsm = BotoSesManager.from_snapshot_file()
        except FileNotFoundError:
            bsm = BotoSesManager()
    """


class SnapshotExistsError(BotoSessionManagerError, FileExistsError):
    """A snapshot file is already at the path: we never overwrite or delete it."""


class UntrustedFileError(BotoSessionManagerError, PermissionError):
    """A file or directory that others could have written is refused.

    Trusted means: not a symlink, owned by the current user (or root), and not
    writable by group or others (a cache entry, which holds secrets, not
    readable by them either). The message names the path and the command that
    fixes it.

    Attributes:
        path: the refused path.
    """

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class UntrustedSnapshotError(UntrustedFileError, SnapshotError):
    """A snapshot file others could have written (also a :class:`SnapshotError`)."""


class LockTimeoutError(BotoSessionManagerError, TimeoutError):
    """A lock file stayed held by someone else for longer than the timeout.

    Attributes:
        lock_path: the lock file waited for.
        timeout: the seconds waited.
    """

    def __init__(self, message: str, *, lock_path: str, timeout: float) -> None:
        super().__init__(message)
        self.lock_path = lock_path
        self.timeout = timeout


if TYPE_CHECKING:

    class NoCredentialsError(
        BotoSessionManagerError, botocore.exceptions.NoCredentialsError, RuntimeError
    ):
        """No credentials could be found for the manager."""

        def __init__(self, message: str | None = None) -> None: ...

    #: Upstream boto-session-manager's name for :class:`NoCredentialsError`: the
    #: same class (made on first use, like it), so ``except NoBotocoreCredentialError``
    #: catches it.
    NoBotocoreCredentialError = NoCredentialsError

    class UnknownServiceError(InvalidArgumentError, botocore.exceptions.UnknownServiceError):
        """A service name botocore does not know."""

        service_name: str
        suggestions: list[str]
        kwargs: Any

        def __init__(self, service_name: str, suggestions: Sequence[str] = ()) -> None: ...


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


class InvalidCacheDirError(CredentialCacheError, InvalidArgumentError, NotADirectoryError):
    """The ``cache_dir`` argument names something that is not a directory."""


class CacheEntryError(BotoSessionManagerError, ValueError):
    """A credential cache file is malformed (the cache treats it as a miss)."""


class DocumentLimitError(BotoSessionManagerError, ValueError):
    """A JSON document breaks a depth, number or size limit before it is parsed.

    Readers turn it into a :class:`SnapshotError` (or a cache miss) naming the
    file.

    Attributes:
        problem: what is wrong (``"is nested deeper than 16 levels"``).
        key: the top-level key under which it sits, or None.
    """

    def __init__(self, problem: str, key: str | None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.key = key


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


class TransformParameterError(TransformError):
    """A secret or parameter value could not be transformed (``transform="json"`` ...).

    What :mod:`boto_session_manager.compat.powertools` raises for a failed
    transform, under the name its users catch; also a :class:`TransformError`.
    """


class GetParameterError(BotoSessionManagerError):
    """A secret or parameter could not be read.

    :mod:`boto_session_manager.compat.powertools` raises it for every failed
    read, whatever the cause (a missing name, access denied, bad input); the
    cause is chained as ``__cause__`` (a :class:`SecretNotFoundError`, an
    :class:`InvalidArgumentError`, a botocore ``ClientError`` ...).
    """


class SetSecretError(BotoSessionManagerError):
    """A secret could not be written (created or updated); the cause is chained.

    Raised by :mod:`boto_session_manager.compat.powertools`.
    """


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


class AccountAccessError(FanOutError):
    """The role could not be assumed in an account; ``__cause__`` is the STS error.

    Attributes:
        account_id: the account.
        role_arn: the role that was asked for.
    """

    def __init__(self, message: str, *, account_id: str, role_arn: str) -> None:
        super().__init__(message)
        self.account_id = account_id
        self.role_arn = role_arn


class FanOutTimeoutError(FanOutError, TimeoutError):
    """The run's ``timeout`` passed before this account's task finished or started."""


class UnpicklableRecipeError(BotoSessionManagerError, RuntimeError):
    """A manager cannot be rebuilt (or refreshed) from its pickled recipe."""


class BotocoreCompatibilityError(BotoSessionManagerError, RuntimeError):
    """The installed botocore no longer has an internal this library relies on.

    The message names the botocore version and the assumption that broke;
    ``boto_session_manager._botocore.check()`` verifies them all at once.
    """


#: The name :mod:`boto_session_manager.sharing` has always raised.
SharingError = BotocoreCompatibilityError


class LocalAWSUnavailableError(BotoSessionManagerError, ImportError):
    """moto's server is not installed (install the ``local`` extra)."""


class CommandError(BotoSessionManagerError):
    """A ``bsm`` command failed: reported as one line, exit status ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class BotoSessionManagerWarning(UserWarning):
    """Base class of every warning boto_session_manager issues."""


class CredentialCacheWarning(BotoSessionManagerWarning):
    """A cache file was unusable and is being replaced."""


# NoCredentialsError derives from botocore's class; it is defined on first use so
# that importing this module (``bsm --help`` does) never imports botocore.
_define_lock = threading.Lock()


def _renew_define_lock() -> None:
    global _define_lock
    _define_lock = threading.Lock()


_forksafe.register(_renew_define_lock)


def _define_no_credentials_error() -> type[BotoSessionManagerError]:
    import botocore.exceptions

    class NoCredentialsError(
        BotoSessionManagerError, botocore.exceptions.NoCredentialsError, RuntimeError
    ):
        """No credentials could be found for the manager.

        Also a :class:`botocore.exceptions.NoCredentialsError`, so code written
        against botocore (``except botocore.exceptions.NoCredentialsError``)
        catches it too. The message says where the manager looked and what to
        do; without one it is botocore's ``Unable to locate credentials``.
        """

        def __init__(self, message: str | None = None) -> None:
            # botocore's errors format ``fmt`` from keyword arguments; this one
            # carries a ready message, and keeps ``kwargs`` for code that reads it.
            Exception.__init__(self, message if message is not None else self.fmt)
            self.kwargs: dict[str, Any] = {}

    NoCredentialsError.__module__ = __name__
    NoCredentialsError.__qualname__ = "NoCredentialsError"
    return NoCredentialsError


def _define_unknown_service_error() -> type[BotoSessionManagerError]:
    import botocore.exceptions

    class UnknownServiceError(InvalidArgumentError, botocore.exceptions.UnknownServiceError):
        """A service name botocore does not know; suggests the nearest known names.

        Also a :class:`botocore.exceptions.UnknownServiceError`, so code written
        against botocore keeps catching it.

        Attributes:
            argument: ``"service_name"``.
            service_name: the name given.
            suggestions: the nearest known names (possibly none), e.g.
                ``["logs"]`` for ``"cloudwatch-logs"``.
        """

        def __init__(self, service_name: str, suggestions: Sequence[str] = ()) -> None:
            self.service_name = service_name
            self.suggestions = list(suggestions)
            names = " or ".join(repr(name) for name in self.suggestions)
            hint = f"; did you mean {names}?" if names else ""
            message = f"service_name: unknown AWS service {service_name!r}{hint}"
            InvalidArgumentError.__init__(self, message, argument="service_name")
            kwargs: Any = {
                "data_path": "",
                "service_name": service_name,
                "known_service_names": ", ".join(self.suggestions),
            }
            self.kwargs = kwargs  # botocore's errors keep their format arguments here

    UnknownServiceError.__module__ = __name__
    UnknownServiceError.__qualname__ = "UnknownServiceError"
    return UnknownServiceError


_DEFINED_ON_FIRST_USE = {
    "NoCredentialsError": _define_no_credentials_error,
    "UnknownServiceError": _define_unknown_service_error,
}
#: Upstream boto-session-manager's names for classes defined on first use.
_SECOND_NAMES = {"NoBotocoreCredentialError": "NoCredentialsError"}


def __getattr__(name: str) -> Any:
    canonical = _SECOND_NAMES.get(name, name)
    define = _DEFINED_ON_FIRST_USE.get(canonical)
    if define is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    with _define_lock:  # one class, even when two threads ask first at once
        defined = globals().get(canonical)
        if defined is None:
            defined = globals()[canonical] = define()
    return defined
