"""The service helpers of a manager: the service functions on a client provider.

:class:`ServiceHelpers` is built on a *client provider* (any callable that
returns a client for a service name, e.g. ``bsm.get_client``) and a TTL
cache; each method takes the provider's client for its service and calls the
matching function of :mod:`boto_session_manager.services`. The manager owns
one and delegates its helper methods to it (see :class:`HelperMethods`). Reads of
secrets and parameters may be cached (see :meth:`ServiceHelpers.get_secret`);
writes through the helpers drop the cached entries of the name written.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ..arn import Arn
from . import params, s3, secrets, tagging
from ._cache import TTLCache, freeze
from ._common import apply_transform, check_transform
from .tagging import TagFilters  # at runtime: the docs resolve signatures

if TYPE_CHECKING:
    from .dynamodb import DynamoDBTable

#: Returns the client for a service name (e.g. a manager's ``get_client``).
ClientProvider = Callable[[str], Any]

_SECRET = "secret"  # noqa: S105 - a cache-key tag, not a password
_PARAMETER = "parameter"


def _same_name(kind: str, name: str) -> Any:
    """A cache predicate: entries of ``kind`` that may hold ``name``'s value.

    An ARN and a plain name may denote the same thing, so a write by ARN (or
    an entry read by ARN) is treated as matching; ``name:3``-style version
    selectors of the name match too.
    """

    def matches(key: Hashable) -> bool:
        if not isinstance(key, tuple) or len(key) < 2 or key[0] != kind:
            return False
        cached = str(key[1])
        return (
            cached == name
            or cached.startswith(name + ":")
            or cached.startswith("arn:")
            or name.startswith("arn:")
        )

    return matches


class ServiceHelpers:
    """Secrets Manager, Parameter Store, S3, DynamoDB and tagging helpers on a client provider.

    Args:
        clients: returns the client for a service name (a manager's
            ``get_client``: its cached clients, region, endpoint, credentials).
        cache: where reads with ``max_age`` are kept (a new one by default).

    Every method raises typed errors naming what was not found, and never
    returns a partial answer.

    Thread safety: every method is safe to call from many threads at once;
    the cache takes a lock, and clients are thread safe.

    Example::

        helpers = ServiceHelpers(bsm.get_client)
        helpers.get_parameter("/app/db/url")
    """

    def __init__(self, clients: ClientProvider, cache: TTLCache | None = None) -> None:
        self.clients = clients
        self.cache = TTLCache() if cache is None else cache

    # ------------------------------------------------------------------ secrets

    def get_secret(
        self,
        name: str,
        *,
        transform: str | None = None,
        version_id: str | None = None,
        version_stage: str | None = None,
        max_age: float = 0,
        force_fetch: bool = False,
        **sdk_options: Any,
    ) -> Any:
        """Read a Secrets Manager secret: its SecretString (str) or SecretBinary (bytes).

        Args:
            name: the secret's name or ARN.
            transform: ``"json"`` parses the value, ``"binary"``
                base64-decodes a string value (SecretBinary is already bytes
                and is returned unchanged). Without it nothing is parsed.
            version_id: read this version.
            version_stage: read the version with this label (``AWSPREVIOUS``).
            max_age: accept a cached value fetched less than this many seconds
                ago, and cache what is fetched for as long; ``0`` (the
                default) always fetches.
            force_fetch: fetch even if a cached value is fresh enough.
            sdk_options: more ``GetSecretValue`` arguments (``VersionId=``,
                ``VersionStage=`` ...), sent as given.

        Returns:
            The value as stored, or transformed as asked.

        Raises:
            SecretNotFoundError: no such secret or version (names it).
            TransformError: the value cannot be transformed (names the secret,
                never quotes the value).

        The cache key is the name and every request option (``version_id``
        and ``VersionId=`` are one option, so they share entries); it holds the
        value as stored and the transform runs on every call, so each caller
        gets its own parsed dict. :meth:`set_secret` on this manager drops
        the name's entries; ``clear_cache()`` drops all.

        Thread safety: safe from many threads.

        Example::

            password = bsm.get_secret("prod/db/password", max_age=300)
            creds = bsm.get_secret("prod/db", transform="json")
            creds["username"]
        """
        check_transform(transform)
        options = secrets.secret_request(version_id, version_stage, sdk_options)
        key = (_SECRET, name, freeze(options))
        value: Any = None if force_fetch else self.cache.get(key, max_age=max_age)
        if value is None:
            generation = self.cache.generation
            value = secrets.get_secret(self.clients("secretsmanager"), name, **options)
            self.cache.put(key, value, max_age, if_generation=generation)
        return apply_transform(value, transform, what=f"secret {name!r}")

    def set_secret(
        self,
        name: str,
        value: str | bytes | Mapping[str, Any],
        *,
        client_request_token: str | None = None,
        **sdk_options: Any,
    ) -> dict[str, Any]:
        """Store a secret's new value, creating the secret if it does not exist.

        Args:
            name: the secret's name (or ARN of an existing secret).
            value: str (SecretString), bytes (SecretBinary) or a mapping
                (stored as JSON).
            client_request_token: idempotency token (becomes the VersionId).
            sdk_options: more arguments, sent as given on update and on
                create (``Description``, ``KmsKeyId``, ``Tags`` ...); see
                :func:`boto_session_manager.services.secrets.set_secret` for
                which call each option selects.

        Returns:
            ``ARN``, ``Name`` and ``VersionId`` of the new version.

        Raises:
            TypeError: ``value`` is not str, bytes or a mapping.

        Drops this manager's cached reads of the secret.

        Thread safety: safe from many threads.

        Example::

            bsm.set_secret("prod/db", {"username": "app", "password": "..."})
            bsm.set_secret("prod/db", "...", Description="rotated by hand")
        """
        try:
            return secrets.set_secret(
                self.clients("secretsmanager"),
                name,
                value,
                client_request_token=client_request_token,
                **sdk_options,
            )
        finally:
            self.cache.invalidate(_same_name(_SECRET, name))

    # --------------------------------------------------------------- parameters

    def get_parameter(
        self,
        name: str,
        *,
        with_decryption: bool = True,
        transform: str | None = None,
        max_age: float = 0,
        force_fetch: bool = False,
        **sdk_options: Any,
    ) -> Any:
        """Read one SSM parameter (SecureString decrypted by default).

        Args:
            name: the parameter's name or ARN (``name:3`` picks a version).
            with_decryption: decrypt a SecureString.
            transform: ``"json"`` or ``"binary"``, as :meth:`get_secret`.
            max_age: accept a cached value up to this many seconds old; ``0``
                always fetches.
            force_fetch: fetch even if a cached value is fresh enough.
            sdk_options: more ``GetParameter`` arguments, sent as given.

        Returns:
            The value (str), or transformed as asked.

        Raises:
            ParameterNotFoundError: no such parameter (``.names == [name]``).
            TransformError: the value cannot be transformed.

        The cache key is (name, with_decryption, sdk_options), so a plain read never
        returns ciphertext cached by an undecrypted one, or the reverse.
        :meth:`put_parameter` drops the name's entries.

        Thread safety: safe from many threads.

        Example::

            url = bsm.get_parameter("/app/db/url", max_age=60)
        """
        check_transform(transform)
        key = (_PARAMETER, name, with_decryption, freeze(sdk_options))
        value: Any = None if force_fetch else self.cache.get(key, max_age=max_age)
        if value is None:
            generation = self.cache.generation
            value = params.get_parameter(
                self.clients("ssm"), name, with_decryption=with_decryption, **sdk_options
            )
            self.cache.put(key, value, max_age, if_generation=generation)
        return apply_transform(value, transform, what=f"SSM parameter {name!r}")

    def get_parameters(
        self, names: Iterable[str], *, with_decryption: bool = False
    ) -> dict[str, str]:
        """Read any number of SSM parameters, 10 per call, never a partial dict.

        Raises:
            ParameterNotFoundError: ``.names`` lists every missing name.

        Not cached. Thread safety: safe from many threads.

        Example::

            values = bsm.get_parameters([f"/app/key{i}" for i in range(25)])
        """
        return params.get_parameters(self.clients("ssm"), names, with_decryption=with_decryption)

    def get_parameters_by_path(
        self,
        path: str,
        *,
        recursive: bool = False,
        with_decryption: bool = False,
        **sdk_options: Any,
    ) -> dict[str, str]:
        """Read every SSM parameter under ``path`` (every page), as ``{name: value}``.

        ``sdk_options`` go to every ``GetParametersByPath`` call
        (``ParameterFilters``, ``MaxResults``).

        Raises:
            ValueError: ``path`` does not start with ``/``.

        Not cached. Thread safety: safe from many threads.

        Example::

            config = bsm.get_parameters_by_path("/app/prod", recursive=True)
        """
        return params.get_parameters_by_path(
            self.clients("ssm"),
            path,
            recursive=recursive,
            with_decryption=with_decryption,
            **sdk_options,
        )

    def put_parameter(
        self,
        name: str,
        value: str | Mapping[str, Any],
        *,
        type: str = "String",
        overwrite: bool = True,
        **kwargs: Any,
    ) -> int:
        """Write an SSM parameter (a mapping is stored as JSON); return its version.

        Raises:
            TypeError: ``value`` is not a str or mapping.
            ValueError: ``type`` is not String, StringList or SecureString.

        Drops this manager's cached reads of the parameter.

        Thread safety: safe from many threads.

        Example::

            bsm.put_parameter("/app/db/password", "...", type="SecureString")
        """
        try:
            return params.put_parameter(
                self.clients("ssm"), name, value, type=type, overwrite=overwrite, **kwargs
            )
        finally:
            self.cache.invalidate(_same_name(_PARAMETER, name))

    # ----------------------------------------------------------------------- S3

    def s3_list_objects(
        self,
        bucket: str | None = None,
        prefix: str = "",
        *,
        delimiter: str | None = None,
        start_after: str | None = None,
        limit: int | None = None,
        **list_objects_v2_kwargs: Any,
    ) -> Iterator[dict[str, Any]]:
        """Iterate lazily over a bucket's objects, every page.

        With a ``delimiter``, common prefixes are yielded too, as
        ``{"Prefix": "folder/"}`` dicts in key order (objects have ``"Key"``).
        ``ListObjectsV2`` keyword arguments work too (``Bucket=``,
        ``Prefix=``, ``MaxKeys=`` as the page size ...).
        See :func:`boto_session_manager.services.s3.list_objects`.

        Raises:
            BucketNotFoundError: no such bucket (on the first ``next()``).
            ValueError: empty bucket name or negative ``limit``.

        Thread safety: safe to call from many threads; consume each iterator
        in one thread.

        Example::

            for obj in bsm.s3_list_objects("my-bucket", "logs/", limit=5000):
                print(obj["Key"], obj["Size"])
            objects = list(bsm.s3_list_objects(Bucket="my-bucket", Prefix="logs/"))
        """
        return s3.list_objects(
            self.clients("s3"),
            bucket,
            prefix,
            delimiter=delimiter,
            start_after=start_after,
            limit=limit,
            **list_objects_v2_kwargs,
        )

    # ----------------------------------------------------------------- DynamoDB

    def dynamodb_table(self, table_name: str) -> DynamoDBTable:
        """A :class:`~boto_session_manager.services.dynamodb.DynamoDBTable` using this manager.

        Nothing is fetched yet: a missing table raises
        :class:`~boto_session_manager.exceptions.TableNotFoundError` on the
        first operation.

        Thread safety: safe from many threads, and the table object may be
        shared between threads.

        Example::

            table = bsm.dynamodb_table("users")
            table.put_item({"user_id": "u1", "score": 9.5})
            table.batch_write_items(rows)
        """
        from .dynamodb import DynamoDBTable  # on first use, not at import: it costs ~3 ms

        return DynamoDBTable(table_name, client=self.clients("dynamodb"))

    # ------------------------------------------------------------------ tagging

    def get_tagged_resources(
        self,
        tag_filters: TagFilters | None = None,
        resource_types: Iterable[str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Iterate lazily over every tagged resource in the manager's region.

        ``tag_filters`` is AWS's list form or ``{key: value | [values] |
        None}``. See :func:`boto_session_manager.services.tagging.get_tagged_resources`.

        Thread safety: safe to call from many threads; consume each iterator
        in one thread.

        Example::

            for r in bsm.get_tagged_resources({"env": "prod"}, ["s3:bucket"]):
                print(r["ResourceARN"])
        """
        return tagging.get_tagged_resources(
            self.clients("resourcegroupstaggingapi"), tag_filters, resource_types
        )

    def get_named_resources(
        self,
        tag_filters: TagFilters | None = None,
        resource_types: Iterable[str] | None = None,
        *,
        on_duplicate: str = "error",
    ) -> dict[str, Arn]:
        """Map each ``Name`` tag value to the parsed ARN of its resource.

        AWS Backup recovery points (which copy their source's tags) are left
        out. See :func:`boto_session_manager.services.tagging.get_named_resources`.

        Raises:
            DuplicateNameError: two resources share a name and
                ``on_duplicate`` is ``"error"`` (the default).

        Thread safety: safe from many threads.

        Example::

            named = bsm.get_named_resources()
            named["orders"].service     # "dynamodb"
        """
        return tagging.get_named_resources(
            self.clients("resourcegroupstaggingapi"),
            tag_filters,
            resource_types,
            on_duplicate=on_duplicate,
        )

    # ---------------------------------------------------------------------- IAM

    def generate_password(self) -> str:
        """A random password that meets the account's IAM password policy.

        AWS's default policy is used when the account has none.

        Thread safety: safe from many threads.

        Example::

            password = bsm.generate_password()
        """
        from ..password import account_password_policy, generate_password

        return generate_password(account_password_policy(self.clients("iam")))
