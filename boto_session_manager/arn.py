"""Amazon Resource Names: the :class:`Arn` value object and :func:`parse_arn`.

An ARN is ``arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE``. The resource part
comes in several shapes, all handled here::

    table/MyTable                 type "table",    resource "MyTable"
    function:my-fn:PROD           type "function", resource "my-fn:PROD", name "my-fn"
    role/path/to/MyRole           type "role",     resource "path/to/MyRole", name "MyRole"
    secret:db-creds-AbCdEf        type "secret",   name "db-creds" (random suffix dropped)
    my-bucket/key/in/bucket.txt   (S3) no type,    resource "my-bucket/key/in/bucket.txt"
    my-topic                      no type,         resource "my-topic"

Every partition botocore knows (``aws``, ``aws-cn``, ``aws-us-gov``, the
``aws-iso*`` family, ``aws-eusc`` ...) parses, and so does any future one of
the same ``aws-<name>`` shape.

Thread safety: everything here is pure and immutable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from .exceptions import InvalidArnError

_PARTITION = re.compile(r"aws(?:-[a-z0-9]+)*\Z")
_SERVICE = re.compile(r"[a-z0-9][a-z0-9.-]*\Z")
_REGION = re.compile(r"(?:[a-z0-9]+(?:-[a-z0-9]+)*)?\Z")
# [0-9], not \d: \d also matches other scripts' digits.
_ACCOUNT = re.compile(r"(?:[0-9]{12}|aws|)\Z")
_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
# Secrets Manager appends "-" and six random characters to every secret's ARN.
_SECRET_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}\Z")


#: The keys of an :class:`Arn` read as a mapping, in order.
ARN_KEYS = (
    "arn",
    "partition",
    "service",
    "region",
    "account",
    "resource_type",
    "resource",
    "resource_name",
)


@attrs.frozen
class Arn(Mapping[str, Any]):
    """A parsed ARN. ``str(arn)`` is the original string.

    It also reads as a read-only mapping of its fields (``ARN_KEYS``):
    ``arn["service"]``, ``arn.get("region")``, ``"resource" in arn``,
    ``dict(arn)``, ``len(arn) == 8``; iterating yields the keys. It stays
    frozen: neither attributes nor items can be set. Equality and hashing
    are those of the value object (two Arns of the same string are equal).

    Attributes:
        arn: the ARN as given.
        partition: ``aws``, ``aws-cn``, ``aws-us-gov``, ...
        service: the service namespace (``s3``, ``iam``, ``dynamodb`` ...).
        region: the region, or ``""`` for global resources.
        account: the 12-digit account id, ``"aws"`` for AWS-managed resources,
            or ``""`` (S3 buckets).
        resource_type: ``table``, ``role``, ``function`` ... or ``None``.
        resource: the resource after its type (path and qualifiers kept).
        resource_name: the bare name: no IAM path, no Lambda qualifier, no
            Secrets Manager random suffix.

    Example::

        >>> arn = parse_arn("arn:aws:dynamodb:us-east-1:123456789012:table/MyTable")
        >>> arn.resource_type, arn.resource
        ('table', 'MyTable')
        >>> arn["service"], len(arn)
        ('dynamodb', 8)

    Thread safety: immutable; share it freely.
    """

    arn: str
    partition: str
    service: str
    region: str
    account: str
    resource_type: str | None
    resource: str
    resource_name: str

    def __str__(self) -> str:
        return self.arn

    def __getitem__(self, key: str) -> Any:
        if key not in ARN_KEYS:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(ARN_KEYS)

    def __len__(self) -> int:
        return len(ARN_KEYS)

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a new dict, keys as in ``ARN_KEYS``.

        Example::

            >>> parse_arn("arn:aws:sns:us-east-1:123456789012:alerts").to_dict()["resource"]
            'alerts'
        """
        return attrs.asdict(self)


def parse_arn(arn: str) -> Arn:
    """Parse an ARN string.

    Args:
        arn: the ARN, e.g. ``arn:aws:s3:::my-bucket/obj.txt``.

    Returns:
        The parsed :class:`Arn`.

    Raises:
        InvalidArnError: ``arn`` is not a string or not a well-formed ARN; the
            message quotes it and says which part is wrong.

    Example::

        >>> parse_arn("arn:aws:iam::123456789012:role/ops/Admin").resource_name
        'Admin'
    """
    if not isinstance(arn, str):
        msg = f"an ARN must be a string, not {type(arn).__name__}"
        raise InvalidArnError(msg)
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        msg = f"not an ARN (expected arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE): {arn!r}"
        raise InvalidArnError(msg)
    _, partition, service, region, account, rest = parts
    for label, value, pattern in (
        ("partition", partition, _PARTITION),
        ("service", service, _SERVICE),
        ("region", region, _REGION),
        ("account", account, _ACCOUNT),
    ):
        if not pattern.match(value):
            msg = f"invalid {label} {value!r} in ARN {arn!r}"
            raise InvalidArnError(msg)
    if not rest or rest != rest.strip():
        msg = f"missing or blank resource in ARN {arn!r}"
        raise InvalidArnError(msg)

    resource_type, resource = _split_resource(service, region, account, rest)
    return Arn(
        arn=arn,
        partition=partition,
        service=service,
        region=region,
        account=account,
        resource_type=resource_type,
        resource=resource,
        resource_name=_resource_name(service, resource_type, resource),
    )


def _split_resource(service: str, region: str, account: str, rest: str) -> tuple[str | None, str]:
    """Split ``type/name`` or ``type:name``; S3 bucket ARNs carry no type."""
    if service == "s3" and not region and not account:
        return None, rest
    cut = min((i for i in (rest.find("/"), rest.find(":")) if i > 0), default=-1)
    if cut < 0 or cut == len(rest) - 1 or not _TYPE.match(rest[:cut]):
        return None, rest
    return rest[:cut], rest[cut + 1 :]


def _resource_name(service: str, resource_type: str | None, resource: str) -> str:
    """The bare name; never empty (falls back to ``resource``)."""
    name = resource
    if service == "iam" or service == "sts":
        # role/path/to/Name, assumed-role/Role/session: the name is the last part
        # for IAM paths, the role for STS sessions.
        segments = resource.split("/")
        name = segments[0] if service == "sts" and len(segments) > 1 else segments[-1]
    elif service == "secretsmanager" and resource_type == "secret":
        name = _SECRET_SUFFIX.sub("", resource)
    elif service != "s3" and resource_type is not None:
        # table/MyTable/index/ByDate -> MyTable; function:my-fn:PROD -> my-fn
        name = re.split(r"[/:]", resource, maxsplit=1)[0]
    return name or resource
