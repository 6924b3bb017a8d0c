"""The awsauthhelper documentation's examples, run with only the import line changed."""

from __future__ import annotations

import argparse
import warnings
from typing import Any

import boto3
import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager.cli_args import InvalidAuthArgumentsError
from boto_session_manager.compat import awsauthhelper
from boto_session_manager.exceptions import (
    BotoSessionManagerError,
    CredentialArgumentsError,
    InvalidArgumentError,
)
from boto_session_manager.password import InvalidPasswordPolicyError
from boto_session_manager.testing import TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY

from ..conftest import create_role
from .conftest import Recorder

MFA_DEVICE = "arn:aws:iam::123456789012:mfa/alice"


@pytest.fixture
def env(recorder: Recorder, monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """Base keys, region and the (recorded) local endpoint in the environment."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", TEST_ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", TEST_SECRET_ACCESS_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", recorder.url)
    return recorder


# ------------------------------------------------------------ the examples


def test_example_parse_assume_and_make_sessions(
    bsm: BotoSesManager, env: Recorder, capsys: pytest.CaptureFixture[str]
) -> None:
    role = create_role(bsm, "reader")
    bsm.get_client("s3").create_bucket(Bucket="first-bucket")
    regions = [{"RegionName": "us-east-1"}, {"RegionName": "eu-west-1"}]
    aws_options = awsauthhelper.AWSArgumentParser(role_session_name="example")

    configs = aws_options.parse_args(["--role", role])
    credentials = awsauthhelper.Credentials(**vars(configs))

    if credentials.has_role():
        credentials.assume_role()
    with pytest.warns(DeprecationWarning, match="get_session_generator"):
        boto3_session = credentials.create_session()

    s3 = boto3_session().resource("s3")
    for bucket in s3.buckets.all():
        print(bucket.name)

    for region in regions:
        # The session object can be 're-authorised' across regions.
        print(boto3_session(region=region["RegionName"]).client("ec2").describe_instances())

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "first-bucket"
    assert len(out) == 3 and all("'Reservations': []" in line for line in out[1:])
    (assumed,) = env.requests("AssumeRole")
    assert assumed.params["RoleArn"] == role
    assert assumed.params["RoleSessionName"] == "example"
    assert credentials.aws_access_key_id != TEST_ACCESS_KEY_ID  # now the role's keys
    assert boto3_session(region="eu-west-1").region_name == "eu-west-1"


def test_documented_spellings_and_defaults_parse() -> None:
    parser = awsauthhelper.AWSArgumentParser(role_session_name="default-name")
    args = parser.parse_args(["--role_session_name", "mine", "--mfa-session-life", "1800"])
    assert (args.role_session_name, args.mfa_session_life) == ("mine", 1800)
    args = parser.parse_args([])
    assert (args.role_session_name, args.mfa_session_life) == ("default-name", 900)
    mine = argparse.ArgumentParser()
    mine.add_argument("--bucket")
    child = awsauthhelper.AWSArgumentParser(role_session_name="xx", parents=[mine])
    assert child.parse_args(["--bucket", "b"]).bucket == "b"
    assert awsauthhelper.Credentials().mfa_session_life == 900


def test_mfa_session_uses_the_device_and_the_session_life(env: Recorder) -> None:
    credentials = awsauthhelper.Credentials(
        aws_access_key_id=TEST_ACCESS_KEY_ID,
        aws_secret_access_key=TEST_SECRET_ACCESS_KEY,
        mfa_serial=MFA_DEVICE,
        mfa_token="123456",
    )
    assert credentials.has_mfa() and credentials.has_keys()
    assert credentials.authenticate_mfa() is credentials
    (request,) = env.requests("GetSessionToken")
    assert request.params["SerialNumber"] == MFA_DEVICE
    assert request.params["TokenCode"] == "123456"
    assert request.params["DurationSeconds"] == "900"
    assert credentials.has_session_keys()


def test_temporary_session_and_force_mfa(env: Recorder) -> None:
    credentials = awsauthhelper.Credentials(
        aws_access_key_id=TEST_ACCESS_KEY_ID,
        aws_secret_access_key=TEST_SECRET_ACCESS_KEY,
        mfa_session_life=3600,
    )
    credentials.assume_temp_session()
    assert [r.params["DurationSeconds"] for r in env.requests("GetSessionToken")] == ["3600"]
    env.clear()
    forced = awsauthhelper.Credentials(
        profile=None, mfa_serial=MFA_DEVICE, mfa_token="654321", force_mfa=True
    )
    session = forced.get_session_generator()()
    assert env.operations() == ["GetSessionToken"]
    assert session.client("sts").get_caller_identity()["Account"] == "123456789012"
    forced.get_session_generator()
    assert env.operations().count("GetSessionToken") == 1  # once per object


def test_freeze_and_reset_go_back_to_the_base_credentials(
    bsm: BotoSesManager, env: Recorder
) -> None:
    role = create_role(bsm)
    credentials = awsauthhelper.Credentials(
        aws_access_key_id=TEST_ACCESS_KEY_ID,
        aws_secret_access_key=TEST_SECRET_ACCESS_KEY,
        role=role,
        role_session_name="ss",
    )
    assert credentials.should_assume_role() and credentials.using_role()
    credentials.assume_role()
    assert credentials.has_session_keys()
    assert credentials.reset() is credentials
    assert credentials.aws_access_key_id == TEST_ACCESS_KEY_ID
    assert not credentials.has_session_keys()
    assert credentials.freeze() is credentials


def test_use_as_global_makes_plain_boto3_use_the_credentials(env: Recorder) -> None:
    credentials = awsauthhelper.Credentials(profile=None)
    try:
        assert credentials.use_as_global() is credentials
        assert boto3.client("sts").get_caller_identity()["Account"] == "123456789012"
    finally:
        boto3.DEFAULT_SESSION = None


def test_auth_debug_prints_the_masked_report_and_exits(
    env: Recorder, capsys: pytest.CaptureFixture[str]
) -> None:
    credentials = awsauthhelper.Credentials(auth_debug=True)
    with pytest.raises(SystemExit) as exited:
        credentials.get_session_generator()
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "12********12" in out
    assert TEST_SECRET_ACCESS_KEY not in out
    credentials.get_session_generator(internal=True)  # internal use never exits


def test_the_repr_never_shows_secrets() -> None:
    credentials = awsauthhelper.Credentials(
        aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="very-secret", mfa_token="123456"
    )
    assert "very-secret" not in repr(credentials)
    assert "123456" not in repr(credentials)


def test_generate_password_from_the_iam_policy_resource(bsm: BotoSesManager) -> None:
    bsm.get_client("iam").update_account_password_policy(
        MinimumPasswordLength=10, RequireSymbols=True, RequireNumbers=True
    )
    policy = bsm.get_resource("iam").AccountPasswordPolicy()
    lengths = {len(awsauthhelper.generate_password(policy)) for _ in range(200)}
    assert lengths == set(range(10, 14))  # minimum to ceil(1.3 * minimum)


def test_validate_creds() -> None:
    assert awsauthhelper.validate_creds(profile="dev")
    assert awsauthhelper.validate_credentials(aws_access_key_id="a", aws_secret_access_key="b")


# ------------------------------------------------------ same requests as core


def test_credentials_make_the_same_requests_as_the_core(bsm: BotoSesManager, env: Recorder) -> None:
    role = create_role(bsm)
    core = BotoSesManager(default_client_kwargs={"endpoint_url": env.url})

    def seen() -> list[tuple[str, Any]]:
        out = [(r.operation, r.params) for r in env.seen]
        env.clear()
        return out

    env.clear()
    awsauthhelper.Credentials(profile=None, role=role, role_session_name="same")
    awsauthhelper.Credentials(
        aws_access_key_id=TEST_ACCESS_KEY_ID,
        aws_secret_access_key=TEST_SECRET_ACCESS_KEY,
        role=role,
        role_session_name="same",
    ).assume_role()
    through_compat = seen()
    core.assume_role(role, role_session_name="same")
    assert through_compat == seen()
    assert [op for op, _ in through_compat] == ["AssumeRole"]

    awsauthhelper.Credentials(mfa_serial=MFA_DEVICE, mfa_token="123456").authenticate_mfa()
    through_compat = seen()
    core.get_session_token(900, mfa_serial_number=MFA_DEVICE, mfa_token="123456")
    assert through_compat == seen()


# ----------------------------------------------------------- typed failures


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: awsauthhelper.Credentials(mfa_session_life=60), InvalidArgumentError),
        (lambda: awsauthhelper.Credentials(mfa_session_life="x"), InvalidArgumentError),
        (lambda: awsauthhelper.Credentials().assume_role(), InvalidAuthArgumentsError),
        (lambda: awsauthhelper.Credentials(role="r").assume_role(), InvalidAuthArgumentsError),
        (lambda: awsauthhelper.Credentials().authenticate_mfa(), InvalidAuthArgumentsError),
        (
            lambda: awsauthhelper.Credentials(force_mfa=True).get_session_generator(),
            InvalidAuthArgumentsError,
        ),
        (
            lambda: awsauthhelper.validate_creds(aws_session_token="t"),
            CredentialArgumentsError,
        ),
        (
            lambda: awsauthhelper.validate_creds(profile="p", aws_access_key_id="a"),
            CredentialArgumentsError,
        ),
        (lambda: awsauthhelper.generate_password(object()), InvalidPasswordPolicyError),
        (
            lambda: awsauthhelper.AWSArgumentParser(role_session_name="bad name!"),
            ValueError,
        ),
    ],
)
def test_bad_input_raises_a_typed_error(call: Any, error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        call()
    assert isinstance(caught.value, BotoSessionManagerError) or error is ValueError


def test_validate_creds_errors_are_what_awsauthhelper_users_catch() -> None:
    with pytest.raises(argparse.ArgumentError, match="--aws-secret-access-key"):
        awsauthhelper.validate_creds(aws_access_key_id="a")


def test_a_bad_mfa_session_life_on_the_command_line_exits_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parser = awsauthhelper.AWSArgumentParser(role_session_name="xx")
    with pytest.raises(SystemExit) as exited:
        parser.parse_args(["--mfa-session-life", "60"])
    assert exited.value.code == 2
    assert "--mfa-session-life" in capsys.readouterr().err


def test_no_warning_without_the_deprecated_name() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        awsauthhelper.Credentials(profile="p").get_session_generator(internal=True)
