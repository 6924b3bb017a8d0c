"""Handing credentials to child processes through ``os.environ``.

:meth:`BotoSesManager.awscli() <boto_session_manager.BotoSesManager.awscli>`
sets the standard variables so a child process (the AWS CLI, terraform, another
Python script) acts as the manager, and restores the environment exactly
afterwards: variables that were absent are absent again, on a normal exit and
on an exception alike.

Overlapping blocks (threads, asyncio tasks, nesting): ``os.environ`` belongs to
the whole process, so every active :func:`patched_environ` block of one
mapping is recorded in one process-wide list, together with the values the
variables had before the first of them began. While any block is active, each
variable holds the value given by the most recently entered block still
active that sets it; when a block exits, in whatever order, the variables are
recomputed from the blocks left; when the last one exits, the environment
before the first block comes back exactly. Blocks never wait for each other.
A child process started while two blocks overlap sees the newer block's
values: to give concurrent children different credentials, pass ``env=`` to
``subprocess`` instead (``bsm exec`` does).

Thread safety: entering and exiting are serialised by one lock and safe from
any thread or task. A thread that reads ``os.environ`` while another enters or
exits can see the change happen: that is the nature of a process-global.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from . import _forksafe

if TYPE_CHECKING:
    from .credentials import TemporaryCredentials

_environ_lock = threading.Lock()


def _renew_environ_lock() -> None:
    global _environ_lock
    _environ_lock = threading.Lock()


_forksafe.register(_renew_environ_lock)

#: Variables that select a profile; removed so they cannot override the keys.
PROFILE_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")


def credentials_environment(
    credentials: TemporaryCredentials,
    region: str | None,
) -> dict[str, str | None]:
    """The variables that make a child process use ``credentials``.

    ``None`` means "remove this variable". ``AWS_CREDENTIAL_EXPIRATION`` is
    set when the credentials expire and removed when they do not.
    """
    return credentials.to_environment(region)


class _Overlap:
    """The active blocks patching one mapping, and its values before the first one."""

    def __init__(self) -> None:
        self.original: dict[str, str | None] = {}
        self.entries: list[tuple[object, Mapping[str, str | None]]] = []

    def values(self) -> dict[str, str | None]:
        """What each touched variable must hold now: the newest active block wins."""
        current = dict(self.original)
        for _, entry in self.entries:
            current.update(entry)
        return current

    def leave(self, token: object) -> None:
        """Forget one block (by identity: two blocks may set equal values)."""
        self.entries = [item for item in self.entries if item[0] is not token]


_overlaps: dict[int, _Overlap] = {}


def _apply(env: MutableMapping[str, str], values: Mapping[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            env.pop(name, None)
        elif env.get(name) != value:
            env[name] = value


@contextmanager
def patched_environ(
    updates: Mapping[str, str | None],
    environ: MutableMapping[str, str] | None = None,
) -> Iterator[None]:
    """Apply ``updates`` to the environment for the block, then restore it.

    Blocks may overlap and exit in any order (threads, asyncio tasks): the
    newest active block's values are in effect, and the environment from
    before the first block is back once the last one has exited (see the
    module documentation).

    Args:
        updates: name -> value; ``None`` removes the variable.
        environ: the mapping to patch (``os.environ`` by default; tests pass a dict).

    Example::

        with patched_environ({"AWS_PROFILE": None, "AWS_REGION": "eu-west-1"}):
            subprocess.run(["aws", "s3", "ls"], check=True)
    """
    env = os.environ if environ is None else environ
    entry = dict(updates)
    token = object()
    with _environ_lock:
        overlap = _overlaps.setdefault(id(env), _Overlap())
        for name in entry:
            overlap.original.setdefault(name, env.get(name))
        overlap.entries.append((token, entry))
        _apply(env, overlap.values())
    try:
        yield
    finally:
        with _environ_lock:
            overlap.leave(token)
            _apply(env, overlap.values())
            if not overlap.entries:
                del _overlaps[id(env)]


class _HasSession(Protocol):
    """What a :class:`DefaultSessionSwitch` needs of a manager: its boto3 session."""

    @property
    def boto_ses(self) -> Any: ...


#: The manager a :class:`DefaultSessionSwitch` installs; entering the switch returns it.
_B = TypeVar("_B", bound=_HasSession)


class DefaultSessionSwitch(Generic[_B]):
    """What :meth:`~boto_session_manager.BotoSesManager.use_as_default` returns.

    Making it switches boto3's default session to the manager's at once; a
    ``with`` block switches back to the previous default on exit.

    Example::

        with bsm.use_as_default():
            boto3.client("sts").get_caller_identity()   # bsm's credentials
    """

    def __init__(self, bsm: _B) -> None:
        import boto3  # a manager exists, so boto3 is loaded: no import cost here

        self._previous = boto3.DEFAULT_SESSION
        self._bsm = bsm
        boto3.DEFAULT_SESSION = bsm.boto_ses

    def __enter__(self) -> _B:
        return self._bsm

    def __exit__(self, *exc_info: object) -> None:
        import boto3

        boto3.DEFAULT_SESSION = self._previous
