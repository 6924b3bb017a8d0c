"""MFA sessions, web identity, refresh-and-retry, and the credential file cache."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager.cache import CredentialCacheWarning, CredentialFileCache, cache_key
from boto_session_manager.credentials import TemporaryCredentials
from boto_session_manager.exceptions import BotoSessionManagerError, InvalidArnError
from boto_session_manager.testing import LocalAWS

from .helpers import OTHER_ACCOUNT, FakeClock, create_role, error_answer, sent_bodies

MFA = "arn:aws:iam::123456789012:mfa/alice"


# ----------------------------------------------------------------- MFA sessions


def test_mfa_session_then_role_needs_no_code_again(bsm: BotoSesManager) -> None:
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    seen = sent_bodies(bsm.get_client("sts"), "GetSessionToken")
    mfa = bsm.get_session_token(duration_seconds=3600, mfa_serial_number=MFA, mfa_token="123456")
    assert seen[0]["SerialNumber"] == MFA
    assert seen[0]["TokenCode"] == "123456"
    assert mfa.get_frozen_credentials().token
    assert mfa.expiration_time is not None
    role_calls = sent_bodies(mfa.get_client("sts"), "AssumeRole")
    role = mfa.assume_role(arn)
    assert role.aws_account_id == OTHER_ACCOUNT
    assert "TokenCode" not in role_calls[0]


def test_callable_mfa_code_is_asked_again_at_each_refresh(
    bsm: BotoSesManager, clock: FakeClock
) -> None:
    bsm.clock = clock
    asked: list[str] = []

    def prompt() -> str:
        asked.append("x")
        return f"{len(asked):06d}"

    seen = sent_bodies(bsm.get_client("sts"), "GetSessionToken")
    mfa = bsm.get_session_token(
        duration_seconds=3600, mfa_serial_number=MFA, mfa_token=prompt, auto_refresh=True
    )
    clock.move_to(mfa.credential_expiration - timedelta(minutes=1))
    mfa.get_frozen_credentials()
    assert [c["TokenCode"] for c in seen] == ["000001", "000002"]


def test_callable_mfa_returning_nothing_is_a_clear_error(bsm: BotoSesManager) -> None:
    with pytest.raises(BotoSessionManagerError, match="returned no code"):
        bsm.get_session_token(mfa_serial_number=MFA, mfa_token=lambda: "")


@pytest.mark.parametrize("duration", [100, 129601])
def test_session_token_duration_is_checked(bsm: BotoSesManager, duration: int) -> None:
    with pytest.raises(ValueError, match="duration_seconds"):
        bsm.get_session_token(duration_seconds=duration)


# ------------------------------------------------------------------ web identity


def test_web_identity_with_a_token_string(aws: LocalAWS) -> None:
    bsm = aws.manager()
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    anonymous = BotoSesManager(
        region_name="us-east-1", default_client_kwargs=bsm.default_client_kwargs
    )
    seen = sent_bodies(anonymous.get_client("sts", unsigned=True), "AssumeRoleWithWebIdentity")
    ci = anonymous.assume_role_with_web_identity(arn, web_identity_token="oidc-token-1")
    assert ci.aws_account_id == OTHER_ACCOUNT
    assert seen[0]["WebIdentityToken"] == "oidc-token-1"


def test_web_identity_file_is_read_again_at_each_refresh(
    aws: LocalAWS, tmp_path: Path, clock: FakeClock
) -> None:
    bsm = aws.manager(clock=clock)
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    token_file = tmp_path / "token"
    token_file.write_text("first-token\n")
    seen = sent_bodies(bsm.get_client("sts", unsigned=True), "AssumeRoleWithWebIdentity")
    ci = bsm.assume_role_with_web_identity(
        arn, web_identity_token_file=token_file, auto_refresh=True
    )
    token_file.write_text("second-token\n")
    clock.move_to(ci.credential_expiration - timedelta(minutes=1))
    ci.get_frozen_credentials()
    assert [c["WebIdentityToken"] for c in seen] == ["first-token", "second-token"]
    assert ci.aws_account_id == OTHER_ACCOUNT


def test_web_identity_needs_exactly_one_token_source(bsm: BotoSesManager, tmp_path: Path) -> None:
    arn = "arn:aws:iam::111122223333:role/ci"
    with pytest.raises(ValueError, match="exactly one"):
        bsm.assume_role_with_web_identity(arn)
    with pytest.raises(ValueError, match="exactly one"):
        bsm.assume_role_with_web_identity(
            arn, web_identity_token="t", web_identity_token_file=tmp_path / "t"
        )
    with pytest.raises(InvalidArnError):
        bsm.assume_role_with_web_identity("arn:aws:s3:::b", web_identity_token="t")


def test_missing_token_file_is_named(bsm: BotoSesManager, tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(BotoSessionManagerError, match="nope"):
        bsm.assume_role_with_web_identity(
            "arn:aws:iam::111122223333:role/ci", web_identity_token_file=missing
        )


# ------------------------------------------------------------- refresh and retry


def expired_once(url: str = "https://sts.amazonaws.com/"):
    """A before-send handler answering the first request with ExpiredToken."""
    state = {"sent": 0}

    def handler(request, **_: object):
        state["sent"] += 1
        if state["sent"] == 1:
            return error_answer("ExpiredToken", url=url)
        return None

    return handler, state


def test_expired_token_answer_forces_one_refresh_and_one_retry(bsm: BotoSesManager) -> None:
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    assumed = sent_bodies(bsm.get_client("sts"), "AssumeRole")
    role = bsm.assume_role(arn, auto_refresh=True)
    sts = role.get_client("sts")
    before = role.get_frozen_credentials().access_key
    handler, state = expired_once()
    sts.meta.events.register("before-send.sts.GetCallerIdentity", handler)
    assert sts.get_caller_identity()["Account"] == OTHER_ACCOUNT
    assert state["sent"] == 2
    assert len(assumed) == 2
    assert role.get_frozen_credentials().access_key != before


def test_expired_token_is_retried_only_once(bsm: BotoSesManager) -> None:
    from botocore.exceptions import ClientError

    role = bsm.assume_role(create_role(bsm, account_id=OTHER_ACCOUNT), auto_refresh=True)
    sts = role.get_client("sts")
    sent: list[int] = []

    def always_expired(request, **_: object):
        sent.append(1)
        return error_answer("ExpiredToken")

    sts.meta.events.register("before-send.sts.GetCallerIdentity", always_expired)
    with pytest.raises(ClientError, match="ExpiredToken"):
        sts.get_caller_identity()
    assert len(sent) == 2


def test_static_manager_does_not_retry_expired_token(bsm: BotoSesManager) -> None:
    from botocore.exceptions import ClientError

    sts = bsm.get_client("sts")
    handler, state = expired_once()
    sts.meta.events.register("before-send.sts.GetCallerIdentity", handler)
    with pytest.raises(ClientError, match="ExpiredToken"):
        sts.get_caller_identity()
    assert state["sent"] == 1


# --------------------------------------------------------------- the file cache


def test_cache_dir_reuses_credentials_across_managers(bsm: BotoSesManager, tmp_path: Path) -> None:
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    seen = sent_bodies(bsm.get_client("sts"), "AssumeRole")
    first = bsm.assume_role(arn, cache_dir=tmp_path / "cache")
    second = bsm.assume_role(arn, cache_dir=tmp_path / "cache")
    assert len(seen) == 1
    assert first.get_frozen_credentials() == second.get_frozen_credentials()
    assert stat.S_IMODE((tmp_path / "cache").stat().st_mode) == 0o700
    for file in (tmp_path / "cache").iterdir():
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
        assert first.aws_secret_access_key not in file.name


def test_cache_key_separates_roles_and_named_sessions(bsm: BotoSesManager, tmp_path: Path) -> None:
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    seen = sent_bodies(bsm.get_client("sts"), "AssumeRole")
    bsm.assume_role(arn, cache_dir=tmp_path)
    bsm.assume_role(arn, cache_dir=tmp_path, role_session_name="named")
    bsm.assume_role(arn, cache_dir=tmp_path, duration_seconds=900)
    assert len(seen) == 3


def test_cached_credentials_near_expiry_are_fetched_again(
    bsm: BotoSesManager, tmp_path: Path, clock: FakeClock
) -> None:
    bsm.clock = clock
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    seen = sent_bodies(bsm.get_client("sts"), "AssumeRole")
    first = bsm.assume_role(arn, cache_dir=tmp_path)
    clock.move_to(first.expiration_time - timedelta(minutes=5))
    bsm.assume_role(arn, cache_dir=tmp_path)
    assert len(seen) == 2


def test_cached_mfa_session_asks_for_no_second_code(bsm: BotoSesManager, tmp_path: Path) -> None:
    asked: list[int] = []
    for _ in range(3):
        bsm.get_session_token(
            mfa_serial_number=MFA, mfa_token=lambda: asked.append(1) or "123456", cache_dir=tmp_path
        )
    assert asked == [1]


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[]",
        b'{"format": "other"}',
        b"\xff\xfe",
        b'{"format": "boto_session_manager/credential-cache/1"}',
    ],
)
def test_corrupt_or_foreign_cache_files_are_replaced_with_a_warning(
    bsm: BotoSesManager, tmp_path: Path, content: bytes
) -> None:
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    bsm.assume_role(arn, cache_dir=tmp_path)
    (entry,) = tmp_path.glob("*.json")
    entry.write_bytes(content)
    with pytest.warns(CredentialCacheWarning, match=entry.name):
        role = bsm.assume_role(arn, cache_dir=tmp_path)
    assert role.aws_account_id == OTHER_ACCOUNT
    assert json.loads(entry.read_text())["AccessKeyId"] == role.aws_access_key_id


def test_cache_never_follows_a_planted_symlink(bsm: BotoSesManager, tmp_path: Path) -> None:
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    bsm.assume_role(arn, cache_dir=tmp_path)
    (entry,) = tmp_path.glob("*.json")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    entry.unlink()
    entry.symlink_to(victim)
    with pytest.warns(CredentialCacheWarning, match="symlink"):
        bsm.assume_role(arn, cache_dir=tmp_path)
    assert victim.read_text() == "keep me"
    assert not entry.is_symlink()


def test_cache_round_trip_unit(tmp_path: Path) -> None:
    from datetime import datetime, timezone

    cache = CredentialFileCache(tmp_path)
    creds = TemporaryCredentials(
        access_key_id="ASIA1",
        secret_access_key="the-secret-key",
        session_token="the-session-token",
        expiration=datetime.now(timezone.utc) + timedelta(hours=1),
    )
    key = cache_key({"a": 1})
    assert cache.read(key) is None
    cache.write(key, creds)
    assert cache.read(key)[0] == creds
    assert "the-secret-key" not in repr(creds)
    assert "the-session-token" not in repr(creds)


@pytest.mark.slow
def test_ten_processes_sharing_a_cache_dir_make_one_sts_call(
    bsm: BotoSesManager, aws: LocalAWS, tmp_path: Path
) -> None:
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    calls = tmp_path / "calls.log"
    # One interpreter imports the library, then forks the ten processes: they
    # start together and none pays for the import.
    script = textwrap.dedent(
        f"""
        import os, sys, traceback
        from boto_session_manager import BotoSesManager

        def child():
            bsm = BotoSesManager(
                aws_access_key_id="AKIASHARED", aws_secret_access_key="x",
                region_name="us-east-1",
                default_client_kwargs={{"endpoint_url": {aws.endpoint_url!r}}})
            def log(**kw):
                with open({str(calls)!r}, "a") as f:
                    f.write("call\\n")
            bsm.get_client("sts").meta.events.register("before-call.sts.AssumeRole", log)
            role = bsm.assume_role({arn!r}, cache_dir={str(tmp_path / "cache")!r})
            os.write(1, (role.aws_access_key_id + "\\n").encode())

        pids = []
        for _ in range(10):
            pid = os.fork()
            if pid == 0:
                try:
                    child()
                    os._exit(0)
                except BaseException:
                    traceback.print_exc()
                    os._exit(1)
            pids.append(pid)
        codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids]
        print("exit codes", codes, file=sys.stderr)
        sys.exit(max(codes))
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    keys = result.stdout.split()
    assert len(keys) == 10
    assert calls.read_text().count("call") == 1
    assert len(set(keys)) == 1
    for file in (tmp_path / "cache").iterdir():
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
