"""bsm in CI: $GITHUB_ENV, masking, JSON for scripts, expired credentials, refusals.

In-process (``main(argv, out=...)``) against moto's server, so each case is fast.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from boto_session_manager.cli import _dotenv, _github_env, github_masks, main
from boto_session_manager.testing import DEFAULT_ACCOUNT_ID, LocalAWS

from .helpers import parse_github_env

KEY, SECRET = "AKIACITESTKEY0000000", "ci-test-secret-sentinel"


def auth(aws: LocalAWS) -> list[str]:
    return [
        "--aws-access-key-id", KEY,
        "--aws-secret-access-key", SECRET,
        "--region", "us-east-1",
        "--endpoint-url", aws.endpoint_url,
    ]  # fmt: skip


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue(), capsys.readouterr().err


# ---------------------------------------------------------------- $GITHUB_ENV


def test_github_env_is_created_private_with_the_delimiter_syntax(
    aws: LocalAWS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "github_env"
    monkeypatch.setenv("GITHUB_ENV", str(target))
    code, _out, err = run(["env", *auth(aws), "--format", "github"], capsys)
    assert code == 0, err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    text = target.read_text()
    assert re.search(r"^AWS_SECRET_ACCESS_KEY<<ghadelimiter_[0-9a-f]{32}$", text, re.M)
    assert parse_github_env(text)["AWS_SECRET_ACCESS_KEY"] == SECRET
    assert parse_github_env(text)["AWS_ACCESS_KEY_ID"] == KEY


def test_a_newline_in_a_value_cannot_add_another_variable(tmp_path: Path) -> None:
    target = tmp_path / "github_env"
    target.write_text("EXISTING=1\n")
    hostile = "value\nINJECTED=1\nghadelimiter_\nEOF"
    args = argparse.Namespace(github_env=str(target))
    _github_env(args, {"AWS_REGION": hostile, "AWS_PROFILE": None}, io.StringIO())
    assert parse_github_env(target.read_text()) == {"EXISTING": "1", "AWS_REGION": hostile}


def test_every_line_of_a_multi_line_secret_is_masked() -> None:
    env = {"AWS_SECRET_ACCESS_KEY": "one", "AWS_SESSION_TOKEN": "line-1\nline-2\r\n\nline-3"}
    assert github_masks(env) == [
        "::add-mask::one\n",
        "::add-mask::line-1\n",
        "::add-mask::line-2\n",
        "::add-mask::line-3\n",
    ]


def test_secrets_are_masked_only_inside_github_actions(
    aws: LocalAWS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "github_env"
    argv = ["env", *auth(aws), "--format", "github", "--github-env", str(target)]
    code, out, _ = run(argv, capsys)
    assert code == 0
    assert SECRET not in out  # outside Actions stdout is a terminal: never print the secret
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out, _ = run(argv, capsys)
    assert code == 0
    assert f"::add-mask::{SECRET}\n" in out


def test_github_env_with_another_format_is_a_usage_error(
    aws: LocalAWS, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        ["env", *auth(aws), "--format", "sh", "--github-env", str(tmp_path / "x")], capsys
    )
    assert code == 2
    assert "--github-env" in err and "--format github" in err
    assert out == ""
    assert not (tmp_path / "x").exists()


def test_an_unwritable_github_env_is_one_line_naming_the_flag(
    aws: LocalAWS, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "real").write_text("")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    argv = ["env", *auth(aws), "--format", "github", "--github-env", str(tmp_path / "link")]
    code, _, err = run(argv, capsys)
    assert code == 1
    assert "--github-env" in err
    assert (tmp_path / "real").read_text() == ""


def test_dotenv_values_cannot_break_out_of_their_quotes() -> None:
    assert _dotenv("A", "plain") == "A=plain"
    assert _dotenv("A", 'x"\nB=1\\') == 'A="x\\"\\nB=1\\\\"'


# -------------------------------------------------------------- whoami --json


def test_whoami_json_has_null_expiry_and_the_real_account_id(
    aws: LocalAWS, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["whoami", *auth(aws), "--json"], capsys)
    assert code == 0, err
    info = json.loads(out)
    assert info["expiration"] is None
    assert info["account_id"] == DEFAULT_ACCOUNT_ID
    assert DEFAULT_ACCOUNT_ID in info["principal_arn"]
    code, out, _ = run(["whoami", *auth(aws)], capsys)
    assert DEFAULT_ACCOUNT_ID not in out  # human output stays masked
    assert "never" in out


# ----------------------------------------------------------------- snapshots


def write_snapshot(path: Path, *, expires_in: timedelta) -> None:
    document = {
        "region_name": "us-east-1",
        "aws_access_key_id": KEY,
        "aws_secret_access_key": SECRET,
        "aws_session_token": "ci-token-sentinel",
        "expiration_time": (datetime.now(timezone.utc) + expires_in).isoformat(),
    }
    path.write_text(json.dumps(document))
    os.chmod(path, 0o600)


def test_snapshot_save_refusal_names_force(
    aws: LocalAWS, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "snap.json"
    path.write_text("mine")
    code, _, err = run(["snapshot", "save", str(path), *auth(aws)], capsys)
    assert code == 1
    assert "--force" in err and str(path) in err
    assert path.read_text() == "mine"
    code, _, err = run(["snapshot", "save", str(path), *auth(aws), "--force"], capsys)
    assert code == 0, err
    assert json.loads(path.read_text())["aws_access_key_id"] == KEY


def test_snapshot_show_marks_an_expired_snapshot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "snap.json"
    write_snapshot(path, expires_in=timedelta(minutes=-1))
    code, out, err = run(["snapshot", "show", str(path)], capsys)
    assert code == 0, err
    assert "(EXPIRED)" in out
    write_snapshot(path, expires_in=timedelta(hours=1))
    code, out, _ = run(["snapshot", "show", str(path)], capsys)
    assert "EXPIRED" not in out


@pytest.mark.parametrize(
    "command",
    [
        ["env", "--format", "json"],
        ["credential-process"],
        ["exec", "--", "true"],
        ["whoami"],
    ],
)
def test_expired_snapshots_are_refused_naming_the_override(
    aws: LocalAWS, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    path = tmp_path / "snap.json"
    write_snapshot(path, expires_in=timedelta(minutes=-1))
    argv = [command[0], "--snapshot", str(path), "--endpoint-url", aws.endpoint_url, *command[1:]]
    code, out, err = run(argv, capsys)
    assert code == 1
    assert "expired" in err and "--allow-expired" in err
    assert str(path) in err
    assert SECRET not in out + err


def test_allow_expired_hands_expired_credentials_over(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "snap.json"
    write_snapshot(path, expires_in=timedelta(minutes=-1))
    code, out, err = run(["credential-process", "--snapshot", str(path), "--allow-expired"], capsys)
    assert code == 0, err
    assert json.loads(out)["AccessKeyId"] == KEY


def test_a_fresh_snapshot_feeds_env(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "snap.json"
    write_snapshot(path, expires_in=timedelta(hours=1))
    code, out, err = run(["env", "--snapshot", str(path), "--format", "json"], capsys)
    assert code == 0, err
    assert json.loads(out)["AWS_SESSION_TOKEN"] == "ci-token-sentinel"


def test_expired_credentials_from_the_auth_options_are_refused_too(
    aws: LocalAWS, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from boto_session_manager import cli

    past = datetime.now(timezone.utc) - timedelta(minutes=1)

    class Expired:
        credential_expiration = past

    args = argparse.Namespace(command="env", allow_expired=False)
    with pytest.raises(cli.CommandError, match="--allow-expired"):
        cli.refuse_expired(args, Expired())  # type: ignore[arg-type]
    cli.refuse_expired(argparse.Namespace(command="env", allow_expired=True), Expired())  # type: ignore[arg-type]
