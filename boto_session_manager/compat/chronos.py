"""chronos_lab's AWS helpers (``chronos_lab.aws``) on the core API.

Replace ``from chronos_lab.aws import ...`` by
``from boto_session_manager.compat.chronos import ...``; the names, arguments
and return shapes stay. Calls go to the default manager of
:mod:`boto_session_manager.compat` (see
:func:`~boto_session_manager.compat.set_default_manager`).

Differences, on purpose:

- **Errors raise instead of returning None.** A missing secret raises
  :class:`~boto_session_manager.exceptions.SecretNotFoundError`, missing
  parameters :class:`~boto_session_manager.exceptions.ParameterNotFoundError`
  (naming all of them), a missing bucket
  :class:`~boto_session_manager.exceptions.BucketNotFoundError`, a missing
  table :class:`~boto_session_manager.exceptions.TableNotFoundError`, bad
  arguments :class:`~boto_session_manager.exceptions.InvalidArgumentError` /
  :class:`~boto_session_manager.exceptions.InvalidArgumentTypeError`, all
  under :class:`~boto_session_manager.exceptions.BotoSessionManagerError`;
  other refusals are botocore's ``ClientError``. Where your code tested
  ``if result is None``, catch the error instead.
- ``aws_get_parameters`` takes any number of names (batched by 10).
- ``aws_get_secret`` returns a SecretBinary as the bytes stored (botocore
  has already decoded the base64 of the wire format).
- ``aws_get_resources``: when several resources share a ``Name`` tag, the
  last one listed wins, as with a plain dict.
- ``aws_s3_list_objects`` returns objects only, also with ``Delimiter=``
  (use :meth:`~boto_session_manager.BotoSesManager.s3_list_objects` for the
  common prefixes).

Thread safety: every function is safe from many threads; a
:class:`DynamoDBDatabase` may be shared between threads.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..arn import parse_arn as _parse_arn
from ..services import params as _params
from ..services._common import apply_transform
from . import get_default_manager

__all__ = [
    "DynamoDBDatabase",
    "aws_get_parameters",
    "aws_get_parameters_by_path",
    "aws_get_resources",
    "aws_get_secret",
    "aws_s3_list_objects",
    "parse_arn",
]


def aws_get_parameters_by_path(
    parameter_path: str,
    with_decryption: bool = False,
    recursive: bool = False,
    format: str = "dict",
) -> dict[str, Any]:
    """Every SSM parameter under a path, every page.

    Args:
        parameter_path: the path, e.g. ``"/app/database/"``.
        with_decryption: decrypt SecureString values.
        recursive: every level below the path, not just the next.
        format: ``"dict"`` for ``{name: value}``; anything else for the
            response shape ``{"Parameters": [record, ...]}`` (every page's
            records together).

    Raises:
        InvalidArgumentError: the path does not start with ``/``.

    Example::

        params = aws_get_parameters_by_path("/app/database/", with_decryption=True, recursive=True)
        db_host = params["/app/database/host"]
    """
    bsm = get_default_manager()
    if format == "dict":
        return bsm.get_parameters_by_path(
            parameter_path, recursive=recursive, with_decryption=with_decryption
        )
    records = _params.iter_parameters_by_path(
        bsm.get_client("ssm"),
        parameter_path,
        recursive=recursive,
        with_decryption=with_decryption,
    )
    return {"Parameters": list(records)}


def aws_get_parameters(
    parameter_names: Iterable[str],
    with_decryption: bool = False,
    format: str = "dict",
) -> dict[str, Any]:
    """Named SSM parameters (any number; asked 10 at a time).

    Args:
        parameter_names: the names.
        with_decryption: decrypt SecureString values.
        format: ``"dict"`` for ``{name: value}``; anything else for the
            response shape ``{"Parameters": [record, ...], "InvalidParameters": []}``.

    Raises:
        ParameterNotFoundError: some names do not exist (``.names`` lists them).

    Example::

        params = aws_get_parameters(["/app/db/host", "/app/db/port"], with_decryption=True)
        db_host = params["/app/db/host"]
    """
    bsm = get_default_manager()
    if format == "dict":
        return bsm.get_parameters(parameter_names, with_decryption=with_decryption)
    records = _params.get_parameter_records(
        bsm.get_client("ssm"), parameter_names, with_decryption=with_decryption
    )
    return {"Parameters": list(records.values()), "InvalidParameters": []}


def aws_get_secret(secret_name: str) -> Any:
    """A secret: a SecretString parsed as JSON, a SecretBinary as its bytes.

    Raises:
        SecretNotFoundError: no such secret.
        TransformError: a SecretString that is not JSON (the value is never
            quoted in the message).

    Example::

        secret = aws_get_secret("prod/database/credentials")
        db_user = secret["username"]
    """
    value = get_default_manager().get_secret(secret_name)
    if isinstance(value, bytes):
        return value
    return apply_transform(value, "json", what=f"secret {secret_name!r}")


def parse_arn(arn: str) -> dict[str, Any]:
    """An ARN's parts as a dict: ``arn``, ``partition``, ``service``, ``region``,
    ``account``, ``resource``, ``resource_type``, ``resource_name``.

    Raises:
        InvalidArnError: ``arn`` is not an ARN (a ``ValueError``).

    Example::

        >>> parse_arn("arn:aws:s3:::my-bucket/object.txt")["service"]
        's3'
    """
    return _parse_arn(arn).to_dict()


def aws_get_resources() -> dict[str, dict[str, Any]]:
    """Every resource with a ``Name`` tag: name -> its parsed ARN as a dict.

    AWS Backup recovery points are left out. Every page is read.

    Example::

        for name, arn_info in aws_get_resources().items():
            print(f"{name}: {arn_info['service']} in {arn_info['region']}")
    """
    named = get_default_manager().get_named_resources(on_duplicate="last")
    return {name: arn.to_dict() for name, arn in named.items()}


def aws_s3_list_objects(**kwargs: Any) -> list[dict[str, Any]]:
    """Every object of a bucket, every page, as a list of ``Contents`` dicts.

    Args:
        kwargs: ``ListObjectsV2`` arguments: ``Bucket`` (required),
            ``Prefix``, ``MaxKeys`` (objects per page), ``Delimiter``,
            ``StartAfter``, ``ContinuationToken`` ...

    Raises:
        BucketNotFoundError: no such bucket.
        InvalidArgumentError: no ``Bucket``, or a bad ``MaxKeys``.

    Example::

        objects = aws_s3_list_objects(Bucket="my-bucket", Prefix="data/2024/")
        print(f"Found {len(objects)} objects")
    """
    entries = get_default_manager().s3_list_objects(**kwargs)
    return [entry for entry in entries if "Key" in entry]


class DynamoDBDatabase:
    """One DynamoDB table, boto3's keyword shapes in, plain Python values out.

    Args:
        table_name: the table's name.

    Nothing is fetched at construction; a missing table raises
    :class:`~boto_session_manager.exceptions.TableNotFoundError` on the
    first call. Floats in items are stored as Decimal.

    Thread safety: safe to share between threads.

    Example::

        db = DynamoDBDatabase(table_name="users")
        db.put_item(Item={"user_id": "123", "name": "John"})
        all_items = db.scan()
        db.batch_write_items(Items=[{"user_id": "1"}, {"user_id": "2"}])
    """

    def __init__(self, table_name: str) -> None:
        self._table = get_default_manager().dynamodb_table(table_name)
        self.table_name = table_name

    def __repr__(self) -> str:
        return f"DynamoDBDatabase(table_name={self.table_name!r})"

    def put_item(self, **kwargs: Any) -> dict[str, Any]:
        """``PutItem`` with ``Item=`` and any other of its arguments; the response."""
        return self._table.put_item(**kwargs)

    def get_item(self, **kwargs: Any) -> dict[str, Any] | None:
        """``GetItem`` with ``Key=``; the item, or None when no item has that key."""
        return self._table.get_item(**kwargs)

    def update_item(self, **kwargs: Any) -> dict[str, Any]:
        """``UpdateItem`` with ``Key=``, ``UpdateExpression=`` ...; the response."""
        return self._table.update_item(**kwargs)

    def delete_item(self, **kwargs: Any) -> dict[str, Any]:
        """``DeleteItem`` with ``Key=``; the response."""
        return self._table.delete_item(**kwargs)

    def batch_write_items(self, Items: Iterable[dict[str, Any]]) -> int:
        """Write every item, 25 per call, retrying unprocessed ones; how many were written."""
        return self._table.batch_write_items(Items=Items)

    def scan(self, **kwargs: Any) -> list[dict[str, Any]]:
        """Every item (``Scan`` arguments accepted), every page, as a list."""
        return list(self._table.scan(**kwargs))

    def query(self, **kwargs: Any) -> list[dict[str, Any]]:
        """The items matching ``KeyConditionExpression=``, every page, as a list."""
        return list(self._table.query(**kwargs))
