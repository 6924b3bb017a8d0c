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


def test_default_length_is_drawn_from_the_minimum_to_1_3_times_it() -> None:
    lengths = {len(generate_password({"MinimumPasswordLength": 10})) for _ in range(400)}
    assert lengths == set(range(10, 14))  # ceil(13.0) == 13
    lengths = {len(generate_password({"MinimumPasswordLength": 41})) for _ in range(600)}
    assert min(lengths) >= 41 and max(lengths) <= 54  # ceil(53.3) == 54
    assert {len(generate_password({"MinimumPasswordLength": 128})) for _ in range(5)} == {128}


def test_a_policy_object_with_the_resource_attributes_is_read() -> None:
    class Policy:
        minimum_password_length = 12
        require_symbols = True
        require_numbers = True
        require_uppercase_characters = False
        require_lowercase_characters = True

    for _ in range(50):
        password = generate_password(Policy())
        assert 12 <= len(password) <= 16
        assert_meets(
            password,
            {"RequireSymbols": True, "RequireNumbers": True, "RequireLowercaseCharacters": True},
        )


def test_an_object_with_a_bad_attribute_names_the_policy_key() -> None:
    class Policy:
        minimum_password_length = "12"

    with pytest.raises(InvalidPasswordPolicyError) as info:
        generate_password(Policy())
    assert info.value.key == "MinimumPasswordLength"


def test_the_iam_resource_of_an_account_is_read(bsm: BotoSesManager) -> None:
    iam = bsm.get_resource("iam")
    assert 8 <= len(generate_password(iam.AccountPasswordPolicy())) <= 11  # no policy: default
    bsm.get_client("iam").update_account_password_policy(
        MinimumPasswordLength=20, RequireSymbols=True, RequireNumbers=False
    )
    password = generate_password(iam.AccountPasswordPolicy())
    assert 20 <= len(password) <= 26
    assert any(c in SYMBOLS for c in password)


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
    assert 8 <= len(password) <= 11


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
        assert 40 <= len(password) <= 52
        assert_meets(password, policy)


def test_other_iam_errors_are_not_hidden() -> None:
    class Refusing:
        def get_account_password_policy(self) -> Any:
            error = {"Error": {"Code": "AccessDenied", "Message": "no"}}
            raise ClientError(error, "GetAccountPasswordPolicy")  # type: ignore[arg-type]

    with pytest.raises(ClientError, match="AccessDenied"):
        account_password_policy(Refusing())
