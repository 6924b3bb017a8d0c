"""Hypothesis: hostile input either works or raises the library's typed error.

Never AttributeError / KeyError / TypeError from inside the library.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boto_session_manager import BotoSesManager
from boto_session_manager.cache import CredentialFileCache
from boto_session_manager.cli_args import AWSArgumentParser, InvalidAuthArgumentsError
from boto_session_manager.exceptions import SnapshotError
from boto_session_manager.testing import LocalAWS

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=5)
    ),
    max_leaves=12,
)
snapshot_keys = st.sampled_from(
    [
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "region_name",
        "expiration_time",
        "other",
    ]
)
snapshot_like = st.dictionaries(
    snapshot_keys,
    st.none()
    | st.text(max_size=40)
    | st.integers()
    | json_values
    | st.datetimes().map(lambda d: d.isoformat()),
    max_size=6,
)


@settings(deadline=None)
@given(data=st.one_of(json_values, snapshot_like))
def test_from_snapshot_works_or_raises_snapshot_error(data: object) -> None:
    try:
        bsm = BotoSesManager.from_snapshot(data)  # type: ignore[arg-type]
    except SnapshotError:
        return
    assert bsm.aws_access_key_id
    assert bsm.aws_secret_access_key


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()))
def test_snapshot_files_work_or_raise_snapshot_error(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "snap.json"
        path.write_bytes(content)
        try:
            BotoSesManager.from_snapshot_file(path)
        except SnapshotError as exc:
            assert str(path) in str(exc)


cache_documents = st.fixed_dictionaries(
    {},
    optional={
        "format": st.sampled_from(["boto_session_manager/credential-cache/1", "other"])
        | json_values,
        "AccessKeyId": st.text(max_size=20) | json_values,
        "SecretAccessKey": st.text(max_size=20) | json_values,
        "SessionToken": st.text(max_size=20) | json_values,
        "Expiration": st.datetimes().map(lambda d: d.isoformat()) | json_values,
        "Issued": st.datetimes().map(lambda d: d.isoformat()) | json_values,
    },
)


@settings(deadline=None)
@given(content=st.binary(max_size=200) | cache_documents.map(lambda d: json.dumps(d).encode()))
def test_credential_cache_files_never_crash_the_reader(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        cache = CredentialFileCache(directory)
        (Path(directory) / "k.json").write_bytes(content)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            entry = cache.read("k")
        if entry is not None:
            creds, issued = entry
            assert creds.access_key_id and creds.secret_access_key and creds.expiration
            assert issued.tzinfo is not None


options = st.sampled_from(
    [
        "--aws-access-key-id", "--aws-secret-access-key", "--aws-session-token", "--profile",
        "--region", "--role", "--role-session-name", "--external-id", "--duration",
        "--mfa-serial", "--mfa-token", "--endpoint-url", "--cache-dir", "--auth-debug",
        "--config-path", "--credentials-path",
    ]
)  # fmt: skip
values = st.sampled_from(
    ["AKIAEXAMPLE", "secret", "arn:aws:iam::123456789012:role/r", "arn:aws:s3:::b", "3600", "10",
     "123456", "http://127.0.0.1:1", "dev", "", "-", "us-east-1", "x" * 70]
) | st.text(max_size=15)  # fmt: skip


@settings(deadline=None)
@given(
    argv=st.lists(st.tuples(options, values), max_size=6).map(
        lambda pairs: [t for p in pairs for t in p]
    ),
    enforce=st.sampled_from(
        [None, "keys", "keys_with_session", "profile", "profile_role", "config", "credentials"]
    ),
)
def test_argparse_layer_parses_or_exits_with_usage_error(
    argv: list[str], enforce: str | None
) -> None:
    parser = AWSArgumentParser(
        role_session_name="prop-test", enforce_auth_type=enforce, exit_on_error=False
    )
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("AWS_")}
    try:
        parser.parse_args(argv)
    except SystemExit as exc:
        assert exc.code == 2
    except (argparse.ArgumentError, InvalidAuthArgumentsError):
        pass
    finally:
        os.environ.update(saved)


def test_exit_on_error_false_is_respected_for_a_simple_case() -> None:
    parser = AWSArgumentParser(role_session_name="prop-test")
    with pytest.raises(SystemExit) as info:
        parser.parse_args(["--aws-session-token", "t"])
    assert info.value.code == 2


# ------------------------------------------------------- weaponised documents

hostile_documents = st.one_of(
    st.integers(1, 5000).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 5000).map(lambda n: '{"aws_access_key_id": ' + "[" * n + "]" * n + "}"),
    st.integers(1, 6000).map(lambda n: '{"expiration_time": ' + "9" * n + "}"),
    st.integers(1, 6000).map(lambda n: '{"Expiration": ' + "9" * n + "}"),
    st.sampled_from(["1e999", "-1e999", "NaN", "Infinity", '{"Issued": -Infinity}', "1" * 5000]),
    st.sampled_from(["aws_access_key_id", "Expiration", "region_name"]).flatmap(
        lambda key: st.integers(1, 400).map(lambda n: json.dumps({key: "x"}) * n)
    ),
)


@settings(deadline=None)
@given(text=hostile_documents)
def test_weaponised_snapshot_files_raise_snapshot_error_only(text: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "snap.json"
        path.write_text(text)
        with pytest.raises(SnapshotError) as info:
            BotoSesManager.from_snapshot_file(path)
        assert str(path) in str(info.value)


@settings(deadline=None)
@given(text=hostile_documents)
def test_weaponised_cache_files_are_misses(text: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "k.json"
        path.write_text(text)
        os.chmod(path, 0o600)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert CredentialFileCache(directory).read("k") is None
        assert len(caught) == 1
        assert path.name in str(caught[0].message)


# ------------------------------------------------------------ the bsm command

CLI_COMMANDS = st.sampled_from(
    [
        [], ["whoami"], ["whoami", "--json"], ["exec"], ["exec", "--"], ["exec", "--", "true"],
        ["env"], ["env", "--format"], ["credential-process"], ["snapshot"], ["snapshot", "save"],
        ["snapshot", "show"], ["demo"], ["each"], ["nope"],
    ]
)  # fmt: skip
CLI_FLAGS = st.sampled_from(
    [
        "--aws-access-key-id", "--aws-secret-access-key", "--aws-session-token", "--profile",
        "--region", "--role", "--role-session-name", "--external-id", "--duration",
        "--mfa-serial", "--mfa-token", "--cache-dir", "--format", "--github-env", "--json",
        "--no-mask", "--nested", "--force", "--reveal", "--accounts", "--snapshot",
        "--allow-expired", "--help", "--version", "--", "-x", "--endpoint-url",
    ]
)  # fmt: skip
CLI_VALUES = st.sampled_from(
    ["AKIAEXAMPLE", "secret", "arn:aws:iam::123456789012:role/r", "arn:aws:s3:::b", "3600",
     "0", "-1", "99", "123456", "dev", "", "-", "us-east-1", "x" * 70, "sh", "github", "json",
     "dotenv", "snap.json", "cache", "a\nb", "--", "true"]
) | st.text(max_size=12)  # fmt: skip


@pytest.fixture
def cli_sandbox(aws: LocalAWS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalAWS:
    """Random argv runs in a temporary HOME and directory, against the local server only."""
    from boto_session_manager import cli, demo

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint_url)  # any call stays on the loopback
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("GITHUB_ENV", str(tmp_path / "github_env"))
    monkeypatch.setattr(cli, "run_forwarding_signals", lambda command, env: 0)
    monkeypatch.setattr(demo, "run_demo", lambda out=None, accounts=3: 0)
    return aws


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    command=CLI_COMMANDS,
    pairs=st.lists(st.tuples(CLI_FLAGS, CLI_VALUES), max_size=5),
    tail=st.lists(CLI_VALUES, max_size=2),
)
def test_random_bsm_argv_exits_0_1_or_2_with_a_message_never_a_traceback(
    cli_sandbox: LocalAWS,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    pairs: list[tuple[str, str]],
    tail: list[str],
) -> None:
    from boto_session_manager.cli import main

    argv = [*command, *(token for pair in pairs for token in pair), *tail]
    try:
        code = main(argv, out=io.StringIO())
    except SystemExit as exc:  # argparse: --help/--version (0) or a usage error (2)
        code = exc.code if isinstance(exc.code, int) else 1
    err = capsys.readouterr().err
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err
    if code != 0:
        assert err.strip(), argv  # a failure always says why
