"""Type-checked, never run: ordinary user code, as mypy and pyright see it.

Checked by ``mypy --strict tests/typing`` and ``pyright tests/typing`` (basic
mode, as VS Code runs it) with the ``dev`` extra installed (it brings the
``types-boto3`` flavor of the stubs:
``types-boto3[s3,sts,dynamodb,secretsmanager,ssm,iam,logs]``); ``tox -e type``
runs both. Both must report nothing. pytest does not collect it (no ``test_``
prefix), and nothing here is called. ``tests/typing_boto3_stubs`` checks the
same client types with the other flavor, ``boto3-stubs``.

A service's client type is ``<types-boto3 class> | <mypy-boto3 class>``; the
flavor that is not installed is ``Any``, hence ``S3Client | Any`` below. A
``# type: ignore[union-attr]`` marks a line that must be an error: mypy
(``warn_unused_ignores``) and pyright (``reportUnnecessaryTypeIgnoreComment``)
both fail when the ignored error is not there.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from typing_extensions import assert_type

from boto_session_manager import BotoSesManager
from boto_session_manager.api import PATH_DEFAULT_SNAPSHOT, AwsServiceEnum

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from boto3.resources.base import ServiceResource
    from botocore.client import BaseClient
    from types_boto3_dynamodb.client import DynamoDBClient
    from types_boto3_dynamodb.service_resource import DynamoDBServiceResource
    from types_boto3_iam.client import IAMClient
    from types_boto3_logs.client import CloudWatchLogsClient
    from types_boto3_s3.client import S3Client
    from types_boto3_s3.service_resource import S3ServiceResource
    from types_boto3_secretsmanager.client import SecretsManagerClient
    from types_boto3_ssm.client import SSMClient
    from types_boto3_sts.client import STSClient
    from types_boto3_sts.type_defs import GetCallerIdentityResponseTypeDef


def client_properties_carry_the_stub_types(bsm: BotoSesManager) -> None:
    assert_type(bsm.s3_client, S3Client | Any)
    assert_type(bsm.sts_client, STSClient | Any)
    assert_type(bsm.dynamodb_client, DynamoDBClient | Any)
    assert_type(bsm.secretsmanager_client, SecretsManagerClient | Any)
    assert_type(bsm.ssm_client, SSMClient | Any)
    assert_type(bsm.iam_client, IAMClient | Any)
    s3: S3Client = bsm.s3_client
    sts: STSClient = bsm.get_client("sts")
    print(s3, sts)


def stub_methods_are_checked(bsm: BotoSesManager) -> str:
    identity = bsm.sts_client.get_caller_identity()
    assert_type(identity, GetCallerIdentityResponseTypeDef | Any)
    bsm.s3_client.put_object(Bucket="my-bucket", Key="k", Body=b"data")
    print(bsm.get_client("s3").list_buckets()["Buckets"])
    bsm.s3_client.no_such_method()  # type: ignore[union-attr]
    bsm.get_client("s3").no_such_method()  # type: ignore[union-attr]
    bsm.get_client("s3", region_name="eu-west-1").put_object(Bucket="b")  # type: ignore[call-arg]
    return identity["Account"]


def a_service_without_stubs_is_any(bsm: BotoSesManager) -> None:
    # no types-boto3-ec2 here: untyped, as boto3's own stubs type boto3.client("ec2")
    assert_type(bsm.get_client("ec2"), Any)
    assert_type(bsm.ec2_client, Any)


def a_service_name_in_a_variable_gives_the_base_types(bsm: BotoSesManager, name: str) -> None:
    assert_type(bsm.get_client(name), BaseClient)
    assert_type(bsm.get_resource(name), ServiceResource)
    # name the stub class yourself when the name is not a literal
    s3 = cast("S3Client", bsm.get_client(name, region_name="eu-west-1"))
    s3.list_buckets()
    bsm.get_client("sts", unsigned=True).get_caller_identity()


def migration_names_are_typed() -> None:
    service: str = AwsServiceEnum.S3
    BotoSesManager().get_client(service)
    assert_type(PATH_DEFAULT_SNAPSHOT, Path)


def fan_out_results_carry_the_function_s_return_type(bsm: BotoSesManager) -> None:
    from boto_session_manager.fanout import (
        AccountResult,
        FanOutOptions,
        FanOutResult,
        for_each_account,
    )

    def bucket_count(account_bsm: BotoSesManager) -> int:
        return len(account_bsm.s3_client.list_buckets()["Buckets"])

    run = bsm.for_each_account(bucket_count, organizational_units=["ou-ab12-34cd56ef"])
    assert_type(run, FanOutResult[int])
    total: int = sum(run.results.values())
    regional = bsm.for_each_account(
        lambda b, region: f"{b.aws_account_id}/{region}",
        options=FanOutOptions(regions="enabled", account_tags={"env": "prod"}),
    )
    assert_type(regional, FanOutResult[str])
    for outcome in bsm.for_each_account_iter(bucket_count, exclude=["111122223333"]):
        assert_type(outcome, AccountResult[int])
        assert_type(outcome.value, int | None)
    assert_type(
        for_each_account(bsm, bucket_count, account_ids=["111122223333"]), FanOutResult[int]
    )
    print(total)


def compat_modules_are_typed(bsm: BotoSesManager) -> None:
    from boto_session_manager import compat
    from boto_session_manager.compat import awsauthhelper, chronos, powertools

    compat.set_default_manager(bsm)
    assert_type(compat.get_default_manager(), BotoSesManager)
    assert_type(chronos.parse_arn("arn:aws:s3:::b")["service"], Any)
    assert_type(chronos.aws_s3_list_objects(Bucket="b"), list[dict[str, Any]])
    assert_type(chronos.DynamoDBDatabase("t").scan(), list[dict[str, Any]])
    assert_type(powertools.set_secret("s", "v", Description="d"), dict[str, Any])
    provider = powertools.SecretsProvider()
    value: str = provider.get("s")
    credentials = awsauthhelper.Credentials(profile="dev", mfa_session_life=900)
    assert_type(credentials.has_role(), bool)
    make_session = credentials.get_session_generator()
    make_session(region="eu-west-1").client("s3")
    assert_type(awsauthhelper.generate_password(), str)
    arn = bsm.get_named_resources()["x"]
    assert_type(arn["service"], Any)
    print(value, dict(arn))


def derived_managers_are_managers(bsm: BotoSesManager) -> None:
    role = bsm.assume_role("arn:aws:iam::111122223333:role/deploy", auto_refresh=True)
    assert_type(role, BotoSesManager)
    mfa = bsm.get_session_token(mfa_serial_number="arn:aws:iam::1:mfa/a", mfa_token="123456")
    assert_type(mfa, BotoSesManager)
    ci = bsm.assume_role_with_web_identity(
        "arn:aws:iam::111122223333:role/ci", web_identity_token_file="/tmp/token"
    )
    assert_type(ci, BotoSesManager)
    assert_type(role.in_region("eu-west-1"), BotoSesManager)
    assert_type(role.is_expired(300), bool)
    expiry: datetime | None = role.expiration_time
    assert_type(expiry, "datetime | None")
    with role.awscli() as same:
        assert_type(same, BotoSesManager)
    with role.temp_snapshot() as also_same:
        assert_type(also_same, BotoSesManager)


def positional_arguments_work() -> None:
    bsm = BotoSesManager("AKIAEXAMPLE", "secret", None, "us-east-1")
    assert_type(bsm.get_secret("name"), Any)


def upstream_property_names_are_typed_as_botocores(bsm: BotoSesManager) -> None:
    assert_type(bsm.cloudwatchlogs_client, CloudWatchLogsClient | Any)
    assert_type(bsm.logs_client, CloudWatchLogsClient | Any)
    bsm.sfn_client.list_state_machines()
    bsm.eventbridge_client.list_event_buses()


def expiry_and_awscli_are_typed(bsm: BotoSesManager) -> None:
    expires = bsm.expiration_time
    assert_type(expires, datetime | None)
    if expires is not None:
        print(expires.isoformat())
    assert_type(bsm.is_expired(), bool)
    assert_type(bsm.is_expired(delta=300), bool)
    with bsm.awscli() as same:
        assert_type(same, BotoSesManager)


def get_client_is_typed_by_service_name(bsm: BotoSesManager) -> None:
    assert_type(bsm.get_client("s3"), S3Client | Any)
    assert_type(bsm.get_client("s3", region_name="eu-west-1"), S3Client | Any)
    assert_type(bsm.get_client("sts"), STSClient | Any)
    bsm.get_client("s3").list_buckets()
    bsm.get_client("dynamodb").list_tables()


def get_resource_is_typed_by_service_name(bsm: BotoSesManager) -> None:
    assert_type(bsm.get_resource("s3"), S3ServiceResource | Any)
    assert_type(bsm.get_resource("dynamodb"), DynamoDBServiceResource | Any)
    bsm.get_resource("s3").Bucket("my-bucket").objects.all()
    table: DynamoDBServiceResource = bsm.get_resource("dynamodb")
    print(table)
