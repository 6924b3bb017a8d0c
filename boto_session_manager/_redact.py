"""Keeping secrets out of error texts and log records.

botocore puts request text into some of its errors: a session token holding a
newline makes the HTTP layer refuse the ``X-Amz-Security-Token`` header with
an error that quotes the header value, and botocore wraps that text into its
``HTTPClientError``. Every error that crosses our boundary (calls made by
clients of a manager, the ``bsm`` command's error handler) goes through
:func:`redact_exception` first, which rewrites, in place, the message of the
error and of every error chained to it:

- every known secret (the manager's own secret key and session token) becomes
  ``***``;
- header text that can only come from a request (an invalid header's value,
  ``X-Amz-Security-Token``, a SigV4 ``Signature=``) is hidden, whatever its
  value.

:class:`RedactingFilter` does the same for log records; ``bsm --auth-debug``
installs it on the root handlers before turning botocore's DEBUG logs on.

Thread safety: the functions keep no state; a filter's secret set is
replaced, never mutated, so it can be shared by handlers of many threads.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

MASK = "***"

#: Secrets shorter than this are not searched for: they would hide ordinary words.
MIN_SECRET_LENGTH = 6

_PATTERNS = (
    # http.client: "Invalid header value b'...'" / "Invalid header name b'...'"
    (
        re.compile(r"(Invalid header (?:value|name))\s.*", re.DOTALL),
        r"\1 (hidden: it may hold a credential)",
    ),
    (re.compile(r"(X-Amz-Security-Token['\"]?\s*[:=,]\s*)\S+", re.IGNORECASE), r"\1" + MASK),
    (re.compile(r"(Signature[=:]\s*)[0-9a-fA-F]+"), r"\1" + MASK),
    # ini / shell assignments, and the keys of a dict or JSON object
    (re.compile(r"(aws_(?:secret_access_key|session_token)\s*=\s*)\S+"), r"\1" + MASK),
    (
        re.compile(
            r"""(['"]aws_(?:secret_access_key|session_token)['"]\s*:\s*)(['"]).*?(?<!\\)\2"""
        ),
        r"\1\2" + MASK + r"\2",
    ),
    # Credentials and secret values in STS / Secrets Manager bodies (botocore's DEBUG logs).
    (re.compile(r"(<(SecretAccessKey|SessionToken)>)[^<]*(</\2>)"), r"\1" + MASK + r"\3"),
    (
        re.compile(
            r'("(?:SecretAccessKey|SessionToken|SecretString|SecretBinary)"\s*:\s*)"(?:[^"\\]|\\.)*"'
        ),
        r'\1"' + MASK + '"',
    ),
)


def usable_secrets(values: Iterable[str | None]) -> frozenset[str]:
    """The values worth searching for (non-empty, long enough to be a secret)."""
    return frozenset(v for v in values if isinstance(v, str) and len(v) >= MIN_SECRET_LENGTH)


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret and every request header credential hidden.

    Example::

        >>> redact_text("token abc123xyz in use", {"abc123xyz"})
        'token *** in use'
    """
    for secret in sorted(usable_secrets(secrets), key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
        # The repr of a value escapes control characters: hide that spelling too.
        escaped = repr(secret)[1:-1]
        if escaped != secret and escaped in text:
            text = text.replace(escaped, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_value(value: Any, secrets: frozenset[str], seen: set[int]) -> Any:
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, bytes):
        text = value.decode("utf-8", "replace")
        cleaned = redact_text(text, secrets)
        return value if cleaned == text else cleaned.encode()
    if isinstance(value, BaseException):
        _redact_one(value, secrets, seen)
    return value


def _redact_one(exc: BaseException, secrets: frozenset[str], seen: set[int]) -> None:
    if id(exc) in seen:
        return
    seen.add(id(exc))
    args = tuple(_redact_value(arg, secrets, seen) for arg in exc.args)
    if args != exc.args:
        exc.args = args
    kwargs = getattr(exc, "kwargs", None)  # botocore's errors keep their format arguments
    if isinstance(kwargs, dict):
        for key, value in list(kwargs.items()):
            cleaned = _redact_value(value, secrets, seen)
            if cleaned is not value:
                kwargs[key] = cleaned
    for linked in (exc.__cause__, exc.__context__):
        if linked is not None:
            _redact_one(linked, secrets, seen)


def redact_exception(exc: BaseException, secrets: Iterable[str | None] = ()) -> BaseException:
    """Hide secrets in ``exc``'s message and in every error chained to it, in place.

    Returns:
        ``exc`` itself, so ``raise redact_exception(exc, ...)`` reads well.
    """
    _redact_one(exc, usable_secrets(secrets), set())
    return exc


def install_error_redaction(events: Any, secrets: Callable[[], Iterable[str | None]]) -> None:
    """Redact every error a client call raises, before the caller sees it.

    Registered for botocore's ``after-call-error`` event, which is emitted with
    the exception when sending a request fails (the error is then re-raised,
    with its text already cleaned). ``secrets`` is asked at that moment, so a
    refreshed set of credentials is covered too.
    """

    def redact(exception: BaseException | None = None, **_: Any) -> None:
        if exception is None:
            return
        try:
            known = tuple(secrets())
        except Exception:
            known = ()
        redact_exception(exception, known)

    events.register("after-call-error", redact, unique_id="boto_session_manager.redact_errors")


def session_secrets(botocore_session: Any) -> tuple[str | None, ...]:
    """The secret key and token a botocore session signs with now (none if it has none)."""
    credentials = botocore_session.get_credentials()
    if credentials is None:
        return ()
    frozen = credentials.get_frozen_credentials()
    return (frozen.secret_key, frozen.token)


def install_on_session(botocore_session: Any) -> None:
    """:func:`install_error_redaction` for every client of ``botocore_session``."""
    events = botocore_session.get_component("event_emitter")
    install_error_redaction(events, lambda: session_secrets(botocore_session))


class RedactingFilter(logging.Filter):
    """A logging filter that hides secrets in every record it passes.

    The message is formatted once and stored back (``record.msg``, no args);
    exception text is redacted too. Attach it to handlers (not loggers) so it
    sees records of every logger, botocore's included.

    Example::

        handler = logging.StreamHandler()
        handler.addFilter(RedactingFilter({creds.secret_key, creds.token}))
        logging.getLogger("botocore").addHandler(handler)
    """

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self.secrets = usable_secrets(secrets)

    def add(self, values: Iterable[str | None]) -> None:
        """Hide these values too (the set is replaced, never changed in place)."""
        self.secrets = self.secrets | usable_secrets(values)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = redact_text(message, self.secrets)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            redact_exception(record.exc_info[1], self.secrets)
            record.exc_text = None
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text, self.secrets)
        return True
