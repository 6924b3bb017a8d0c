"""Who the credentials are: caller identity, masking, credential check.

Thread safety: everything here is a pure function or an immutable value.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

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


def mask(text: str, keep: int = 2) -> str:
    """``text`` with all but its first and last ``keep`` characters hidden.

    The one masking rule of the package: account ids, principal ids and the
    account part of ARNs are all hidden this way. Text too short to keep
    anything is hidden entirely.

    Example::

        >>> mask("123456789012")
        '12********12'
    """
    if len(text) <= 2 * keep:
        return "*" * len(text)
    return f"{text[:keep]}{'*' * (len(text) - 2 * keep)}{text[-keep:]}"


def mask_account_id(account_id: str) -> str:
    """Hide the middle digits of an account id.

    Example::

        >>> mask_account_id("123456789012")
        '12********12'
    """
    return mask(account_id)


def mask_user_id(user_id: str) -> str:
    """Hide the middle of a principal id, keeping a role session name readable.

    Example::

        >>> mask_user_id("AIDAJQABLZS4A3QDU576Q")
        'AIDA*************576Q'
    """
    head, sep, session = user_id.partition(":")
    shown = head if len(head) <= 2 else mask(head, 4 if len(head) > 8 else 1)
    return f"{shown}{sep}{session}"


_ACCOUNT_IN_ARN = re.compile(r"(?<=:)\d{12}(?=:)")


def mask_arn(arn: str) -> str:
    """Hide the middle digits of the account id inside an ARN.

    Example::

        >>> mask_arn("arn:aws:iam::123456789012:role/deploy")
        'arn:aws:iam::12********12:role/deploy'
    """
    return _ACCOUNT_IN_ARN.sub(lambda match: mask(match[0]), arn)


#: Returns the (cached) client for a service name, e.g. a manager's ``get_client``.
ClientProvider = Callable[[str], Any]

_NOT_FETCHED: Any = object()


class Identity:
    """Who a manager's credentials are: caller identity and account alias, cached.

    The client provider is passed to each call (a manager passes its own
    ``get_client``), so the cache holds no reference back to its manager.

    Args:
        known: an identity already known (STS says who an assumed role is),
            so no ``GetCallerIdentity`` call is needed.

    Thread safety: every method is safe from many threads; a miss makes one
    call while other threads wait for its answer.

    Example::

        identity = Identity()
        identity.caller(bsm.get_client).account
    """

    def __init__(self, known: CallerIdentity | None = None) -> None:
        self._lock = threading.Lock()
        self._caller = known
        self._alias: Any = _NOT_FETCHED

    def caller(self, clients: ClientProvider) -> CallerIdentity:
        """The caller identity (one ``GetCallerIdentity`` call, then cached)."""
        found = self._caller
        if found is None:
            with self._lock:
                found = self._caller
                if found is None:
                    response = clients("sts").get_caller_identity()
                    found = self._caller = CallerIdentity.from_response(response)
        return found

    def check(self, clients: ClientProvider) -> CallerIdentity:
        """Ask STS now (uncached), translating credential failures; cache the answer.

        Raises:
            InvalidCredentialsError: see ``check_identity``.
        """
        found = self._caller = check_identity(lambda: clients("sts"))
        return found

    def alias(self, clients: ClientProvider) -> str | None:
        """The account's first IAM alias, None when it has none (cached).

        Raises:
            botocore.exceptions.ClientError: the alias cannot be read (e.g.
                AccessDenied); not cached, the next call asks again.
        """
        found = self._alias
        if found is _NOT_FETCHED:
            with self._lock:
                found = self._alias
                if found is _NOT_FETCHED:
                    aliases = clients("iam").list_account_aliases()["AccountAliases"]
                    found = self._alias = aliases[0] if aliases else None
        return found  # type: ignore[no-any-return]

    def alias_text(self, clients: ClientProvider) -> str:
        """The alias for people: the alias, ``<not set>`` or ``<unavailable: CODE>``."""
        try:
            found = self.alias(clients)
        except ClientError as exc:
            return f"<unavailable: {exc.response.get('Error', {}).get('Code', 'Unknown')}>"
        return "<not set>" if found is None else found

    def who_am_i(
        self, clients: ClientProvider, region: str | None, *, masked: bool = True
    ) -> dict[str, str | None]:
        """Account, alias, principal, user id and region as a dict.

        ``account_alias`` is None when the account has none, and
        ``<unavailable: CODE>`` when it cannot be read.
        """
        me = self.caller(clients)
        alias = self.alias_text(clients)
        return {
            "account_id": mask_account_id(me.account) if masked else me.account,
            "account_alias": None if alias == "<not set>" else alias,
            "principal_arn": mask_arn(me.arn) if masked else me.arn,
            "user_id": mask_user_id(me.user_id) if masked else me.user_id,
            "region": region,
        }

    def clear(self) -> None:
        """Forget the identity and the alias (asked again on next use)."""
        with self._lock:
            self._caller = None
            self._alias = _NOT_FETCHED

    def reset(self) -> None:
        """A new lock (in a child process after ``fork``); cached answers stay."""
        self._lock = threading.Lock()


class IdentityMethods:
    """Base of :class:`~boto_session_manager.BotoSesManager`: who its credentials are.

    Each property asks the manager's public :attr:`~boto_session_manager.BotoSesManager.identity`
    cache, with the manager's public ``get_client``; nothing here touches the
    manager's state.
    """

    __slots__ = ()

    if TYPE_CHECKING:

        @property
        def identity(self) -> Identity: ...

        @property
        def boto_ses(self) -> Any: ...

        def get_client(self, service_name: str, /) -> Any: ...

    @property
    def aws_account_id(self) -> str:
        """The account id of the credentials (one cached STS call).

        Example::

            bsm.aws_account_id   # '123456789012'
        """
        return self.identity.caller(self.get_client).account

    @property
    def aws_account_user_id(self) -> str:
        """The unique id of the principal (``AIDA...`` or ``AROA...:session``)."""
        return self.identity.caller(self.get_client).user_id

    @property
    def principal_arn(self) -> str:
        """The ARN of the principal (user, assumed-role session ...)."""
        return self.identity.caller(self.get_client).arn

    @property
    def masked_aws_account_id(self) -> str:
        """The account id with its middle digits hidden, e.g. ``12********12``."""
        return mask_account_id(self.aws_account_id)

    @property
    def masked_aws_account_user_id(self) -> str:
        """The principal's unique id with all but its first and last 4 characters hidden.

        Example::

            bsm.masked_aws_account_user_id   # 'AIDA************WXYZ'
        """
        return mask_user_id(self.aws_account_user_id)

    @property
    def masked_principal_arn(self) -> str:
        """The principal ARN with the account id masked."""
        return mask_arn(self.principal_arn)

    @property
    def aws_region(self) -> str | None:
        """The region of the session (from the argument, profile or environment).

        None when no region is configured anywhere.
        """
        region: str | None = self.boto_ses.region_name
        return region

    @property
    def aws_account_alias(self) -> str | None:
        """The account's first IAM alias, or None when it has none (cached).

        Raises:
            botocore.exceptions.ClientError: the alias cannot be read (e.g.
                AccessDenied for a narrow role); not cached.
        """
        return self.identity.alias(self.get_client)

    def check_credentials(self) -> CallerIdentity:
        """Check the credentials with AWS now (one uncached ``GetCallerIdentity``).

        CI jobs call it first, to fail fast with a message that says what is
        wrong instead of failing on the first real call.

        Returns:
            The caller's identity (also cached for :attr:`aws_account_id` ...).

        Raises:
            InvalidCredentialsError: ``reason`` is ``"expired"``,
                ``"invalid-key"``, ``"bad-signature"`` or ``"no-credentials"``;
                the message says what to do.

        Example::

            try:
                me = bsm.check_credentials()
            except InvalidCredentialsError as exc:
                sys.exit(str(exc))
            print(me.account)
        """
        return self.identity.check(self.get_client)

    def who_am_i(self, masked: bool = True) -> dict[str, str | None]:
        """Account, alias, principal and region as a dict (what ``bsm whoami`` prints).

        ``account_alias`` is None when there is none, ``<unavailable: CODE>``
        when it cannot be read.
        """
        return self.identity.who_am_i(self.get_client, self.aws_region, masked=masked)

    def print_who_am_i(self, masked: bool = True) -> None:
        """Print the account, alias, principal and region (masked by default).

        The alias line shows ``<not set>`` when the account has none and
        ``<unavailable: CODE>`` when it cannot be read.

        Example::

            >>> bsm.print_who_am_i()
            User Id = AIDA************WXYZ
            AWS Account Id = 12********12
            Principal Arn = arn:aws:iam::12********12:user/alice
            AWS Account Alias = my-company-dev
            AWS Region = us-east-1
        """
        info = self.who_am_i(masked=masked)
        print(f"User Id = {info['user_id']}")
        print(f"AWS Account Id = {info['account_id']}")
        print(f"Principal Arn = {info['principal_arn']}")
        print(f"AWS Account Alias = {info['account_alias'] or '<not set>'}")
        print(f"AWS Region = {info['region']}")


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
