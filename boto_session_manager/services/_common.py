"""What the service modules share: error codes, transforms, JSON encoding.

Thread safety: everything here is pure.
"""

from __future__ import annotations

import base64
import binascii
import json
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from ..exceptions import InvalidArgumentTypeError, TransformError

#: The transforms :func:`apply_transform` knows.
TRANSFORMS = ("json", "binary")


def error_code(exc: ClientError) -> str:
    """The AWS error code of a botocore ``ClientError`` (``""`` if absent). Pure."""
    code: Any = exc.response.get("Error", {}).get("Code", "")
    return str(code)


def check_transform(transform: str | None) -> None:
    """Raise :class:`TransformError` for a transform we do not know. Pure."""
    if transform is not None and transform not in TRANSFORMS:
        msg = f"unknown transform {transform!r}: expected None, 'json' or 'binary'"
        raise TransformError(msg)


def apply_transform(value: str | bytes, transform: str | None, *, what: str) -> Any:
    """Decode ``value`` as asked, never quoting it in an error.

    Args:
        value: the stored value (a str, or bytes botocore already decoded).
        transform: ``None`` (as is), ``"json"`` or ``"binary"`` (base64 of a
            string; bytes are returned unchanged: they are decoded already).
        what: names the thing in messages, e.g. ``"secret 'db'"``.

    Raises:
        TransformError: the value is not what ``transform`` expects. The
            message says where parsing failed, never what the value was, and
            the original error is not chained (it would carry the value).

    Thread safety: pure; safe from any thread.

    Example::

        >>> apply_transform('{"a": 1}', "json", what="secret 'cfg'")
        {'a': 1}
    """
    check_transform(transform)
    if transform is None:
        return value
    if transform == "json":
        problem: str
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            problem = f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        except UnicodeDecodeError:
            problem = "is not UTF-8 text, so not JSON"
        msg = f"{what} {problem}"
        raise TransformError(msg) from None
    if isinstance(value, bytes):
        return value
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        msg = f"{what} is not valid base64 (asked for transform='binary')"
        raise TransformError(msg) from None


class _JSONEncoder(json.JSONEncoder):
    """JSON that also takes Decimal (as a number, never rounded) and sets (as sorted lists)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            return _decimal_number(o)
        if isinstance(o, (set, frozenset)):
            return sorted(o)
        return super().default(o)


def _decimal_number(o: Decimal) -> int | float:
    # Messages never quote the value: it may be (part of) a secret.
    if not o.is_finite():
        msg = "cannot store a Decimal NaN or Infinity as JSON (JSON has no such numbers)"
        raise InvalidArgumentTypeError(msg, argument="value")
    if o == o.to_integral_value():
        return int(o)
    number = float(o)
    if Decimal(repr(number)) != o:
        msg = (
            "cannot store this Decimal as JSON without losing precision (a float "
            "cannot hold it exactly); convert it to a str or float first"
        )
        raise InvalidArgumentTypeError(msg, argument="value")
    return number


def to_json(value: Any) -> str:
    """Serialise a mapping for storage, compactly.

    Also accepted: sets (as sorted lists) and :class:`~decimal.Decimal`
    (what DynamoDB returns for numbers), written as a number only when that
    is exact: an integral Decimal as an int of any size, any other as the
    float that prints the same digits (``Decimal("9.5")`` -> ``9.5``).

    Raises:
        TypeError: a value JSON cannot hold: a float or Decimal that is NaN
            or infinite (Python's json would write a bare ``NaN``, which no
            JSON parser reads), a Decimal whose digits no float keeps
            (``Decimal("0.1000000000000000000001")``). The value is never
            quoted in the message. Convert such a value to ``str`` yourself to
            store its exact digits.

    Thread safety: pure; safe from any thread.

    Example::

        >>> to_json({"score": Decimal("9.5"), "count": Decimal("3"), "tags": {"b", "a"}})
        '{"score":9.5,"count":3,"tags":["a","b"]}'
    """
    try:
        return json.dumps(value, cls=_JSONEncoder, separators=(",", ":"), allow_nan=False)
    except ValueError as exc:
        # allow_nan=False makes json refuse NaN/Infinity instead of writing a bare
        # NaN; any other ValueError (a circular reference) is passed on as it is.
        if not str(exc).startswith("Out of range float"):
            raise
        msg = "cannot store a float NaN or Infinity as JSON (JSON has no such numbers)"
        raise InvalidArgumentTypeError(msg, argument="value") from None
