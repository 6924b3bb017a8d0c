"""Regressions found in review: cache + refresh, cache identity, environment, errors."""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from botocore.awsrequest import AWSResponse

from boto_session_manager import BotoSesManager
from boto_session_manager.cache import CredentialCacheWarning, CredentialFileCache
from boto_session_manager.credentials import TemporaryCredentials
from boto_session_manager.exceptions import InvalidCredentialsError, SnapshotError
from boto_session_manager.testing import LocalAWS

from .conftest import create_role

OTHER = "111122223333"


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: object):
        yield self._body


def _error(code: str) -> AWSResponse:
    body = f"<ErrorResponse><Error><Code>{code}</Code><Message>no</Message></Error></ErrorResponse>"
    return AWSResponse("https://aws/", 403, {}, _Raw(body.encode()))


def test_refused_keys_are_not_served_again_from_the_cache(
    bsm: BotoSesManager, tmp_path: Path
) -> None:
    arn = create_role(bsm, account_id=OTHER)
    role = bsm.assume_role(arn, auto_refresh=True, cache_dir=tmp_path)
    refused = role.get_frozen_credentials().access_key
    sts = role.get_client("sts")
    sent: list[int] = []
    sts.meta.events.register(
        "before-send.sts.GetCallerIdentity",
        lambda **kw: (sent.append(1), _error("ExpiredToken"))[1] if not sent else None,
    )
    assert sts.get_caller_identity()["Account"] == OTHER
    assert role.get_frozen_credentials().access_key != refused
    # and the cache now holds the new set, not the refused one
    assert bsm.assume_role(arn, cache_dir=tmp_path).aws_access_key_id != refused


def test_two_principals_never_share_cached_role_credentials(aws: LocalAWS, tmp_path: Path) -> None:
    alice = aws.manager(aws_access_key_id="AKIAALICE0000000000A")
    bob = aws.manager(aws_access_key_id="AKIABOB00000000000BB")
    arn = create_role(alice, account_id=OTHER)
    assert alice.assume_role(arn, cache_dir=tmp_path).aws_access_key_id != (
        bob.assume_role(arn, cache_dir=tmp_path).aws_access_key_id
    )


def test_awscli_never_pairs_an_outer_expiration_with_its_keys(
    bsm: BotoSesManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_CREDENTIAL_EXPIRATION", "2020-01-01T00:00:00Z")
    with bsm.awscli():
        assert "AWS_CREDENTIAL_EXPIRATION" not in os.environ
    role = bsm.assume_role(create_role(bsm, account_id=OTHER))
    with role.awscli():
        assert os.environ["AWS_CREDENTIAL_EXPIRATION"] == role.expiration_time.isoformat()
    assert os.environ["AWS_CREDENTIAL_EXPIRATION"] == "2020-01-01T00:00:00Z"


def test_alias_is_none_when_listing_aliases_is_denied(bsm: BotoSesManager, capsys) -> None:
    bsm.iam_client.meta.events.register(
        "before-send.iam.ListAccountAliases", lambda **kw: _error("AccessDenied")
    )
    assert bsm.aws_account_alias is None
    bsm.print_who_am_i()
    assert "AWS Account Alias = None" in capsys.readouterr().out


def test_failing_credential_process_is_an_invalid_credentials_error(
    aws: LocalAWS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    config.write_text(f"[profile broken]\ncredential_process = {sys.executable} -c 'exit(1)'\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    bsm = BotoSesManager(
        profile_name="broken",
        region_name="us-east-1",
        default_client_kwargs={"endpoint_url": aws.endpoint_url},
    )
    with pytest.raises(InvalidCredentialsError) as info:
        bsm.check_credentials()
    assert info.value.reason == "no-credentials"


def test_demo_child_step_keeps_the_users_endpoint_variable(
    bsm: BotoSesManager, aws: LocalAWS, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from boto_session_manager.demo import _child_process, _Report

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://user-set:4566")
    role = bsm.assume_role(create_role(bsm, account_id=OTHER))
    _child_process(_Report(io.StringIO()), role, aws.endpoint_url)
    assert os.environ["AWS_ENDPOINT_URL"] == "http://user-set:4566"


def test_a_directory_planted_at_a_cache_entry_never_crashes(tmp_path: Path) -> None:
    cache = CredentialFileCache(tmp_path)
    (tmp_path / "k.json").mkdir()
    fresh = TemporaryCredentials(
        access_key_id="ASIAX",
        secret_access_key="s",
        session_token="t",
        expiration=datetime.now(timezone.utc) + timedelta(hours=1),
    )
    with pytest.warns(CredentialCacheWarning):
        assert cache.get_or_fetch("k", lambda: fresh) == fresh


def test_snapshot_into_a_missing_directory_names_the_file(
    bsm: BotoSesManager, tmp_path: Path
) -> None:
    target = tmp_path / "no-such-dir" / "snap.json"
    with pytest.raises(SnapshotError, match=r"snap\.json"), bsm.temp_snapshot(target):
        pass  # pragma: no cover
