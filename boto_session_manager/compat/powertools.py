"""AWS Lambda Powertools' parameters utility on the core API.

Replace ``from aws_lambda_powertools.utilities.parameters import ...`` (or
``from aws_lambda_powertools.utilities import parameters``) by
``from boto_session_manager.compat.powertools import ...`` (or ``from
boto_session_manager.compat import powertools as parameters``); the names,
arguments, defaults and return shapes stay:

- reads are cached ``max_age`` seconds, by default 300 or the value of
  ``POWERTOOLS_PARAMETERS_MAX_AGE``; ``force_fetch=True`` reads anyway;
- ``decrypt`` defaults to ``POWERTOOLS_PARAMETERS_SSM_DECRYPT`` (false);
- SDK options (``VersionId=``, ``VersionStage=`` ...) are sent as given and
  are part of the cache key;
- ``set_secret`` updates the secret and creates it when it does not exist,
  with the options on both calls;
- failures raise :class:`~boto_session_manager.exceptions.GetParameterError`,
  :class:`~boto_session_manager.exceptions.TransformParameterError` and
  :class:`~boto_session_manager.exceptions.SetSecretError`, the names
  Powertools users catch. They are also
  :class:`~boto_session_manager.exceptions.BotoSessionManagerError` (and the
  transform error a ``ValueError``); the cause is chained as ``__cause__``.

The functions use the default manager of :mod:`boto_session_manager.compat`
(its region, credentials, endpoint and cache); a provider built without
arguments does too, one built with ``config``, ``boto3_session`` or
``boto3_client`` has a client and cache of its own.

Differences, on purpose: a cached read is keyed by every option that
changes the request (name, decryption, SDK options); a path read
(:func:`get_parameters`, :meth:`SSMProvider.get_multiple`) always fetches
(``max_age`` and ``force_fetch`` are accepted there and have no effect);
``set_secret`` chooses ``UpdateSecret`` when the options need it
(``Description=``, ``KmsKeyId=``) instead of refusing them, and returns the
response without ``ResponseMetadata``. Nothing returns ``None`` on error.

Thread safety: every function and provider method is safe from many
threads; the caches take a lock.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from ..exceptions import (
    GetParameterError,
    InvalidArgumentError,
    SetSecretError,
    TransformError,
    TransformParameterError,
)
from ..services._cache import TTLCache
from ..services._common import apply_transform
from ..services._methods import ServiceHelpers
from . import get_default_manager

__all__ = [
    "DEFAULT_MAX_AGE_SECS",
    "GetParameterError",
    "SSMProvider",
    "SecretsProvider",
    "SetSecretError",
    "TransformParameterError",
    "clear_caches",
    "get_parameter",
    "get_parameters",
    "get_secret",
    "set_secret",
]

#: Seconds a read is cached when neither ``max_age`` nor the variable says otherwise.
DEFAULT_MAX_AGE_SECS = 300
_MAX_AGE_ENV = "POWERTOOLS_PARAMETERS_MAX_AGE"
_DECRYPT_ENV = "POWERTOOLS_PARAMETERS_SSM_DECRYPT"
_TRUE = ("1", "true", "yes", "on", "y", "t")
_SUFFIX_TRANSFORMS = ((".json", "json"), (".binary", "binary"))


def _max_age(max_age: Any) -> int:
    """The caller's ``max_age``, else ``$POWERTOOLS_PARAMETERS_MAX_AGE``, else 300."""
    argument, value = "max_age", max_age
    if value is None:
        argument, value = f"${_MAX_AGE_ENV}", os.environ.get(_MAX_AGE_ENV, DEFAULT_MAX_AGE_SECS)
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        seconds = -1
    if isinstance(value, bool) or seconds < 0:
        msg = f"{argument}: must be a whole number of seconds >= 0, got {value!r}"
        raise InvalidArgumentError(msg, argument=argument)
    return seconds


def _decrypt(decrypt: bool | None) -> bool:
    if decrypt is not None:
        return bool(decrypt)
    return os.environ.get(_DECRYPT_ENV, "false").strip().lower() in _TRUE


def _transform_for(name: str, transform: str | None) -> str | None:
    """``"auto"`` picks the transform from the name's suffix (.json, .binary)."""
    if transform != "auto":
        return transform
    for suffix, chosen in _SUFFIX_TRANSFORMS:
        if name.endswith(suffix):
            return chosen
    return None


@contextmanager
def _failures(error: type[Exception]) -> Iterator[None]:
    """Raise every failure as ``error`` (transforms as TransformParameterError), cause chained."""
    try:
        yield
    except (GetParameterError, SetSecretError, TransformParameterError):
        raise
    except TransformError as exc:
        raise TransformParameterError(str(exc)) from exc
    except Exception as exc:  # any failure, as Powertools reports them
        raise error(str(exc)) from exc


class _ClientHelpers(ServiceHelpers):
    """The core's service helpers over one given client, with a cache of their own."""

    def __init__(self, client: Any) -> None:
        super().__init__(lambda _service_name: client, TTLCache())

    def clear_cache(self) -> None:
        self.cache.clear()


def _helpers(service: str, config: Any, boto3_session: Any, boto3_client: Any) -> Any:
    if boto3_client is not None:
        return _ClientHelpers(boto3_client)
    if boto3_session is not None:
        return _ClientHelpers(boto3_session.client(service, config=config))
    bsm = get_default_manager()
    if config is not None:
        return _ClientHelpers(bsm.get_client(service, config=config))
    return bsm


class _Provider:
    """What both providers share: the helpers they read through, and clear_cache."""

    _SERVICE: str

    def __init__(
        self, config: Any = None, boto3_session: Any = None, boto3_client: Any = None
    ) -> None:
        self._helpers = _helpers(self._SERVICE, config, boto3_session, boto3_client)

    def clear_cache(self) -> None:
        """Forget this provider's cached reads (with the default manager: its caches)."""
        self._helpers.clear_cache()


class SecretsProvider(_Provider):
    """Secrets Manager reads (cached) and writes.

    Args:
        config: a ``botocore.config.Config`` for the client (e.g. another
            ``region_name``).
        boto3_session: a boto3 Session to make the client from.
        boto3_client: a ``secretsmanager`` client to use (``boto3_session``
            is then ignored).

    Without arguments the provider uses the compat default manager, its
    client and its cache.

    Thread safety: safe to share between threads.

    Example::

        provider = SecretsProvider(config=Config(region_name="us-west-1"))
        value = provider.get("my-parameter", VersionId="f658cac0-98a5-41d9-b993-8a76a7799194")
    """

    _SERVICE = "secretsmanager"

    def get(
        self,
        name: str,
        max_age: int | None = None,
        transform: str | None = None,
        force_fetch: bool = False,
        **sdk_options: Any,
    ) -> Any:
        """A secret's value (str or bytes), transformed as asked, cached ``max_age`` s.

        Raises:
            GetParameterError: the secret cannot be read (cause chained).
            TransformParameterError: the value cannot be transformed.

        Example::

            SecretsProvider().get("my-secret", transform="json")
        """
        with _failures(GetParameterError):
            return self._helpers.get_secret(
                name,
                transform=_transform_for(name, transform),
                max_age=_max_age(max_age),
                force_fetch=force_fetch,
                **sdk_options,
            )

    def set(
        self,
        name: str,
        value: str | bytes | Mapping[str, Any],
        *,
        client_request_token: str | None = None,
        **sdk_options: Any,
    ) -> dict[str, Any]:
        """Store a new value, creating the secret when it does not exist.

        Raises:
            SetSecretError: the write failed (cause chained).

        Example::

            SecretsProvider().set("llamas-are-awesome", "supers3cr3tllam@passw0rd")
        """
        with _failures(SetSecretError):
            result: dict[str, Any] = self._helpers.set_secret(
                name, value, client_request_token=client_request_token, **sdk_options
            )
            return result


class SSMProvider(_Provider):
    """Parameter Store reads: one parameter (cached) or a whole path.

    The arguments are those of :class:`SecretsProvider`, for an ``ssm`` client.

    Thread safety: safe to share between threads.

    Example::

        provider = SSMProvider()
        value = provider.get("/my/parameter", decrypt=True)
        values = provider.get_multiple("/my/path/prefix")   # {"a": ..., "b/c": ...}
    """

    _SERVICE = "ssm"

    def get(
        self,
        name: str,
        max_age: int | None = None,
        transform: str | None = None,
        decrypt: bool | None = None,
        force_fetch: bool = False,
        **sdk_options: Any,
    ) -> Any:
        """One parameter's value, transformed as asked, cached ``max_age`` s.

        Raises:
            GetParameterError: the parameter cannot be read (cause chained).
            TransformParameterError: the value cannot be transformed.

        Example::

            SSMProvider().get("/my/parameter", transform="json")
        """
        with _failures(GetParameterError):
            return self._helpers.get_parameter(
                name,
                with_decryption=_decrypt(decrypt),
                transform=_transform_for(name, transform),
                max_age=_max_age(max_age),
                force_fetch=force_fetch,
                **sdk_options,
            )

    def get_multiple(
        self,
        path: str,
        max_age: int | None = None,
        transform: str | None = None,
        raise_on_transform_error: bool = False,
        decrypt: bool | None = None,
        force_fetch: bool = False,
        recursive: bool = False,
        **sdk_options: Any,
    ) -> dict[str, Any]:
        """Every parameter under ``path``, keyed by its name relative to the path.

        A value that cannot be transformed is ``None``, or raises
        :class:`~boto_session_manager.exceptions.TransformParameterError`
        with ``raise_on_transform_error``.

        Raises:
            GetParameterError: the path cannot be read (cause chained).

        Example::

            SSMProvider().get_multiple("/my/path/prefix", recursive=True)
        """
        with _failures(GetParameterError):
            _max_age(max_age)
            values = self._helpers.get_parameters_by_path(
                path, recursive=recursive, with_decryption=_decrypt(decrypt), **sdk_options
            )
        result: dict[str, Any] = {}
        for full_name, value in values.items():
            key = full_name[len(path) :] if full_name.startswith(path) else full_name
            key = key.lstrip("/")
            chosen = _transform_for(key, transform)
            try:
                result[key] = apply_transform(value, chosen, what=f"SSM parameter {full_name!r}")
            except TransformError as exc:
                if raise_on_transform_error:
                    raise TransformParameterError(str(exc)) from exc
                result[key] = None
        return result


def get_secret(
    name: str,
    transform: str | None = None,
    force_fetch: bool = False,
    max_age: int | None = None,
    **sdk_options: Any,
) -> Any:
    """A secret's value (str or bytes), transformed as asked, cached ``max_age`` s.

    Args:
        name: the secret's name or ARN.
        transform: ``"json"``, ``"binary"`` or ``"auto"`` (by the name's suffix).
        force_fetch: read even when a cached value is fresh.
        max_age: seconds a cached value is good for (default 300, or
            ``$POWERTOOLS_PARAMETERS_MAX_AGE``).
        sdk_options: ``GetSecretValue`` options (``VersionId``, ``VersionStage``).

    Raises:
        GetParameterError: the secret cannot be read (cause chained).
        TransformParameterError: the value cannot be transformed.

    Example::

        get_secret("my-secret", VersionId="f658cac0-98a5-41d9-b993-8a76a7799194")
    """
    return SecretsProvider().get(
        name, max_age=max_age, transform=transform, force_fetch=force_fetch, **sdk_options
    )


def set_secret(
    name: str,
    value: str | bytes | Mapping[str, Any],
    *,
    client_request_token: str | None = None,
    **sdk_options: Any,
) -> dict[str, Any]:
    """Store a secret's new value, creating the secret if it does not exist.

    Raises:
        SetSecretError: the write failed (cause chained).

    Example::

        set_secret(name="llamas-are-awesome", value="supers3cr3tllam@passw0rd")
    """
    return SecretsProvider().set(
        name, value, client_request_token=client_request_token, **sdk_options
    )


def get_parameter(
    name: str,
    transform: str | None = None,
    decrypt: bool | None = None,
    force_fetch: bool = False,
    max_age: int | None = None,
    **sdk_options: Any,
) -> Any:
    """One SSM parameter's value, transformed as asked, cached ``max_age`` s.

    Raises:
        GetParameterError: the parameter cannot be read (cause chained).
        TransformParameterError: the value cannot be transformed.

    Example::

        value = get_parameter("/my/parameter", transform="binary")
    """
    return SSMProvider().get(
        name,
        max_age=max_age,
        transform=transform,
        decrypt=decrypt,
        force_fetch=force_fetch,
        **sdk_options,
    )


def get_parameters(
    path: str,
    transform: str | None = None,
    recursive: bool = True,
    decrypt: bool | None = None,
    force_fetch: bool = False,
    max_age: int | None = None,
    raise_on_transform_error: bool = False,
    **sdk_options: Any,
) -> dict[str, Any]:
    """Every SSM parameter under ``path`` (recursively by default), keyed relative to it.

    Raises:
        GetParameterError: the path cannot be read (cause chained).
        TransformParameterError: a value cannot be transformed and
            ``raise_on_transform_error`` is true (otherwise it is ``None``).

    Example::

        for key, value in get_parameters("/my/path/prefix").items():
            print(key, value)          # "config", "webhook/config" ...
    """
    return SSMProvider().get_multiple(
        path,
        max_age=max_age,
        transform=transform,
        raise_on_transform_error=raise_on_transform_error,
        decrypt=decrypt,
        force_fetch=force_fetch,
        recursive=recursive,
        **sdk_options,
    )


def clear_caches() -> None:
    """Forget every cached read of the default manager (its clients are made again).

    Example::

        clear_caches()
        get_secret("my-secret")   # fetched from Secrets Manager again
    """
    get_default_manager().clear_cache()
