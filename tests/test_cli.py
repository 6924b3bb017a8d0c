"""The bsm command against moto's server.

Run as users run it (a subprocess) where the process is the point: the
entry point, exec's child, signals, nesting, what gets imported, the
traceback of --debug. Run in this process (``main()``, as the console
script calls it) where the point is what a command writes and returns.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager.cli import main
from boto_session_manager.testing import DEFAULT_ACCOUNT_ID, LocalAWS

from .helpers import OTHER_ACCOUNT, create_role, parse_github_env

KEY, SECRET = "AKIACLITESTKEY000000", "cli-test-secret-value"
CHILD_WHOAMI = "import boto3; print(boto3.client('sts').get_caller_identity()['Account'])"


def auth(aws: LocalAWS) -> list[str]:
    return [
        "--aws-access-key-id", KEY,
        "--aws-secret-access-key", SECRET,
        "--region", "us-east-1",
        "--endpoint-url", aws.endpoint_url,
    ]  # fmt: skip


def bsm_run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "boto_session_manager", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )


def bsm_main(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``bsm`` in this process: ``main()`` with its output and stderr captured.

    Returns what :func:`bsm_run` returns, without paying for a new
    interpreter; usage errors (argparse's ``SystemExit``) become the status.
    """
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stderr(err):
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        try:
            code = main(list(args), out=out)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("bsm: error: ") or lines[0].startswith("usage:") is False
    return lines[0]


# ------------------------------------------------------------------------ whoami


def test_whoami_text_is_masked(aws: LocalAWS) -> None:
    result = bsm_run("whoami", *auth(aws))
    assert result.returncode == 0, result.stderr
    assert "12********12" in result.stdout
    assert DEFAULT_ACCOUNT_ID not in result.stdout
    assert "Expires" in result.stdout and "never" in result.stdout


def test_whoami_json_no_mask_with_role(bsm: BotoSesManager, aws: LocalAWS) -> None:
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    result = bsm_main("whoami", *auth(aws), "--role", arn, "--json", "--no-mask")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["account_id"] == OTHER_ACCOUNT
    assert info["credential_source"] == "assume-role"
    assert info["region"] == "us-east-1"
    assert info["expiration"] != "never"
    assert SECRET not in result.stdout


def test_whoami_unknown_profile_is_one_line(aws: LocalAWS) -> None:
    result = bsm_main(
        "whoami", "--profile", "nope", "--endpoint-url", aws.endpoint_url, "--region", "us-east-1"
    )
    assert result.returncode == 1
    assert "profile not found: 'nope'" in one_line_error(result)


def test_whoami_without_credentials_is_one_line(aws: LocalAWS) -> None:
    result = bsm_main("whoami", "--endpoint-url", aws.endpoint_url, "--region", "us-east-1")
    assert result.returncode == 1
    assert "no credentials" in one_line_error(result)


def test_bad_role_arn_is_a_usage_error(aws: LocalAWS) -> None:
    result = bsm_main("whoami", *auth(aws), "--role", "arn:aws:s3:::bucket")
    assert result.returncode == 2
    assert "--role" in result.stderr
    assert "Traceback" not in result.stderr


def test_access_denied_is_one_line(aws: LocalAWS) -> None:
    # The role does not exist in moto's IAM, but moto still lets it be assumed;
    # an invalid duration is refused by argparse, an STS refusal by AWS:
    result = bsm_main(
        "whoami", *auth(aws), "--role", "arn:aws:iam::111122223333:role/x", "--duration", "10"
    )
    assert result.returncode == 2
    assert "--duration" in result.stderr


def test_debug_shows_the_traceback(aws: LocalAWS) -> None:
    result = bsm_run("--debug", "whoami", "--profile", "nope", "--endpoint-url", aws.endpoint_url)
    assert result.returncode == 1
    assert "Traceback" in result.stderr


def test_help_and_version_do_not_import_boto3() -> None:
    for args in (["--help"], ["--version"], ["whoami", "--help"], ["exec", "--help"]):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "boto_session_manager", *args],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0
        imported = [
            line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line
        ]
        assert "boto3" not in imported, args
        assert "botocore" not in imported, args
    assert bsm_run("--version").stdout.startswith("bsm ")


# -------------------------------------------------------------------------- exec


def test_exec_child_acts_as_the_assumed_role(bsm: BotoSesManager, aws: LocalAWS) -> None:
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    result = bsm_run("exec", *auth(aws), "--role", arn, "--", sys.executable, "-c", CHILD_WHOAMI)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == OTHER_ACCOUNT


def test_exec_sets_expiration_and_returns_the_exit_code(bsm: BotoSesManager, aws: LocalAWS) -> None:
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    code = (
        "import os, sys; "
        "print(os.environ['AWS_CREDENTIAL_EXPIRATION']); "
        "print('AWS_PROFILE' in os.environ); sys.exit(3)"
    )
    result = bsm_run(
        "exec",
        *auth(aws),
        "--role",
        arn,
        "--",
        sys.executable,
        "-c",
        code,
        env={"AWS_PROFILE": "x"},
    )
    assert result.returncode == 3
    expiry, has_profile = result.stdout.split()
    assert expiry.startswith("20")
    assert has_profile == "False"


def test_exec_refuses_to_nest_unless_asked(aws: LocalAWS) -> None:
    inner = [
        sys.executable,
        "-m",
        "boto_session_manager",
        "exec",
        *auth(aws),
        "--",
        sys.executable,
        "-c",
        "print('inner')",
    ]
    refused = bsm_run("exec", *auth(aws), "--", *inner)
    assert refused.returncode == 2
    assert "--nested" in refused.stderr
    nested = [*inner[:4], "--nested", *inner[4:]]
    allowed = bsm_run("exec", *auth(aws), "--", *nested)
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout.strip() == "inner"


def test_exec_unknown_command_is_127(aws: LocalAWS) -> None:
    result = bsm_main("exec", *auth(aws), "--", "definitely-not-a-command-xyz")
    assert result.returncode == 127
    assert "command not found" in one_line_error(result)


def test_exec_without_command_is_usage_error(aws: LocalAWS) -> None:
    result = bsm_main("exec", *auth(aws))
    assert result.returncode == 2


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_exec_forwards_signals_to_the_child(aws: LocalAWS, tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    child = (
        "import signal, sys, time, pathlib\n"
        "signal.signal(signal.SIGTERM, lambda *a: sys.exit(42))\n"
        f"pathlib.Path({str(ready)!r}).write_text('x')\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "boto_session_manager",
            "exec",
            *auth(aws),
            "--",
            sys.executable,
            "-c",
            child,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 42


# --------------------------------------------------------------------------- env


def test_env_sh_evaluates_in_a_shell(aws: LocalAWS) -> None:
    result = bsm_run("env", *auth(aws), "--format", "sh")
    assert result.returncode == 0, result.stderr
    check = subprocess.run(
        [
            "bash",
            "-c",
            result.stdout
            + '\necho "$AWS_ACCESS_KEY_ID $AWS_DEFAULT_REGION ${AWS_SESSION_TOKEN-unset}"',
        ],
        capture_output=True,
        text=True,
        env={"AWS_SESSION_TOKEN": "stale", "PATH": os.environ["PATH"]},
    )
    assert check.stdout.split() == [KEY, "us-east-1", "unset"]


def test_env_json_and_dotenv(bsm: BotoSesManager, aws: LocalAWS) -> None:
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    as_json = json.loads(bsm_main("env", *auth(aws), "--role", arn, "--format", "json").stdout)
    assert as_json["AWS_SESSION_TOKEN"]
    assert as_json["AWS_ENDPOINT_URL"] == aws.endpoint_url
    dotenv = bsm_main("env", *auth(aws), "--format", "dotenv").stdout
    parsed = dict(line.split("=", 1) for line in dotenv.splitlines())
    assert parsed["AWS_ACCESS_KEY_ID"] == KEY
    assert "AWS_SESSION_TOKEN" not in parsed


@pytest.mark.parametrize(
    ("fmt", "set_line", "unset_line"),
    [
        ("fish", f"set -gx AWS_ACCESS_KEY_ID '{KEY}';", "set -e AWS_SESSION_TOKEN;"),
        (
            "powershell",
            f"$Env:AWS_ACCESS_KEY_ID = '{KEY}'",
            "Remove-Item Env:AWS_SESSION_TOKEN -ErrorAction SilentlyContinue",
        ),
    ],
)
def test_env_fish_and_powershell(aws: LocalAWS, fmt: str, set_line: str, unset_line: str) -> None:
    out = io.StringIO()
    assert main(["env", *auth(aws), "--format", fmt], out=out) == 0
    lines = out.getvalue().splitlines()
    assert set_line in lines
    assert unset_line in lines


def test_env_github_masks_secrets_and_writes_github_env(
    bsm: BotoSesManager, aws: LocalAWS, tmp_path: Path
) -> None:
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    github_env = tmp_path / "github_env"
    result = bsm_main(
        "env",
        *auth(aws),
        "--role",
        arn,
        "--format",
        "github",
        env={"GITHUB_ENV": str(github_env), "GITHUB_ACTIONS": "true"},
    )
    assert result.returncode == 0, result.stderr
    written = parse_github_env(github_env.read_text())
    masks = [
        line.removeprefix("::add-mask::")
        for line in result.stdout.splitlines()
        if line.startswith("::add-mask::")
    ]
    assert written["AWS_SECRET_ACCESS_KEY"] in masks
    assert written["AWS_SESSION_TOKEN"] in masks
    assert written["AWS_SESSION_TOKEN"] not in result.stdout.replace(
        "::add-mask::" + written["AWS_SESSION_TOKEN"], ""
    )


def test_env_github_outside_actions_is_a_usage_error(aws: LocalAWS) -> None:
    result = bsm_main("env", *auth(aws), "--format", "github")
    assert result.returncode == 2
    assert "GITHUB_ENV" in one_line_error(result)


def test_env_rejects_unknown_format(aws: LocalAWS) -> None:
    result = bsm_main("env", *auth(aws), "--format", "xml")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


# ------------------------------------------------------------ credential-process


def test_credential_process_is_consumed_by_a_boto3_profile(
    bsm: BotoSesManager, aws: LocalAWS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    command = " ".join(
        [sys.executable, "-m", "boto_session_manager", "credential-process", *auth(aws), "--role", arn,
         "--cache-dir", str(tmp_path / "cache")]
    )  # fmt: skip
    config = tmp_path / "config"
    config.write_text(f"[profile via-bsm]\ncredential_process = {command}\nregion = us-east-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    session = boto3.session.Session(profile_name="via-bsm")
    sts = session.client("sts", endpoint_url=aws.endpoint_url)
    assert sts.get_caller_identity()["Account"] == OTHER_ACCOUNT
    document = json.loads(
        bsm_main(
            "credential-process", *auth(aws), "--role", arn, "--cache-dir", str(tmp_path / "cache")
        ).stdout
    )
    assert document["Version"] == 1
    assert document["AccessKeyId"] == session.get_credentials().get_frozen_credentials().access_key
    assert set(document) == {
        "Version",
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
    }
    for file in (tmp_path / "cache").iterdir():
        assert stat.S_IMODE(file.stat().st_mode) == 0o600


def test_credential_process_static_keys_have_no_expiration(aws: LocalAWS) -> None:
    out = io.StringIO()
    assert main(["credential-process", *auth(aws)], out=out) == 0
    assert json.loads(out.getvalue()) == {
        "Version": 1,
        "AccessKeyId": KEY,
        "SecretAccessKey": SECRET,
    }


# ---------------------------------------------------------------------- snapshot


def test_snapshot_save_then_show(aws: LocalAWS, tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    saved = bsm_main("snapshot", "save", str(path), *auth(aws))
    assert saved.returncode == 0, saved.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    shown = bsm_main("snapshot", "show", str(path))
    assert shown.returncode == 0
    assert KEY in shown.stdout
    assert SECRET not in shown.stdout
    revealed = bsm_main("snapshot", "show", str(path), "--reveal")
    assert SECRET in revealed.stdout
    again = bsm_main("snapshot", "save", str(path), *auth(aws))
    assert again.returncode == 1
    assert "already exists" in one_line_error(again)
    assert bsm_main("snapshot", "save", str(path), *auth(aws), "--force").returncode == 0


def test_snapshot_show_default_path_and_missing_file(home: Path) -> None:
    out = io.StringIO()
    result = bsm_main("snapshot", "show", env={"HOME": str(home)})
    assert result.returncode == 1
    assert ".bsm-snapshot.json" in one_line_error(result)
    assert "does not exist" in result.stderr
    assert out.getvalue() == ""


def test_snapshot_without_action_is_usage_error() -> None:
    result = bsm_main("snapshot")
    assert result.returncode == 2
