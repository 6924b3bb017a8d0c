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

import secrets
import string
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from botocore.exceptions import ClientError

from .exceptions import InvalidArgumentError, InvalidPasswordPolicyError

__all__ = [
    "AWS_DEFAULT_PASSWORD_POLICY",
    "DEFAULT_LENGTH",
    "IAM_MAX_PASSWORD_LENGTH",
    "IAM_MIN_PASSWORD_LENGTH",
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
#: The length of a generated password when the policy asks for less.
DEFAULT_LENGTH = 20

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


def generate_password(policy: Mapping[str, Any] | None = None, *, length: int | None = None) -> str:
    """A random password meeting every rule of an IAM password policy.

    The characters are drawn with ``secrets`` from upper and lower case
    letters, digits and IAM's symbols; one character of each class the
    policy requires is guaranteed, and the result is shuffled with
    ``secrets.SystemRandom``.

    Args:
        policy: a policy dict as returned by
            ``iam.get_account_password_policy()["PasswordPolicy"]``. Keys
            used: ``MinimumPasswordLength`` (6 to 128; 6 when absent, as in
            IAM), ``RequireSymbols``, ``RequireNumbers``,
            ``RequireUppercaseCharacters``, ``RequireLowercaseCharacters``
            (false when absent); other keys (expiry, reuse) are about
            passwords over time and are ignored. None means
            :data:`AWS_DEFAULT_PASSWORD_POLICY`.
        length: the password length, from the policy's minimum to 128.
            Default: the larger of the minimum and :data:`DEFAULT_LENGTH`.

    Returns:
        The password. Don't log it.

    Raises:
        InvalidPasswordPolicyError: the policy is not a mapping, or a key has
            the wrong type or an out-of-range value (the error's ``key`` and
            message name it).
        ValueError: ``length`` is outside [minimum, 128].

    Thread safety: safe from any number of threads.

    Example::

        >>> policy = {"MinimumPasswordLength": 14, "RequireSymbols": True}
        >>> password = generate_password(policy)
        >>> len(password) >= 14 and any(c in SYMBOLS for c in password)
        True
    """
    if policy is None:
        policy = AWS_DEFAULT_PASSWORD_POLICY
    if not isinstance(policy, Mapping):
        msg = (
            "the password policy must be a dict like "
            "iam.get_account_password_policy()['PasswordPolicy'], "
            f"got {type(policy).__name__}"
        )
        raise InvalidPasswordPolicyError(msg, key="policy")
    minimum = _minimum_length(policy)
    required = _required_classes(policy)
    if length is None:
        length = max(minimum, DEFAULT_LENGTH)
    elif isinstance(length, bool) or not isinstance(length, int):
        msg = f"length must be an integer, got {type(length).__name__}"
        raise InvalidArgumentError(msg, argument="length")
    elif not minimum <= length <= IAM_MAX_PASSWORD_LENGTH:
        msg = (
            f"length must be from {minimum} (the policy's minimum) "
            f"to {IAM_MAX_PASSWORD_LENGTH}, got {length}"
        )
        raise InvalidArgumentError(msg, argument="length")
    characters = [secrets.choice(chars) for chars in required]
    characters += [secrets.choice(_ALPHABET) for _ in range(length - len(characters))]
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
