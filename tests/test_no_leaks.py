"""Secrets never leak: logs at DEBUG, reprs, messages, tracebacks, files.

Every public feature runs with the library's loggers at DEBUG; afterwards no
secret key, session token, MFA code or secret value may appear in anything the
library produced: log records, repr/str of its objects, exception messages or
traceback text. Every file it writes is 0600 and written atomically.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import stat
import traceback
import warnings
from pathlib import Path

import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager.cli import main
from boto_session_manager.credentials import TemporaryCredentials
from boto_session_manager.exceptions import BotoSessionManagerError, SnapshotError
from boto_session_manager.snapshot import write_private_file
from boto_session_manager.testing import LocalAWS

from .helpers import create_role, error_answer

STATIC_SECRET = "StaticSecretKey/ShouldNeverLeak0000000001"
MFA_CODE = "987654"
SECRET_VALUE = "the-launch-codes-are-0000"
PARAM_VALUE = "parameter-secure-value-4242"


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "".join(traceback.format_exception(*record.exc_info))
        self.texts.append(text)


@pytest.fixture
def library_logs():
    collector = _Collector()
    logger = logging.getLogger("boto_session_manager")
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(collector)
    try:
        yield collector
    finally:
        logger.removeHandler(collector)
        logger.setLevel(old_level)


def _text_of(exc: BaseException) -> str:
    return (
        str(exc)
        + repr(exc)
        + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    )


def test_every_feature_at_debug_leaks_no_secret(
    aws: LocalAWS, tmp_path: Path, library_logs: _Collector, monkeypatch: pytest.MonkeyPatch
) -> None:
    produced: list[str] = []  # everything the library showed us
    bsm = aws.manager(aws_secret_access_key=STATIC_SECRET)
    produced += [repr(bsm), str(bsm)]
    arn = create_role(bsm, account_id="111122223333")

    # Roles: static, refreshing, cached, with a callable MFA code; a chain.
    role = bsm.assume_role(
        arn, mfa_serial_number="arn:aws:iam::123456789012:mfa/a", mfa_token=lambda: MFA_CODE,
        auto_refresh=True, cache_dir=tmp_path / "cache",
    )  # fmt: skip
    chained = role.assume_role(arn.replace("111122223333", "222233334444"))
    mfa = bsm.get_session_token(
        mfa_serial_number="arn:aws:iam::123456789012:mfa/a", mfa_token=MFA_CODE
    )
    produced += [repr(m) for m in (role, chained, mfa)]
    role_snapshot = role.to_snapshot()
    secrets = {
        STATIC_SECRET, MFA_CODE, SECRET_VALUE, PARAM_VALUE,
        role_snapshot["aws_secret_access_key"], role_snapshot["aws_session_token"],
        chained.aws_secret_access_key, chained.aws_session_token,
        mfa.aws_secret_access_key, mfa.aws_session_token,
    }  # fmt: skip
    produced.append(repr(TemporaryCredentials("ASIA", "x" + STATIC_SECRET, "y" + STATIC_SECRET)))

    # A rejected call refreshes and retries (logs the event).
    sent: list[int] = []

    def expired_once(**_: object):
        sent.append(1)
        return error_answer("ExpiredToken") if len(sent) == 1 else None

    role.get_client("sts").meta.events.register("before-send.sts.GetCallerIdentity", expired_once)
    role.get_client("sts").get_caller_identity()
    secrets |= {role.get_frozen_credentials().secret_key, role.get_frozen_credentials().token}

    # Helpers with secret values.
    bsm.set_secret("app/secret", SECRET_VALUE)
    assert bsm.get_secret("app/secret", max_age=30) == SECRET_VALUE
    bsm.put_parameter("/app/key", PARAM_VALUE, type="SecureString")
    assert bsm.get_parameter("/app/key") == PARAM_VALUE
    for failing in (
        lambda: bsm.get_secret("app/secret", transform="json"),
        lambda: bsm.get_parameter("/app/key", transform="json"),
        lambda: bsm.get_secret("missing/secret"),
        lambda: bsm.get_parameters(["/app/key", "/missing"]),
    ):
        with pytest.raises(BotoSessionManagerError) as info:
            failing()
        produced.append(_text_of(info.value))

    # Snapshots and the cache, including broken files.
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"aws_access_key_id": "A", "aws_secret_access_key": [STATIC_SECRET]}))
    with pytest.raises(SnapshotError) as info:
        BotoSesManager.from_snapshot_file(bad)
    produced.append(_text_of(info.value))
    for entry in (tmp_path / "cache").glob("*.json"):
        entry.write_text(STATIC_SECRET + "{")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bsm.assume_role(arn, mfa_serial_number="arn:aws:iam::123456789012:mfa/a", mfa_token=MFA_CODE,
                        cache_dir=tmp_path / "cache")  # fmt: skip
    produced += [str(w.message) for w in caught]
    with role.temp_snapshot(tmp_path / "snap.json"), role.awscli():
        pass

    # The command line: whoami, snapshot show without --reveal, errors.
    auth = ["--aws-access-key-id", "AKIAX", "--aws-secret-access-key", STATIC_SECRET,
            "--region", "us-east-1", "--endpoint-url", aws.endpoint_url]  # fmt: skip
    newline_token = ["--aws-session-token", f"{STATIC_SECRET}\n{MFA_CODE}"]
    for argv in (["whoami", *auth], ["snapshot", "save", str(tmp_path / "s2.json"), *auth],
                 ["snapshot", "show", str(tmp_path / "s2.json")], ["whoami", *auth, "--auth-debug"],
                 ["--auth-debug", "whoami", *auth, "--role", arn],
                 ["whoami", *auth, *newline_token], ["--auth-debug", "whoami", *auth, *newline_token],
                 ["whoami", *auth, "--role", arn, "--mfa-serial", "arn:aws:iam::1:mfa/a",
                  "--mfa-token", MFA_CODE]):  # fmt: skip
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stderr(err):
                main(argv, out=out)
        except SystemExit:
            pass
        produced += [out.getvalue(), err.getvalue()]
    assert "[DEBUG]" in "".join(produced), (
        "--auth-debug logged nothing: the scan would prove nothing"
    )

    # Bad input and refused requests: typed errors that never quote the value.
    for failing in (
        lambda: BotoSesManager(aws_access_key_id="AKIAX", aws_secret_access_key=STATIC_SECRET + "\n"),
        lambda: BotoSesManager(aws_access_key_id="AKIAX", aws_secret_access_key=STATIC_SECRET,
                               aws_session_token="\t" + STATIC_SECRET),
        lambda: bsm.get_session_token(mfa_serial_number="arn:aws:iam::1:mfa/a", mfa_token=MFA_CODE + "0"),
        lambda: bsm.assume_role(arn, mfa_serial_number="arn:aws:iam::1:mfa/a", mfa_token=int(MFA_CODE)),
        lambda: bsm.get_client("sts", aws_access_key_id="AKIAX", aws_secret_access_key=STATIC_SECRET,
                               aws_session_token=f"{STATIC_SECRET}\n{MFA_CODE}").get_caller_identity(),
    ):  # fmt: skip
        with pytest.raises(Exception) as info:  # noqa: PT011 - any error: its text is what counts
            failing()
        produced.append(_text_of(info.value))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAX")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", STATIC_SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", f"{STATIC_SECRET}\n{MFA_CODE}")
    from_env = BotoSesManager(region_name="us-east-1",
                              default_client_kwargs={"endpoint_url": aws.endpoint_url})  # fmt: skip
    with pytest.raises(Exception) as info:  # noqa: PT011
        from_env.get_client("sts").get_caller_identity()
    produced += [_text_of(info.value), repr(from_env.get_frozen_credentials())]
    produced += [repr(bsm.get_frozen_credentials()), str(role.get_frozen_credentials())]

    everything = "\n".join(produced + library_logs.texts)
    assert library_logs.texts, "the library logged nothing at DEBUG: the scan would prove nothing"
    for secret in secrets:
        assert secret and secret not in everything, f"a secret leaked ({len(secret)} chars)"


def test_every_file_written_is_private(aws: LocalAWS, tmp_path: Path) -> None:
    bsm = aws.manager()
    arn = create_role(bsm, account_id="111122223333")
    bsm.assume_role(arn, cache_dir=tmp_path / "cache")
    with bsm.temp_snapshot_file(tmp_path / "snap.json") as path:
        files = [path, *(tmp_path / "cache").iterdir()]
        for file in files:
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    assert stat.S_IMODE((tmp_path / "cache").stat().st_mode) == 0o700


def test_a_crash_mid_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "creds.json"
    write_private_file(path, "old", overwrite=False)

    def crash(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        write_private_file(path, "new and half-written", overwrite=True)
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["creds.json"]  # no temporary file left


def test_the_suite_wide_log_scan_catches_a_planted_secret() -> None:
    from .conftest import _LeakScan

    scan = _LeakScan()
    planted = logging.LogRecord(
        "boto_session_manager.x", logging.DEBUG, __file__, 1, "key %s", (STATIC_SECRET,), None
    )
    scan.handle(planted)
    assert scan.leaks and STATIC_SECRET not in scan.leaks[0]
