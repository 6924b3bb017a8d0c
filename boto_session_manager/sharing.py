"""What every session of the process shares: botocore's data loader.

A plain ``boto3.Session()`` gets its own botocore ``Loader``, and each loader
parses the service model, endpoint rules and partitions JSON again on the first
client of each service: about 30-45 ms and several MB per session and service.
A process that talks to hundreds of accounts makes hundreds of sessions, so
every session this library builds is given one process-wide loader instead
(through botocore's public ``register_component("data_loader", ...)``). The
loader's ``instance_cache`` then holds one parsed copy of each file.

``boto3.Session`` appends its own data directory to the loader's search paths
on *every* session; the shared list ignores an entry it already holds so it
does not grow by one path per session.

One loader is kept per value of ``AWS_DATA_PATH`` (custom models keep working).

Thread safety: loaders are created under a lock; loading the same file from
two threads at once is harmless (both parse, one result is kept).
"""

from __future__ import annotations

import os
import threading
from typing import Any

import boto3
import botocore.loaders
import botocore.session

from .exceptions import BotoSessionManagerError

_BOTO3_DATA = os.path.join(os.path.dirname(boto3.__file__), "data")
_lock = threading.Lock()
_loaders: dict[str | None, botocore.loaders.Loader] = {}


class SharingError(BotoSessionManagerError, RuntimeError):
    """botocore changed in a way that breaks loader sharing."""


class _UniquePaths(list):  # type: ignore[type-arg]
    """A search path list that refuses duplicates (boto3 appends on every session)."""

    def append(self, path: Any) -> None:
        if path not in self:
            super().append(path)


def shared_loader() -> botocore.loaders.Loader:
    """The process-wide botocore Loader for the current ``AWS_DATA_PATH``."""
    data_path = os.environ.get("AWS_DATA_PATH")
    loader = _loaders.get(data_path)
    if loader is not None:
        return loader
    with _lock:
        loader = _loaders.get(data_path)
        if loader is None:
            extra = [
                os.path.expanduser(os.path.expandvars(p))
                for p in (data_path or "").split(os.pathsep)
                if p
            ]
            try:
                loader = botocore.loaders.Loader(extra_search_paths=_UniquePaths(extra))
                loader.search_paths.append(_BOTO3_DATA)
            except (TypeError, AttributeError) as exc:  # pragma: no cover - botocore upgrade
                msg = f"cannot build a shared botocore Loader with this botocore: {exc}"
                raise SharingError(msg) from exc
            _loaders[data_path] = loader
    return loader


def new_botocore_session() -> botocore.session.Session:
    """A fresh botocore session that uses the shared loader."""
    session = botocore.session.Session()
    session.register_component("data_loader", shared_loader())
    return session
