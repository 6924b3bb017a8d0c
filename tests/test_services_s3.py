"""S3 listing against the local AWS server."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import Any

import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager.exceptions import BucketNotFoundError
from boto_session_manager.services import s3
from boto_session_manager.testing import LocalAWS

from .helpers import count_calls, store_s3_objects

BUCKET = "listing-bucket"


def put_keys(bsm: BotoSesManager, keys: list[str]) -> None:
    client = bsm.get_client("s3")
    client.create_bucket(Bucket=BUCKET)

    def put(key: str) -> None:
        client.put_object(Bucket=BUCKET, Key=key, Body=b"")

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(put, keys))


@pytest.fixture(scope="class")
def big(aws_server: LocalAWS) -> tuple[BotoSesManager, list[str]]:
    """One bucket of 1,200 keys, filled once for the tests of the class.

    The tests of :class:`TestPastOnePage` only read, so they share it (the
    ``bsm`` fixture would wipe the server before each test). The keys go
    straight into the in-process server's store; the listings under test go
    over HTTP.
    """
    aws_server.reset()
    bsm = aws_server.manager()
    keys = sorted(f"data/{i:05d}.json" for i in range(1200))
    bsm.get_client("s3").create_bucket(Bucket=BUCKET)
    store_s3_objects(BUCKET, keys)
    return bsm, keys


class TestPastOnePage:
    def test_lists_every_key_past_the_first_page(
        self, big: tuple[BotoSesManager, list[str]]
    ) -> None:
        bsm, keys = big
        calls = count_calls(bsm.get_client("s3"), "ListObjectsV2")
        objects = list(bsm.s3_list_objects(BUCKET))
        assert [o["Key"] for o in objects] == keys
        assert len(calls) == 2
        assert {"Key", "Size", "ETag", "LastModified", "StorageClass"} <= set(objects[0])

    def test_listing_is_lazy(self, big: tuple[BotoSesManager, list[str]]) -> None:
        bsm, keys = big
        calls = count_calls(bsm.get_client("s3"), "ListObjectsV2")
        listing = bsm.s3_list_objects(BUCKET)
        assert calls == []
        assert [o["Key"] for o in islice(listing, 3)] == keys[:3]
        assert len(calls) == 1

    def test_limit_stops_after_that_many_and_asks_for_no_more(
        self, big: tuple[BotoSesManager, list[str]]
    ) -> None:
        bsm, keys = big
        calls = count_calls(bsm.get_client("s3"), "ListObjectsV2")
        objects = list(bsm.s3_list_objects(BUCKET, limit=1100))
        assert [o["Key"] for o in objects] == keys[:1100]
        assert [c["MaxKeys"] for c in calls] == [1000, 100]

    def test_start_after_and_prefix(self, big: tuple[BotoSesManager, list[str]]) -> None:
        bsm, keys = big
        listing = bsm.s3_list_objects(BUCKET, "data/011", start_after="data/01150.json")
        expected = [k for k in keys if k.startswith("data/011") and k > "data/01150.json"]
        assert [o["Key"] for o in listing] == expected


def test_limit_zero_makes_no_call(bsm: BotoSesManager) -> None:
    calls = count_calls(bsm.get_client("s3"), "ListObjectsV2")
    assert list(bsm.s3_list_objects("any-bucket", limit=0)) == []
    assert calls == []


def test_delimiter_yields_common_prefixes_in_key_order(bsm: BotoSesManager) -> None:
    put_keys(bsm, ["a/1", "a/2", "b", "c/d/e", "z", "c/f"])
    entries = list(bsm.s3_list_objects(BUCKET, delimiter="/"))
    assert [e.get("Key", e.get("Prefix")) for e in entries] == ["a/", "b", "c/", "z"]
    assert entries[0] == {"Prefix": "a/"}
    nested = list(bsm.s3_list_objects(BUCKET, "c/", delimiter="/"))
    assert [e.get("Key", e.get("Prefix")) for e in nested] == ["c/d/", "c/f"]


def test_common_prefixes_survive_pagination(bsm: BotoSesManager) -> None:
    keys = [f"dir{i:02d}/file" for i in range(30)] + [f"top{i:02d}" for i in range(5)]
    put_keys(bsm, keys)
    listing = s3.list_objects(bsm.get_client("s3"), BUCKET, delimiter="/", page_size=7)
    entries = [e.get("Key", e.get("Prefix")) for e in listing]
    assert entries == [f"dir{i:02d}/" for i in range(30)] + [f"top{i:02d}" for i in range(5)]


def test_missing_bucket_raises_on_first_next(bsm: BotoSesManager) -> None:
    listing = bsm.s3_list_objects("no-such-bucket")
    with pytest.raises(BucketNotFoundError, match="no-such-bucket"):
        next(listing)


def test_an_empty_bucket_lists_nothing(bsm: BotoSesManager) -> None:
    bsm.get_client("s3").create_bucket(Bucket="empty-bucket")
    assert list(bsm.s3_list_objects("empty-bucket")) == []


def test_follows_an_empty_page_that_carries_a_token() -> None:
    class Client:
        def __init__(self) -> None:
            self.calls: list[dict[str, Any]] = []
            self.pages = [
                {"Contents": [{"Key": "a"}], "IsTruncated": True, "NextContinuationToken": "t1"},
                {"IsTruncated": True, "NextContinuationToken": "t2"},
                {"Contents": [{"Key": "b"}], "IsTruncated": False},
            ]

        def list_objects_v2(self, **kwargs: Any) -> dict[str, Any]:
            self.calls.append(dict(kwargs))
            return self.pages.pop(0)

    client = Client()
    assert [o["Key"] for o in s3.list_objects(client, "b")] == ["a", "b"]
    assert [c.get("ContinuationToken") for c in client.calls] == [None, "t1", "t2"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bucket": ""}, "bucket name"),
        ({"bucket": "b", "limit": -1}, "limit"),
        ({"bucket": "b", "page_size": 0}, "page_size"),
        ({"bucket": "b", "page_size": 1001}, "page_size"),
    ],
)
def test_bad_input_is_refused_at_the_call(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        s3.list_objects(object(), **kwargs)


def test_list_objects_takes_the_list_objects_v2_keywords(bsm: BotoSesManager) -> None:
    from boto_session_manager.exceptions import InvalidArgumentError

    s3 = bsm.get_client("s3")
    s3.create_bucket(Bucket="kw-bucket")
    for key in ("a/1", "a/2", "a/3", "b/1"):
        s3.put_object(Bucket="kw-bucket", Key=key, Body=b"")
    keys = [o["Key"] for o in bsm.s3_list_objects(Bucket="kw-bucket", Prefix="a/", MaxKeys=2)]
    assert keys == ["a/1", "a/2", "a/3"]
    entries = list(bsm.s3_list_objects(Bucket="kw-bucket", Delimiter="/", StartAfter="a"))
    assert entries == [{"Prefix": "a/"}, {"Prefix": "b/"}]
    owned = list(bsm.s3_list_objects("kw-bucket", "b/", FetchOwner=True))
    assert [o["Key"] for o in owned] == ["b/1"] and "Owner" in owned[0]
    with pytest.raises(InvalidArgumentError, match="bucket"):
        bsm.s3_list_objects("kw-bucket", Bucket="other")
    with pytest.raises(InvalidArgumentError, match="bucket"):
        bsm.s3_list_objects()
    with pytest.raises(InvalidArgumentError, match="page_size"):
        bsm.s3_list_objects("kw-bucket", MaxKeys=5000)
