"""Bad input gets a typed error that names the argument and never echoes a secret."""

from __future__ import annotations

import json
import pickle
from datetime import datetime, timezone
from pathlib import Path

import botocore.exceptions
import pytest

from boto_session_manager import BotoSesManager, _validate
from boto_session_manager.exceptions import (
    BotoSessionManagerError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidArnError,
    SnapshotError,
    UnknownServiceError,
)


def test_unknown_service_error_is_also_botocores_and_pickles() -> None:
    error = UnknownServiceError("cloudwatch-logs", ["logs"])
    assert isinstance(error, botocore.exceptions.UnknownServiceError)
    assert isinstance(error, (InvalidArgumentError, BotoSessionManagerError, ValueError))
    assert error.argument == "service_name"
    assert "'logs'" in str(error)
    assert error.kwargs["service_name"] == "cloudwatch-logs"
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert (str(again), again.suggestions) == (str(error), ["logs"])


# ------------------------------------------------------------ one check per kind

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETSENTINEL"


@pytest.mark.parametrize("value", ["us-east-1", "us-gov-west-1", "cn-north-1", "local", "", None])
def test_region_names_that_botocore_accepts_pass(value: str | None) -> None:
    assert _validate.region_name(value) == value


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("us east 1", InvalidArgumentError),
        ("-us-east-1", InvalidArgumentError),
        ("us-east-1.evil.example", InvalidArgumentError),
        ("a" * 64, InvalidArgumentError),
        (1, InvalidArgumentTypeError),
        (b"us-east-1", InvalidArgumentTypeError),
    ],
)
def test_bad_region_names_name_the_argument(value: object, error: type[Exception]) -> None:
    with pytest.raises(error, match=r"^region_name: ") as info:
        _validate.region_name(value)
    assert info.value.argument == "region_name"  # type: ignore[attr-defined]


@pytest.mark.parametrize("value", [SECRET + "\n", "\t" + SECRET, SECRET + "\x00", SECRET + "\x7f"])
def test_credentials_with_control_characters_are_refused_without_the_value(value: str) -> None:
    with pytest.raises(InvalidArgumentError, match=r"^aws_session_token: ") as info:
        _validate.credential_text(value, "aws_session_token")
    assert SECRET not in str(info.value) + repr(info.value)


def test_credentials_of_the_wrong_type_are_type_errors_without_the_value() -> None:
    with pytest.raises(TypeError, match=r"^aws_secret_access_key: .*bytes") as info:
        _validate.credential_text(SECRET.encode(), "aws_secret_access_key")
    assert SECRET not in str(info.value)
    assert _validate.credential_text(SECRET, "aws_secret_access_key") == SECRET
    assert _validate.credential_text(None, "aws_session_token") is None


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:iam::123456789012:user/alice",
        "arn:aws:s3:::bucket",
        "not an arn",
        "arn:aws:iam:::role/no-account",
    ],
)
def test_role_arns_must_be_iam_roles(value: str) -> None:
    with pytest.raises(InvalidArnError, match=r"^role_arn: "):
        _validate.role_arn(value)


def test_a_role_arn_that_is_not_a_string_is_a_type_error() -> None:
    with pytest.raises(InvalidArgumentTypeError, match=r"^role_arn: "):
        _validate.role_arn(None)
    assert _validate.role_arn("arn:aws-cn:iam::123456789012:role/x") == (
        "arn:aws-cn:iam::123456789012:role/x"
    )


@pytest.mark.parametrize("value", [899, 43201, 0, -1])
def test_durations_out_of_range_are_value_errors(value: int) -> None:
    with pytest.raises(InvalidArgumentError, match=r"^duration_seconds: .*900 to 43200"):
        _validate.duration_seconds(value)


@pytest.mark.parametrize("value", ["3600", 1.5, True, None])
def test_durations_of_the_wrong_type_are_type_and_value_errors(value: object) -> None:
    with pytest.raises(TypeError, match=r"^duration_seconds: ") as info:
        _validate.duration_seconds(value)
    assert isinstance(info.value, ValueError)


def test_duration_limits_are_inclusive_and_the_maximum_can_be_raised() -> None:
    assert _validate.duration_seconds(900) == 900
    assert _validate.duration_seconds(43200) == 43200
    assert _validate.duration_seconds(129600, maximum=129600) == 129600


@pytest.mark.parametrize("value", ["ab", "a" * 64, "user@example.com", "a+b=c,d.e@f-g_h", None])
def test_session_names_aws_accepts_pass(value: str | None) -> None:
    assert _validate.role_session_name(value) == value


@pytest.mark.parametrize("value", ["a", "a" * 65, "a" * 100, "has space", "slash/", "é-accent"])
def test_session_names_aws_refuses_are_refused_before_sending(value: str) -> None:
    with pytest.raises(
        InvalidArgumentError, match=r"^role_session_name: 2 to 64|^role_session_name: must"
    ):
        _validate.role_session_name(value)


@pytest.mark.parametrize("value", [123456, 12345.0, b"123456"])
def test_mfa_codes_that_are_not_strings_are_type_errors(value: object) -> None:
    with pytest.raises(InvalidArgumentTypeError, match=r"^mfa_token: .*six-digit") as info:
        _validate.mfa_token(value)
    assert "123456" not in str(info.value)


@pytest.mark.parametrize("value", ["12345", "1234567", "abcdef", "12 456", ""])
def test_mfa_codes_must_be_six_digits_and_are_never_shown(value: str) -> None:
    with pytest.raises(InvalidArgumentError, match=r"^mfa_token: .*six digits") as info:
        _validate.mfa_token(value)
    if value:
        assert value not in str(info.value)


def test_mfa_codes_and_callables_pass() -> None:
    assert _validate.mfa_token("012345") == "012345"
    assert _validate.mfa_token(" 012345\n") == "012345"
    assert _validate.mfa_token(None) is None

    def ask() -> str:
        return "1"

    assert _validate.mfa_token(ask) is ask  # checked when it is asked


def test_web_identity_tokens_must_be_non_empty_text() -> None:
    with pytest.raises(InvalidArgumentTypeError, match=r"^web_identity_token: .*bytes"):
        _validate.web_identity_token(b"eyJ.token")
    with pytest.raises(InvalidArgumentError, match=r"^web_identity_token: .*empty"):
        _validate.web_identity_token("  ")
    assert _validate.web_identity_token("eyJ.token") == "eyJ.token"


def test_token_files_missing_empty_or_unreadable_name_the_file_and_the_variable(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "missing"
    empty = tmp_path / "empty"
    empty.write_text("\n")
    for path, problem in (
        (missing, "does not exist"),
        (empty, "is empty"),
        (tmp_path, "cannot be read"),
    ):
        with pytest.raises(InvalidArgumentError, match=problem) as info:
            _validate.read_web_identity_token(str(path))
        assert str(path) in str(info.value)
        assert "AWS_WEB_IDENTITY_TOKEN_FILE" in str(info.value)
        assert info.value.argument == "web_identity_token_file"
    good = tmp_path / "token"
    good.write_text("eyJ.token\n")
    assert _validate.read_web_identity_token(str(good)) == "eyJ.token"


def test_expiration_time_must_be_a_datetime() -> None:
    with pytest.raises(InvalidArgumentTypeError, match=r"^expiration_time: .*datetime.*str"):
        _validate.expiration_time("2030-01-01T00:00:00Z")
    now = datetime.now(timezone.utc)
    assert _validate.expiration_time(now) is now
    assert _validate.expiration_time(None) is None


@pytest.mark.parametrize("value", ["x", None, True, [1]])
def test_delta_must_be_a_number(value: object) -> None:
    with pytest.raises(InvalidArgumentTypeError, match=r"^delta: "):
        _validate.delta_seconds(value)


def test_delta_must_be_finite() -> None:
    with pytest.raises(InvalidArgumentError, match=r"^delta: .*finite"):
        _validate.delta_seconds(float("nan"))
    assert _validate.delta_seconds(300) == 300.0


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cloudwatch-logs", ["logs"]),
        ("CloudWatchLogs", ["logs"]),
        ("dynamo-db", ["dynamodb"]),
        ("s4", ["s3"]),
        ("zzzzzzzzzz", []),
    ],
)
def test_unknown_services_suggest_the_nearest_names(name: str, expected: list[str]) -> None:
    available = ["logs", "dynamodb", "s3", "sts", "cloudwatch"]
    aliases = {"CloudWatchLogs": "logs", "DynamoDB": "dynamodb"}
    assert _validate.suggest_services(name, available, aliases)[: len(expected) or 3] == expected


# ------------------------------------------------------------ wired into the manager

OFFLINE = {"endpoint_url": "http://127.0.0.1:9"}  # nothing listens: no test reaches it
ROLE = "arn:aws:iam::111122223333:role/deploy"


def offline(**kwargs: object) -> BotoSesManager:
    options: dict[str, object] = {
        "aws_access_key_id": "AKIAEXAMPLE",
        "aws_secret_access_key": SECRET,
        "region_name": "us-east-1",
        "default_client_kwargs": OFFLINE,
    }
    options.update(kwargs)
    return BotoSesManager(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "field", ["aws_access_key_id", "aws_secret_access_key", "aws_session_token"]
)
def test_credentials_are_checked_at_construction(field: str) -> None:
    with pytest.raises(InvalidArgumentError, match=rf"^{field}: .*control character") as info:
        offline(**{field: SECRET + "\n"})
    assert info.value.argument == field
    assert SECRET not in str(info.value)
    with pytest.raises(InvalidArgumentTypeError, match=rf"^{field}: "):
        offline(**{field: SECRET.encode()})


def test_region_and_expiration_are_checked_at_construction() -> None:
    with pytest.raises(InvalidArgumentError, match=r"^region_name: "):
        offline(region_name="us east 1")
    with pytest.raises(InvalidArgumentTypeError, match=r"^expiration_time: "):
        offline(expiration_time="2030-01-01T00:00:00+00:00")


def test_is_expired_refuses_a_delta_that_is_not_a_number() -> None:
    bsm = offline(expiration_time=datetime(2030, 1, 1, tzinfo=timezone.utc))
    with pytest.raises(InvalidArgumentTypeError, match=r"^delta: "):
        bsm.is_expired(delta="x")  # type: ignore[arg-type]
    assert bsm.is_expired(delta=0) is False


def test_unknown_services_get_a_typed_error_with_the_nearest_name() -> None:
    bsm = offline()
    with pytest.raises(UnknownServiceError, match="'logs'") as info:
        bsm.get_client("cloudwatch-logs")
    assert isinstance(info.value, botocore.exceptions.UnknownServiceError)
    assert info.value.suggestions == ["logs"]
    with pytest.raises(UnknownServiceError, match="'dynamodb'"):
        bsm.get_resource("dynamo-db")
    with pytest.raises(UnknownServiceError):
        bsm.get_client("no-such-service")


def test_a_real_service_without_resources_keeps_boto3s_error() -> None:
    from boto3.exceptions import ResourceNotExistsError

    with pytest.raises(ResourceNotExistsError):
        offline().get_resource("lambda")


def test_client_arguments_are_checked_before_a_client_is_made() -> None:
    bsm = offline()
    with pytest.raises(InvalidArgumentError, match=r"^aws_session_token: ") as info:
        bsm.get_client("sts", aws_session_token=f"{SECRET}\n")
    assert SECRET not in str(info.value)
    with pytest.raises(InvalidArgumentError, match=r"^region_name: "):
        bsm.get_client("sts", region_name="not a region")


def test_role_arguments_are_checked_before_any_call() -> None:
    bsm = offline()
    with pytest.raises(InvalidArgumentError, match=r"^role_session_name: ") as info:
        bsm.assume_role(ROLE, role_session_name="x" * 100)
    assert info.value.argument == "role_session_name"
    with pytest.raises(InvalidArgumentTypeError, match=r"^mfa_token: "):
        bsm.assume_role(ROLE, mfa_serial_number="arn:aws:iam::1:mfa/a", mfa_token=123456)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match=r"^mfa_token: .*six digits"):
        bsm.get_session_token(mfa_serial_number="arn:aws:iam::1:mfa/a", mfa_token="12345")
    with pytest.raises(InvalidArgumentError, match=r"^mfa_token: .*six digits"):
        bsm.get_session_token(mfa_serial_number="arn:aws:iam::1:mfa/a", mfa_token=lambda: "1")
    with pytest.raises(InvalidArnError, match=r"^role_arn: "):
        bsm.assume_role("arn:aws:iam::111122223333:user/alice")


def test_web_identity_tokens_and_files_are_checked(tmp_path: Path) -> None:
    bsm = offline()
    with pytest.raises(InvalidArgumentTypeError, match=r"^web_identity_token: .*bytes"):
        bsm.assume_role_with_web_identity(ROLE, web_identity_token=b"eyJ")  # type: ignore[arg-type]
    missing = tmp_path / "token"
    with pytest.raises(InvalidArgumentError, match="AWS_WEB_IDENTITY_TOKEN_FILE") as info:
        bsm.assume_role_with_web_identity(ROLE, web_identity_token_file=missing)
    assert str(missing) in str(info.value)
    missing.write_text("")
    with pytest.raises(InvalidArgumentError, match="is empty"):
        bsm.assume_role_with_web_identity(ROLE, web_identity_token_file=missing)


def test_snapshot_values_the_constructor_refuses_are_snapshot_errors(tmp_path: Path) -> None:
    snapshot = {"aws_access_key_id": "AKIAEXAMPLE", "aws_secret_access_key": SECRET + "\x1f"}
    with pytest.raises(SnapshotError, match="aws_secret_access_key") as info:
        BotoSesManager.from_snapshot(snapshot)
    assert SECRET not in str(info.value)
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(dict(snapshot, region_name="not a region!")))
    with pytest.raises(SnapshotError, match=r"snap\.json"):
        BotoSesManager.from_snapshot_file(path)
    with pytest.raises(InvalidArgumentError, match=r"^region_name"):  # the caller's own argument
        BotoSesManager.from_snapshot(
            {"aws_access_key_id": "A", "aws_secret_access_key": "s"}, region_name="bad region"
        )
