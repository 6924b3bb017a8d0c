"""SSM Parameter Store: one parameter, many (batched by 10), a whole path, writes.

Functions take an ``ssm`` client; :class:`~boto_session_manager.BotoSesManager`
exposes them as methods (``get_parameter`` with caching).

Nothing is ever silently partial: :func:`get_parameters` asks in batches of
10 (the API's limit) and raises one
:class:`~boto_session_manager.exceptions.ParameterNotFoundError` listing
every name that does not exist, and :func:`get_parameters_by_path` follows
every page. Parameter values (SecureString ones included) never appear in an
exception message.

Thread safety: the functions keep no state; botocore clients are thread safe,
so the functions are too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from botocore.exceptions import ClientError

from ..exceptions import InvalidArgumentError, InvalidArgumentTypeError, ParameterNotFoundError
from ._common import apply_transform, check_transform, error_code, to_json

#: GetParameters accepts at most this many names per call.
BATCH_SIZE = 10
#: The parameter types Parameter Store knows.
PARAMETER_TYPES = ("String", "StringList", "SecureString")
_NOT_FOUND = ("ParameterNotFound", "ParameterVersionNotFound")


def get_parameter(
    client: Any,
    name: str,
    *,
    with_decryption: bool = True,
    transform: str | None = None,
    **sdk_options: Any,
) -> Any:
    """Read one parameter's value.

    Args:
        client: an ``ssm`` client.
        name: the parameter's name or ARN (``name:3`` / ``name:label`` select
            a version).
        with_decryption: decrypt a SecureString (otherwise its ciphertext is
            returned).
        transform: ``"json"`` parses the value, ``"binary"`` base64-decodes it.
        sdk_options: more ``GetParameter`` arguments, sent as given (``Name``
            and ``WithDecryption`` are this function's own arguments).

    Returns:
        The value (a str), or the transformed value.

    Raises:
        ParameterNotFoundError: no such parameter or version; ``.names`` is
            ``[name]``.
        TransformError: the value cannot be transformed as asked.
        InvalidArgumentTypeError: ``name`` is not a string.
        InvalidArgumentError: ``name`` is empty, or ``Name=`` /
            ``WithDecryption=`` among ``sdk_options``.

    Thread safety: safe from many threads.

    Example::

        from boto_session_manager.services.params import get_parameter

        url = get_parameter(ssm_client, "/app/db/url")
        limits = get_parameter(ssm_client, "/app/limits", transform="json")
    """
    _check_name(name)
    check_transform(transform)
    for option, argument in (("Name", "name"), ("WithDecryption", "with_decryption")):
        if option in sdk_options:
            msg = f"{option}: pass it as the {argument} argument, not as an SDK option"
            raise InvalidArgumentError(msg, argument=option)
    try:
        response = client.get_parameter(Name=name, WithDecryption=with_decryption, **sdk_options)
    except ClientError as exc:
        if error_code(exc) in _NOT_FOUND:
            raise ParameterNotFoundError([name]) from exc
        raise
    value: str = response["Parameter"]["Value"]
    return apply_transform(value, transform, what=f"SSM parameter {name!r}")


def get_parameters(
    client: Any, names: Iterable[str], *, with_decryption: bool = False
) -> dict[str, str]:
    """Read any number of parameters, 10 names per ``GetParameters`` call.

    Args:
        client: an ``ssm`` client.
        names: parameter names (duplicates are asked once).
        with_decryption: decrypt SecureString values.

    Returns:
        ``{name: value}`` for every name asked, keyed by the name as given.

    Raises:
        ParameterNotFoundError: some names do not exist; ``.names`` lists all
            of them (across every batch), in the order asked. No partial dict
            is returned.
        InvalidArgumentTypeError: ``names`` is a single string, or holds a
            non-string.
        InvalidArgumentError: a name is empty.

    Thread safety: safe from many threads.

    Example::

        values = get_parameters(ssm_client, ["/app/a", "/app/b", "/app/c"])
        values["/app/a"]
    """
    records = get_parameter_records(client, names, with_decryption=with_decryption)
    return {name: record["Value"] for name, record in records.items()}


def get_parameter_records(
    client: Any, names: Iterable[str], *, with_decryption: bool = False
) -> dict[str, dict[str, Any]]:
    """As :func:`get_parameters`, with each parameter's whole record.

    Returns:
        ``{name as asked: record}``, each record as ``GetParameters`` returns
        it (``Name``, ``Type``, ``Value``, ``Version``, ``ARN``,
        ``LastModifiedDate`` ...).

    Raises:
        ParameterNotFoundError: as :func:`get_parameters`.

    Thread safety: safe from many threads.

    Example::

        records = get_parameter_records(ssm_client, ["/app/a"])
        records["/app/a"]["Version"]
    """
    if isinstance(names, (str, bytes)):
        msg = "names: must be an iterable of names, not a single string"
        raise InvalidArgumentTypeError(msg, argument="names")
    wanted = list(dict.fromkeys(names))
    for name in wanted:
        _check_name(name)
    found: dict[str, dict[str, Any]] = {}
    missing: set[str] = set()
    for start in range(0, len(wanted), BATCH_SIZE):
        batch = wanted[start : start + BATCH_SIZE]
        response = client.get_parameters(Names=batch, WithDecryption=with_decryption)
        missing.update(response.get("InvalidParameters", []))
        returned = {}
        for parameter in response.get("Parameters", []):
            # With a selector ("name:3") or an ARN the answer's Name differs
            # from what was asked: accept the asked spelling of either form.
            selector = parameter.get("Selector", "")
            for spelling in (parameter["Name"], parameter.get("ARN")):
                if spelling:
                    returned[spelling + selector] = parameter
        for name in batch:
            if name in returned:
                found[name] = returned[name]
            elif name not in missing:
                missing.add(name)
    if missing:
        raise ParameterNotFoundError([n for n in wanted if n in missing])
    return found


def get_parameters_by_path(
    client: Any,
    path: str,
    *,
    recursive: bool = False,
    with_decryption: bool = False,
    **sdk_options: Any,
) -> dict[str, str]:
    """Read every parameter under a path, following every page.

    Args:
        client: an ``ssm`` client.
        path: a hierarchy such as ``/app/prod`` (must start with ``/``).
        recursive: include every level below ``path``, not just the next one.
        with_decryption: decrypt SecureString values.
        sdk_options: more ``GetParametersByPath`` arguments, sent with every
            page (``ParameterFilters``, ``MaxResults`` as the page size).

    Returns:
        ``{full name: value}``; empty when nothing is under ``path`` (a path
        is not a resource, so an empty one is not an error).

    Raises:
        InvalidArgumentError: ``path`` does not start with ``/``, or an
            option that this function's arguments set (``Path``,
            ``Recursive``, ``WithDecryption``, ``NextToken``).

    Thread safety: safe from many threads.

    Example::

        config = get_parameters_by_path(ssm_client, "/app/prod", recursive=True)
        config["/app/prod/db/url"]
    """
    records = iter_parameters_by_path(
        client, path, recursive=recursive, with_decryption=with_decryption, **sdk_options
    )
    return {record["Name"]: record["Value"] for record in records}


def iter_parameters_by_path(
    client: Any,
    path: str,
    *,
    recursive: bool = False,
    with_decryption: bool = False,
    **sdk_options: Any,
) -> Iterator[dict[str, Any]]:
    """As :func:`get_parameters_by_path`, lazily, with each parameter's whole record.

    The arguments are checked at the call; pages are fetched as the
    iterator is consumed.

    Returns:
        An iterator of records as ``GetParametersByPath`` returns them
        (``Name``, ``Type``, ``Value``, ``Version``, ``ARN`` ...).

    Thread safety: safe to call from many threads; consume each iterator in
    one thread.

    Example::

        for record in iter_parameters_by_path(ssm_client, "/app", recursive=True):
            print(record["Name"], record["Version"])
    """
    if not isinstance(path, str) or not path.startswith("/"):
        msg = f"path: an SSM parameter path must be a string starting with '/', not {path!r}"
        raise InvalidArgumentError(msg, argument="path")
    for option in ("Path", "Recursive", "WithDecryption", "NextToken"):
        if option in sdk_options:
            msg = f"{option}: set by this function's own arguments, not an SDK option here"
            raise InvalidArgumentError(msg, argument=option)
    kwargs: dict[str, Any] = {
        "Path": path,
        "Recursive": recursive,
        "WithDecryption": with_decryption,
        **sdk_options,
    }
    return _path_pages(client, kwargs)


def _path_pages(client: Any, kwargs: dict[str, Any]) -> Iterator[dict[str, Any]]:
    while True:
        response = client.get_parameters_by_path(**kwargs)
        yield from response.get("Parameters", [])
        token = response.get("NextToken")
        if not token:
            return
        kwargs["NextToken"] = token


def put_parameter(
    client: Any,
    name: str,
    value: str | Mapping[str, Any],
    *,
    type: str = "String",
    overwrite: bool = True,
    **kwargs: Any,
) -> int:
    """Write a parameter (a mapping is stored as JSON).

    Args:
        client: an ``ssm`` client.
        name: the parameter's name.
        value: the value; a mapping is stored as compact JSON.
        type: ``"String"``, ``"StringList"`` or ``"SecureString"``.
        overwrite: replace an existing value (otherwise AWS refuses with
            ``ParameterAlreadyExists``).
        kwargs: more ``PutParameter`` arguments (``Description``, ``KeyId``,
            ``Tier``, ``Tags`` ...).

    Returns:
        The new version number.

    Raises:
        TypeError: ``value`` is not a string or a mapping.
        ValueError: ``name`` is empty or ``type`` is unknown.
        botocore.exceptions.ClientError: AWS refused the write.

    AWS refuses ``Tags`` together with ``Overwrite``, so with both the
    parameter is first created with its tags (no ``Overwrite``); if it
    already exists, the value is overwritten without ``Tags`` and the tags
    are then added with ``AddTagsToResource`` (tags of other keys are kept).
    That is two calls, not one atomic write.

    Thread safety: safe from many threads.

    Example::

        version = put_parameter(ssm_client, "/app/db/password", "...", type="SecureString")
        put_parameter(ssm_client, "/app/url", "...", Tags=[{"Key": "team", "Value": "db"}])
    """
    _check_name(name)
    value = _parameter_value(type, value)
    tags = kwargs.get("Tags")
    if not (tags and overwrite):
        response = client.put_parameter(
            Name=name, Value=value, Type=type, Overwrite=overwrite, **kwargs
        )
        return int(response["Version"])
    return _put_tagged(client, name, value, type, kwargs)


def _parameter_value(type: str, value: str | Mapping[str, Any]) -> str:
    """Check the parameter type; the value as stored (a mapping becomes JSON)."""
    if type not in PARAMETER_TYPES:
        msg = f"unknown parameter type {type!r}: expected one of {', '.join(PARAMETER_TYPES)}"
        raise InvalidArgumentError(msg, argument="type")
    if isinstance(value, Mapping):
        return to_json(value)
    if not isinstance(value, str):
        msg = f"a parameter value must be a str or a mapping, not {value.__class__.__name__}"
        raise InvalidArgumentTypeError(msg, argument="value")
    return value


def _put_tagged(client: Any, name: str, value: str, type: str, kwargs: dict[str, Any]) -> int:
    """Create a tagged parameter, or overwrite it and tag it when it already exists.

    ``PutParameter`` refuses ``Tags`` together with ``Overwrite``, so the
    tags of an existing parameter are set by a second call.
    """
    try:
        response = client.put_parameter(Name=name, Value=value, Type=type, **kwargs)
    except ClientError as exc:
        if error_code(exc) != "ParameterAlreadyExists":
            raise
        untagged = {k: v for k, v in kwargs.items() if k != "Tags"}
        response = client.put_parameter(
            Name=name, Value=value, Type=type, Overwrite=True, **untagged
        )
        client.add_tags_to_resource(ResourceType="Parameter", ResourceId=name, Tags=kwargs["Tags"])
    return int(response["Version"])


def _check_name(name: str) -> None:
    if not isinstance(name, str):
        msg = f"name: a parameter name must be a string, not {type(name).__name__}"
        raise InvalidArgumentTypeError(msg, argument="name")
    if not name:
        msg = "name: a parameter name must not be empty"
        raise InvalidArgumentError(msg, argument="name")
