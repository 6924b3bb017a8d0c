"""AWSArgumentParser and manager_from_args: env defaults, validation, parents, building managers."""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from typing import Any

import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager.cli_args import (
    AUTH_TYPES,
    AWSArgumentParser,
    InvalidAuthArgumentsError,
    SecretStr,
    manager_from_args,
    validate_auth_args,
)
from boto_session_manager.testing import TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY, LocalAWS

from .helpers import create_role

SECRET = "wJalrXUtnFEMI-not-a-real-secret-K7MDENG"
TOKEN = "FwoGZXIvYXdzEJr-not-a-real-token"
ROLE = "arn:aws:iam::111122223333:role/deploy"


def parser(**kwargs: Any) -> AWSArgumentParser:
    kwargs.setdefault("role_session_name", "tests")
    kwargs.setdefault("prog", "prog")
    return AWSArgumentParser(**kwargs)


def parse_error(capsys: pytest.CaptureFixture[str], argv: list[str], **kwargs: Any) -> str:
    """Parse ``argv``, expect an argparse error; return its message."""
    with pytest.raises(SystemExit) as info:
        parser(**kwargs).parse_args(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "prog: error: " in err
    return err.split("prog: error: ", 1)[1]


KEYS = ["--aws-access-key-id", "AKIAEXAMPLE", "--aws-secret-access-key", SECRET]


# ------------------------------------------------------------------ defaults


def test_no_options_gives_none_everywhere() -> None:
    args = parser().parse_args([])
    assert args.aws_access_key_id is None
    assert args.profile is None
    assert args.region is None
    assert args.role is None
    assert args.role_session_name == "tests"
    assert args.auth_debug is False


def test_keys_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    args = parser().parse_args([])
    assert (args.aws_access_key_id, args.aws_secret_access_key, args.aws_session_token) == (
        "AKIAENV",
        SECRET,
        TOKEN,
    )


def test_environment_is_read_at_parse_time_not_construction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built = parser()
    monkeypatch.setenv("AWS_PROFILE", "late")
    assert built.parse_args([]).profile == "late"


def test_aws_profile_wins_over_aws_default_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_PROFILE", "fallback")
    assert parser().parse_args([]).profile == "fallback"
    monkeypatch.setenv("AWS_PROFILE", "first")
    assert parser().parse_args([]).profile == "first"


def test_region_order_is_cli_then_aws_region_then_default_region_then_constructor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert parser(region="ap-south-1").parse_args([]).region == "ap-south-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    assert parser(region="ap-south-1").parse_args([]).region == "eu-west-2"
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert parser(region="ap-south-1").parse_args([]).region == "eu-west-1"
    assert parser(region="ap-south-1").parse_args(["--region", "us-west-2"]).region == "us-west-2"


def test_constructor_profile_is_the_last_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parser(profile="dev").parse_args([]).profile == "dev"
    monkeypatch.setenv("AWS_PROFILE", "env")
    assert parser(profile="dev").parse_args([]).profile == "env"
    assert parser(profile="dev").parse_args(["--profile", "cli"]).profile == "cli"


def test_constructor_profile_yields_to_keys_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    args = parser(profile="dev").parse_args([])
    assert args.profile is None
    assert args.aws_access_key_id == "AKIAENV"


def test_profile_on_the_command_line_hides_keys_in_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    args = parser().parse_args(["--profile", "dev"])
    assert args.profile == "dev"
    assert (args.aws_access_key_id, args.aws_secret_access_key, args.aws_session_token) == (
        None,
        None,
        None,
    )


def test_keys_on_the_command_line_hide_the_environment_profile_and_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "dev")
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)  # from another session: never mixed in
    args = parser().parse_args(KEYS)
    assert args.profile is None
    assert args.aws_session_token is None
    assert args.aws_access_key_id == "AKIAEXAMPLE"


def test_paths_and_endpoint_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:4566")
    args = parser().parse_args([])
    assert args.config_path == str(tmp_path / "config")
    assert args.credentials_path == str(tmp_path / "credentials")
    assert args.endpoint_url == "http://localhost:4566"


def test_all_options_parse() -> None:
    argv = [
        "--profile", "dev", "--region", "eu-west-1", "--role", ROLE,
        "--role-session-name", "nightly", "--external-id", "x-1", "--duration", "900",
        "--mfa-serial", "arn:aws:iam::123456789012:mfa/alice", "--mfa-token", "123456",
        "--endpoint-url", "http://127.0.0.1:5000", "--cache-dir", "/tmp/c", "--auth-debug",
    ]  # fmt: skip
    args = parser().parse_args(argv)
    assert args.role == ROLE
    assert args.role_session_name == "nightly"
    assert args.external_id == "x-1"
    assert args.duration == 900
    assert args.mfa_token == "123456"
    assert args.cache_dir == "/tmp/c"
    assert args.auth_debug is True


def test_secrets_are_masked_in_the_namespace_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    args = parser().parse_args([])
    assert SECRET not in repr(args)
    assert TOKEN not in repr(args)
    assert str(args.aws_secret_access_key) == SECRET
    assert repr(SecretStr("x")) == "'********'"


def test_help_shows_no_secret_even_when_the_environment_has_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENVKEYID")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    with pytest.raises(SystemExit) as info:
        parser().parse_args(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "--aws-secret-access-key" in out
    assert "$AWS_SECRET_ACCESS_KEY" in out
    for value in (SECRET, TOKEN, "AKIAENVKEYID"):
        assert value not in out


def test_parse_known_args_validates_and_returns_the_rest(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args, rest = parser().parse_known_args(["--profile", "dev", "--unknown", "x"])
    assert args.profile == "dev"
    assert rest == ["--unknown", "x"]
    with pytest.raises(SystemExit):
        parser().parse_known_args(["--aws-session-token", TOKEN, "--other"])
    assert "session token" in capsys.readouterr().err


# -------------------------------------------------------- invalid combinations


def test_token_without_keys_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    message = parse_error(capsys, ["--aws-session-token", TOKEN])
    assert "session token (--aws-session-token) needs an access key id" in message
    assert TOKEN not in message


def test_token_from_the_environment_without_keys_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    message = parse_error(capsys, [])
    assert "($AWS_SESSION_TOKEN)" in message


def test_key_id_without_secret_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    message = parse_error(capsys, ["--aws-access-key-id", "AKIAEXAMPLE"])
    assert "--aws-access-key-id was given without --aws-secret-access-key" in message


def test_secret_without_key_id_is_an_error_and_hides_the_secret(
    capsys: pytest.CaptureFixture[str],
) -> None:
    message = parse_error(capsys, ["--aws-secret-access-key", SECRET])
    assert "--aws-secret-access-key was given without --aws-access-key-id" in message
    assert SECRET not in message


def test_profile_plus_keys_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    message = parse_error(capsys, ["--profile", "dev", *KEYS])
    assert "either a profile or access keys, not both" in message
    assert SECRET not in message


def test_profile_plus_keys_both_in_the_environment_is_an_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "dev")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    message = parse_error(capsys, [])
    assert "$AWS_PROFILE and $AWS_ACCESS_KEY_ID were both given" in message


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--external-id", "x"], "--external-id has no effect without --role"),
        (["--mfa-token", "123456"], "--mfa-token has no effect without --mfa-serial"),
        (["--duration", "900"], "--duration has no effect without --role or --mfa-serial"),
        (["--role", ROLE, "--duration", "899"], "from 900 to 43200, got '899'"),
        (["--role", ROLE, "--duration", "43201"], "from 900 to 43200, got '43201'"),
        (["--role", ROLE, "--duration", "an hour"], "from 900 to 43200"),
        (["--role", "arn:aws:s3:::bucket"], "not an IAM role ARN"),
        (["--role", "deploy"], "not an IAM role ARN"),
        (["--role", ROLE, "--role-session-name", "a b"], "role session name is 2 to 64"),
        (["--endpoint-url", "localhost:4566"], "must start with http:// or https://"),
        (["--config-path", "/nonexistent/config"], "no such file: '/nonexistent/config'"),
        (["--credentials-path", "/nonexistent/creds"], "no such file"),
    ],
)
def test_invalid_option_values_are_argparse_errors(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    assert expected in parse_error(capsys, argv)


def test_a_malformed_mfa_code_is_not_echoed(capsys: pytest.CaptureFixture[str]) -> None:
    message = parse_error(
        capsys, ["--mfa-serial", "arn:aws:iam::123456789012:mfa/a", "--mfa-token", "98765x"]
    )
    assert "6-digit code" in message
    assert "98765x" not in message


def test_several_problems_are_reported_together(capsys: pytest.CaptureFixture[str]) -> None:
    message = parse_error(capsys, ["--aws-session-token", TOKEN, "--external-id", "x"])
    assert "session token" in message
    assert "--external-id" in message


# ----------------------------------------------------------- enforce_auth_type


@pytest.mark.parametrize(
    ("auth_type", "argv"),
    [
        ("keys", KEYS),
        ("keys", [*KEYS, "--aws-session-token", TOKEN]),
        ("keys_with_session", [*KEYS, "--aws-session-token", TOKEN]),
        ("profile", ["--profile", "dev"]),
        ("profile_role", ["--profile", "dev", "--role", ROLE]),
        ("config", ["--config-path", "{config}"]),
        ("config", ["--config-path", "{config}", "--profile", "dev"]),
        ("credentials", ["--credentials-path", "{config}"]),
    ],
)
def test_enforce_auth_type_accepts_what_it_requires(
    tmp_path: Path, auth_type: str, argv: list[str]
) -> None:
    config = tmp_path / "file"
    config.write_text("")
    args = parser(enforce_auth_type=auth_type).parse_args([a.format(config=config) for a in argv])
    assert args is not None


@pytest.mark.parametrize(
    ("auth_type", "argv", "expected"),
    [
        ("keys", [], "pass --aws-access-key-id (or $AWS_ACCESS_KEY_ID) and --aws-secret"),
        ("keys", ["--profile", "dev"], "pass --aws-access-key-id"),
        ("keys_with_session", KEYS, "pass --aws-session-token (or $AWS_SESSION_TOKEN)"),
        ("profile", [], "'profile': pass --profile (or $AWS_PROFILE)"),
        ("profile", KEYS, "'profile': pass --profile"),
        ("profile_role", ["--profile", "dev"], "'profile_role': pass --role"),
        ("profile_role", ["--role", ROLE], "'profile_role': pass --profile"),
        ("config", [], "'config': pass --config-path (or $AWS_CONFIG_FILE)"),
        ("config", ["--config-path", "{config}", *KEYS], "access keys are not accepted"),
        ("credentials", [], "pass --credentials-path (or $AWS_SHARED_CREDENTIALS_FILE)"),
        ("credentials", ["--credentials-path", "{config}", *KEYS], "keys are not accepted"),
    ],
)
def test_enforce_auth_type_refuses_what_is_missing(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    auth_type: str,
    argv: list[str],
    expected: str,
) -> None:
    monkeypatch.delenv("AWS_CONFIG_FILE")
    monkeypatch.delenv("AWS_SHARED_CREDENTIALS_FILE")
    config = tmp_path / "file"
    config.write_text("")
    message = parse_error(
        capsys, [a.format(config=config) for a in argv], enforce_auth_type=auth_type
    )
    assert expected in message


def test_enforce_auth_type_is_met_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    assert parser(enforce_auth_type="keys_with_session").parse_args([]).aws_session_token == TOKEN


def test_enforce_auth_type_profile_takes_the_constructor_profile() -> None:
    assert parser(profile="dev", enforce_auth_type="profile").parse_args([]).profile == "dev"


@pytest.mark.parametrize("bad", ["key", "KEYS", "", ["keys"]])
def test_unknown_enforce_auth_type_is_a_value_error(bad: Any) -> None:
    with pytest.raises(
        ValueError, match="enforce_auth_type must be one of keys, keys_with_session"
    ):
        parser(enforce_auth_type=bad)


def test_every_documented_auth_type_is_accepted() -> None:
    assert set(AUTH_TYPES) == {
        "keys", "keys_with_session", "profile", "profile_role", "config", "credentials"
    }  # fmt: skip
    for auth_type in AUTH_TYPES:
        parser(enforce_auth_type=auth_type)


def test_invalid_role_session_name_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="role_session_name must be 2 to 64"):
        AWSArgumentParser(role_session_name="has space")


# --------------------------------------------------------------- as a parent


def child_parser(**kwargs: Any) -> argparse.ArgumentParser:
    aws = AWSArgumentParser(role_session_name="tests", add_help=False, **kwargs)
    child = argparse.ArgumentParser(prog="prog", parents=[aws])
    child.add_argument("--bucket")
    return child


def test_child_parser_gets_the_options_and_validate_fills_env_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "dev")
    child = child_parser(region="eu-west-3")
    args = validate_auth_args(child.parse_args(["--bucket", "b"]), child)
    assert (args.bucket, args.profile, args.region) == ("b", "dev", "eu-west-3")


def test_child_parser_validation_exits_2_with_the_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    child = child_parser(enforce_auth_type="profile_role")
    args = child.parse_args(["--profile", "dev"])
    with pytest.raises(SystemExit) as info:
        validate_auth_args(args, child)
    assert info.value.code == 2
    assert "'profile_role': pass --role" in capsys.readouterr().err


def test_validate_auth_args_twice_reads_the_environment_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    child = child_parser()
    monkeypatch.setenv("AWS_PROFILE", "first")
    args = validate_auth_args(child.parse_args([]), child)
    monkeypatch.setenv("AWS_PROFILE", "second")
    assert validate_auth_args(args, child).profile == "first"


def test_aws_parser_as_the_child_of_an_app_parser_validates_itself(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = argparse.ArgumentParser(add_help=False)
    app.add_argument("--bucket")
    aws = AWSArgumentParser(role_session_name="tests", prog="prog", parents=[app])
    assert aws.parse_args(["--bucket", "b", "--profile", "dev"]).bucket == "b"
    with pytest.raises(SystemExit):
        aws.parse_args(["--bucket", "b", "--aws-session-token", TOKEN])
    assert "session token" in capsys.readouterr().err


def test_manager_from_args_checks_an_unvalidated_child_namespace() -> None:
    child = child_parser(enforce_auth_type="profile")
    args = child.parse_args([])  # validate_auth_args forgotten
    with pytest.raises(InvalidAuthArgumentsError, match="'profile': pass --profile"):
        manager_from_args(args)


def test_invalid_auth_arguments_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="access key needs both parts"):
        manager_from_args({"aws_access_key_id": "AKIAEXAMPLE"})


# ------------------------------------------------------ manager_from_args (moto)


def local_keys(aws: LocalAWS) -> list[str]:
    return [
        "--aws-access-key-id", TEST_ACCESS_KEY_ID,
        "--aws-secret-access-key", TEST_SECRET_ACCESS_KEY,
        "--endpoint-url", aws.endpoint_url,
        "--region", "us-east-1",
    ]  # fmt: skip


def test_keys_and_endpoint_build_a_manager_on_those_keys(aws: LocalAWS) -> None:
    bsm = manager_from_args(parser().parse_args(local_keys(aws)))
    assert bsm.aws_account_id == "123456789012"
    assert bsm.aws_region == "us-east-1"
    assert bsm.default_client_kwargs == {"endpoint_url": aws.endpoint_url}
    assert bsm.get_frozen_credentials().access_key == TEST_ACCESS_KEY_ID


def test_from_args_classmethod_builds_the_same(aws: LocalAWS) -> None:
    bsm = BotoSesManager.from_args(parser().parse_args(local_keys(aws)))
    assert isinstance(bsm, BotoSesManager)
    assert bsm.aws_account_id == "123456789012"


def test_role_is_assumed_in_the_other_account(aws: LocalAWS, bsm: BotoSesManager) -> None:
    role_arn = create_role(bsm, account_id="111122223333")
    argv = [*local_keys(aws), "--role", role_arn, "--role-session-name", "nightly"]
    argv += ["--external-id", "ext-1", "--duration", "900"]
    assumed = manager_from_args(parser().parse_args(argv))
    assert assumed.aws_account_id == "111122223333"
    assert assumed.principal_arn.endswith(":assumed-role/test-role/nightly")
    assert assumed.aws_region == "us-east-1"


def test_role_without_session_name_uses_the_parser_default(
    aws: LocalAWS, bsm: BotoSesManager
) -> None:
    role_arn = create_role(bsm, account_id="111122223333")
    args = parser(role_session_name="from-constructor").parse_args(
        [*local_keys(aws), "--role", role_arn]
    )
    assert manager_from_args(args).principal_arn.endswith("/from-constructor")


def test_role_with_auto_refresh(aws: LocalAWS, bsm: BotoSesManager) -> None:
    role_arn = create_role(bsm, account_id="111122223333")
    args = parser().parse_args([*local_keys(aws), "--role", role_arn])
    assumed = manager_from_args(args, auto_refresh=True)
    assert assumed.aws_account_id == "111122223333"


def test_role_with_mfa_token_and_cache_dir(
    aws: LocalAWS, bsm: BotoSesManager, tmp_path: Path
) -> None:
    role_arn = create_role(bsm, account_id="111122223333")
    argv = [*local_keys(aws), "--role", role_arn, "--cache-dir", str(tmp_path / "cache")]
    argv += ["--mfa-serial", "arn:aws:iam::123456789012:mfa/alice", "--mfa-token", "123456"]
    assumed = manager_from_args(parser().parse_args(argv))
    assert assumed.aws_account_id == "111122223333"
    assert list((tmp_path / "cache").iterdir())


def test_mfa_serial_without_role_opens_an_mfa_session(aws: LocalAWS) -> None:
    argv = [*local_keys(aws), "--mfa-serial", "arn:aws:iam::123456789012:mfa/alice"]
    argv += ["--mfa-token", "123456", "--duration", "900"]
    session = manager_from_args(parser().parse_args(argv))
    assert session.aws_session_token
    assert session.aws_account_id == "123456789012"


def test_mfa_code_is_asked_on_the_terminal_when_not_given(
    aws: LocalAWS, bsm: BotoSesManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts: list[str] = []

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    def fake_getpass(prompt: str) -> str:
        prompts.append(prompt)
        return "654321"

    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", fake_getpass)
    role_arn = create_role(bsm, account_id="111122223333")
    argv = [*local_keys(aws), "--role", role_arn, "--mfa-serial", "arn:aws:iam::123456789012:mfa/a"]
    assert manager_from_args(parser().parse_args(argv)).aws_account_id == "111122223333"
    assert prompts == ["MFA code for arn:aws:iam::12********12:mfa/a: "]


def test_mfa_code_without_a_terminal_is_a_clear_error(
    aws: LocalAWS, bsm: BotoSesManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO())
    role_arn = create_role(bsm, account_id="111122223333")
    argv = [*local_keys(aws), "--role", role_arn, "--mfa-serial", "arn:aws:iam::123456789012:mfa/a"]
    with pytest.raises(InvalidAuthArgumentsError, match="no terminal to ask for the code"):
        manager_from_args(parser().parse_args(argv))


def test_profile_from_config_and_credentials_files(aws: LocalAWS, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("[profile dev]\nregion = eu-west-1\n")
    credentials = tmp_path / "credentials"
    credentials.write_text(
        f"[dev]\naws_access_key_id = {TEST_ACCESS_KEY_ID}\n"
        f"aws_secret_access_key = {TEST_SECRET_ACCESS_KEY}\n"
    )
    argv = ["--profile", "dev", "--config-path", str(config)]
    argv += ["--credentials-path", str(credentials), "--endpoint-url", aws.endpoint_url]
    bsm = manager_from_args(parser(enforce_auth_type="profile").parse_args(argv))
    assert bsm.aws_region == "eu-west-1"
    assert bsm.aws_account_id == "123456789012"
    assert bsm.get_frozen_credentials().access_key == TEST_ACCESS_KEY_ID


def test_mapping_with_unknown_keys_is_accepted(aws: LocalAWS) -> None:
    args = vars(parser().parse_args(local_keys(aws)))
    args["bucket"] = "ignored"
    args["verbose"] = 3
    assert manager_from_args(args).aws_account_id == "123456789012"


def test_namespace_is_not_changed(aws: LocalAWS) -> None:
    child = child_parser()
    args = child.parse_args(local_keys(aws))
    before = vars(args).copy()
    manager_from_args(args)
    assert vars(args) == before


def test_other_namespace_types_are_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"argparse\.Namespace or a mapping, got list"):
        manager_from_args([])  # type: ignore[arg-type]


def test_manager_class_is_used(aws: LocalAWS) -> None:
    class Mine(BotoSesManager):
        pass

    assert type(manager_from_args(parser().parse_args(local_keys(aws)), Mine)) is Mine


# --------------------------------------------------------------- --auth-debug


def test_auth_debug_prints_masked_principal_and_exits_0(
    aws: LocalAWS, capsys: pytest.CaptureFixture[str]
) -> None:
    args = parser().parse_args([*local_keys(aws), "--role", ROLE, "--auth-debug"])
    with pytest.raises(SystemExit) as info:
        manager_from_args(args)
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "credentials: access keys, from --aws-access-key-id" in out
    assert "credential source: " in out
    assert "principal: arn:aws:sts::12********12:user/moto" in out
    assert "account: 12********12" in out
    assert "then: assume role arn:aws:iam::11********33:role/deploy as session 'tests'" in out
    for secret in ("123456789012", "111122223333", TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY):
        assert secret not in out


def test_auth_debug_names_the_environment_source(
    aws: LocalAWS, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", TEST_ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", TEST_SECRET_ACCESS_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    args = parser().parse_args(["--endpoint-url", aws.endpoint_url, "--auth-debug"])
    with pytest.raises(SystemExit) as info:
        BotoSesManager.from_args(args)
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "from $AWS_ACCESS_KEY_ID" in out
    assert "region: eu-central-1 (from $AWS_DEFAULT_REGION)" in out
    assert TEST_SECRET_ACCESS_KEY not in out


def test_auth_debug_without_credentials_exits_1_with_the_reason(
    aws: LocalAWS, capsys: pytest.CaptureFixture[str]
) -> None:
    args = parser().parse_args(["--endpoint-url", aws.endpoint_url, "--auth-debug"])
    with pytest.raises(SystemExit) as info:
        manager_from_args(args)
    assert info.value.code == 1
    out = capsys.readouterr().out
    assert "boto3's default chain" in out
    assert "the credentials do not work" in out


def test_the_underscore_spelling_of_role_session_name_is_accepted() -> None:
    parser = AWSArgumentParser(role_session_name="default-name")
    assert parser.parse_args(["--role_session_name", "mine"]).role_session_name == "mine"


def test_check_auth_args_reads_only_what_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    from boto_session_manager.cli_args import check_auth_args

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFROMENV")
    check_auth_args({"profile": "dev"})  # the environment's key is not counted
    check_auth_args(argparse.Namespace(aws_access_key_id="a", aws_secret_access_key="b"))
    with pytest.raises(InvalidAuthArgumentsError, match="--profile"):
        check_auth_args({"profile": "dev", "aws_access_key_id": "a", "aws_secret_access_key": "b"})
    with pytest.raises(TypeError):
        check_auth_args(["profile"])  # type: ignore[arg-type]
