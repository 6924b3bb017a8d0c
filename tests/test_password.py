"""Password generation from IAM password policies."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

import pytest
from botocore.exceptions import ClientError

from boto_session_manager import BotoSesManager
from boto_session_manager.password import (
    AWS_DEFAULT_PASSWORD_POLICY,
    DEFAULT_LENGTH,
    SYMBOLS,
    InvalidPasswordPolicyError,
    account_password_policy,
    generate_password,
)

CLASSES = {
    "RequireUppercaseCharacters": string.ascii_uppercase,
    "RequireLowercaseCharacters": string.ascii_lowercase,
    "RequireNumbers": string.digits,
    "RequireSymbols": SYMBOLS,
}
ALLOWED = set("".join(CLASSES.values()))


def assert_meets(password: str, policy: Mapping[str, Any]) -> None:
    assert policy.get("MinimumPasswordLength", 6) <= len(password) <= 128
    assert set(password) <= ALLOWED
    for key, characters in CLASSES.items():
        if policy.get(key):
            assert any(c in characters for c in password), key


POLICIES = [
    pytest.param(None, id="aws-default"),
    pytest.param({}, id="empty"),
    pytest.param({"MinimumPasswordLength": 6}, id="min-6-nothing-required"),
    pytest.param(
        {
            "MinimumPasswordLength": 6,
            "RequireSymbols": True,
            "RequireNumbers": True,
            "RequireUppercaseCharacters": True,
            "RequireLowercaseCharacters": True,
        },
        id="min-6-all-required",
    ),
    pytest.param({"MinimumPasswordLength": 14, "RequireSymbols": True}, id="symbols-only"),
    pytest.param({"MinimumPasswordLength": 8, "RequireNumbers": True}, id="numbers-only"),
    pytest.param(
        {
            "MinimumPasswordLength": 128,
            "RequireSymbols": True,
            "RequireNumbers": True,
            "RequireUppercaseCharacters": True,
            "RequireLowercaseCharacters": True,
            "MaxPasswordAge": 90,
            "PasswordReusePrevention": 24,
            "ExpirePasswords": True,
            "AllowUsersToChangePassword": True,
            "HardExpiry": False,
        },
        id="max-length-full-iam-response",
    ),
]

#: Policies checked over 10,000 passwords (the others over 1,000, to spare CPU).
TEN_THOUSAND = {"aws-default", "min-6-all-required", "symbols-only", "numbers-only"}


@pytest.mark.parametrize("policy", POLICIES)
def test_passwords_all_meet_the_policy_and_are_distinct(
    policy: Mapping[str, Any] | None, request: pytest.FixtureRequest
) -> None:
    heavy = request.node.callspec.id in TEN_THOUSAND
    passwords = [generate_password(policy) for _ in range(10_000 if heavy else 1_000)]
    for password in passwords:
        assert_meets(password, AWS_DEFAULT_PASSWORD_POLICY if policy is None else policy)
    assert len(set(passwords)) == len(passwords)


def test_default_policy_is_aws_default_with_every_class() -> None:
    assert AWS_DEFAULT_PASSWORD_POLICY["MinimumPasswordLength"] == 8
    for key in CLASSES:
        assert AWS_DEFAULT_PASSWORD_POLICY[key] is True


def test_default_length_is_used_above_a_small_minimum() -> None:
    assert len(generate_password({"MinimumPasswordLength": 8})) == DEFAULT_LENGTH
    assert len(generate_password({"MinimumPasswordLength": 40})) == 40


def test_required_classes_fit_in_the_shortest_password() -> None:
    policy = dict(AWS_DEFAULT_PASSWORD_POLICY, MinimumPasswordLength=6)
    for _ in range(2_000):
        assert_meets(generate_password(policy, length=6), policy)


def test_explicit_length_is_honoured() -> None:
    assert len(generate_password(length=128)) == 128
    assert len(generate_password({"MinimumPasswordLength": 10}, length=10)) == 10


def test_required_character_is_not_always_in_the_same_place() -> None:
    policy = {"MinimumPasswordLength": 6, "RequireSymbols": True}
    positions = set()
    for _ in range(500):
        password = generate_password(policy, length=6)
        positions.update(i for i, c in enumerate(password) if c in SYMBOLS)
    assert positions == set(range(6))


@pytest.mark.parametrize(
    ("policy", "key", "message"),
    [
        ({"MinimumPasswordLength": 129}, "MinimumPasswordLength", "from 6 to 128"),
        ({"MinimumPasswordLength": 5}, "MinimumPasswordLength", "got 5"),
        ({"MinimumPasswordLength": "12"}, "MinimumPasswordLength", "integer, got str"),
        ({"MinimumPasswordLength": True}, "MinimumPasswordLength", "integer, got bool"),
        ({"MinimumPasswordLength": 12.0}, "MinimumPasswordLength", "integer, got float"),
        ({"RequireSymbols": "true"}, "RequireSymbols", "true or false, got str"),
        ({"RequireNumbers": 1}, "RequireNumbers", "true or false, got int"),
        ({"RequireUppercaseCharacters": None}, "RequireUppercaseCharacters", "got NoneType"),
        ({"RequireLowercaseCharacters": []}, "RequireLowercaseCharacters", "got list"),
        (["MinimumPasswordLength"], "policy", "must be a dict"),
    ],
)
def test_bad_policy_is_a_typed_value_error_naming_the_key(
    policy: Any, key: str, message: str
) -> None:
    with pytest.raises(InvalidPasswordPolicyError, match=message) as info:
        generate_password(policy)
    assert info.value.key == key
    assert key in str(info.value) or key == "policy"
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("length", "message"),
    [(9, "from 10"), (129, "to 128"), (True, "integer"), ("20", "integer")],
)
def test_bad_length_is_a_value_error(length: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_password({"MinimumPasswordLength": 10}, length=length)


# ---------------------------------------------------------- account policy (moto)


def test_account_without_policy_gets_aws_default(bsm: BotoSesManager) -> None:
    policy = account_password_policy(bsm.get_client("iam"))
    assert policy == dict(AWS_DEFAULT_PASSWORD_POLICY)
    policy["MinimumPasswordLength"] = 99  # a copy: the default is untouched
    assert AWS_DEFAULT_PASSWORD_POLICY["MinimumPasswordLength"] == 8


def test_bsm_generate_password_without_account_policy(bsm: BotoSesManager) -> None:
    password = bsm.generate_password()
    assert_meets(password, AWS_DEFAULT_PASSWORD_POLICY)
    assert len(password) == DEFAULT_LENGTH


def test_bsm_generate_password_follows_the_account_policy(bsm: BotoSesManager) -> None:
    bsm.get_client("iam").update_account_password_policy(
        MinimumPasswordLength=40,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=False,
        RequireLowercaseCharacters=True,
    )
    policy = account_password_policy(bsm.get_client("iam"))
    assert policy["MinimumPasswordLength"] == 40
    for _ in range(20):
        password = bsm.generate_password()
        assert len(password) == 40
        assert_meets(password, policy)


def test_other_iam_errors_are_not_hidden() -> None:
    class Refusing:
        def get_account_password_policy(self) -> Any:
            error = {"Error": {"Code": "AccessDenied", "Message": "no"}}
            raise ClientError(error, "GetAccountPasswordPolicy")  # type: ignore[arg-type]

    with pytest.raises(ClientError, match="AccessDenied"):
        account_password_policy(Refusing())
