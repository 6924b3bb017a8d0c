"""How a manager's credentials leave it: child-process environments and snapshot files.

:class:`ExportMethods` is a base of :class:`~boto_session_manager.BotoSesManager`:
``awscli()``, ``to_snapshot()``, ``temp_snapshot()`` and
``temp_snapshot_file()``. Each reads the manager's public
:meth:`~boto_session_manager.BotoSesManager.current_credentials` (one
consistent set, refreshed first when due) and
:attr:`~boto_session_manager.BotoSesManager.aws_region`, and turns them into
the shape asked for through :class:`~boto_session_manager.credentials.TemporaryCredentials`,
where every credential shape is written.

Thread safety: every method is safe from any thread; ``awscli()`` changes the
process environment, and overlapping blocks may exit in any order (see
:mod:`boto_session_manager.awscli`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .awscli import patched_environ
from .exceptions import InvalidArgumentError, SnapshotError
from .snapshot import PathLike, resolve_path, temporary_file

if TYPE_CHECKING:
    from .credentials import TemporaryCredentials

__all__ = ["ExportMethods", "snapshot_manager"]

_T = TypeVar("_T")

#: The manager an export method is called on; the context yields it, typed as itself.
_M = TypeVar("_M", bound="ExportMethods")


class ExportMethods:
    """Base of :class:`~boto_session_manager.BotoSesManager`: its credentials, handed on.

    Nothing here touches the manager's state: only its public
    ``current_credentials()`` and ``aws_region``.
    """

    __slots__ = ()

    if TYPE_CHECKING:

        @property
        def aws_region(self) -> str | None: ...

        def current_credentials(self) -> TemporaryCredentials: ...

    @contextmanager
    def awscli(self: _M) -> Iterator[_M]:
        """Put this manager's credentials and region into ``os.environ`` for the block.

        Sets ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
        ``AWS_SESSION_TOKEN`` (removed when there is none), ``AWS_REGION``,
        ``AWS_DEFAULT_REGION`` and ``AWS_CREDENTIAL_EXPIRATION`` (removed when
        the credentials never expire); removes ``AWS_PROFILE`` and
        ``AWS_DEFAULT_PROFILE``. On exit, normal or by exception, the
        environment is restored exactly.

        Raises:
            NoCredentialsError: before touching the environment, when the
                manager has no credentials.

        Thread safety: the environment is process-wide. Blocks from several
        threads or asyncio tasks may overlap and exit in any order: while
        any is active the most recently entered one's values are in effect,
        and once the last one exits the environment from before the first
        is back exactly (see :mod:`boto_session_manager.awscli`).

        Example::

            import subprocess

            with bsm.awscli():
                subprocess.run(["aws", "sts", "get-caller-identity"], check=True)
        """
        with patched_environ(self.current_credentials().to_environment(self.aws_region)):
            yield self

    def to_snapshot(self) -> dict[str, Any]:
        """The credentials and region as a dict (upstream's key names).

        Keys: ``region_name``, ``aws_access_key_id``, ``aws_secret_access_key``,
        ``aws_session_token`` (only when there is one) and ``expiration_time``
        (ISO 8601, only when the credentials expire). The dict holds secrets:
        keep it out of logs.

        Example::

            snapshot = bsm.to_snapshot()
            same = BotoSesManager.from_snapshot(snapshot)
        """
        return self.current_credentials().to_snapshot(self.aws_region)

    @contextmanager
    def temp_snapshot(self: _M, path: PathLike | None = None) -> Iterator[_M]:
        """Write a snapshot file for the block (mode 0600, atomic), then delete it.

        A file already at ``path`` is never overwritten or deleted: the call
        refuses with :class:`~boto_session_manager.exceptions.SnapshotExistsError`.
        :meth:`temp_snapshot_file` does the same and yields the file's path.

        Yields:
            This manager (as upstream does).

        Example::

            import subprocess

            with bsm.temp_snapshot():
                # my_script.py calls BotoSesManager.from_snapshot_file()
                subprocess.run(["python", "my_script.py"], check=True)
        """
        with self.temp_snapshot_file(path):
            yield self

    @contextmanager
    def temp_snapshot_file(self, path: PathLike | None = None) -> Iterator[Path]:
        """:meth:`temp_snapshot`, yielding the path of the file written.

        Example::

            with bsm.temp_snapshot_file() as path:
                subprocess.run(["python", "my_script.py", str(path)], check=True)
        """
        text = json.dumps(self.to_snapshot(), indent=2)
        with temporary_file(resolve_path(path), text) as file:
            yield file


def snapshot_manager(
    make: Callable[..., _T], options: Mapping[str, Any], kwargs: Mapping[str, Any], where: str
) -> _T:
    """``make(**options, **kwargs)``; a snapshot value the constructor refuses is a SnapshotError.

    Args:
        make: the manager class.
        options: the constructor arguments read from the snapshot.
        kwargs: the caller's own arguments (their errors pass through).
        where: names the snapshot in the message (``snapshot file '...'``).
    """
    try:
        return make(**{**options, **kwargs})
    except InvalidArgumentError as exc:
        if exc.argument not in options or exc.argument in kwargs:
            raise
        msg = f"{where}: {exc}"  # names the key, never the value
        raise SnapshotError(msg) from None
