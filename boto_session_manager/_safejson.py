"""JSON from files others may have planted: bounded before it is parsed.

:func:`load_bounded` scans the text once (strings skipped) and refuses, before
``json`` sees it, what would make the parser or our code misbehave: nesting
deeper than :data:`MAX_DEPTH` (``RecursionError``), a number longer than
:data:`MAX_NUMBER_CHARS` characters or out of float range (Python's digit
limit ``ValueError``, ``inf``, ``OverflowError`` later), ``NaN``/``Infinity``
(not JSON), and more than :data:`MAX_TOKENS` tokens. The error names the source
and the top-level key under which the problem sits.

Thread safety: pure functions.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from .exceptions import DocumentLimitError

#: The deepest nesting of arrays and objects accepted.
MAX_DEPTH = 16
#: The longest number literal accepted (characters).
MAX_NUMBER_CHARS = 40
#: The most tokens (strings, numbers, punctuation) accepted in one document.
MAX_TOKENS = 10_000

_TOKEN = re.compile(
    r"""
    (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<open>[\[{])
  | (?P<close>[\]}])
  | (?P<colon>:)
  | (?P<number>-?(?:Infinity|[0-9][0-9eE+\-.]*))
  | (?P<constant>NaN)
    """,
    re.VERBOSE | re.DOTALL,
)


def check_limits(text: str) -> None:
    """Raise :class:`DocumentLimitError` if ``text`` breaks a limit."""
    depth = 0
    key: str | None = None
    last_string: str | None = None
    for count, match in enumerate(_TOKEN.finditer(text)):
        if count >= MAX_TOKENS:
            raise DocumentLimitError(f"has more than {MAX_TOKENS} tokens", key)
        kind = match.lastgroup
        if kind == "string":
            last_string = match.group()
        elif kind == "colon" and depth == 1 and last_string is not None:
            key = _decode_key(last_string)
        elif kind == "open":
            depth += 1
            if depth > MAX_DEPTH:
                raise DocumentLimitError(f"is nested deeper than {MAX_DEPTH} levels", key)
        elif kind == "close":
            depth -= 1
        elif kind == "number":
            _check_number(match.group(), key)
        elif kind == "constant":
            raise DocumentLimitError("holds NaN, which is not JSON", key)


def _check_number(literal: str, key: str | None) -> None:
    if len(literal) > MAX_NUMBER_CHARS:
        raise DocumentLimitError(f"holds a number longer than {MAX_NUMBER_CHARS} characters", key)
    if literal.lstrip("-") == "Infinity":
        raise DocumentLimitError("holds Infinity, which is not JSON", key)
    try:
        value = float(literal)
    except ValueError:
        return  # not a number: json reports the syntax error
    if math.isinf(value):
        raise DocumentLimitError("holds a number out of range", key)


def _decode_key(literal: str) -> str:
    try:
        decoded = json.loads(literal)
    except ValueError:
        return literal
    return str(decoded)[:60]


def load_bounded(text: str) -> Any:
    """``json.loads(text)`` after :func:`check_limits`.

    Raises:
        DocumentLimitError: a limit is broken.
        ValueError: the text is not JSON.
    """
    check_limits(text)
    return json.loads(text)
