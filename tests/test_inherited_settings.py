"""Managers derived from another keep the client settings of its profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager.session import client_settings
from boto_session_manager.testing import TEST_SECRET_ACCESS_KEY, LocalAWS


def _write_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, endpoint: str) -> Path:
    bundle = tmp_path / "proxy-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
    config = tmp_path / "config"
    config.write_text(
        "[profile tuned]\n"
        "region = us-east-1\n"
        "aws_access_key_id = testing\n"
        f"aws_secret_access_key = {TEST_SECRET_ACCESS_KEY}\n"
        f"ca_bundle = {bundle}\n"
        "use_fips_endpoint = true\n"
        "use_dualstack_endpoint = true\n"
        "retry_mode = standard\n"
        "max_attempts = 7\n"
        "sts_regional_endpoints = regional\n"
        "services = local\n"
        "\n[services local]\n"
        f"sts =\n  endpoint_url = {endpoint}\n"
        f"s3 =\n  endpoint_url = {endpoint}\n"
        f"iam =\n  endpoint_url = {endpoint}\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    return bundle


def _assert_same_settings(manager: BotoSesManager, endpoint: str, bundle: Path) -> None:
    for service in ("sts", "s3"):
        client = manager.boto_ses.client(service)
        assert client.meta.endpoint_url == endpoint
        assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 7}
        assert client.meta.config.use_fips_endpoint is True
        assert client.meta.config.use_dualstack_endpoint is True
    settings = client_settings(manager.boto_ses)
    assert settings["ca_bundle"] == str(bundle)
    assert settings["sts_regional_endpoints"] == "regional"


@pytest.fixture
def tuned(
    aws: LocalAWS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[BotoSesManager, Path]:
    bundle = _write_profile(tmp_path, monkeypatch, aws.endpoint_url)
    return BotoSesManager(profile_name="tuned"), bundle


def test_the_profile_settings_reach_the_parent_clients(
    tuned: tuple[BotoSesManager, Path], aws: LocalAWS
) -> None:
    parent, bundle = tuned
    _assert_same_settings(parent, aws.endpoint_url, bundle)


def test_assumed_role_keeps_the_parent_client_settings(
    tuned: tuple[BotoSesManager, Path], aws: LocalAWS, role_arn: str
) -> None:
    parent, bundle = tuned
    role = parent.assume_role(role_arn)
    _assert_same_settings(role, aws.endpoint_url, bundle)
    assert role.sts_client.get_caller_identity()["Arn"].startswith("arn:aws:sts::")
    refreshing = parent.assume_role(role_arn, auto_refresh=True)
    _assert_same_settings(refreshing, aws.endpoint_url, bundle)


def test_session_token_manager_keeps_the_parent_client_settings(
    tuned: tuple[BotoSesManager, Path], aws: LocalAWS
) -> None:
    parent, bundle = tuned
    session = parent.get_session_token()
    _assert_same_settings(session, aws.endpoint_url, bundle)
    assert session.aws_access_key_id != "testing"


def test_manager_in_another_region_keeps_the_client_settings(
    tuned: tuple[BotoSesManager, Path], aws: LocalAWS
) -> None:
    parent, bundle = tuned
    other = parent.in_region("eu-west-1")
    _assert_same_settings(other, aws.endpoint_url, bundle)
    assert other.boto_ses.region_name == "eu-west-1"


def test_environment_endpoint_of_a_service_reaches_derived_managers(
    aws: LocalAWS, monkeypatch: pytest.MonkeyPatch, role_arn: str
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", aws.endpoint_url)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "4")
    parent = BotoSesManager(
        aws_access_key_id="testing",
        aws_secret_access_key=TEST_SECRET_ACCESS_KEY,
        region_name="us-east-1",
    )
    role = parent.assume_role(role_arn)
    client = role.boto_ses.client("sts")
    assert client.meta.endpoint_url == aws.endpoint_url
    assert client.meta.config.retries["total_max_attempts"] == 4


def test_client_settings_leave_out_what_is_unset(aws: LocalAWS) -> None:
    settings = client_settings(aws.manager().boto_ses)
    assert "ca_bundle" not in settings
    assert "profile" not in settings
