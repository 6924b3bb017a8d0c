"""The client cache: one client (or resource) per distinct argument set, made once.

:class:`ClientKey` names a client: every argument that changes what
``session.client(...)`` / ``session.resource(...)`` returns, as one frozen
value. :class:`ClientCache` maps keys to the objects a factory made for them;
clients and resources share one cache (the key's ``kind`` tells them apart).

Thread safety: :meth:`ClientCache.get` is safe from any number of threads.
A hit reads a dict and takes no lock. A miss is *single-flight*: the first
thread to miss a key builds it under that key's own lock while the others
wait for its result, so exactly one object is ever made per key, and threads
building different keys do not wait for each other. :meth:`ClientCache.clear`
is safe at any time: an object built before the clear is returned to its
caller but not stored.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

import attrs
from boto3.exceptions import ResourceNotExistsError
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import UnknownServiceError as BotocoreUnknownServiceError

from . import _forksafe, _validate
from ._botocore import guard_client, guard_resource

__all__ = ["ClientCache", "ClientKey", "make_client"]

_SECRET_KWARGS = frozenset({"aws_secret_access_key", "aws_session_token"})


def config_key(config: Config | None) -> str | None:
    """What makes two :class:`~botocore.config.Config` objects the same key (equal options)."""
    if config is None:
        return None
    return repr(sorted(vars(config).items(), key=lambda item: item[0]))


@attrs.frozen(cache_hash=True)
class ClientKey:
    """Everything that makes one cached client (or resource) differ from another.

    Equal :class:`~botocore.config.Config` objects make equal keys; the
    secret key and session token are part of the key but never of its repr.

    Example::

        key = ClientKey("s3", region_name="eu-west-1")
        key == ClientKey("s3", region_name="eu-west-1")   # True
    """

    service_name: str
    region_name: str | None = None
    api_version: str | None = None
    use_ssl: bool = True
    verify: bool | str | None = None
    endpoint_url: str | None = None
    aws_access_key_id: str | None = None
    aws_secret_access_key: str | None = attrs.field(default=None, repr=False)
    aws_session_token: str | None = attrs.field(default=None, repr=False)
    config: Config | None = attrs.field(default=None, eq=False)
    unsigned: bool = False
    kind: str = "client"
    # The Config's options as they were when the key was made (botocore
    # normalises a Config it is given in place, e.g. its ``retries``).
    config_options: str | None = attrs.field(
        init=False, repr=False, default=attrs.Factory(lambda key: config_key(key.config), True)
    )

    @property
    def is_default_client(self) -> bool:
        """True for ``get_client(name)`` with no other argument (the ``*_client`` properties)."""
        return self == ClientKey(self.service_name)

    def given(self) -> dict[str, Any]:
        """The ``session.client`` arguments the key holds (None: not given)."""
        return {
            "region_name": self.region_name,
            "api_version": self.api_version,
            "verify": self.verify,
            "endpoint_url": self.endpoint_url,
            "aws_access_key_id": self.aws_access_key_id,
            "aws_secret_access_key": self.aws_secret_access_key,
            "aws_session_token": self.aws_session_token,
        }

    def client_kwargs(
        self, defaults: Mapping[str, Any] | None, *, unsigned: bool = False
    ) -> dict[str, Any]:
        """The keyword arguments of ``session.client``: ``defaults`` under the key's own.

        Args:
            defaults: the manager's ``default_client_kwargs``.
            unsigned: the manager itself is unsigned (adds botocore ``UNSIGNED``).
        """
        kwargs = dict(defaults or {})
        kwargs.update({k: v for k, v in self.given().items() if v is not None})
        if not self.use_ssl:
            kwargs["use_ssl"] = False
        for extra in (self.config, Config(signature_version=UNSIGNED)):
            if extra is not None and (extra is self.config or self.unsigned or unsigned):
                base = kwargs.get("config")
                kwargs["config"] = base.merge(extra) if isinstance(base, Config) else extra
        config = kwargs.get("config")
        retries = getattr(config, "retries", None)
        if isinstance(config, Config) and isinstance(retries, dict):
            # botocore fills in the retries it is given (mode, total attempts) in
            # place: it gets a copy, so the caller's Config still says what was chosen.
            kwargs["config"] = config.merge(Config(retries=dict(retries)))  # type: ignore[arg-type]
        return kwargs


def make_client(
    session: Any, key: ClientKey, defaults: Mapping[str, Any] | None, *, unsigned: bool = False
) -> Any:
    """The client (or resource) ``key`` names, made on the boto3 ``session``.

    The key's region and keys are checked first; the client's HTTP session is
    guarded against bodies cut short (the package's botocore seam).

    Raises:
        InvalidArgumentError: a region or key given is malformed.
        UnknownServiceError: botocore knows no such service (the message
            names the nearest ones).
    """
    _validate.client_arguments(key.given())
    kwargs = key.client_kwargs(defaults, unsigned=unsigned)
    try:
        with _forksafe.unsplit():  # a fork waits: the SSL context is made here
            if key.kind == "client":
                return guard_client(session.client(key.service_name, **kwargs))
            return guard_resource(session.resource(key.service_name, **kwargs))
    except (BotocoreUnknownServiceError, ResourceNotExistsError):
        available = session.get_available_services()
        if key.service_name in available:
            raise  # a real service without boto3 resources: boto3's message says so
        raise _validate.unknown_service(key.service_name, available, _service_aliases()) from None


def _service_aliases() -> dict[str, str]:
    """Upstream's constant names for services (``CloudWatchLogs`` -> ``logs``)."""
    from ._clients import AwsServiceEnum

    return {
        name: value
        for name, value in vars(AwsServiceEnum).items()
        if not name.startswith("_") and isinstance(value, str)
    }


def repr_client_kwargs(value: Mapping[str, Any] | None) -> str:
    """``default_client_kwargs`` for a repr: secret values replaced by ``***``."""
    if value is None:
        return "None"
    return repr({k: ("***" if k in _SECRET_KWARGS else v) for k, v in value.items()})


class ClientCache:
    """Objects made by ``make(key)``, one per :class:`ClientKey`, made once.

    The factory is passed to each :meth:`get` (a manager passes its own
    method), so the cache holds no reference back to its manager.

    Example::

        cache = ClientCache()
        make = lambda key: session.client(key.service_name)
        s3 = cache.get(ClientKey("s3"), make)
        assert s3 is cache.get(ClientKey("s3"), make)
        assert s3 is cache.defaults["s3"]
    """

    def __init__(self) -> None:
        self._entries: dict[ClientKey, Any] = {}
        # Default clients by service name: the lookup behind ``bsm.s3_client``.
        self.defaults: dict[str, Any] = {}
        self._gates: dict[ClientKey, threading.Lock] = {}
        self._lock = threading.Lock()
        self._generation = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<ClientCache entries={len(self._entries)}>"

    def get(self, key: ClientKey, make: Callable[[ClientKey], Any]) -> Any:
        """The object for ``key``; ``make(key)`` builds it on the first call (single-flight).

        ``make`` runs outside the cache's own lock; if it raises, nothing is
        stored and the next call tries again.
        """
        found = self._entries.get(key)
        if found is not None:
            return found
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                return found
            gate = self._gates.setdefault(key, threading.Lock())
            generation = self._generation
        with gate:
            found = self._entries.get(key)
            if found is not None:
                return found
            made = None
            try:
                made = found = make(key)
            finally:
                with self._lock:  # stored and ungated at once: no second maker in between
                    if made is not None and generation == self._generation:
                        self._entries[key] = made
                        if key.is_default_client:
                            self.defaults[key.service_name] = made
                    if self._gates.get(key) is gate:
                        del self._gates[key]
        return found

    def clear(self) -> None:
        """Forget every object (objects being made right now are not stored)."""
        with self._lock:
            self._generation += 1
            self._entries = {}
            self.defaults = {}

    def reset(self) -> None:
        """Give the cache new locks (in a child process after ``fork``).

        A lock held by another thread at the moment of the fork would stay
        held for ever in the child, and so would the gate of a client that
        thread was making; the objects already made stay cached.
        """
        self._lock = threading.Lock()
        self._gates = {}
