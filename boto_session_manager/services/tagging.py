"""Resource Groups Tagging API: every tagged resource, and resources by Name tag.

Functions take a ``resourcegroupstaggingapi`` client; the manager exposes
them as :meth:`~boto_session_manager.BotoSesManager.get_tagged_resources`
and :meth:`~boto_session_manager.BotoSesManager.get_named_resources`.

Thread safety: the functions keep no state and botocore clients are thread
safe; each iterator belongs to the thread consuming it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Union

from ..arn import Arn, parse_arn
from ..exceptions import (
    DuplicateNameError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidArnError,
)

#: A tag filter: AWS's own list form, or ``{key: value | [values] | None}``.
TagFilters = Union[Sequence[Mapping[str, Any]], Mapping[str, Union[str, Sequence[str], None]]]

_DUPLICATE_POLICIES = ("error", "first", "last")


def normalize_tag_filters(tag_filters: TagFilters | None) -> list[dict[str, Any]]:
    """Turn ``{"env": "prod", "team": ["a", "b"], "owner": None}`` into AWS's form.

    A ``None`` value means "has the tag, any value". A list is passed through
    unchanged (``[{"Key": ..., "Values": [...]}]``).

    Raises:
        TypeError: ``tag_filters`` is neither a mapping nor a list of mappings.

    Thread safety: pure; safe from any thread.

    Example::

        >>> normalize_tag_filters({"env": "prod", "owner": None})
        [{'Key': 'env', 'Values': ['prod']}, {'Key': 'owner'}]
    """
    if tag_filters is None:
        return []
    if isinstance(tag_filters, Mapping):
        result: list[dict[str, Any]] = []
        for key, value in tag_filters.items():
            if value is None:
                result.append({"Key": key})
            elif isinstance(value, str):
                result.append({"Key": key, "Values": [value]})
            else:
                result.append({"Key": key, "Values": list(value)})
        return result
    if isinstance(tag_filters, (str, bytes)) or not all(
        isinstance(f, Mapping) for f in tag_filters
    ):
        msg = "tag_filters must be a mapping or a list of {'Key': ..., 'Values': [...]} mappings"
        raise InvalidArgumentTypeError(msg, argument="tag_filters")
    return [dict(f) for f in tag_filters]


def get_tagged_resources(
    client: Any,
    tag_filters: TagFilters | None = None,
    resource_types: Iterable[str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Iterate over every tagged resource (``GetResources``), page after page.

    Args:
        client: a ``resourcegroupstaggingapi`` client.
        tag_filters: only resources with these tags (see
            :func:`normalize_tag_filters` for the accepted forms).
        resource_types: only these types, e.g. ``["s3:bucket", "ec2:instance"]``.

    Returns:
        A lazy iterator of ``ResourceTagMappingList`` dicts
        (``ResourceARN``, ``Tags``: a list of ``{"Key", "Value"}``).

    Raises:
        TypeError: ``tag_filters`` or ``resource_types`` is malformed (at the
            call, not on the first ``next()``).

    Thread safety: safe to call from many threads; consume each iterator in
    one thread.

    Example::

        for resource in get_tagged_resources(tagging_client, {"env": "prod"}):
            print(resource["ResourceARN"])
    """
    kwargs: dict[str, Any] = {}
    filters = normalize_tag_filters(tag_filters)
    if filters:
        kwargs["TagFilters"] = filters
    if resource_types is not None:
        if isinstance(resource_types, str):
            msg = "resource_types must be a list of types such as ['s3:bucket'], not a string"
            raise InvalidArgumentTypeError(msg, argument="resource_types")
        kwargs["ResourceTypeFilters"] = list(resource_types)
    return _pages(client, kwargs)


def _pages(client: Any, kwargs: dict[str, Any]) -> Iterator[dict[str, Any]]:
    while True:
        page = client.get_resources(**kwargs)
        yield from page.get("ResourceTagMappingList", [])
        token = page.get("PaginationToken")
        if not token:
            return
        kwargs["PaginationToken"] = token


def is_backup_recovery_point(resource: Mapping[str, Any], arn: Arn) -> bool:
    """Whether a tagged resource is an AWS Backup recovery point.

    AWS Backup copies the source's tags (its ``Name`` too) onto the recovery
    points it makes, so they would shadow the real resource. They are
    recognised by a ``backup`` ``recovery-point`` ARN, an ``aws:backup:`` tag,
    or an ``awsbackup:`` snapshot name (RDS, Redshift ...).

    Args:
        resource: a ``ResourceTagMappingList`` entry (its ``Tags`` are read).
        arn: the entry's parsed ARN.

    Thread safety: pure; safe from any thread.

    Example::

        >>> arn = parse_arn("arn:aws:backup:us-east-1:123456789012:recovery-point:1a2b")
        >>> is_backup_recovery_point({"ResourceARN": str(arn), "Tags": []}, arn)
        True
    """
    if arn.service == "backup" and arn.resource_type == "recovery-point":
        return True
    if any(str(t.get("Key", "")).startswith("aws:backup:") for t in resource.get("Tags", [])):
        return True
    return arn.resource_name.startswith("awsbackup:") or arn.resource.startswith("awsbackup:")


def get_named_resources(
    client: Any,
    tag_filters: TagFilters | None = None,
    resource_types: Iterable[str] | None = None,
    *,
    on_duplicate: str = "error",
) -> dict[str, Arn]:
    """Map the value of each resource's ``Name`` tag to its parsed ARN.

    AWS Backup recovery points are left out (see
    :func:`is_backup_recovery_point`), and so are resources without a
    ``Name`` tag.

    Args:
        client: a ``resourcegroupstaggingapi`` client.
        tag_filters: as :func:`get_tagged_resources`.
        resource_types: as :func:`get_tagged_resources`.
        on_duplicate: what to do when two resources share a name:
            ``"error"`` (raise, the default: a dict cannot hold both, and
            silently keeping one is how scripts act on the wrong resource),
            ``"first"`` or ``"last"`` (keep that one, in ARN order).

    Returns:
        ``{name: Arn}``.

    Raises:
        DuplicateNameError: with ``on_duplicate="error"``, names used by more
            than one resource; ``.duplicates`` maps each to its ARNs.
        ValueError: ``on_duplicate`` is unknown.

    Thread safety: safe from many threads.

    Example::

        named = get_named_resources(tagging_client, resource_types=["dynamodb:table"])
        named["orders"].resource      # "orders-2024"
    """
    if on_duplicate not in _DUPLICATE_POLICIES:
        msg = f"on_duplicate must be one of {_DUPLICATE_POLICIES}, not {on_duplicate!r}"
        raise InvalidArgumentError(msg, argument="on_duplicate")
    by_name: dict[str, list[Arn]] = {}
    for resource in get_tagged_resources(client, tag_filters, resource_types):
        name = next((t["Value"] for t in resource.get("Tags", []) if t.get("Key") == "Name"), None)
        if name is None:
            continue
        try:
            arn = parse_arn(resource["ResourceARN"])
        except InvalidArnError:  # pragma: no cover - AWS only returns ARNs
            continue
        if is_backup_recovery_point(resource, arn):
            continue
        by_name.setdefault(name, []).append(arn)
    duplicates = {n: sorted(str(a) for a in arns) for n, arns in by_name.items() if len(arns) > 1}
    if duplicates and on_duplicate == "error":
        raise DuplicateNameError(duplicates)
    result: dict[str, Arn] = {}
    for name, arns in by_name.items():
        ordered = sorted(arns, key=str)
        result[name] = ordered[0] if on_duplicate == "first" else ordered[-1]
    return result
