"""bsm demo end to end, as a user runs it."""

from __future__ import annotations

import io
import os
import subprocess
import sys

from boto_session_manager.cli import main


def test_bsm_demo_runs_end_to_end_and_exits_zero() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "boto_session_manager", "demo", "--accounts", "2"],
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
    )
    assert result.returncode == 0, result.stderr
    for step in (
        "Who am I",
        "role chain",
        "Secrets Manager",
        "S3",
        "DynamoDB",
        "Fan out",
        "child process",
    ):
        assert step in result.stdout
    assert "1100" in result.stdout
    assert "correct horse" not in result.stdout  # the demo secret is masked
    assert "Traceback" not in result.stderr


def test_demo_rejects_a_silly_account_count() -> None:
    out = io.StringIO()
    assert main(["demo", "--accounts", "0"], out=out) == 2
