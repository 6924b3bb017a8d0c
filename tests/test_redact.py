"""Secrets never leave: error texts, log records and reprs are redacted."""

from __future__ import annotations

import contextlib
import io
import logging
import pickle
import traceback
from pathlib import Path

import pytest
from botocore.credentials import ReadOnlyCredentials
from botocore.exceptions import HTTPClientError

from boto_session_manager import BotoSesManager
from boto_session_manager._redact import (
    MASK,
    RedactingFilter,
    redact_exception,
    redact_text,
)
from boto_session_manager.cli import main
from boto_session_manager.credentials import FrozenCredentials
from boto_session_manager.testing import LocalAWS

SECRET = "SecretKeySentinel/0000000000000000000001"
TOKEN_HEAD, TOKEN_TAIL = "TokenSentinelHead0002", "TokenSentinelTail0003"
TOKEN = f"{TOKEN_HEAD}\n{TOKEN_TAIL}"


def full_text(exc: BaseException) -> str:
    return str(exc) + repr(exc) + "".join(traceback.format_exception(exc))


def assert_clean(text: str) -> None:
    for part in (SECRET, TOKEN_HEAD, TOKEN_TAIL):
        assert part not in text


# ------------------------------------------------------------------ frozen creds


def test_frozen_credentials_hide_secrets_in_repr_and_str() -> None:
    bsm = BotoSesManager(
        aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key=SECRET, aws_session_token="t" * 20
    )
    creds = bsm.get_frozen_credentials()
    shown = repr(creds) + str(creds) + f"{creds}" + repr([creds])
    assert SECRET not in shown
    assert "t" * 20 not in shown
    assert "AKIAEXAMPLE" in shown


def test_frozen_credentials_are_still_botocores_tuple() -> None:
    bsm = BotoSesManager(aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key=SECRET)
    creds = bsm.get_frozen_credentials()
    assert isinstance(creds, ReadOnlyCredentials)
    assert (creds.access_key, creds.secret_key, creds.token) == ("AKIAEXAMPLE", SECRET, None)
    assert tuple(creds) == tuple(ReadOnlyCredentials("AKIAEXAMPLE", SECRET, None))
    assert creds == ReadOnlyCredentials("AKIAEXAMPLE", SECRET, None)
    access_key, secret_key, token = creds[:3]
    assert (access_key, secret_key, token) == ("AKIAEXAMPLE", SECRET, None)
    again = pickle.loads(pickle.dumps(creds))  # noqa: S301 - our own bytes
    assert again == creds and isinstance(again, FrozenCredentials)
    assert "***" in repr(creds._replace(token="x" * 10))


# ------------------------------------------------------------------ texts


def test_known_secrets_and_their_escaped_spelling_are_hidden() -> None:
    text = f"a {SECRET} b {TOKEN!r} c"
    cleaned = redact_text(text, [SECRET, TOKEN])
    assert_clean(cleaned)
    assert cleaned.startswith(f"a {MASK} b")


def test_short_values_are_not_searched_for() -> None:
    assert redact_text("a bc d", ["bc"]) == "a bc d"


@pytest.mark.parametrize(
    "text",
    [
        f"Invalid header value b'{TOKEN_HEAD}\\n{TOKEN_TAIL}'",
        f"headers={{'X-Amz-Security-Token': b'{TOKEN_HEAD}', 'Host': 'x'}}",
        f"x-amz-security-token:{TOKEN_HEAD}",
        f"<SecretAccessKey>{SECRET}</SecretAccessKey><SessionToken>{TOKEN_HEAD}</SessionToken>",
        f'{{"SecretString": "{TOKEN_HEAD}", "SessionToken": "{TOKEN_TAIL}"}}',
        f"aws_secret_access_key = {SECRET}",
    ],
)
def test_credential_text_is_hidden_without_knowing_the_value(text: str) -> None:
    assert_clean(redact_text(text))


def test_an_exception_chain_is_redacted_in_place() -> None:
    try:
        try:
            raise ValueError(f"Invalid header value b'{TOKEN_HEAD}'")
        except ValueError as inner:
            raise HTTPClientError(error=inner) from None
    except HTTPClientError as outer:
        outer.__context__ = ValueError(SECRET)
        assert redact_exception(outer, [SECRET]) is outer
        assert_clean(full_text(outer))
        assert_clean(str(outer.kwargs["error"]))


# ------------------------------------------------------------------ end to end


def test_a_token_with_a_newline_never_reaches_a_client_error(
    aws: LocalAWS, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    bsm = BotoSesManager(
        region_name="us-east-1", default_client_kwargs={"endpoint_url": aws.endpoint_url}
    )
    with pytest.raises(HTTPClientError) as info:
        bsm.get_client("sts").get_caller_identity()
    assert_clean(full_text(info.value))
    assert "Invalid header value" in str(info.value)


def test_bsm_never_prints_a_token_with_a_newline(aws: LocalAWS) -> None:
    err = io.StringIO()
    argv = ["whoami", "--aws-access-key-id", "AKIAEXAMPLE", "--aws-secret-access-key", SECRET,
            "--aws-session-token", TOKEN, "--region", "us-east-1",
            "--endpoint-url", aws.endpoint_url]  # fmt: skip
    with contextlib.redirect_stderr(err):
        status = main(argv, out=io.StringIO())
    assert status == 1
    assert_clean(err.getvalue())
    assert "bsm: error:" in err.getvalue()


def test_bsm_debug_traceback_is_redacted_too(
    aws: LocalAWS, monkeypatch: pytest.MonkeyPatch
) -> None:
    # From the environment the token reaches the HTTP layer, which quotes it.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    argv = ["--debug", "whoami", "--region", "us-east-1", "--endpoint-url", aws.endpoint_url]
    with pytest.raises(Exception) as info:  # noqa: PT011 - whichever error: its text counts
        main(argv, out=io.StringIO())
    assert_clean(full_text(info.value))


def test_redaction_leaves_the_libraries_own_messages_readable() -> None:
    message = "aws_session_token: contains a control character; the value is not shown"
    assert redact_text(message, [SECRET]) == message


def test_auth_debug_logs_botocore_at_debug_with_secrets_hidden(aws: LocalAWS) -> None:
    admin = aws.manager()
    role = admin.get_client("iam").create_role(
        RoleName="r", AssumeRolePolicyDocument='{"Statement": []}'
    )["Role"]["Arn"]
    err, out = io.StringIO(), io.StringIO()
    argv = ["--auth-debug", "whoami", "--aws-access-key-id", "AKIAEXAMPLE",
            "--aws-secret-access-key", SECRET, "--region", "us-east-1",
            "--endpoint-url", aws.endpoint_url, "--role", role]  # fmt: skip
    botocore_level = logging.getLogger("botocore").level
    with contextlib.redirect_stderr(err):
        assert main(argv, out=out) == 0
    logged = err.getvalue()
    assert "botocore" in logged and "[DEBUG]" in logged
    assert "<SecretAccessKey>***</SecretAccessKey>" in logged  # the role's new key, hidden
    assert_clean(logged + out.getvalue())
    assert logging.getLogger("botocore").level == botocore_level  # left as it was


def test_redacting_filter_rewrites_records_for_every_later_handler() -> None:
    record = logging.LogRecord("botocore.endpoint", logging.DEBUG, __file__, 1,
                               "headers %s", ({"X-Amz-Security-Token": TOKEN_HEAD},), None)  # fmt: skip
    hider = RedactingFilter()
    hider.add([SECRET])
    assert hider.filter(record) is True
    assert_clean(record.getMessage())
    try:
        raise ValueError(SECRET)
    except ValueError as exc:
        failing = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "boom", None, (ValueError, exc, None)
        )
    failing.exc_text = f"cached {SECRET}"
    hider.filter(failing)
    assert_clean(str(failing.exc_info[1]) + (failing.exc_text or ""))


def test_no_object_handed_back_shows_a_secret_in_its_repr(aws: LocalAWS, tmp_path: Path) -> None:
    bsm = aws.manager(aws_secret_access_key=SECRET)
    arn = bsm.get_client("iam").create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"][
        "Arn"
    ]
    role = bsm.assume_role(arn, auto_refresh=True, cache_dir=tmp_path)
    frozen = role.get_frozen_credentials()
    secrets = [SECRET, frozen.secret_key, frozen.token]
    handed_back = [
        bsm, role, frozen, bsm.get_frozen_credentials(), role.current_credentials(),
        bsm.current_credentials(), role.boto_ses.get_credentials(), bsm.check_credentials(),
    ]  # fmt: skip
    shown = "\n".join(repr(obj) + str(obj) for obj in handed_back)
    for secret in secrets:
        assert secret and secret not in shown
