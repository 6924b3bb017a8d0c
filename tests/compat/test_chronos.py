"""The chronos_lab documentation's examples, run with only the import line changed."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager.compat.chronos import (
    DynamoDBDatabase,
    aws_get_parameters,
    aws_get_parameters_by_path,
    aws_get_resources,
    aws_get_secret,
    aws_s3_list_objects,
    parse_arn,
)
from boto_session_manager.exceptions import (
    BotoSessionManagerError,
    BucketNotFoundError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidArnError,
    ParameterNotFoundError,
    SecretNotFoundError,
    TableNotFoundError,
    TransformError,
)

from .conftest import Recorder


def make_table(bsm: BotoSesManager, name: str, key: str) -> None:
    bsm.get_client("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


# ------------------------------------------------------------ the examples


def test_example_parameters_by_path(default_bsm: BotoSesManager) -> None:
    ssm = default_bsm.get_client("ssm")
    ssm.put_parameter(Name="/app/database/host", Value="db.internal", Type="String")
    ssm.put_parameter(Name="/app/database/port", Value="5432", Type="SecureString")
    ssm.put_parameter(Name="/app/database/replica/host", Value="r.internal", Type="String")

    params = aws_get_parameters_by_path(
        parameter_path="/app/database/", with_decryption=True, recursive=True
    )
    db_host = params["/app/database/host"]
    db_port = params["/app/database/port"]

    assert (db_host, db_port) == ("db.internal", "5432")
    assert params["/app/database/replica/host"] == "r.internal"


def test_example_parameters_by_name(default_bsm: BotoSesManager) -> None:
    ssm = default_bsm.get_client("ssm")
    for name, value in [("/app/db/host", "h"), ("/app/db/port", "1"), ("/app/api/key", "k")]:
        ssm.put_parameter(Name=name, Value=value, Type="SecureString")

    params = aws_get_parameters(
        parameter_names=["/app/db/host", "/app/db/port", "/app/api/key"], with_decryption=True
    )
    db_host = params["/app/db/host"]

    assert db_host == "h"
    assert params == {"/app/db/host": "h", "/app/db/port": "1", "/app/api/key": "k"}


def test_example_secrets(default_bsm: BotoSesManager) -> None:
    sm = default_bsm.get_client("secretsmanager")
    creds = {"username": "app", "password": "pw", "host": "db"}
    sm.create_secret(Name="prod/database/credentials", SecretString=json.dumps(creds))
    sm.create_secret(Name="prod/api/config", SecretString='{"key": "abc"}')

    secret = aws_get_secret("prod/database/credentials")
    db_user = secret["username"]
    db_password = secret["password"]
    db_host = secret["host"]
    api_config = aws_get_secret("prod/api/config")
    api_key = api_config["key"]

    assert (db_user, db_password, db_host, api_key) == ("app", "pw", "db", "abc")


def test_a_binary_secret_is_returned_as_its_bytes(default_bsm: BotoSesManager) -> None:
    default_bsm.get_client("secretsmanager").create_secret(Name="b", SecretBinary=b"\x00\x01")
    assert aws_get_secret("b") == b"\x00\x01"


def test_example_parse_arn(capsys: pytest.CaptureFixture[str]) -> None:
    arn_info = parse_arn("arn:aws:s3:::my-bucket/object.txt")
    print(arn_info["service"])  # 's3'
    print(arn_info["resource"])  # 'my-bucket/object.txt'
    arn_info = parse_arn("arn:aws:dynamodb:us-east-1:123456789012:table/MyTable")
    print(arn_info["resource_type"])  # 'table'
    print(arn_info["resource"])  # 'MyTable'

    assert capsys.readouterr().out.split() == ["s3", "my-bucket/object.txt", "table", "MyTable"]
    assert type(arn_info) is dict
    assert sorted(arn_info) == sorted(
        [
            "arn",
            "partition",
            "service",
            "region",
            "account",
            "resource",
            "resource_type",
            "resource_name",
        ]
    )


def test_example_named_resources(
    default_bsm: BotoSesManager, capsys: pytest.CaptureFixture[str]
) -> None:
    default_bsm.get_client("s3").create_bucket(Bucket="reports")
    default_bsm.get_client("s3").put_bucket_tagging(
        Bucket="reports", Tagging={"TagSet": [{"Key": "Name", "Value": "production-database"}]}
    )

    resources = aws_get_resources()
    for name, arn_info in resources.items():
        print(f"{name}: {arn_info['service']} in {arn_info['region']}")
    resources = aws_get_resources()
    my_db = resources.get("production-database")
    if my_db:
        print(f"Found: {my_db['arn']}")

    assert capsys.readouterr().out.splitlines() == [
        "production-database: s3 in ",
        "Found: arn:aws:s3:::reports",
    ]


def test_example_s3_list_objects(
    default_bsm: BotoSesManager, capsys: pytest.CaptureFixture[str]
) -> None:
    s3 = default_bsm.get_client("s3")
    s3.create_bucket(Bucket="my-bucket")
    s3.put_object(Bucket="my-bucket", Key="data/2024/a.csv", Body=b"12345")
    s3.put_object(Bucket="my-bucket", Key="data/2023/b.csv", Body=b"1")

    objects = aws_s3_list_objects(Bucket="my-bucket")
    for obj in objects:
        print(f"{obj['Key']}: {obj['Size']} bytes")
    objects = aws_s3_list_objects(Bucket="my-bucket", Prefix="data/2024/")
    print(f"Found {len(objects)} objects")

    assert capsys.readouterr().out.splitlines() == [
        "data/2023/b.csv: 1 bytes",
        "data/2024/a.csv: 5 bytes",
        "Found 1 objects",
    ]
    assert {"Key", "LastModified", "Size", "ETag", "StorageClass"} <= set(objects[0])


def test_s3_list_objects_pages_by_max_keys_and_returns_objects_only(
    default_bsm: BotoSesManager, recorder: Recorder
) -> None:
    s3 = default_bsm.get_client("s3")
    s3.create_bucket(Bucket="paged")
    for i in range(5):
        s3.put_object(Bucket="paged", Key=f"k/{i}/x", Body=b"")
    recorder.clear()
    assert len(aws_s3_list_objects(Bucket="paged", MaxKeys=2)) == 5
    assert [r.params["max-keys"] for r in recorder.seen] == ["2", "2", "2"]
    assert aws_s3_list_objects(Bucket="paged", Delimiter="/") == []


def test_example_dynamodb_basic(
    default_bsm: BotoSesManager, capsys: pytest.CaptureFixture[str]
) -> None:
    make_table(default_bsm, "users", "user_id")

    db = DynamoDBDatabase(table_name="users")
    # Put item
    db.put_item(Item={"user_id": "123", "name": "John"})
    # Scan table
    all_items = db.scan()
    print(f"Found {len(all_items)} items")

    assert capsys.readouterr().out == "Found 1 items\n"
    assert all_items == [{"user_id": "123", "name": "John"}]


def test_example_dynamodb_batch(default_bsm: BotoSesManager) -> None:
    make_table(default_bsm, "products", "product_id")

    db = DynamoDBDatabase(table_name="products")
    items = [
        {"product_id": "1", "name": "Widget", "price": 9.99},
        {"product_id": "2", "name": "Gadget", "price": 19.99},
    ]
    db.batch_write_items(Items=items)

    assert sorted(db.scan(), key=lambda i: i["product_id"]) == [
        {"product_id": "1", "name": "Widget", "price": Decimal("9.99")},
        {"product_id": "2", "name": "Gadget", "price": Decimal("19.99")},
    ]


def test_example_dynamodb_put_and_update(default_bsm: BotoSesManager) -> None:
    make_table(default_bsm, "users", "user_id")

    db = DynamoDBDatabase("users")
    response = db.put_item(Item={"user_id": "123", "name": "John"})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200

    db = DynamoDBDatabase("users")
    response = db.update_item(
        Key={"user_id": "123"},
        UpdateExpression="SET #name = :name",
        ExpressionAttributeNames={"#name": "name"},
        ExpressionAttributeValues={":name": "Jane"},
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert db.get_item(Key={"user_id": "123"}) == {"user_id": "123", "name": "Jane"}
    assert db.query(
        KeyConditionExpression="user_id = :u", ExpressionAttributeValues={":u": "123"}
    ) == [{"user_id": "123", "name": "Jane"}]
    db.delete_item(Key={"user_id": "123"})
    assert db.scan() == []
    assert "users" in repr(db)


# ---------------------------------------------------------------- the shapes


def test_format_other_than_dict_gives_the_response_shape(default_bsm: BotoSesManager) -> None:
    default_bsm.get_client("ssm").put_parameter(Name="/f/a", Value="1", Type="String")
    by_path = aws_get_parameters_by_path("/f", format="raw")
    assert [(p["Name"], p["Value"], p["Version"]) for p in by_path["Parameters"]] == [
        ("/f/a", "1", 1)
    ]
    by_name = aws_get_parameters(["/f/a"], format="raw")
    assert by_name["InvalidParameters"] == []
    assert [p["Name"] for p in by_name["Parameters"]] == ["/f/a"]


# ------------------------------------------------------ same requests as core


def test_compat_calls_make_the_same_requests_as_the_core(
    default_bsm: BotoSesManager, recorder: Recorder
) -> None:
    ssm = default_bsm.get_client("ssm")
    for i in range(12):
        ssm.put_parameter(Name=f"/same/p{i}", Value=str(i), Type="String")
    default_bsm.get_client("secretsmanager").create_secret(Name="same", SecretString="{}")
    default_bsm.get_client("s3").create_bucket(Bucket="same")
    names = [f"/same/p{i}" for i in range(12)]

    def seen() -> list[tuple[str, Any]]:
        out = [(r.operation, r.params) for r in recorder.seen]
        recorder.clear()
        return out

    recorder.clear()
    pairs = [
        (lambda: aws_get_parameters(names), lambda: default_bsm.get_parameters(names)),
        (
            lambda: aws_get_parameters_by_path("/same", recursive=True),
            lambda: default_bsm.get_parameters_by_path("/same", recursive=True),
        ),
        (lambda: aws_get_secret("same"), lambda: default_bsm.get_secret("same")),
        (
            lambda: aws_s3_list_objects(Bucket="same", Prefix="x/"),
            lambda: list(default_bsm.s3_list_objects("same", "x/")),
        ),
        (aws_get_resources, lambda: default_bsm.get_named_resources(on_duplicate="last")),
    ]
    for through_compat, through_core in pairs:
        through_compat()
        compat_requests = seen()
        through_core()
        assert compat_requests == seen()
        assert compat_requests  # something was asked


# ----------------------------------------------------------- typed failures


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: aws_get_parameters_by_path("no-slash"), InvalidArgumentError),
        (lambda: aws_get_parameters_by_path(None), InvalidArgumentError),  # type: ignore[arg-type]
        (lambda: aws_get_parameters(["/missing/a", "/missing/b"]), ParameterNotFoundError),
        (lambda: aws_get_parameters("/one-string"), InvalidArgumentTypeError),
        (lambda: aws_get_parameters([""]), InvalidArgumentError),
        (lambda: aws_get_secret("missing"), SecretNotFoundError),
        (lambda: aws_get_secret(3), InvalidArgumentTypeError),  # type: ignore[arg-type]
        (lambda: parse_arn("not-an-arn"), InvalidArnError),
        (lambda: aws_s3_list_objects(), InvalidArgumentError),
        (lambda: aws_s3_list_objects(Bucket="missing"), BucketNotFoundError),
        (lambda: aws_s3_list_objects(Bucket="b", MaxKeys=0), InvalidArgumentError),
        (lambda: DynamoDBDatabase(""), InvalidArgumentError),
        (lambda: DynamoDBDatabase("missing").put_item(Item={"k": "v"}), TableNotFoundError),
        (lambda: DynamoDBDatabase("missing").put_item(), InvalidArgumentTypeError),
        (lambda: DynamoDBDatabase("missing").scan(), TableNotFoundError),
        (lambda: DynamoDBDatabase("missing").batch_write_items(Items=[{}]), TableNotFoundError),
    ],
)
def test_bad_input_raises_a_typed_error_instead_of_returning_none(
    default_bsm: BotoSesManager, call: Any, error: type[Exception]
) -> None:
    with pytest.raises(error) as caught:
        call()
    assert isinstance(caught.value, BotoSessionManagerError)


def test_a_secret_that_is_not_json_is_a_transform_error_without_the_value(
    default_bsm: BotoSesManager,
) -> None:
    default_bsm.get_client("secretsmanager").create_secret(Name="t", SecretString="hunter2!")
    with pytest.raises(TransformError) as caught:
        aws_get_secret("t")
    assert "hunter2" not in str(caught.value)
