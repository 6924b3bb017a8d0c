"""Where things are: the names upstream boto-session-manager's ``paths`` module offers.

Example::

    from boto_session_manager.paths import PACKAGE_NAME, path_enum

    print(PACKAGE_NAME)                     # "boto_session_manager"
    print(path_enum.dir_package)            # the installed package's directory
    print(path_enum.path_default_snapshot)  # ~/.bsm-snapshot.json

Only paths that exist for an installed package are offered (the home
directory, the package directory, the default snapshot file); a source
checkout's layout is not part of the installed package. Importing this module
reads no file and imports nothing from boto3. All attributes are read-only and
safe to read from any thread.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PACKAGE_NAME", "PathEnum", "path_enum"]

#: The import name of this package.
PACKAGE_NAME = "boto_session_manager"


class PathEnum:
    """The paths this package knows about, as read-only attributes.

    ``dir_home`` and ``path_default_snapshot`` are read when asked for (so a
    changed ``HOME`` is honoured); the package directory is fixed.

    Example::

        PathEnum().dir_package / "py.typed"
    """

    __slots__ = ()

    #: The directory of the installed ``boto_session_manager`` package.
    dir_package: Path = Path(__file__).absolute().parent

    @property
    def dir_home(self) -> Path:
        """The current user's home directory."""
        return Path.home()

    @property
    def path_default_snapshot(self) -> Path:
        """``~/.bsm-snapshot.json``, the file snapshots use when given no path."""
        # Spelled here so that this module stays free of boto3 (snapshot needs it).
        return Path.home() / ".bsm-snapshot.json"


#: The one :class:`PathEnum` instance to use.
path_enum = PathEnum()
