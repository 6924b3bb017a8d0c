"""The region order (argument, AWS_REGION, AWS_DEFAULT_REGION, profile), same in library and CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager.cli_args import AWSArgumentParser
from boto_session_manager.region import REGION_VARIABLES, resolve_region


def test_the_argument_wins_then_aws_region_then_aws_default_region() -> None:
    both = {"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-2"}

    assert resolve_region("ap-south-1", both) == "ap-south-1"
    assert resolve_region(None, both) == "eu-west-1"
    assert resolve_region(None, {"AWS_DEFAULT_REGION": "us-east-2"}) == "us-east-2"
    assert resolve_region(None, {}) is None


def test_a_manager_honours_aws_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-2")

    assert BotoSesManager("AKIAEXAMPLE", "secret").aws_region == "eu-west-1"
    assert (
        BotoSesManager("AKIAEXAMPLE", "secret", region_name="sa-east-1").aws_region == "sa-east-1"
    )


def test_the_profile_answers_last(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("[profile dev]\nregion = ca-central-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))

    assert BotoSesManager(profile_name="dev").aws_region == "ca-central-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-2")
    assert BotoSesManager(profile_name="dev").aws_region == "us-east-2"


def test_the_command_line_reads_the_same_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-2")

    args = AWSArgumentParser(role_session_name="region-test").parse_args([])

    assert REGION_VARIABLES == ("AWS_REGION", "AWS_DEFAULT_REGION")
    assert args.region == resolve_region(None) == "eu-west-1"
