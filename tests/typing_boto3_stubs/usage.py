"""Type-checked, never run: the client types with the ``boto3-stubs`` flavor of the stubs.

``tests/typing`` checks everything with ``types-boto3``; this file checks the
client and resource types with the other published flavor, ``boto3-stubs``
(``pip install "boto3-stubs[s3,sts]"``, modules ``mypy_boto3_<service>``).
The two flavors cannot share an environment (both install ``boto3-stubs/``),
so ``tox -e type-boto3-stubs`` and ``.ci/run`` check this directory in one of
its own with ``mypy --strict`` and pyright. Both must report nothing.

A service's client type is ``<types-boto3 class> | <mypy-boto3 class>``;
``types-boto3`` is not installed here, so it is ``Any``: ``S3Client | Any``.
A ``# type: ignore[...]`` marks a line that must be an error (mypy's
``warn_unused_ignores`` and pyright's ``reportUnnecessaryTypeIgnoreComment``
fail when the error is not there).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from typing_extensions import assert_type

from boto_session_manager import BotoSesManager

if TYPE_CHECKING:
    from boto3.resources.base import ServiceResource
    from botocore.client import BaseClient
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_s3.service_resource import S3ServiceResource
    from mypy_boto3_sts.client import STSClient
    from mypy_boto3_sts.type_defs import GetCallerIdentityResponseTypeDef


def get_client_gives_the_mypy_boto3_client(bsm: BotoSesManager) -> None:
    assert_type(bsm.get_client("s3"), S3Client | Any)
    assert_type(bsm.get_client("s3", region_name="eu-west-1"), S3Client | Any)
    assert_type(bsm.get_client("sts"), STSClient | Any)
    s3: S3Client = bsm.get_client("s3")
    print(s3)


def client_properties_give_the_mypy_boto3_client(bsm: BotoSesManager) -> None:
    assert_type(bsm.s3_client, S3Client | Any)
    assert_type(bsm.sts_client, STSClient | Any)
    s3: S3Client = bsm.s3_client
    print(s3)


def get_resource_gives_the_mypy_boto3_resource(bsm: BotoSesManager) -> None:
    assert_type(bsm.get_resource("s3"), S3ServiceResource | Any)
    resource: S3ServiceResource = bsm.get_resource("s3")
    resource.Bucket("my-bucket").objects.all()


def methods_are_checked(bsm: BotoSesManager) -> str:
    print(bsm.get_client("s3").list_buckets()["Buckets"])
    print(bsm.s3_client.list_buckets()["Buckets"])
    identity = bsm.sts_client.get_caller_identity()
    assert_type(identity, GetCallerIdentityResponseTypeDef | Any)
    bsm.s3_client.no_such_method()  # type: ignore[union-attr]
    bsm.get_client("s3").no_such_method()  # type: ignore[union-attr]
    bsm.s3_client.put_object(Bucket="my-bucket")  # type: ignore[call-arg]
    return identity["Account"]


def a_service_without_stubs_is_any(bsm: BotoSesManager) -> None:
    # no mypy-boto3-ec2 here: untyped, as boto3-stubs types boto3.client("ec2")
    assert_type(bsm.get_client("ec2"), Any)
    assert_type(bsm.ec2_client, Any)


def a_service_name_in_a_variable_gives_the_base_types(bsm: BotoSesManager, name: str) -> None:
    assert_type(bsm.get_client(name), BaseClient)
    assert_type(bsm.get_resource(name), ServiceResource)
