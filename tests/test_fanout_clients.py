"""The fan-out's own STS and Organizations clients: adaptive retry mode unless one was chosen."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from boto_session_manager import BotoSesManager
from boto_session_manager.fanout import fanout_client
from boto_session_manager.session import client_settings, configured_retry_mode
from boto_session_manager.testing import TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY, LocalAWS

from .helpers import FakeClock, create_role

#: botocore's own default retry mode ("standard"; "legacy" in older releases).
DEFAULT_MODE = (
    boto3.session.Session()
    .client("sts", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    .meta.config.retries["mode"]
)

OTHERS = ["111111111111", "222222222222", "333333333333", "444444444444", "555555555555"]


def modes(bsm: BotoSesManager) -> tuple[str, str]:
    """The retry mode of the fan-out's STS and Organizations clients."""
    sts, org = fanout_client(bsm, "sts"), fanout_client(bsm, "organizations")
    return sts.meta.config.retries["mode"], org.meta.config.retries["mode"]


def write_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *lines: str) -> None:
    config = tmp_path / "config"
    config.write_text(
        "[profile chosen]\n"
        "region = us-east-1\n"
        f"aws_access_key_id = {TEST_ACCESS_KEY_ID}\n"
        f"aws_secret_access_key = {TEST_SECRET_ACCESS_KEY}\n" + "".join(f"{x}\n" for x in lines)
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))


# ------------------------------------------------------------- the default


def test_the_fanout_clients_are_adaptive_when_no_mode_was_chosen(bsm: BotoSesManager) -> None:
    assert modes(bsm) == ("adaptive", "adaptive")
    assert configured_retry_mode(bsm.boto_ses) is None
    # The manager's own clients keep botocore's default mode.
    assert bsm.get_client("sts").meta.config.retries["mode"] == DEFAULT_MODE
    assert fanout_client(bsm, "sts") is not bsm.get_client("sts")


def test_the_fanout_client_is_the_managers_cached_one(bsm: BotoSesManager) -> None:
    sts = fanout_client(bsm, "sts")

    assert sts is fanout_client(bsm, "sts")
    assert sts.meta.endpoint_url == bsm.get_client("sts").meta.endpoint_url
    bsm.clear_cache()
    assert fanout_client(bsm, "sts") is not sts  # made again after a clear, like any client


def test_only_the_mode_changes_the_other_client_settings_are_kept(aws: LocalAWS) -> None:
    given = Config(retries={"max_attempts": 4}, connect_timeout=7, user_agent_extra="audit")
    bsm = aws.manager(default_client_kwargs={"config": given})
    bsm.get_client("sts").get_caller_identity()  # the manager's own clients first

    sts = fanout_client(bsm, "sts")

    assert sts.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 5}
    assert (sts.meta.config.connect_timeout, sts.meta.config.user_agent_extra) == (7, "audit")
    assert sts.meta.endpoint_url == aws.endpoint_url
    assert bsm.get_client("sts").meta.config.retries == {
        "mode": DEFAULT_MODE,
        "total_max_attempts": 5,
    }
    assert given.retries == {"max_attempts": 4}  # the caller's Config is never rewritten


def test_an_unchosen_mode_is_not_passed_down_as_a_choice(aws: LocalAWS, role_arn: str) -> None:
    role = aws.manager().assume_role(role_arn)

    assert "retry_mode" not in client_settings(aws.manager().boto_ses)
    assert modes(role) == ("adaptive", "adaptive")
    assert modes(role.in_region("eu-west-1")) == ("adaptive", "adaptive")


# ------------------------------------------------------------ a chosen mode


def test_a_mode_in_the_client_config_wins(aws: LocalAWS) -> None:
    bsm = aws.manager(default_client_kwargs={"config": Config(retries={"mode": "legacy"})})

    assert modes(bsm) == ("legacy", "legacy")
    assert fanout_client(bsm, "sts") is bsm.get_client("sts")  # no extra client


def test_the_environment_mode_wins(aws: LocalAWS, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")
    bsm = aws.manager()

    assert configured_retry_mode(bsm.boto_ses) == "standard"
    assert modes(bsm) == ("standard", "standard")
    assert fanout_client(bsm, "organizations") is bsm.get_client("organizations")


def test_the_profile_mode_wins_and_reaches_derived_managers(
    aws: LocalAWS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, role_arn: str
) -> None:
    write_profile(tmp_path, monkeypatch, "retry_mode = legacy")
    bsm = BotoSesManager(
        profile_name="chosen", default_client_kwargs={"endpoint_url": aws.endpoint_url}
    )

    assert modes(bsm) == ("legacy", "legacy")
    assert modes(bsm.assume_role(role_arn)) == ("legacy", "legacy")


def test_a_mode_set_on_the_callers_botocore_session_wins(aws: LocalAWS) -> None:
    core = boto3.session.Session()._session
    core.set_config_variable("retry_mode", "legacy")
    bsm = BotoSesManager(
        TEST_ACCESS_KEY_ID,
        TEST_SECRET_ACCESS_KEY,
        region_name="us-east-1",
        botocore_session=core,
        default_client_kwargs={"endpoint_url": aws.endpoint_url},
    )

    assert modes(bsm) == ("legacy", "legacy")


def test_a_profile_without_a_mode_leaves_it_adaptive(
    aws: LocalAWS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_profile(tmp_path, monkeypatch, "max_attempts = 9")
    bsm = BotoSesManager(
        profile_name="chosen", default_client_kwargs={"endpoint_url": aws.endpoint_url}
    )

    assert fanout_client(bsm, "sts").meta.config.retries == {
        "mode": "adaptive",
        "total_max_attempts": 9,
    }


# ------------------------------------------------------------------ the run


def test_every_worker_assumes_through_the_one_adaptive_client(bsm: BotoSesManager) -> None:
    create_role(bsm, "OrganizationAccountAccessRole")
    sts = fanout_client(bsm, "sts")
    seen: list[Any] = []
    lock = threading.Lock()

    def record(model: Any, **_: Any) -> None:
        with lock:
            seen.append(model.name)

    sts.meta.events.register("before-call.sts.AssumeRole", record)

    def modes_in(account_bsm: BotoSesManager) -> str:
        return str(account_bsm.get_client("sts").meta.config.retries["mode"])

    run = bsm.for_each_account(modes_in, account_ids=OTHERS, max_workers=5)

    assert run.errors == {}
    assert seen == ["AssumeRole"] * len(OTHERS)  # every account's role, one client
    assert fanout_client(bsm, "sts") is sts
    # The clients func gets are the account manager's own, in the default mode.
    assert set(run.results.values()) == {DEFAULT_MODE}


def test_an_accounts_role_refreshes_through_the_adaptive_client(
    aws: LocalAWS, clock: FakeClock
) -> None:
    bsm = aws.manager(clock=clock)
    create_role(bsm, "OrganizationAccountAccessRole")
    seen: list[str] = []
    fanout_client(bsm, "sts").meta.events.register(
        "before-call.sts.AssumeRole", lambda **_: seen.append("AssumeRole")
    )

    def later(account_bsm: BotoSesManager) -> str:
        first = account_bsm.get_frozen_credentials().access_key
        clock.advance(800)  # inside the refresh window of its 900 s credentials
        account_bsm.get_client("s3").list_buckets()
        return "refreshed" if account_bsm.get_frozen_credentials().access_key != first else "same"

    run = bsm.for_each_account(later, account_ids=OTHERS[:1], duration_seconds=900)

    assert run.results == {OTHERS[0]: "refreshed"}
    assert seen == ["AssumeRole", "AssumeRole"]
