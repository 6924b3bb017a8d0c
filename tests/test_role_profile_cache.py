"""A profile that assumes a role keeps the role's credentials in ``cache_dir``."""

from __future__ import annotations

from pathlib import Path

import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager.cache import CredentialFileCache, ProviderCache
from boto_session_manager.testing import TEST_SECRET_ACCESS_KEY, LocalAWS


@pytest.fixture
def role_profile(
    aws: LocalAWS, role_arn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    config = tmp_path / "config"
    config.write_text(
        "[profile base]\n"
        "region = us-east-1\n"
        "aws_access_key_id = testing\n"
        f"aws_secret_access_key = {TEST_SECRET_ACCESS_KEY}\n"
        "services = local\n"
        "\n[profile deploy]\n"
        "region = us-east-1\n"
        f"role_arn = {role_arn}\n"
        "source_profile = base\n"
        "services = local\n"
        "\n[services local]\n"
        f"sts =\n  endpoint_url = {aws.endpoint_url}\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    return "deploy"


def _key_id(manager: BotoSesManager) -> str:
    credentials = manager.boto_ses.get_credentials()
    assert credentials is not None
    return credentials.get_frozen_credentials().access_key


def test_two_managers_on_a_role_profile_share_one_assume_role(
    role_profile: str, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "cache"
    first = BotoSesManager(profile_name=role_profile, cache_dir=cache_dir)
    second = BotoSesManager(profile_name=role_profile, cache_dir=cache_dir)
    assert _key_id(first) == _key_id(second)
    assert len(list(cache_dir.glob("*.json"))) == 1


def test_without_cache_dir_each_manager_assumes_the_role(role_profile: str) -> None:
    first = BotoSesManager(profile_name=role_profile)
    second = BotoSesManager(profile_name=role_profile)
    assert _key_id(first) != _key_id(second)


def test_provider_cache_is_a_mapping_of_sts_responses(aws: LocalAWS, tmp_path: Path) -> None:
    cache = ProviderCache(CredentialFileCache(tmp_path))
    assert "missing" not in cache
    assert 3 not in cache
    with pytest.raises(KeyError):
        cache["missing"]
    response = aws.manager().sts_client.get_session_token()
    cache["abc"] = response
    assert "abc" in cache
    stored = cache["abc"]["Credentials"]
    assert stored["AccessKeyId"] == response["Credentials"]["AccessKeyId"]
    assert stored["Expiration"].startswith(str(response["Credentials"]["Expiration"].year))
