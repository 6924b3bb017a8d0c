"""parse_arn and Arn: shapes of resources, every partition botocore knows, and a property test."""

from __future__ import annotations

from typing import Any

import botocore.loaders
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from boto_session_manager import Arn, parse_arn
from boto_session_manager.exceptions import InvalidArnError


def botocore_partitions() -> list[tuple[str, str]]:
    """(partition, one of its real regions) for every partition botocore lists a region of.

    Older botocore releases list partitions whose regions are not published yet.
    """
    data = botocore.loaders.create_loader().load_data("partitions")
    result = []
    for partition in data["partitions"]:
        regions = [r for r in partition["regions"] if not r.endswith("-global")]
        if regions:
            result.append((partition["id"], regions[0]))
    return result


PARTITIONS = botocore_partitions()


def test_botocore_knows_more_than_the_classic_three_partitions() -> None:
    assert {"aws", "aws-cn", "aws-us-gov"} < {p for p, _ in PARTITIONS}


@pytest.mark.parametrize(("partition", "region"), PARTITIONS)
def test_every_botocore_partition_parses(partition: str, region: str) -> None:
    arn = parse_arn(f"arn:{partition}:dynamodb:{region}:123456789012:table/Orders")
    assert (arn.partition, arn.region, arn.resource_type, arn.resource) == (
        partition,
        region,
        "table",
        "Orders",
    )


@pytest.mark.parametrize(("partition", "region"), PARTITIONS)
def test_every_botocore_partition_parses_global_and_s3_arns(partition: str, region: str) -> None:
    assert parse_arn(f"arn:{partition}:iam::123456789012:role/Admin").partition == partition
    assert parse_arn(f"arn:{partition}:s3:::bucket/key").resource == "bucket/key"


# ------------------------------------------------------------- resource shapes


@pytest.mark.parametrize(
    ("text", "service", "resource_type", "resource", "resource_name"),
    [
        (
            "arn:aws:dynamodb:us-east-1:123456789012:table/MyTable",
            "dynamodb",
            "table",
            "MyTable",
            "MyTable",
        ),
        (
            "arn:aws:dynamodb:us-east-1:123456789012:table/MyTable/index/ByDate",
            "dynamodb",
            "table",
            "MyTable/index/ByDate",
            "MyTable",
        ),
        ("arn:aws:s3:::my-bucket/obj.txt", "s3", None, "my-bucket/obj.txt", "my-bucket/obj.txt"),
        (
            "arn:aws:s3:::my-bucket/a:b/c.txt",
            "s3",
            None,
            "my-bucket/a:b/c.txt",
            "my-bucket/a:b/c.txt",
        ),
        ("arn:aws:s3:::my-bucket", "s3", None, "my-bucket", "my-bucket"),
        (
            "arn:aws:lambda:us-east-1:123456789012:function:my-fn:PROD",
            "lambda",
            "function",
            "my-fn:PROD",
            "my-fn",
        ),
        (
            "arn:aws:lambda:us-east-1:123456789012:function:my-fn",
            "lambda",
            "function",
            "my-fn",
            "my-fn",
        ),
        (
            "arn:aws:iam::123456789012:role/path/to/MyRole",
            "iam",
            "role",
            "path/to/MyRole",
            "MyRole",
        ),
        (
            "arn:aws:iam::aws:policy/AdministratorAccess",
            "iam",
            "policy",
            "AdministratorAccess",
            "AdministratorAccess",
        ),
        (
            "arn:aws:sts::123456789012:assumed-role/Deploy/session-1",
            "sts",
            "assumed-role",
            "Deploy/session-1",
            "Deploy",
        ),
        (
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-creds-AbCdEf",
            "secretsmanager",
            "secret",
            "db-creds-AbCdEf",
            "db-creds",
        ),
        (
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/app-db-creds-a1B2c3",
            "secretsmanager",
            "secret",
            "prod/app-db-creds-a1B2c3",
            "prod/app-db-creds",
        ),
        ("arn:aws:sns:us-east-1:123456789012:alerts", "sns", None, "alerts", "alerts"),
        ("arn:aws:sqs:eu-west-1:123456789012:jobs", "sqs", None, "jobs", "jobs"),
        ("arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0abc", "ec2", "vpc", "vpc-0abc", "vpc-0abc"),
        (
            "arn:aws:backup:us-east-1:123456789012:recovery-point:0a1b-2c3d",
            "backup",
            "recovery-point",
            "0a1b-2c3d",
            "0a1b-2c3d",
        ),
        ("arn:aws-cn:s3:::cn-bucket", "s3", None, "cn-bucket", "cn-bucket"),
    ],
)
def test_resource_shapes(
    text: str, service: str, resource_type: str | None, resource: str, resource_name: str
) -> None:
    arn = parse_arn(text)
    assert (arn.service, arn.resource_type, arn.resource, arn.resource_name) == (
        service,
        resource_type,
        resource,
        resource_name,
    )
    assert str(arn) == text


def test_the_secret_suffix_is_only_stripped_at_the_end() -> None:
    arn = parse_arn("arn:aws:secretsmanager:us-east-1:123456789012:secret:a-AbCdEf-rest-XyZ123")
    assert arn.resource_name == "a-AbCdEf-rest"


def test_to_dict_has_the_documented_keys() -> None:
    arn = parse_arn("arn:aws:dynamodb:us-east-1:123456789012:table/MyTable")
    assert arn.to_dict() == {
        "arn": "arn:aws:dynamodb:us-east-1:123456789012:table/MyTable",
        "partition": "aws",
        "service": "dynamodb",
        "region": "us-east-1",
        "account": "123456789012",
        "resource_type": "table",
        "resource": "MyTable",
        "resource_name": "MyTable",
    }


def test_arns_are_frozen_and_comparable() -> None:
    a = parse_arn("arn:aws:sqs:us-east-1:123456789012:q")
    assert a == parse_arn("arn:aws:sqs:us-east-1:123456789012:q")
    with pytest.raises(AttributeError):
        a.region = "eu-west-1"  # type: ignore[misc]


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "text",
    [
        "",
        "arn",
        "arn:aws:s3",
        "not-an-arn:aws:s3:::b",
        "arn:aws:s3:::",
        "arn:aws:s3::: padded ",
        "arn:amazon:s3:::bucket",
        "arn:AWS:s3:::bucket",
        "arn:aws:S3:::bucket",
        "arn:aws::us-east-1:123456789012:x",
        "arn:aws:sqs:us-east-1:12345:q",
        "arn:aws:sqs:us-east-1:1234567890123:q",
        "arn:aws:sqs:us-east-1:١٢٣٤٥٦٧٨٩٠١٢:q",
        "arn:aws:sqs:US-EAST-1:123456789012:q",
        " arn:aws:sqs:us-east-1:123456789012:q",
    ],
)
def test_non_arns_raise_invalid_arn_error(text: str) -> None:
    with pytest.raises(InvalidArnError) as info:
        parse_arn(text)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("value", [None, 1, b"arn:aws:s3:::b", ["arn:aws:s3:::b"]])
def test_non_strings_raise_invalid_arn_error(value: Any) -> None:
    with pytest.raises(InvalidArnError, match="must be a string"):
        parse_arn(value)


def test_the_message_quotes_the_bad_part() -> None:
    with pytest.raises(InvalidArnError, match=r"invalid account '12345'"):
        parse_arn("arn:aws:sqs:us-east-1:12345:q")


# ------------------------------------------------------------------ property


def rebuilt(arn: Arn) -> str:
    """The ARN put back together from its parts."""
    head = f"arn:{arn.partition}:{arn.service}:{arn.region}:{arn.account}:"
    if arn.resource_type is None:
        return head + arn.resource
    separator = arn.arn[len(head) + len(arn.resource_type)]
    assert separator in "/:"
    return head + arn.resource_type + separator + arn.resource


def check(text: Any) -> None:
    try:
        arn = parse_arn(text)
    except InvalidArnError:
        return
    assert str(arn) == text
    assert rebuilt(arn) == text
    assert arn.resource
    assert arn.resource_name


ARNISH = st.builds(
    lambda *parts: ":".join(parts),
    st.sampled_from(["arn", "arn", "ARN", ""]),
    st.sampled_from([p for p, _ in PARTITIONS] + ["aws-", "", "x"]),
    st.sampled_from(["s3", "iam", "sts", "secretsmanager", "lambda", "sns", "", "S3"]),
    st.sampled_from(["", "us-east-1", "cn-north-1", "us-gov-west-1", "x_y"]),
    st.sampled_from(["", "123456789012", "aws", "12"]),
    st.text(alphabet=st.sampled_from("ab/:-_ .A1"), max_size=20),
)


@settings(deadline=None)
@given(st.text())
@example("arn:aws:s3:::b")
@example("arn:aws:iam::123456789012:role/")
@example("arn:aws:iam::123456789012:role//")
@example("arn:aws:secretsmanager:us-east-1:123456789012:secret:-AbCdEf")
def test_any_string_parses_consistently_or_raises_invalid_arn_error(text: str) -> None:
    check(text)


@settings(deadline=None)
@given(ARNISH)
def test_arn_like_strings_parse_consistently_or_raise_invalid_arn_error(text: str) -> None:
    check(text)


def test_an_arn_reads_as_a_read_only_mapping() -> None:
    from collections.abc import Mapping

    arn = parse_arn("arn:aws:dynamodb:us-east-1:123456789012:table/MyTable")
    assert isinstance(arn, Mapping)
    assert arn["service"] == "dynamodb"
    assert arn["resource_type"] == "table"
    assert list(arn) == list(arn.keys()) == list(arn.to_dict())
    assert len(arn) == 8
    assert dict(arn) == arn.to_dict()
    assert arn.get("region") == "us-east-1"
    assert arn.get("nope") is None
    assert "resource" in arn and "nope" not in arn
    with pytest.raises(KeyError):
        arn["nope"]
    with pytest.raises(TypeError):
        arn["service"] = "s3"  # type: ignore[index]
    assert arn == parse_arn(str(arn))
    assert hash(arn) == hash(parse_arn(str(arn)))
