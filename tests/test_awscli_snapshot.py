"""awscli() environment hand-off and credential snapshots (dict and file)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager.exceptions import NoCredentialsError, SnapshotError, SnapshotExistsError
from boto_session_manager.snapshot import write_private_file
from boto_session_manager.testing import DEFAULT_ACCOUNT_ID, LocalAWS

from .helpers import OTHER_ACCOUNT, create_role

CHILD_WHOAMI = "import boto3; print(boto3.client('sts').get_caller_identity()['Account'])"


def child_env(aws: LocalAWS) -> dict[str, str]:
    return {"AWS_ENDPOINT_URL": aws.endpoint_url}


# ------------------------------------------------------------------------ awscli


def test_awscli_sets_credentials_region_and_removes_profile(
    bsm: BotoSesManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "someone-else")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "stale-token")
    with bsm.awscli() as inside:
        assert inside is bsm
        assert os.environ["AWS_ACCESS_KEY_ID"] == bsm.aws_access_key_id
        assert os.environ["AWS_SECRET_ACCESS_KEY"] == bsm.aws_secret_access_key
        assert "AWS_SESSION_TOKEN" not in os.environ
        assert os.environ["AWS_REGION"] == "us-east-1"
        assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
        assert "AWS_PROFILE" not in os.environ
    assert os.environ["AWS_PROFILE"] == "someone-else"
    assert os.environ["AWS_SESSION_TOKEN"] == "stale-token"
    assert "AWS_ACCESS_KEY_ID" not in os.environ
    assert "AWS_REGION" not in os.environ


def test_awscli_restores_exactly_after_an_exception(bsm: BotoSesManager) -> None:
    before = dict(os.environ)
    with pytest.raises(RuntimeError, match="boom"), bsm.awscli():
        raise RuntimeError("boom")
    assert dict(os.environ) == before


def test_awscli_nested_restores_each_level(bsm: BotoSesManager, aws: LocalAWS) -> None:
    role = bsm.assume_role(create_role(bsm, account_id=OTHER_ACCOUNT))
    before = dict(os.environ)
    with bsm.awscli():
        outer = os.environ["AWS_ACCESS_KEY_ID"]
        with role.awscli():
            assert os.environ["AWS_ACCESS_KEY_ID"] != outer
            assert os.environ["AWS_SESSION_TOKEN"]
        assert os.environ["AWS_ACCESS_KEY_ID"] == outer
        assert "AWS_SESSION_TOKEN" not in os.environ
    assert dict(os.environ) == before


def test_awscli_without_credentials_raises_and_leaves_environment_untouched() -> None:
    bsm = BotoSesManager(region_name="us-east-1")
    before = dict(os.environ)
    with pytest.raises(NoCredentialsError), bsm.awscli():
        pass  # pragma: no cover
    assert dict(os.environ) == before


def test_child_process_inside_awscli_acts_as_the_assumed_role(
    bsm: BotoSesManager, aws: LocalAWS, monkeypatch: pytest.MonkeyPatch
) -> None:
    role = bsm.assume_role(create_role(bsm, account_id=OTHER_ACCOUNT))
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint_url)
    with role.awscli():
        out = subprocess.run(
            [sys.executable, "-c", CHILD_WHOAMI], capture_output=True, text=True, check=True
        ).stdout
    assert out.strip() == OTHER_ACCOUNT


# --------------------------------------------------------------------- snapshots


def test_to_snapshot_static_keys(bsm: BotoSesManager) -> None:
    assert bsm.to_snapshot() == {
        "region_name": "us-east-1",
        "aws_access_key_id": bsm.aws_access_key_id,
        "aws_secret_access_key": bsm.aws_secret_access_key,
    }


def test_to_snapshot_of_assumed_role_has_token_and_expiry(bsm: BotoSesManager) -> None:
    role = bsm.assume_role(create_role(bsm, account_id=OTHER_ACCOUNT), auto_refresh=True)
    snapshot = role.to_snapshot()
    assert snapshot["aws_session_token"]
    expiry = datetime.fromisoformat(snapshot["expiration_time"])
    assert expiry > datetime.now(timezone.utc)
    rebuilt = BotoSesManager.from_snapshot(
        snapshot, default_client_kwargs=bsm.default_client_kwargs
    )
    assert rebuilt.aws_account_id == OTHER_ACCOUNT
    assert rebuilt.expiration_time == expiry


def test_upstream_snapshot_file_loads_unchanged(tmp_path: Path, aws: LocalAWS) -> None:
    path = tmp_path / "upstream.json"
    path.write_text(
        json.dumps(
            {
                "region_name": "us-east-2",
                "aws_access_key_id": "AKIAUPSTREAM",
                "aws_secret_access_key": "upstream-secret",
            }
        )
    )
    bsm = BotoSesManager.from_snapshot_file(
        path, default_client_kwargs={"endpoint_url": aws.endpoint_url}
    )
    assert bsm.aws_region == "us-east-2"
    assert bsm.aws_account_id == DEFAULT_ACCOUNT_ID


def test_from_snapshot_file_default_path(home: Path, bsm: BotoSesManager) -> None:
    (home / ".bsm-snapshot.json").write_text(json.dumps(bsm.to_snapshot()))
    assert BotoSesManager.from_snapshot_file().aws_access_key_id == bsm.aws_access_key_id


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "does not exist"),
        ("", "is empty"),
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"aws_access_key_id": "AKIA"}', "aws_secret_access_key"),
        ('{"aws_access_key_id": 5, "aws_secret_access_key": "s"}', "aws_access_key_id"),
        (
            '{"aws_access_key_id": "A", "aws_secret_access_key": "s", "region_name": 3}',
            "region_name",
        ),
        (
            '{"aws_access_key_id": "A", "aws_secret_access_key": "s", "expiration_time": "soon"}',
            "expiration_time",
        ),
    ],
)
def test_bad_snapshot_files_name_the_file_and_the_problem(
    tmp_path: Path, content: str | None, problem: str
) -> None:
    path = tmp_path / "snap.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SnapshotError) as info:
        BotoSesManager.from_snapshot_file(path)
    assert str(path) in str(info.value)
    assert problem in str(info.value)


def test_snapshot_error_never_quotes_the_secret(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    path.write_text('{"aws_access_key_id": "A", "aws_secret_access_key": ["very-secret"]}')
    with pytest.raises(SnapshotError) as info:
        BotoSesManager.from_snapshot_file(path)
    assert "very-secret" not in str(info.value)


def test_temp_snapshot_yields_the_manager_itself(home: Path, bsm: BotoSesManager) -> None:
    with bsm.temp_snapshot() as same:
        assert same is bsm
        assert (home / ".bsm-snapshot.json").exists()
    assert not (home / ".bsm-snapshot.json").exists()


def test_temp_snapshot_file_writes_private_file_and_removes_it(
    home: Path, bsm: BotoSesManager
) -> None:
    path = home / ".bsm-snapshot.json"
    with bsm.temp_snapshot_file() as written:
        assert written == path
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert json.loads(path.read_text())["aws_access_key_id"] == bsm.aws_access_key_id
    assert not path.exists()
    assert [p.name for p in home.iterdir()] == []  # no temporary file left


def test_temp_snapshot_removes_file_after_exception(tmp_path: Path, bsm: BotoSesManager) -> None:
    path = tmp_path / "s.json"
    with pytest.raises(KeyError), bsm.temp_snapshot(path):
        raise KeyError("x")
    assert not path.exists()


def test_temp_snapshot_never_overwrites_or_deletes_an_existing_file(
    tmp_path: Path, bsm: BotoSesManager
) -> None:
    path = tmp_path / "mine.json"
    path.write_text("precious")
    with pytest.raises(SnapshotExistsError, match="already exists"), bsm.temp_snapshot(path):
        pass  # pragma: no cover
    assert path.read_text() == "precious"


def test_temp_snapshot_refuses_a_planted_symlink(tmp_path: Path, bsm: BotoSesManager) -> None:
    target = tmp_path / "victim"
    target.write_text("do not touch")
    link = tmp_path / "snap.json"
    link.symlink_to(target)
    with pytest.raises(SnapshotExistsError), bsm.temp_snapshot(link):
        pass  # pragma: no cover
    assert target.read_text() == "do not touch"
    assert link.is_symlink()


def test_temp_snapshot_leaves_a_file_that_replaced_ours(
    tmp_path: Path, bsm: BotoSesManager
) -> None:
    path = tmp_path / "s.json"
    with bsm.temp_snapshot(path):
        path.unlink()
        path.write_text("someone else's")
    assert path.read_text() == "someone else's"


def test_overwrite_write_replaces_atomically(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    write_private_file(path, "one", overwrite=False)
    write_private_file(path, "two", overwrite=True)
    assert path.read_text() == "two"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_child_process_recovers_the_snapshotted_account(
    home: Path, bsm: BotoSesManager, aws: LocalAWS
) -> None:
    """Snapshot account A, switch the environment to B,
    and a child script recovers A from the snapshot file."""
    account_b = bsm.assume_role(create_role(bsm, account_id=OTHER_ACCOUNT))
    script = (
        "import os, sys\n"
        "from boto_session_manager import BotoSesManager\n"
        "import boto3\n"
        "env_account = boto3.client('sts').get_caller_identity()['Account']\n"
        "original = BotoSesManager.from_snapshot_file(\n"
        "    default_client_kwargs={'endpoint_url': os.environ['AWS_ENDPOINT_URL']})\n"
        "print(env_account, original.aws_account_id)\n"
    )
    os.environ["AWS_ENDPOINT_URL"] = aws.endpoint_url
    try:
        with bsm.temp_snapshot(), account_b.awscli():
            out = subprocess.run(
                [sys.executable, "-c", script], capture_output=True, text=True, check=True
            ).stdout
    finally:
        del os.environ["AWS_ENDPOINT_URL"]
    assert out.split() == [OTHER_ACCOUNT, DEFAULT_ACCOUNT_ID]
    assert not (home / ".bsm-snapshot.json").exists()


def test_awscli_never_pairs_an_outer_expiration_with_its_keys(
    bsm: BotoSesManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_CREDENTIAL_EXPIRATION", "2020-01-01T00:00:00Z")
    with bsm.awscli():
        assert "AWS_CREDENTIAL_EXPIRATION" not in os.environ
    role = bsm.assume_role(create_role(bsm, account_id=OTHER_ACCOUNT))
    with role.awscli():
        assert os.environ["AWS_CREDENTIAL_EXPIRATION"] == role.expiration_time.isoformat()
    assert os.environ["AWS_CREDENTIAL_EXPIRATION"] == "2020-01-01T00:00:00Z"


def test_snapshot_into_a_missing_directory_names_the_file(
    bsm: BotoSesManager, tmp_path: Path
) -> None:
    target = tmp_path / "no-such-dir" / "snap.json"
    with pytest.raises(SnapshotError, match=r"snap\.json"), bsm.temp_snapshot(target):
        pass  # pragma: no cover


def test_a_missing_snapshot_file_is_also_a_file_not_found_error(tmp_path: Path) -> None:
    from boto_session_manager.exceptions import SnapshotNotFoundError

    missing = tmp_path / "nowhere.json"
    with pytest.raises(FileNotFoundError, match="nowhere"):
        BotoSesManager.from_snapshot_file(missing)
    with pytest.raises(SnapshotNotFoundError):
        BotoSesManager.from_snapshot_file(missing)
    with pytest.raises(SnapshotError):
        BotoSesManager.from_snapshot_file(missing)
