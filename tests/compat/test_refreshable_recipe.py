"""The refreshable-session recipe and its neighbours, each done with the core API.

The recipe builds a boto3 Session whose credentials re-assume a role before
they expire, so clients can be cached; ``assume_role(..., auto_refresh=True)``
is that recipe. The other snippets (a session from keys, validating
credentials with GetCallerIdentity, an unsigned S3 client) map to one call each.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from botocore import UNSIGNED

from boto_session_manager import BotoSesManager
from boto_session_manager.identity import CallerIdentity
from boto_session_manager.testing import TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY, LocalAWS

from ..conftest import FakeClock, create_role
from .conftest import Recorder


def test_session_from_keys_then_a_resource(aws: LocalAWS) -> None:
    # boto3.Session(aws_access_key_id=..., aws_secret_access_key=...).resource("s3")
    bsm = BotoSesManager(
        aws_access_key_id=TEST_ACCESS_KEY_ID,
        aws_secret_access_key=TEST_SECRET_ACCESS_KEY,
        region_name="us-east-1",
        default_client_kwargs={"endpoint_url": aws.endpoint_url},
    )
    s3 = bsm.get_resource("s3")
    s3.create_bucket(Bucket="from-keys")
    assert [b.name for b in s3.buckets.all()] == ["from-keys"]


def test_refreshable_session_keeps_a_cached_client_working(
    bsm: BotoSesManager, recorder: Recorder, clock: FakeClock
) -> None:
    # RefreshableBotoSession(sts_arn=..., session_name=..., session_ttl=3000)
    #     .refreshable_session().client("s3")
    arn = create_role(bsm, "refreshed")
    base = bsm.__class__(
        aws_access_key_id=TEST_ACCESS_KEY_ID,
        aws_secret_access_key=TEST_SECRET_ACCESS_KEY,
        region_name="us-east-1",
        default_client_kwargs={"endpoint_url": recorder.url},
        clock=clock,
    )
    role = base.assume_role(
        arn, role_session_name="recipe", duration_seconds=3000, auto_refresh=True
    )
    client = role.get_client("s3")  # cached, as the recipe's clients are meant to be
    client.create_bucket(Bucket="kept")
    first_expiry = role.credential_expiration
    assert first_expiry is not None
    assert len(recorder.requests("AssumeRole")) == 1

    clock.move_to(first_expiry - timedelta(minutes=1))
    assert [b["Name"] for b in client.list_buckets()["Buckets"]] == ["kept"]
    assumed = recorder.requests("AssumeRole")
    assert len(assumed) == 2
    assert {r.params["RoleSessionName"] for r in assumed} == {"recipe"}
    assert {r.params["DurationSeconds"] for r in assumed} == {"3000"}


def test_validating_credentials_is_one_call(bsm: BotoSesManager) -> None:
    # sts.get_caller_identity() inside try/except ClientError
    identity = bsm.check_credentials()
    assert isinstance(identity, CallerIdentity)
    assert identity.account == "123456789012"


@pytest.mark.parametrize("how", ["client", "manager"])
def test_unsigned_s3_client(bsm: BotoSesManager, aws: LocalAWS, how: str) -> None:
    # boto3.client("s3", config=Config(signature_version=UNSIGNED))
    bsm.get_client("s3").create_bucket(Bucket="public")
    bsm.get_client("s3").put_object(Bucket="public", Key="k", Body=b"v", ACL="public-read")
    if how == "client":
        s3 = bsm.get_client("s3", unsigned=True)
    else:
        s3 = BotoSesManager(
            unsigned=True,
            region_name="us-east-1",
            default_client_kwargs={"endpoint_url": aws.endpoint_url},
        ).get_client("s3")
    assert s3.meta.config.signature_version is UNSIGNED
    assert s3.get_object(Bucket="public", Key="k")["Body"].read() == b"v"
