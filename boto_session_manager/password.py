"""Random passwords that meet an IAM account password policy.

:func:`generate_password` draws every character with ``secrets`` (the
operating system's random source) and guarantees one character of each
class the policy requires; :func:`account_password_policy` reads an account's
policy, falling back to AWS's default when the account has none::

    from boto_session_manager.password import account_password_policy, generate_password

    password = generate_password(account_password_policy(bsm.iam_client))
    # or simply: bsm.generate_password()

Nothing here logs, prints or keeps a generated password, and no error
message contains one.

Thread safety: every function is safe from any number of threads
(``secrets`` draws from the operating system).
"""

from __future__ import annotations

import math
import secrets
import string
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from botocore.exceptions import ClientError

from .exceptions import InvalidArgumentError, InvalidPasswordPolicyError

__all__ = [
    "AWS_DEFAULT_PASSWORD_POLICY",
    "IAM_MAX_PASSWORD_LENGTH",
    "IAM_MIN_PASSWORD_LENGTH",
    "LENGTH_SPREAD",
    "SYMBOLS",
    "InvalidPasswordPolicyError",
    "account_password_policy",
    "generate_password",
]

#: The non-alphanumeric characters IAM counts as symbols.
SYMBOLS = "!@#$%^&*()_+-=[]{}|'"
#: The longest password IAM accepts.
IAM_MAX_PASSWORD_LENGTH = 128
#: The smallest ``MinimumPasswordLength`` IAM accepts in a policy.
IAM_MIN_PASSWORD_LENGTH = 6
#: Without an explicit length, a password is from the policy's minimum to
#: this many times it (rounded up, at most 128) characters long.
LENGTH_SPREAD = 1.3

#: The policy AWS applies to an account without a policy of its own.
#: AWS asks for at least 8 characters and three of the four character
#: classes; this mapping asks for all four, which always meets the "three of
#: four" rule (a policy dict cannot say "three of").
AWS_DEFAULT_PASSWORD_POLICY: Mapping[str, Any] = MappingProxyType(
    {
        "MinimumPasswordLength": 8,
        "RequireSymbols": True,
        "RequireNumbers": True,
        "RequireUppercaseCharacters": True,
        "RequireLowercaseCharacters": True,
    }
)

_CLASSES = {
    "RequireUppercaseCharacters": string.ascii_uppercase,
    "RequireLowercaseCharacters": string.ascii_lowercase,
    "RequireNumbers": string.digits,
    "RequireSymbols": SYMBOLS,
}
_ALPHABET = "".join(_CLASSES.values())
#: A policy object's attribute for each policy key (boto3's AccountPasswordPolicy).
_ATTRIBUTES = {
    "MinimumPasswordLength": "minimum_password_length",
    "RequireSymbols": "require_symbols",
    "RequireNumbers": "require_numbers",
    "RequireUppercaseCharacters": "require_uppercase_characters",
    "RequireLowercaseCharacters": "require_lowercase_characters",
}


def _minimum_length(policy: Mapping[str, Any]) -> int:
    value = policy.get("MinimumPasswordLength", IAM_MIN_PASSWORD_LENGTH)
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"MinimumPasswordLength must be an integer, got {type(value).__name__}"
        raise InvalidPasswordPolicyError(msg, key="MinimumPasswordLength")
    if not IAM_MIN_PASSWORD_LENGTH <= value <= IAM_MAX_PASSWORD_LENGTH:
        msg = (
            f"MinimumPasswordLength must be from {IAM_MIN_PASSWORD_LENGTH} to "
            f"{IAM_MAX_PASSWORD_LENGTH} (IAM's limits), got {value}"
        )
        raise InvalidPasswordPolicyError(msg, key="MinimumPasswordLength")
    return value


def _required_classes(policy: Mapping[str, Any]) -> list[str]:
    required = []
    for key, characters in _CLASSES.items():
        value = policy.get(key, False)
        if not isinstance(value, bool):
            msg = f"{key} must be true or false, got {type(value).__name__}"
            raise InvalidPasswordPolicyError(msg, key=key)
        if value:
            required.append(characters)
    return required


def _as_policy(policy: Any) -> Mapping[str, Any]:
    """The policy as a mapping: a mapping as is, an object through its attributes."""
    if policy is None:
        return AWS_DEFAULT_PASSWORD_POLICY
    if isinstance(policy, Mapping):
        return policy
    try:
        values = {key: getattr(policy, name, None) for key, name in _ATTRIBUTES.items()}
    except ClientError as exc:
        # A boto3 AccountPasswordPolicy loads on first read: no policy set.
        if exc.response.get("Error", {}).get("Code") == "NoSuchEntity":
            return AWS_DEFAULT_PASSWORD_POLICY
        raise
    if all(value is None for value in values.values()):
        msg = (
            "the password policy must be a dict like "
            "iam.get_account_password_policy()['PasswordPolicy'] or an object with its "
            "attributes (minimum_password_length, require_symbols ...), "
            f"got {type(policy).__name__}"
        )
        raise InvalidPasswordPolicyError(msg, key="policy")
    return {key: value for key, value in values.items() if value is not None}


def _length(minimum: int, length: Any) -> int:
    if length is None:
        longest = min(IAM_MAX_PASSWORD_LENGTH, math.ceil(minimum * LENGTH_SPREAD))
        return minimum + secrets.randbelow(longest - minimum + 1)
    if isinstance(length, bool) or not isinstance(length, int):
        msg = f"length must be an integer, got {type(length).__name__}"
        raise InvalidArgumentError(msg, argument="length")
    if not minimum <= length <= IAM_MAX_PASSWORD_LENGTH:
        msg = (
            f"length must be from {minimum} (the policy's minimum) "
            f"to {IAM_MAX_PASSWORD_LENGTH}, got {length}"
        )
        raise InvalidArgumentError(msg, argument="length")
    return length


def generate_password(policy: Any = None, *, length: int | None = None) -> str:
    """A random password meeting every rule of an IAM password policy.

    The characters are drawn with ``secrets`` from upper and lower case
    letters, digits and IAM's symbols; one character of each class the
    policy requires is guaranteed, and the result is shuffled with
    ``secrets.SystemRandom``.

    Args:
        policy: the policy, as a dict as returned by
            ``iam.get_account_password_policy()["PasswordPolicy"]``, or as
            an object with the same fields as attributes (boto3's
            ``iam.AccountPasswordPolicy()`` resource:
            ``minimum_password_length``, ``require_symbols``,
            ``require_numbers``, ``require_uppercase_characters``,
            ``require_lowercase_characters``; a resource of an account with
            no policy reads as AWS's default). Keys used:
            ``MinimumPasswordLength`` (6 to 128; 6 when absent, as in IAM),
            the four ``Require*`` flags (false when absent); other keys
            (expiry, reuse) are about passwords over time and are ignored.
            None means :data:`AWS_DEFAULT_PASSWORD_POLICY`.
        length: the password length, from the policy's minimum to 128.
            Default: drawn at random from the minimum to
            ``ceil(LENGTH_SPREAD * minimum)`` (at most 128), so the length
            itself tells an attacker less.

    Returns:
        The password. Don't log it.

    Raises:
        InvalidPasswordPolicyError: the policy is neither a mapping nor an
            object with the policy's attributes, or a key has the wrong type
            or an out-of-range value (the error's ``key`` and message name it).
        InvalidArgumentError: ``length`` is not an integer from the
            minimum to 128.
        botocore.exceptions.ClientError: reading a policy resource failed
            other than for a missing policy (AccessDenied ...).

    Thread safety: safe from any number of threads.

    Example::

        >>> policy = {"MinimumPasswordLength": 14, "RequireSymbols": True}
        >>> password = generate_password(policy)
        >>> 14 <= len(password) <= 19 and any(c in SYMBOLS for c in password)
        True
    """
    mapping = _as_policy(policy)
    minimum = _minimum_length(mapping)
    required = _required_classes(mapping)
    size = _length(minimum, length)
    characters = [secrets.choice(chars) for chars in required]
    characters += [secrets.choice(_ALPHABET) for _ in range(size - len(characters))]
    secrets.SystemRandom().shuffle(characters)
    return "".join(characters)


def account_password_policy(iam_client: Any) -> dict[str, Any]:
    """The account's IAM password policy, or AWS's default when it has none.

    Args:
        iam_client: a boto3 IAM client of the account.

    Returns:
        A new dict, the ``PasswordPolicy`` of ``GetAccountPasswordPolicy``,
        or a copy of :data:`AWS_DEFAULT_PASSWORD_POLICY` when IAM answers
        ``NoSuchEntity`` (no custom policy set).

    Raises:
        botocore.exceptions.ClientError: any other refusal (e.g. AccessDenied:
            the caller needs ``iam:GetAccountPasswordPolicy``).

    Thread safety: safe, as the client is.

    Example::

        policy = account_password_policy(bsm.iam_client)
        policy["MinimumPasswordLength"]
    """
    try:
        response = iam_client.get_account_password_policy()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NoSuchEntity":
            return dict(AWS_DEFAULT_PASSWORD_POLICY)
        raise
    return dict(response["PasswordPolicy"])
