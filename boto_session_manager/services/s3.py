"""S3: list a bucket lazily, every page, common prefixes included.

:func:`list_objects` takes an ``s3`` client;
:meth:`~boto_session_manager.BotoSesManager.s3_list_objects` is the manager's
method.

Thread safety: the function keeps no state and botocore clients are thread
safe; each iterator it returns belongs to the thread consuming it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from ..exceptions import BucketNotFoundError, InvalidArgumentError
from ._common import error_code

#: ListObjectsV2 returns at most this many entries per page.
PAGE_SIZE = 1000


def list_objects(
    client: Any,
    bucket: str | None = None,
    prefix: str = "",
    *,
    delimiter: str | None = None,
    start_after: str | None = None,
    limit: int | None = None,
    page_size: int = PAGE_SIZE,
    **list_objects_v2_kwargs: Any,
) -> Iterator[dict[str, Any]]:
    """Iterate over a bucket's objects, following every page.

    Pages are fetched as the iterator is consumed; a page that comes back
    empty but with a continuation token is followed too.

    With a ``delimiter``, S3 rolls keys up into *common prefixes* ("folders").
    They are not dropped: each is yielded as ``{"Prefix": "photos/2024/"}``
    (a dict without ``"Key"``), in key order among the objects of its page,
    so ``"Key" in entry`` tells the two apart.

    The ``ListObjectsV2`` spellings work too, as boto3 users write them:
    ``Bucket=``, ``Prefix=``, ``Delimiter=``, ``StartAfter=``, ``MaxKeys=``
    (the page size, as in the API), ``ContinuationToken=`` (start from that
    page), and any other ``ListObjectsV2`` argument (``FetchOwner``,
    ``RequestPayer``, ``ExpectedBucketOwner`` ...), which is sent with
    every page as given.

    Args:
        client: an ``s3`` client.
        bucket: the bucket's name (or ``Bucket=``).
        prefix: only keys starting with this (or ``Prefix=``).
        delimiter: roll keys up at this character (usually ``"/"``).
        start_after: only keys after this one (lexicographically).
        limit: stop after this many entries (objects and common prefixes
            together, as S3 counts them); ``None`` for all.
        page_size: entries per request (1 to 1000; or ``MaxKeys=``).
        list_objects_v2_kwargs: ``ListObjectsV2`` arguments, see above.

    Returns:
        A lazy iterator of ``Contents`` dicts (``Key``, ``Size``, ``ETag``,
        ``LastModified``, ``StorageClass`` ...) and, with a delimiter,
        ``{"Prefix": ...}`` dicts.

    Raises:
        BucketNotFoundError: the bucket does not exist (raised by the first
            ``next()``, since nothing is fetched before).
        InvalidArgumentError: no bucket, an empty one, an option given in
            both spellings, a negative ``limit`` or a page size outside
            1..1000 (raised at the call, naming the argument).

    Thread safety: safe to call from many threads; consume each iterator in
    one thread.

    Example::

        from boto_session_manager.services.s3 import list_objects

        for obj in list_objects(s3_client, "my-bucket", "logs/2024/"):
            print(obj["Key"], obj["Size"])
        folders = [e["Prefix"] for e in list_objects(s3_client, "my-bucket", delimiter="/")
                   if "Prefix" in e]
        same = list(list_objects(s3_client, Bucket="my-bucket", Prefix="logs/", MaxKeys=100))
    """
    options = dict(list_objects_v2_kwargs)
    bucket = _one_of("bucket", bucket, "Bucket", options, None)
    prefix = _one_of("prefix", prefix, "Prefix", options, "")
    delimiter = _one_of("delimiter", delimiter, "Delimiter", options, None)
    start_after = _one_of("start_after", start_after, "StartAfter", options, None)
    page_size = _one_of("page_size", page_size, "MaxKeys", options, PAGE_SIZE)
    if not isinstance(bucket, str) or not bucket:
        msg = f"bucket: a bucket name must be a non-empty string, not {bucket!r}"
        raise InvalidArgumentError(msg, argument="bucket")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        msg = f"limit: must be None or an integer >= 0, not {limit!r}"
        raise InvalidArgumentError(msg, argument="limit")
    if (
        isinstance(page_size, bool)
        or not isinstance(page_size, int)
        or not 1 <= page_size <= PAGE_SIZE
    ):
        msg = f"page_size (MaxKeys): must be between 1 and {PAGE_SIZE}, not {page_size!r}"
        raise InvalidArgumentError(msg, argument="page_size")
    kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
    if delimiter is not None:
        kwargs["Delimiter"] = delimiter
    if start_after is not None:
        kwargs["StartAfter"] = start_after
    kwargs.update(options)
    return _pages(client, kwargs, limit, page_size)


def _one_of(argument: str, value: Any, option: str, options: dict[str, Any], default: Any) -> Any:
    """The value given as ``argument`` or as the SDK's ``option`` (popped); never both."""
    if option not in options:
        return value
    given = options.pop(option)
    if value != default and value != given:
        msg = f"{argument} and {option}= are the same option; give it once"
        raise InvalidArgumentError(msg, argument=argument)
    return given


def _pages(
    client: Any, kwargs: dict[str, Any], limit: int | None, page_size: int
) -> Iterator[dict[str, Any]]:
    remaining = limit
    while remaining is None or remaining > 0:
        kwargs["MaxKeys"] = page_size if remaining is None else min(page_size, remaining)
        try:
            page = client.list_objects_v2(**kwargs)
        except ClientError as exc:
            if error_code(exc) == "NoSuchBucket":
                msg = f"S3 bucket not found: {kwargs['Bucket']!r}"
                raise BucketNotFoundError(msg) from exc
            raise
        entries: list[dict[str, Any]] = list(page.get("Contents", []))
        entries.extend({"Prefix": p["Prefix"]} for p in page.get("CommonPrefixes", []))
        entries.sort(key=lambda e: e["Key"] if "Key" in e else e["Prefix"])
        for entry in entries:
            if remaining is not None:
                if remaining <= 0:
                    return
                remaining -= 1
            yield entry
        token = page.get("NextContinuationToken")
        if not token:
            return
        kwargs["ContinuationToken"] = token
