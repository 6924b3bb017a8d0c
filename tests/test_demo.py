"""bsm demo end to end, as a user runs it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager.cli import main
from boto_session_manager.testing import LocalAWS

from .helpers import OTHER_ACCOUNT, create_role


@pytest.mark.slow
def test_bsm_demo_runs_end_to_end_and_exits_zero_past_a_broken_user_configuration(
    tmp_path: Path,
) -> None:
    """One run (the demo takes seconds), as a user whose AWS configuration is broken.

    The environment names a profile that does not exist and points the
    config and credentials files at a garbled file: the demo shuts them out
    and every step still runs.
    """
    garbled = tmp_path / "config"
    garbled.write_bytes(b"[profile broken\n\xff\xfe = =\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_PROFILE="no-such-profile",
        AWS_DEFAULT_PROFILE="no-such-profile",
        AWS_CONFIG_FILE=str(garbled),
        AWS_SHARED_CREDENTIALS_FILE=str(garbled),
    )
    result = subprocess.run(
        [sys.executable, "-m", "boto_session_manager", "demo", "--accounts", "2"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    for step in (
        "Who am I",
        "role chain",
        "Secrets Manager",
        "S3",
        "DynamoDB",
        "Fan out",
        "bsm each",
        "child process",
    ):
        assert step in result.stdout
    # bsm each ran in the prod account (member-0) in two regions, all ok
    assert "member-0 us-east-1" in result.stdout and "member-0 eu-west-1" in result.stdout
    assert "| ok      | 2" in result.stdout and "exit status 0" in result.stdout
    assert "1100" in result.stdout
    assert "correct horse" not in result.stdout  # the demo secret is masked
    assert "Traceback" not in result.stderr


def test_demo_rejects_a_silly_account_count() -> None:
    out = io.StringIO()
    assert main(["demo", "--accounts", "0"], out=out) == 2


def test_demo_child_step_keeps_the_users_endpoint_variable(
    bsm: BotoSesManager, aws: LocalAWS, monkeypatch: pytest.MonkeyPatch
) -> None:
    from boto_session_manager.demo import _child_process, _Report

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://user-set:4566")
    role = bsm.assume_role(create_role(bsm, account_id=OTHER_ACCOUNT))
    _child_process(_Report(io.StringIO()), role, aws.endpoint_url)
    assert os.environ["AWS_ENDPOINT_URL"] == "http://user-set:4566"


def test_the_demo_environment_shuts_out_every_user_aws_variable() -> None:
    from boto_session_manager.demo import isolated_environment

    env = isolated_environment({"AWS_PROFILE": "x", "AWS_ACCESS_KEY_ID": "k", "HOME": "/h"})
    assert env["AWS_PROFILE"] is None
    assert env["AWS_ACCESS_KEY_ID"] is None
    assert env["AWS_CONFIG_FILE"] == os.devnull
    assert env["AWS_SHARED_CREDENTIALS_FILE"] == os.devnull
    assert "HOME" not in env
