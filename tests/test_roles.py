"""assume_role: static and refreshing credentials, chains, windows, threads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager.credentials import refresh_windows
from boto_session_manager.exceptions import InvalidArnError
from boto_session_manager.testing import LocalAWS

from .helpers import OTHER_ACCOUNT, FakeClock, create_role, sent_bodies

THIRD = "222233334444"


def test_assume_role_returns_manager_for_the_role(bsm: BotoSesManager) -> None:
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    role = bsm.assume_role(arn, role_session_name="nightly")
    assert role.aws_account_id == OTHER_ACCOUNT
    assert role.principal_arn.endswith(":assumed-role/test-role/nightly")
    assert role.expiration_time is not None
    assert role.is_expired() is False


def test_assumed_manager_inherits_region_and_client_kwargs(
    bsm: BotoSesManager, aws: LocalAWS
) -> None:
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    role = bsm.assume_role(arn)
    assert role.aws_region == "us-east-1"
    assert role.default_client_kwargs == {"endpoint_url": aws.endpoint_url}
    assert role.get_client("s3").meta.endpoint_url == aws.endpoint_url
    assert bsm.assume_role(arn, region_name="eu-central-1").aws_region == "eu-central-1"


def test_every_assume_role_argument_and_policies_reach_sts(bsm: BotoSesManager) -> None:
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    seen = sent_bodies(bsm.get_client("sts"), "AssumeRole")
    bsm.assume_role(
        arn,
        role_session_name="ses",
        duration_seconds=1800,
        tags=[{"Key": "team", "Value": "ops"}],
        transitive_tag_keys=["team"],
        external_id="ext-1",
        mfa_serial_number="arn:aws:iam::123456789012:mfa/alice",
        mfa_token="123456",
        source_identity="alice",
        policy={"Version": "2012-10-17", "Statement": []},
        policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"],
    )
    (request,) = seen
    assert request["RoleArn"] == arn
    assert request["RoleSessionName"] == "ses"
    assert int(request["DurationSeconds"]) == 1800
    assert request["ExternalId"] == "ext-1"
    assert request["SerialNumber"] == "arn:aws:iam::123456789012:mfa/alice"
    assert request["TokenCode"] == "123456"
    assert request["SourceIdentity"] == "alice"
    assert request["Tags.member.1.Key"] == "team"
    assert request["TransitiveTagKeys.member.1"] == "team"
    assert request["PolicyArns.member.1.arn"] == "arn:aws:iam::aws:policy/ReadOnlyAccess"
    assert '"Version": "2012-10-17"' in request["Policy"]


@pytest.mark.parametrize(
    "bad",
    [
        "not-an-arn",
        "arn:aws:s3:::bucket",
        "arn:aws:iam::123456789012:user/alice",
        "arn:aws:iam::12345:role/x",
        "",
    ],
)
def test_malformed_role_arn_is_value_error_before_any_network_call(bad: str) -> None:
    offline = BotoSesManager(
        aws_access_key_id="AKIA",
        aws_secret_access_key="secret",
        region_name="us-east-1",
        default_client_kwargs={"endpoint_url": "http://127.0.0.1:9"},
    )
    with pytest.raises(InvalidArnError) as info:
        offline.assume_role(bad, auto_refresh=True)
    assert isinstance(info.value, ValueError)
    assert repr(bad) in str(info.value) or "ARN" in str(info.value)
    assert offline._session is None  # nothing was even created


@pytest.mark.parametrize("duration", [899, 43201, "3600", 1.5, True])
def test_duration_out_of_range_is_value_error(bsm: BotoSesManager, duration) -> None:
    with pytest.raises(ValueError, match="duration_seconds"):
        bsm.assume_role("arn:aws:iam::111122223333:role/r", duration_seconds=duration)


def test_refresh_windows_scale_with_lifetime() -> None:
    assert refresh_windows(3600) == (900, 600)
    assert refresh_windows(43200) == (900, 600)
    advisory, mandatory = refresh_windows(900)
    assert 0 < mandatory < advisory < 900 / 2


def test_auto_refresh_gets_new_credentials_and_old_client_keeps_working(
    bsm: BotoSesManager, clock: FakeClock
) -> None:
    bsm.clock = clock
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    seen = sent_bodies(bsm.get_client("sts"), "AssumeRole")
    role = bsm.assume_role(arn, auto_refresh=True)
    s3 = role.get_client("s3")
    s3.create_bucket(Bucket="before-refresh")
    first_key = role.get_frozen_credentials().access_key
    first_expiry = role.credential_expiration
    assert len(seen) == 1

    clock.move_to(first_expiry - timedelta(minutes=2))
    assert role.get_frozen_credentials().access_key != first_key
    assert len(seen) == 2
    assert role.credential_expiration > first_expiry
    # The client created before the refresh signs with the new keys.
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert "before-refresh" in names
    assert role.aws_account_id == OTHER_ACCOUNT


def test_900_second_credentials_do_not_refresh_on_every_call(bsm: BotoSesManager) -> None:
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    seen = sent_bodies(bsm.get_client("sts"), "AssumeRole")
    role = bsm.assume_role(arn, duration_seconds=900, auto_refresh=True)
    sts = role.get_client("sts")
    for _ in range(50):
        sts.get_caller_identity()
    for _ in range(1000):
        role.get_frozen_credentials()
    assert len(seen) == 1


def test_sixteen_threads_hitting_a_due_refresh_make_one_sts_call(
    bsm: BotoSesManager, clock: FakeClock
) -> None:
    bsm.clock = clock
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    seen = sent_bodies(bsm.get_client("sts"), "AssumeRole")
    role = bsm.assume_role(arn, auto_refresh=True)
    clock.move_to(role.credential_expiration - timedelta(minutes=1))
    barrier = threading.Barrier(16)

    def read(_: int) -> str:
        barrier.wait()
        return role.get_frozen_credentials().access_key

    with ThreadPoolExecutor(16) as pool:
        keys = set(pool.map(read, range(16)))
    assert len(seen) == 2  # the first assumption and one refresh
    assert len(keys) == 1


def test_role_chain_refreshes_at_every_link(bsm: BotoSesManager, clock: FakeClock) -> None:
    bsm.clock = clock
    first_arn = create_role(bsm, name="first", account_id=OTHER_ACCOUNT)
    second_arn = create_role(bsm, name="second", account_id=THIRD)
    first = bsm.assume_role(first_arn, auto_refresh=True)
    second = first.assume_role(second_arn, auto_refresh=True)
    assert second.aws_account_id == THIRD
    root_calls = sent_bodies(bsm.get_client("sts"), "AssumeRole")
    link_calls = sent_bodies(first.get_client("sts"), "AssumeRole")
    first_key, second_key = (
        first.get_frozen_credentials().access_key,
        second.get_frozen_credentials().access_key,
    )

    # Both links are now inside their mandatory window (moto still issues
    # credentials from the real clock, so new ones outlive the fake "now").
    clock.advance(3600 - 60)
    assert second.get_frozen_credentials().access_key != second_key
    assert first.get_frozen_credentials().access_key != first_key
    assert len(root_calls) == 1
    assert len(link_calls) == 1
    assert second.get_client("sts").get_caller_identity()["Account"] == THIRD


def test_callable_mfa_token_is_asked_again_at_refresh(
    bsm: BotoSesManager, clock: FakeClock
) -> None:
    bsm.clock = clock
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    codes = iter(["111111", "222222", "333333"])
    seen = sent_bodies(bsm.get_client("sts"), "AssumeRole")
    role = bsm.assume_role(
        arn,
        mfa_serial_number="arn:aws:iam::123456789012:mfa/alice",
        mfa_token=lambda: next(codes),
        auto_refresh=True,
    )
    clock.move_to(role.credential_expiration - timedelta(minutes=1))
    role.get_frozen_credentials()
    assert [c["TokenCode"] for c in seen] == ["111111", "222222"]


def test_assume_role_failure_surfaces_at_assume_time(aws: LocalAWS) -> None:
    from botocore.exceptions import ClientError

    bsm = aws.manager()
    seen = sent_bodies(bsm.get_client("sts"), "AssumeRole")

    def deny(**kwargs):
        raise ClientError(
            {"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, "AssumeRole"
        )

    bsm.get_client("sts").meta.events.register("before-call.sts.AssumeRole", deny)
    with pytest.raises(ClientError, match="AccessDenied"):
        bsm.assume_role("arn:aws:iam::111122223333:role/nope", auto_refresh=True)
    assert len(seen) == 1


def test_assumed_identity_comes_from_sts_without_get_caller_identity(bsm: BotoSesManager) -> None:
    arn = create_role(bsm, account_id=OTHER_ACCOUNT)
    for auto_refresh in (False, True):
        role = bsm.assume_role(arn, role_session_name="known", auto_refresh=auto_refresh)
        calls: list[int] = []
        role.get_client("sts").meta.events.register(
            "before-call.sts.GetCallerIdentity", lambda calls=calls, **kw: calls.append(1)
        )
        assert role.aws_account_id == OTHER_ACCOUNT
        assert role.principal_arn == f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/test-role/known"
        assert role.aws_account_user_id.endswith(":known")
        assert calls == []
        assert role.check_credentials().arn == role.principal_arn  # the real call agrees
