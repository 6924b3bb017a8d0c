"""Handing credentials to child processes through ``os.environ``.

:meth:`BotoSesManager.awscli() <boto_session_manager.BotoSesManager.awscli>`
sets the standard variables so a child process (the AWS CLI, terraform, another
Python script) acts as the manager, and restores the environment exactly
afterwards: variables that were absent are absent again, on a normal exit and
on an exception alike.

Thread safety: ``os.environ`` belongs to the whole process, so one lock
serialises every :func:`patched_environ` block. Another thread entering a
block waits until the first one leaves; the same thread may nest blocks (the
inner one is undone first). A thread that reads ``os.environ`` without the lock
can still see the patched values: that is the nature of a process-global.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .credentials import TemporaryCredentials

_environ_lock = threading.RLock()

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
    expiration = credentials.expiration
    env: dict[str, str | None] = {
        "AWS_ACCESS_KEY_ID": credentials.access_key_id,
        "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key,
        "AWS_SESSION_TOKEN": credentials.session_token or None,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
    }
    # AWS_SECURITY_TOKEN is the legacy name some tools still read first.
    env["AWS_SECURITY_TOKEN"] = None
    for name in PROFILE_VARIABLES:
        env[name] = None
    # Always set or removed: an outer AWS_CREDENTIAL_EXPIRATION (from bsm exec,
    # aws-vault ...) would otherwise be paired with these keys by the child.
    env["AWS_CREDENTIAL_EXPIRATION"] = expiration.isoformat() if expiration else None
    return env


@contextmanager
def patched_environ(
    updates: Mapping[str, str | None],
    environ: MutableMapping[str, str] | None = None,
) -> Iterator[None]:
    """Apply ``updates`` to the environment for the block, then restore it exactly.

    Args:
        updates: name -> value; ``None`` removes the variable.
        environ: the mapping to patch (``os.environ`` by default; tests pass a dict).

    Example::

        with patched_environ({"AWS_PROFILE": None, "AWS_REGION": "eu-west-1"}):
            subprocess.run(["aws", "s3", "ls"], check=True)
    """
    env = os.environ if environ is None else environ
    with _environ_lock:
        saved = {name: env.get(name) for name in updates}
        try:
            for name, value in updates.items():
                if value is None:
                    env.pop(name, None)
                else:
                    env[name] = value
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    env.pop(name, None)
                else:
                    env[name] = value
