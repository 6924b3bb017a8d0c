"""DynamoDB table helper: against the local AWS server, and a scripted client for retries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from boto_session_manager import BotoSesManager
from boto_session_manager.exceptions import BatchWriteError, TableNotFoundError
from boto_session_manager.services.dynamodb import (
    DynamoDBTable,
    deserialize,
    floats_to_decimal,
    serialize,
)

from .helpers import count_calls

TABLE = "orders"


@pytest.fixture
def table(bsm: BotoSesManager) -> DynamoDBTable:
    """A table keyed by customer (hash) and order number (range)."""
    bsm.get_client("dynamodb").create_table(
        TableName=TABLE,
        KeySchema=[
            {"AttributeName": "customer", "KeyType": "HASH"},
            {"AttributeName": "n", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "customer", "AttributeType": "S"},
            {"AttributeName": "n", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return bsm.dynamodb_table(TABLE)


# ------------------------------------------------------------- conversions


def test_floats_become_decimals_from_their_string_everywhere() -> None:
    value = {"a": 0.1, "b": [1.5, {"c": 2.25}], "s": {0.5, 1}, "t": (0.3,), "ok": True, "i": 3}
    assert floats_to_decimal(value) == {
        "a": Decimal("0.1"),
        "b": [Decimal("1.5"), {"c": Decimal("2.25")}],
        "s": {Decimal("0.5"), 1},
        "t": [Decimal("0.3")],
        "ok": True,
        "i": 3,
    }


def test_serialize_round_trips() -> None:
    item = {"s": "x", "n": 0.1, "m": {"l": [1, "two", None, b"\x00"]}, "ss": {"a", "b"}}
    back = deserialize(serialize(item))
    assert back["n"] == Decimal("0.1")
    assert back["m"]["l"][:3] == [Decimal(1), "two", None]
    assert back["ss"] == {"a", "b"}


def test_nan_is_refused() -> None:
    with pytest.raises(TypeError):
        serialize({"x": float("nan")})


# ------------------------------------------------------------ single items


def test_put_get_update_delete(table: DynamoDBTable) -> None:
    table.put_item({"customer": "c1", "n": 1, "total": 9.99, "lines": [{"price": 0.1}]})
    assert table.get_item({"customer": "c1", "n": 1}) == {
        "customer": "c1",
        "n": Decimal(1),
        "total": Decimal("9.99"),
        "lines": [{"price": Decimal("0.1")}],
    }
    updated = table.update_item(
        Key={"customer": "c1", "n": 1},
        UpdateExpression="SET #t = :t",
        ExpressionAttributeNames={"#t": "total"},
        ExpressionAttributeValues={":t": 10.5},
        ReturnValues="ALL_NEW",
    )
    assert updated["Attributes"]["total"] == Decimal("10.5")
    table.delete_item({"customer": "c1", "n": 1})
    assert table.get_item({"customer": "c1", "n": 1}) is None


def test_get_item_of_a_missing_item_is_none(table: DynamoDBTable) -> None:
    assert table.get_item({"customer": "nobody", "n": 0}) is None


def test_condition_objects_are_accepted(table: DynamoDBTable) -> None:
    item = {"customer": "c1", "n": 1}
    table.put_item(item, ConditionExpression=Attr("customer").not_exists())
    with pytest.raises(ClientError, match="ConditionalCheckFailed"):
        table.put_item(item, ConditionExpression=Attr("customer").not_exists())


def test_a_missing_table_raises_table_not_found_naming_it(bsm: BotoSesManager) -> None:
    missing = bsm.dynamodb_table("no-such-table")
    with pytest.raises(TableNotFoundError, match="no-such-table"):
        missing.get_item({"k": "v"})
    with pytest.raises(TableNotFoundError, match="no-such-table"):
        missing.put_item({"k": "v"})
    with pytest.raises(TableNotFoundError):
        missing.batch_write_items([{"k": "v"}])
    listing = missing.scan()
    with pytest.raises(TableNotFoundError):
        next(listing)


@pytest.mark.parametrize("name", ["", None])
def test_a_table_needs_a_name(bsm: BotoSesManager, name: Any) -> None:
    with pytest.raises(ValueError, match="table name"):
        bsm.dynamodb_table(name)


def test_reprs_show_no_client(table: DynamoDBTable) -> None:
    assert repr(table).startswith("DynamoDBTable(name='orders'")
    assert "client" not in repr(table)


# ------------------------------------------------------------------ batches


def rows(count: int, customer: str = "c") -> list[dict[str, Any]]:
    return [{"customer": customer, "n": i, "amount": i / 4} for i in range(count)]


def test_batch_write_writes_260_items_in_chunks_of_25(
    bsm: BotoSesManager, table: DynamoDBTable
) -> None:
    calls = count_calls(bsm.get_client("dynamodb"), "BatchWriteItem")
    assert table.batch_write_items(rows(260)) == 260
    assert [len(c["RequestItems"][TABLE]) for c in calls] == [25] * 10 + [10]
    assert len(list(table.scan())) == 260


def test_batch_write_accepts_a_generator(table: DynamoDBTable) -> None:
    assert table.batch_write_items(r for r in rows(30)) == 30


def test_batch_write_keeps_the_last_write_of_a_key_in_a_chunk(
    bsm: BotoSesManager, table: DynamoDBTable
) -> None:
    calls = count_calls(bsm.get_client("dynamodb"), "BatchWriteItem")
    items = [
        {"customer": "c", "n": 1, "v": "first"},
        {"customer": "c", "n": 2, "v": "other"},
        {"customer": "c", "n": 1.0, "v": "last"},  # the same key: 1 == 1.0
    ]
    assert table.batch_write_items(items) == 2
    assert len(calls[0]["RequestItems"][TABLE]) == 2
    assert table.get_item({"customer": "c", "n": 1})["v"] == "last"


def test_batch_write_rejects_an_item_without_its_key(table: DynamoDBTable) -> None:
    with pytest.raises(ValueError, match="key attribute 'n' missing"):
        table.batch_write_items([{"customer": "c"}])


def test_batch_delete_deletes_every_key(table: DynamoDBTable) -> None:
    table.batch_write_items(rows(60))
    assert table.batch_delete({"customer": "c", "n": i} for i in range(50)) == 50
    assert sorted(int(i["n"]) for i in table.scan()) == list(range(50, 60))


def test_describe_table_is_asked_once(bsm: BotoSesManager, table: DynamoDBTable) -> None:
    calls = count_calls(bsm.get_client("dynamodb"), "DescribeTable")
    table.batch_write_items(rows(3))
    table.batch_delete([{"customer": "c", "n": 0}])
    assert len(calls) == 1
    assert table.key_names == ("customer", "n")


def test_unprocessed_items_are_retried_after_a_backoff(
    bsm: BotoSesManager, table: DynamoDBTable
) -> None:
    """AWS answers the first call with 5 items unprocessed: they are sent again."""
    sleeps: list[float] = []
    table = DynamoDBTable(TABLE, client=table.client, sleep=sleeps.append, random=lambda: 0.5)
    calls = count_calls(bsm.get_client("dynamodb"), "BatchWriteItem")
    answered = []

    def make_some_unprocessed(parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "BatchWriteItem" and not answered:
            answered.append(True)
            parsed["UnprocessedItems"] = {TABLE: calls[0]["RequestItems"][TABLE][-5:]}

    table.client.meta.events.register("after-call", make_some_unprocessed)
    assert table.batch_write_items(rows(25)) == 25
    assert [len(c["RequestItems"][TABLE]) for c in calls] == [25, 5]
    assert sleeps == [0.5 * 0.05]


# ---------------------------------------------------------------- listings


def test_scan_follows_every_page(bsm: BotoSesManager, table: DynamoDBTable) -> None:
    table.batch_write_items(rows(260))
    calls = count_calls(bsm.get_client("dynamodb"), "Scan")
    items = list(table.scan(Limit=100))
    assert sorted(int(i["n"]) for i in items) == list(range(260))
    assert len(calls) >= 3


def test_scan_with_a_filter_object(table: DynamoDBTable) -> None:
    table.batch_write_items(rows(40))
    found = table.scan(FilterExpression=Attr("amount").gte(9.5), Limit=7)
    assert sorted(int(i["n"]) for i in found) == list(range(38, 40))


def test_query_follows_every_page(bsm: BotoSesManager, table: DynamoDBTable) -> None:
    table.batch_write_items(rows(130, "a") + rows(5, "b"))
    calls = count_calls(bsm.get_client("dynamodb"), "Query")
    items = list(table.query(KeyConditionExpression=Key("customer").eq("a"), Limit=50))
    assert [int(i["n"]) for i in items] == list(range(130))
    assert len(calls) >= 3


def test_query_with_a_string_expression(table: DynamoDBTable) -> None:
    table.batch_write_items(rows(10, "a"))
    items = table.query(
        KeyConditionExpression="customer = :c AND n BETWEEN :lo AND :hi",
        ExpressionAttributeValues={":c": "a", ":lo": 2, ":hi": 4.0},
    )
    assert [int(i["n"]) for i in items] == [2, 3, 4]


# ------------------------------------------- retries, with a scripted client


class ScriptedClient:
    """A dynamodb client whose BatchWriteItem leaves the last ``stuck`` items unprocessed."""

    def __init__(self, stuck: int, *, fail_calls: int | None = None) -> None:
        self.stuck = stuck
        self.fail_calls = fail_calls
        self.requests: list[list[dict[str, Any]]] = []

    def describe_table(self, TableName: str) -> dict[str, Any]:
        return {"Table": {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}}

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        ((name, requests),) = RequestItems.items()
        self.requests.append(requests)
        if self.fail_calls is not None and len(self.requests) > self.fail_calls:
            return {"UnprocessedItems": {}}
        left = requests[-self.stuck :] if self.stuck else []
        return {"UnprocessedItems": {name: left} if left else {}}


def test_backoff_grows_exponentially_with_full_jitter_and_is_capped() -> None:
    sleeps: list[float] = []
    client = ScriptedClient(stuck=1, fail_calls=6)
    table = DynamoDBTable(
        "t", client=client, sleep=sleeps.append, random=lambda: 1.0, base_delay=0.1, max_delay=1.0
    )
    assert table.batch_write_items([{"pk": str(i)} for i in range(3)]) == 3
    assert sleeps == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.0, 1.0])


def test_jitter_draws_below_the_ceiling() -> None:
    sleeps: list[float] = []
    draws = iter([0.0, 0.25])
    client = ScriptedClient(stuck=1, fail_calls=2)
    table = DynamoDBTable("t", client=client, sleep=sleeps.append, random=lambda: next(draws))
    table.batch_write_items([{"pk": "a"}])
    assert sleeps == [0.0, 0.25 * 0.1]


def test_the_bound_raises_with_every_unwritten_item_attached() -> None:
    sleeps: list[float] = []
    client = ScriptedClient(stuck=3)
    table = DynamoDBTable("t", client=client, sleep=sleeps.append, max_attempts=4)
    items = [{"pk": str(i), "x": 0.5} for i in range(60)]
    with pytest.raises(BatchWriteError, match="after 4 attempts") as info:
        table.batch_write_items(items)
    # The first chunk of 25: 22 written, 3 stuck; the 35 items after it never sent.
    assert info.value.written == 22
    assert (
        info.value.unprocessed
        == [{"pk": str(i), "x": Decimal("0.5")} for i in range(22, 25)] + items[25:]
    )
    assert len(client.requests) == 4
    assert len(sleeps) == 3


def test_batch_delete_bound_attaches_the_keys() -> None:
    table = DynamoDBTable("t", client=ScriptedClient(stuck=1), sleep=lambda _: None, max_attempts=1)
    with pytest.raises(BatchWriteError) as info:
        table.batch_delete([{"pk": "a"}, {"pk": "b"}])
    assert info.value.unprocessed == [{"pk": "b"}]
    assert info.value.written == 1


def test_max_attempts_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        DynamoDBTable("t", client=None, max_attempts=0)


def test_the_table_takes_boto3_keyword_shapes(table: DynamoDBTable) -> None:
    from boto_session_manager.exceptions import InvalidArgumentError, InvalidArgumentTypeError

    table.put_item(Item={"customer": "c", "n": 1, "price": 1.5})
    assert table.get_item(Key={"customer": "c", "n": 1}) == {
        "customer": "c",
        "n": Decimal(1),
        "price": Decimal("1.5"),
    }
    assert table.batch_write_items(Items=[{"customer": "c", "n": i} for i in range(2, 5)]) == 3
    assert table.batch_delete(Keys=[{"customer": "c", "n": 2}]) == 1
    table.delete_item(Key={"customer": "c", "n": 3})
    assert sorted(int(i["n"]) for i in table.scan()) == [1, 4]
    with pytest.raises(InvalidArgumentError, match="item and Item"):
        table.put_item({"customer": "c", "n": 9}, Item={"customer": "c", "n": 9})
    with pytest.raises(InvalidArgumentTypeError, match="key: missing"):
        table.get_item()
    with pytest.raises(InvalidArgumentTypeError, match="items: missing"):
        table.batch_write_items()
