"""The on-disk credential cache: entries, identity of the caller, refused keys."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager.cache import CredentialCacheWarning, CredentialFileCache
from boto_session_manager.credentials import TemporaryCredentials
from boto_session_manager.testing import LocalAWS

from .helpers import OTHER_ACCOUNT, create_role, error_answer


def test_refused_keys_are_not_served_again_from_the_cache(
    bsm: BotoSesManager, tmp_path: Path
) -> None:
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    role = bsm.assume_role(arn, auto_refresh=True, cache_dir=tmp_path)
    refused = role.get_frozen_credentials().access_key
    sts = role.get_client("sts")
    sent: list[int] = []
    sts.meta.events.register(
        "before-send.sts.GetCallerIdentity",
        lambda **kw: (sent.append(1), error_answer("ExpiredToken", 403))[1] if not sent else None,
    )
    assert sts.get_caller_identity()["Account"] == OTHER_ACCOUNT
    assert role.get_frozen_credentials().access_key != refused
    # and the cache now holds the new set, not the refused one
    assert bsm.assume_role(arn, cache_dir=tmp_path).aws_access_key_id != refused


def test_two_principals_never_share_cached_role_credentials(aws: LocalAWS, tmp_path: Path) -> None:
    alice = aws.manager(aws_access_key_id="AKIAALICE0000000000A")
    bob = aws.manager(aws_access_key_id="AKIABOB00000000000BB")
    arn = create_role(alice, account_id=OTHER_ACCOUNT)
    assert alice.assume_role(arn, cache_dir=tmp_path).aws_access_key_id != (
        bob.assume_role(arn, cache_dir=tmp_path).aws_access_key_id
    )


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
