"""Tagging helpers against the local AWS server, and a scripted client for edge cases."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from boto_session_manager import Arn, BotoSesManager
from boto_session_manager.exceptions import DuplicateNameError
from boto_session_manager.services import tagging


def make_queues(bsm: BotoSesManager, count: int, tags: dict[str, str] | None = None) -> None:
    sqs = bsm.get_client("sqs")

    def create(i: int) -> None:
        name = f"queue-{i:03d}"
        sqs.create_queue(QueueName=name, tags={"Name": name, **(tags or {})})

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(create, range(count)))


def count_pages(bsm: BotoSesManager) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        if model.name == "GetResources":
            calls.append(dict(params))

    bsm.get_client("resourcegroupstaggingapi").meta.events.register(
        "before-parameter-build", record
    )
    return calls


class PagedClient:
    """A tagging client answering from a script of pages."""

    def __init__(self, *pages: dict[str, Any]) -> None:
        self.pages = list(pages)
        self.calls: list[dict[str, Any]] = []

    def get_resources(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(dict(kwargs))
        return self.pages.pop(0)


def resource(arn: str, **tags: str) -> dict[str, Any]:
    return {"ResourceARN": arn, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}


# ---------------------------------------------------------- tagged resources


def test_get_tagged_resources_follows_every_page(bsm: BotoSesManager) -> None:
    make_queues(bsm, 60)
    calls = count_pages(bsm)
    found = list(bsm.get_tagged_resources(resource_types=["sqs"]))
    assert len(found) == 60
    assert len(calls) == 2
    assert {r["ResourceARN"].rsplit(":", 1)[1] for r in found} == {
        f"queue-{i:03d}" for i in range(60)
    }


def test_get_tagged_resources_is_lazy(bsm: BotoSesManager) -> None:
    calls = count_pages(bsm)
    listing = bsm.get_tagged_resources()
    assert calls == []
    assert list(listing) == []
    assert len(calls) == 1


def test_tag_filters_as_a_mapping(bsm: BotoSesManager) -> None:
    make_queues(bsm, 3, {"env": "prod"})
    bsm.get_client("sqs").create_queue(QueueName="dev-queue", tags={"env": "dev"})
    prod = list(bsm.get_tagged_resources({"env": "prod"}))
    assert len(prod) == 3
    assert len(list(bsm.get_tagged_resources({"env": ["prod", "dev"]}))) == 4
    assert len(list(bsm.get_tagged_resources([{"Key": "env", "Values": ["dev"]}]))) == 1


def test_normalize_tag_filters() -> None:
    assert tagging.normalize_tag_filters({"a": "1", "b": ["2", "3"], "c": None}) == [
        {"Key": "a", "Values": ["1"]},
        {"Key": "b", "Values": ["2", "3"]},
        {"Key": "c"},
    ]
    assert tagging.normalize_tag_filters(None) == []


@pytest.mark.parametrize("bad", ["env=prod", ["env"], [1]])
def test_malformed_tag_filters_are_refused_at_the_call(bsm: BotoSesManager, bad: Any) -> None:
    with pytest.raises(TypeError, match="tag_filters"):
        bsm.get_tagged_resources(bad)


def test_resource_types_must_be_a_list(bsm: BotoSesManager) -> None:
    with pytest.raises(TypeError, match="resource_types"):
        bsm.get_tagged_resources(resource_types="s3:bucket")


def test_follows_an_empty_page_that_carries_a_token() -> None:
    client = PagedClient(
        {"ResourceTagMappingList": [], "PaginationToken": "t1"},
        {
            "ResourceTagMappingList": [resource("arn:aws:sqs:us-east-1:123456789012:q")],
            "PaginationToken": "",
        },
    )
    assert len(list(tagging.get_tagged_resources(client))) == 1
    assert [c.get("PaginationToken") for c in client.calls] == [None, "t1"]


# ----------------------------------------------------------- named resources


def test_get_named_resources_maps_names_to_parsed_arns(bsm: BotoSesManager) -> None:
    make_queues(bsm, 60)
    bsm.get_client("sqs").create_queue(QueueName="unnamed", tags={"team": "x"})
    named = bsm.get_named_resources()
    assert len(named) == 60
    arn = named["queue-007"]
    assert isinstance(arn, Arn)
    assert (arn.service, arn.resource, arn.account) == ("sqs", "queue-007", "123456789012")


def test_backup_recovery_points_are_left_out(bsm: BotoSesManager) -> None:
    ec2 = bsm.get_client("ec2")
    vpc = ec2.create_vpc(
        CidrBlock="10.0.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "prod"}]}],
    )["Vpc"]["VpcId"]
    volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1)["VolumeId"]
    backup_tags = [
        {"Key": "Name", "Value": "prod"},
        {"Key": "aws:backup:source-resource", "Value": f"arn:aws:ec2:us-east-1::vpc/{vpc}"},
    ]
    ec2.create_snapshot(
        VolumeId=volume,
        TagSpecifications=[{"ResourceType": "snapshot", "Tags": backup_tags}],
    )
    named = bsm.get_named_resources(resource_types=["ec2"])
    assert list(named) == ["prod"]
    assert named["prod"].resource_type == "vpc"


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:backup:us-east-1:123456789012:recovery-point:0a1b2c3d-4e5f",
        "arn:aws:rds:us-east-1:123456789012:snapshot:awsbackup:job-0a1b2c3d",
    ],
)
def test_recovery_point_arns_are_recognised(arn: str) -> None:
    client = PagedClient({"ResourceTagMappingList": [resource(arn, Name="db")]})
    assert tagging.get_named_resources(client) == {}


def test_duplicate_names_raise_listing_them(bsm: BotoSesManager) -> None:
    sqs = bsm.get_client("sqs")
    sqs.create_queue(QueueName="a", tags={"Name": "shared"})
    sqs.create_queue(QueueName="b", tags={"Name": "shared"})
    sqs.create_queue(QueueName="c", tags={"Name": "alone"})
    with pytest.raises(DuplicateNameError, match="shared") as info:
        bsm.get_named_resources()
    assert [a.rsplit(":", 1)[1] for a in info.value.duplicates["shared"]] == ["a", "b"]
    assert isinstance(info.value, ValueError)
    assert bsm.get_named_resources(on_duplicate="first")["shared"].resource == "a"
    assert bsm.get_named_resources(on_duplicate="last")["shared"].resource == "b"


def test_unknown_duplicate_policy_is_refused(bsm: BotoSesManager) -> None:
    with pytest.raises(ValueError, match="on_duplicate"):
        bsm.get_named_resources(on_duplicate="any")
