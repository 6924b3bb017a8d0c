"""DynamoDB: a table helper that takes Python values, floats included.

:class:`DynamoDBTable` talks to a low-level ``dynamodb`` client and converts
values itself (boto3's ``TypeSerializer``), so unlike a boto3 ``Table``
resource it is safe to share between threads. What it adds over the raw API:

- Python ``float`` is accepted anywhere in an item (nested maps, lists and
  sets too) and stored as ``Decimal(str(x))``, so ``0.1`` stays ``0.1``;
- batch writes go in chunks of 25, a key written twice in one chunk is sent
  once (the last write wins), and ``UnprocessedItems`` are retried with
  exponential backoff and full jitter up to a bound, after which
  :class:`BatchWriteError` carries every item that was not written;
- :meth:`DynamoDBTable.scan` and :meth:`DynamoDBTable.query` are lazy
  iterators over every page;
- a missing table raises :class:`TableNotFoundError` naming it.

Values read back are what boto3's ``TypeDeserializer`` gives: numbers as
``Decimal``, sets as ``set``, binary as ``boto3.dynamodb.types.Binary``.

Thread safety: a :class:`DynamoDBTable` may be shared by any number of
threads (botocore clients are thread safe; the key-schema cache takes a lock).
Each iterator from ``scan``/``query`` belongs to the thread consuming it.
"""

from __future__ import annotations

import random as _random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import attrs
from boto3.dynamodb.conditions import ConditionBase, ConditionExpressionBuilder
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from ..backoff import Backoff
from ..exceptions import (
    BatchWriteError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    TableNotFoundError,
)
from ._common import error_code

#: BatchWriteItem accepts at most this many requests per call.
BATCH_SIZE = 25

_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()
_CONDITIONS = (
    ("KeyConditionExpression", True),
    ("FilterExpression", False),
    ("ConditionExpression", False),
)
_MAP_FIELDS = ("Item", "Key", "ExclusiveStartKey")
_READ_BACK = ("Item", "Attributes", "LastEvaluatedKey")


def _given(argument: str, value: Any, option: str, kwargs: dict[str, Any]) -> Any:
    """The value given as ``argument`` or as boto3's ``option`` (popped from ``kwargs``)."""
    spelled = kwargs.pop(option, None)
    if value is not None and spelled is not None:
        msg = f"{argument} and {option}= are the same argument; give it once"
        raise InvalidArgumentError(msg, argument=argument)
    if value is None and spelled is None:
        msg = f"{argument}: missing (pass {argument} or {option}=)"
        raise InvalidArgumentTypeError(msg, argument=argument)
    return spelled if value is None else value


def floats_to_decimal(value: Any) -> Any:
    """Replace every ``float`` in ``value`` by ``Decimal(str(x))``, recursively.

    Maps, lists, tuples, sets and frozensets are rebuilt; anything else is
    returned as is (``bool`` is not a float and stays a bool).

    Thread safety: pure; safe from any thread.

    Example::

        >>> floats_to_decimal({"price": 9.99, "tags": [0.5]})
        {'price': Decimal('9.99'), 'tags': [Decimal('0.5')]}
    """
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, Mapping):
        return {k: floats_to_decimal(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [floats_to_decimal(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return {floats_to_decimal(v) for v in value}
    return value


def serialize(value: Mapping[str, Any]) -> dict[str, Any]:
    """A Python mapping as a DynamoDB attribute map (floats accepted).

    Raises:
        TypeError: a value DynamoDB cannot store (NaN, infinity, an object).

    Thread safety: pure; safe from any thread.

    Example::

        >>> serialize({"pk": "a", "price": 9.5})
        {'pk': {'S': 'a'}, 'price': {'N': '9.5'}}
    """
    return {k: _SERIALIZER.serialize(floats_to_decimal(v)) for k, v in value.items()}


def deserialize(value: Mapping[str, Any]) -> dict[str, Any]:
    """A DynamoDB attribute map as Python values (numbers are ``Decimal``).

    Thread safety: pure; safe from any thread.

    Example::

        >>> deserialize({"pk": {"S": "a"}, "price": {"N": "9.5"}})
        {'pk': 'a', 'price': Decimal('9.5')}
    """
    return {k: _DESERIALIZER.deserialize(v) for k, v in value.items()}


@attrs.define(eq=False)
class DynamoDBTable:
    """One DynamoDB table, with Python values in and out.

    Create it with :meth:`~boto_session_manager.BotoSesManager.dynamodb_table`
    or directly from a client. Nothing is fetched until the first call, so a
    missing table is reported by the first operation.

    Args:
        name: the table's name (or ARN).
        client: a ``dynamodb`` client.
        max_attempts: ``BatchWriteItem`` calls per chunk of 25 before giving up
            on its unprocessed items.
        base_delay: the first retry waits up to this many seconds; each retry
            doubles the ceiling (full jitter: a uniform draw below it).
        max_delay: the ceiling never exceeds this many seconds.
        sleep: how to wait (tests pass a recorder instead of ``time.sleep``).
        random: a source of floats in ``[0, 1)`` for the jitter.

    Thread safety: safe to share between threads.

    Example::

        from boto_session_manager.services.dynamodb import DynamoDBTable

        table = DynamoDBTable("users", client=ddb_client)
        table.put_item({"user_id": "u1", "score": 9.5})
        table.get_item({"user_id": "u1"})   # {'user_id': 'u1', 'score': Decimal('9.5')}
    """

    name: str
    client: Any = attrs.field(repr=False)
    max_attempts: int = attrs.field(default=8, kw_only=True)
    base_delay: float = attrs.field(default=0.05, kw_only=True)
    max_delay: float = attrs.field(default=5.0, kw_only=True)
    sleep: Callable[[float], None] = attrs.field(default=time.sleep, kw_only=True, repr=False)
    random: Callable[[], float] = attrs.field(default=_random.random, kw_only=True, repr=False)
    _key_names: tuple[str, ...] | None = attrs.field(default=None, init=False, repr=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            msg = f"name: a table name must be a non-empty string, not {self.name!r}"
            raise InvalidArgumentError(msg, argument="name")
        if self.max_attempts < 1:
            msg = f"max_attempts: must be at least 1, not {self.max_attempts!r}"
            raise InvalidArgumentError(msg, argument="max_attempts")

    # ------------------------------------------------------------ single items

    def put_item(self, item: Mapping[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        """Write one item (``PutItem``); floats are stored as Decimal.

        Args:
            item: the item, its key attributes included (or ``Item=``, as
                boto3's ``Table.put_item`` takes it).
            kwargs: more ``PutItem`` arguments (``ConditionExpression`` may be
                a ``boto3.dynamodb.conditions`` object, values may be Python).

        Returns:
            The response, ``Attributes`` (with ``ReturnValues``) as Python.

        Raises:
            TableNotFoundError: the table does not exist.
            botocore.exceptions.ClientError: e.g. a failed condition.

        Thread safety: safe from many threads.

        Example::

            table.put_item({"pk": "a", "price": 9.99})
            table.put_item(Item={"pk": "b", "price": 1.5})
        """
        item = _given("item", item, "Item", kwargs)
        return self._call("put_item", Item=item, **kwargs)

    def get_item(
        self, key: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> dict[str, Any] | None:
        """Read one item by its key (``GetItem``).

        Args:
            key: the full primary key, e.g. ``{"pk": "a", "sk": 1}`` (or
                ``Key=``).
            kwargs: more ``GetItem`` arguments (``ConsistentRead`` ...).

        Returns:
            The item, or ``None`` when no item has that key (the table
            exists; a missing table raises).

        Raises:
            TableNotFoundError: the table does not exist.

        Thread safety: safe from many threads.

        Example::

            user = table.get_item({"user_id": "u1"})
            same = table.get_item(Key={"user_id": "u1"})
        """
        key = _given("key", key, "Key", kwargs)
        response = self._call("get_item", Key=key, **kwargs)
        item: dict[str, Any] | None = response.get("Item")
        return item

    def update_item(self, **kwargs: Any) -> dict[str, Any]:
        """Update one item (``UpdateItem``), Python values accepted.

        Args:
            kwargs: ``UpdateItem`` arguments: ``Key``, ``UpdateExpression``,
                ``ExpressionAttributeValues`` (Python values, floats too) ...

        Returns:
            The response, ``Attributes`` (with ``ReturnValues``) as Python.

        Raises:
            TableNotFoundError: the table does not exist.

        Thread safety: safe from many threads.

        Example::

            table.update_item(
                Key={"user_id": "u1"},
                UpdateExpression="SET score = :s",
                ExpressionAttributeValues={":s": 10.5},
            )
        """
        return self._call("update_item", **kwargs)

    def delete_item(self, key: Mapping[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        """Delete one item by its key (``DeleteItem``, ``key`` or ``Key=``); no error if absent.

        Raises:
            TableNotFoundError: the table does not exist.

        Thread safety: safe from many threads.

        Example::

            table.delete_item({"user_id": "u1"})
        """
        key = _given("key", key, "Key", kwargs)
        return self._call("delete_item", Key=key, **kwargs)

    # ------------------------------------------------------------------ batches

    def batch_write_items(
        self,
        items: Iterable[Mapping[str, Any]] | None = None,
        *,
        Items: Iterable[Mapping[str, Any]] | None = None,
    ) -> int:
        """Write any number of items, 25 per ``BatchWriteItem`` call.

        Items are consumed lazily. Within one chunk, a key seen twice is sent
        once, with the later item (the last write wins, as it would have with
        one ``PutItem`` each). ``UnprocessedItems`` are sent again after an
        exponentially growing, fully jittered wait, up to ``max_attempts``
        calls per chunk.

        Args:
            items: the items, each with its key attributes.
            Items: the same, spelled as boto3 users write it; give one of the two.

        Returns:
            How many items were written (a key repeated within a chunk counts
            once).

        Raises:
            BatchWriteError: items were still unprocessed after
                ``max_attempts`` calls. ``.unprocessed`` holds every item not
                written (that chunk's leftovers, then every item not yet
                sent), ``.written`` the count written before.
            TableNotFoundError: the table does not exist.
            ValueError: an item lacks a key attribute.

        Thread safety: safe from many threads.

        Example::

            n = table.batch_write_items({"pk": str(i), "x": i / 3} for i in range(1000))
            table.batch_write_items(Items=[{"pk": "a"}, {"pk": "b"}])
        """
        return self._batch("PutRequest", "Item", _given("items", items, "Items", {"Items": Items}))

    def batch_delete(
        self,
        keys: Iterable[Mapping[str, Any]] | None = None,
        *,
        Keys: Iterable[Mapping[str, Any]] | None = None,
    ) -> int:
        """Delete items by key (``keys`` or ``Keys=``), 25 per ``BatchWriteItem`` call.

        Same chunking, de-duplication and retries as :meth:`batch_write_items`.

        Returns:
            How many delete requests were processed.

        Raises:
            BatchWriteError: keys left unprocessed after every retry
                (``.unprocessed`` holds the keys).
            TableNotFoundError: the table does not exist.
            ValueError: a key lacks a key attribute.

        Thread safety: safe from many threads.

        Example::

            table.batch_delete({"pk": str(i)} for i in range(1000))
        """
        return self._batch("DeleteRequest", "Key", _given("keys", keys, "Keys", {"Keys": Keys}))

    # --------------------------------------------------------------- listings

    def scan(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Iterate over every item (``Scan``), page after page, lazily.

        Args:
            kwargs: ``Scan`` arguments; ``FilterExpression`` may be a
                ``boto3.dynamodb.conditions.Attr`` condition. ``Limit`` sets
                the page size only: every page is still followed (stop
                iterating to take fewer).

        Returns:
            A lazy iterator of items.

        Raises:
            TableNotFoundError: the table does not exist (on the first
                ``next()``).

        Thread safety: safe to call from many threads; consume each iterator
        in one thread.

        Example::

            from boto3.dynamodb.conditions import Attr

            active = list(table.scan(FilterExpression=Attr("active").eq(True)))
        """
        return self._paginate("scan", self._prepare(kwargs))

    def query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Iterate over the items matching a key condition (``Query``), lazily.

        Args:
            kwargs: ``Query`` arguments; ``KeyConditionExpression`` may be a
                ``boto3.dynamodb.conditions.Key`` condition. As for
                :meth:`scan`, ``Limit`` is the page size.

        Returns:
            A lazy iterator of items, across every page.

        Raises:
            TableNotFoundError: the table does not exist (on the first
                ``next()``).

        Thread safety: safe to call from many threads; consume each iterator
        in one thread.

        Example::

            from boto3.dynamodb.conditions import Key

            orders = list(table.query(KeyConditionExpression=Key("customer").eq("c1")))
        """
        return self._paginate("query", self._prepare(kwargs))

    @property
    def key_names(self) -> tuple[str, ...]:
        """The primary key's attribute names (``DescribeTable``, fetched once).

        Raises:
            TableNotFoundError: the table does not exist.

        Thread safety: safe from many threads; one ``DescribeTable`` at most.

        Example::

            table.key_names      # ('customer', 'n')
        """
        names = self._key_names
        if names is None:
            with self._lock:
                names = self._key_names
                if names is None:
                    table = self._raw("describe_table")["Table"]
                    names = self._key_names = tuple(k["AttributeName"] for k in table["KeySchema"])
        return names

    # ----------------------------------------------------------------- private

    def _raw(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        try:
            method = getattr(self.client, operation)
            response: dict[str, Any] = method(TableName=self.name, **kwargs)
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                msg = f"DynamoDB table not found: {self.name!r}"
                raise TableNotFoundError(msg) from exc
            raise
        return response

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        response = self._raw(operation, **self._prepare(kwargs))
        for field in _READ_BACK:
            if field in response:
                response[field] = deserialize(response[field])
        if "Items" in response:
            response["Items"] = [deserialize(i) for i in response["Items"]]
        return response

    def _prepare(self, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """Serialise Python values and build condition objects into strings."""
        prepared = dict(kwargs)
        builder = ConditionExpressionBuilder()
        names = dict(prepared.get("ExpressionAttributeNames") or {})
        values = dict(prepared.get("ExpressionAttributeValues") or {})
        for field, is_key in _CONDITIONS:
            condition = prepared.get(field)
            if isinstance(condition, ConditionBase):
                built = builder.build_expression(condition, is_key_condition=is_key)
                prepared[field] = built.condition_expression
                names.update(built.attribute_name_placeholders)
                values.update(built.attribute_value_placeholders)
        if names:
            prepared["ExpressionAttributeNames"] = names
        if values:
            prepared["ExpressionAttributeValues"] = serialize(values)
        for field in _MAP_FIELDS:
            if field in prepared:
                prepared[field] = serialize(prepared[field])
        return prepared

    def _paginate(self, operation: str, kwargs: dict[str, Any]) -> Iterator[dict[str, Any]]:
        while True:
            page = self._raw(operation, **kwargs)
            for item in page.get("Items", []):
                yield deserialize(item)
            last = page.get("LastEvaluatedKey")
            if not last:
                return
            kwargs["ExclusiveStartKey"] = last

    def _identity(self, value: Mapping[str, Any], key_names: tuple[str, ...]) -> tuple[Any, ...]:
        parts: list[Any] = []
        for attribute in key_names:
            if attribute not in value:
                msg = f"DynamoDB table {self.name!r}: key attribute {attribute!r} missing"
                raise InvalidArgumentError(msg, argument="items")
            raw = floats_to_decimal(value[attribute])
            # 1 and 1.0 are the same number key: compare numbers as Decimal.
            if isinstance(raw, (int, Decimal)) and not isinstance(raw, bool):
                raw = Decimal(raw)
            parts.append((attribute, type(raw).__name__, raw))
        return tuple(parts)

    def _batch(self, kind: str, field: str, values: Iterable[Mapping[str, Any]]) -> int:
        source = iter(values)
        key_names = self.key_names
        written = 0
        chunk: dict[tuple[Any, ...], Mapping[str, Any]] = {}
        for value in source:
            identity = self._identity(value, key_names)
            chunk.pop(identity, None)
            chunk[identity] = value
            if len(chunk) == BATCH_SIZE:
                written = self._send(kind, field, list(chunk.values()), written, source)
                chunk = {}
        if chunk:
            written = self._send(kind, field, list(chunk.values()), written, source)
        return written

    def _send(
        self,
        kind: str,
        field: str,
        values: list[Mapping[str, Any]],
        written: int,
        rest: Iterator[Mapping[str, Any]],
    ) -> int:
        pending = [{kind: {field: serialize(v)}} for v in values]
        attempt = 1
        while True:
            response = self._raw_batch(pending)
            unprocessed = response.get("UnprocessedItems", {}).get(self.name, [])
            written += len(pending) - len(unprocessed)
            if not unprocessed:
                return written
            if attempt >= self.max_attempts:
                left = [deserialize(r[kind][field]) for r in unprocessed]
                left.extend(dict(v) for v in rest)
                msg = (
                    f"DynamoDB table {self.name!r}: {len(unprocessed)} requests still "
                    f"unprocessed after {attempt} attempts; {written} written, "
                    f"{len(left)} not written (attached as .unprocessed)"
                )
                raise BatchWriteError(msg, unprocessed=left, written=written)
            self._backoff().wait(attempt - 1)
            attempt += 1
            pending = unprocessed

    def _backoff(self) -> Backoff:
        return Backoff(
            max_attempts=self.max_attempts,
            base=self.base_delay,
            cap=self.max_delay,
            sleep=self.sleep,
            random=self.random,
        )

    def _raw_batch(self, requests: list[dict[str, Any]]) -> dict[str, Any]:
        try:
            response: dict[str, Any] = self.client.batch_write_item(
                RequestItems={self.name: requests}
            )
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                msg = f"DynamoDB table not found: {self.name!r}"
                raise TableNotFoundError(msg) from exc
            raise
        return response
