"""Who the credentials are: caller identity, masking, credential check, source.

Thread safety: everything here is a pure function or an immutable value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable

import attrs
from botocore.exceptions import (
    ClientError,
    CredentialRetrievalError,
    PartialCredentialsError,
    SSOTokenLoadError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)
from botocore.exceptions import NoCredentialsError as BotocoreNoCredentialsError

from .exceptions import InvalidCredentialsError


@attrs.frozen
class CallerIdentity:
    """The answer of STS ``GetCallerIdentity``.

    Attributes:
        account: the 12-digit account id.
        user_id: the principal's unique id (``AIDA...``, ``AROA...:session``).
        arn: the principal's ARN.

    Example::

        identity = bsm.check_credentials()
        print(identity.account, identity.arn)
    """

    account: str
    user_id: str
    arn: str

    @classmethod
    def from_response(cls, response: Mapping[str, Any]) -> CallerIdentity:
        """Build from a ``GetCallerIdentity`` response."""
        return cls(account=response["Account"], user_id=response["UserId"], arn=response["Arn"])


def mask_account_id(account_id: str) -> str:
    """Hide the middle digits of an account id.

    Example::

        >>> mask_account_id("123456789012")
        '12********12'
    """
    if len(account_id) <= 4:
        return "*" * len(account_id)
    return f"{account_id[:2]}{'*' * (len(account_id) - 4)}{account_id[-2:]}"


def mask_user_id(user_id: str) -> str:
    """Hide the middle of a principal id, keeping a role session name readable.

    Example::

        >>> mask_user_id("AIDAJQABLZS4A3QDU576Q")
        'AIDA*************576Q'
    """
    head, sep, session = user_id.partition(":")
    keep = 4 if len(head) > 8 else 1
    return f"{head[:keep]}{'*' * max(len(head) - 2 * keep, 0)}{head[-keep:]}{sep}{session}"


_EXPIRED = frozenset(
    {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
)
_INVALID_KEY = frozenset(
    {"InvalidClientTokenId", "UnrecognizedClientException", "InvalidAccessKeyId"}
)
_BAD_SIGNATURE = frozenset({"SignatureDoesNotMatch", "IncompleteSignature"})

_ADVICE = {
    "expired": "the session token has expired: obtain new credentials "
    "(re-run `aws sso login`, re-assume the role, or use auto_refresh=True)",
    "invalid-key": "AWS does not know this access key id: it was deleted, mistyped, "
    "or belongs to another partition",
    "bad-signature": "the secret access key does not match the access key id: "
    "check for a stale or mistyped secret",
    "no-credentials": "no credentials were found: pass keys or a profile, or set up "
    "the environment, ~/.aws, SSO or an instance role",
}


def check_identity(sts_client: Callable[[], Any]) -> CallerIdentity:
    """Call ``GetCallerIdentity`` and translate credential failures.

    ``sts_client`` is a factory: building the client is where credentials
    from SSO or a credential process are first resolved, so its failures
    are translated too.

    Raises:
        InvalidCredentialsError: with ``reason`` ``expired``, ``invalid-key``,
            ``bad-signature`` or ``no-credentials`` and advice on what to do.
        botocore.exceptions.ClientError: any other failure (throttling ...).
    """
    try:
        return CallerIdentity.from_response(sts_client().get_caller_identity())
    except BotocoreNoCredentialsError as exc:
        raise _invalid("no-credentials") from exc
    except (UnauthorizedSSOTokenError, SSOTokenLoadError, TokenRetrievalError) as exc:
        raise _invalid("expired", type(exc).__name__) from exc
    except (CredentialRetrievalError, PartialCredentialsError) as exc:
        raise _invalid("no-credentials", type(exc).__name__) from exc
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        for reason, codes in (
            ("expired", _EXPIRED),
            ("invalid-key", _INVALID_KEY),
            ("bad-signature", _BAD_SIGNATURE),
        ):
            if code in codes:
                raise _invalid(reason, code) from exc
        raise


def _invalid(reason: str, code: str | None = None) -> InvalidCredentialsError:
    answer = f" ({code})" if code else ""
    msg = f"invalid AWS credentials{answer}: {_ADVICE[reason]}"
    return InvalidCredentialsError(msg, reason=reason)


#: botocore credential ``method`` names -> our credential source names.
_SOURCES = {
    "explicit": "explicit-keys",
    "env": "env",
    "shared-credentials-file": "profile",
    "config-file": "profile",
    "custom-process": "credential-process",
    "assume-role": "assume-role",
    "assume-role-with-web-identity": "web-identity",
    "sso": "sso",
    "login": "sso",
    "iam-role": "instance-metadata",
    "container-role": "container",
    "boto-config": "boto-config",
    "session-token": "session-token",
}


def source_name(method: str | None) -> str:
    """Our name for a botocore credential method (unknown ones pass through)."""
    if method is None:
        return "none"
    return _SOURCES.get(method, method)
