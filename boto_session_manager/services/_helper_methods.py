"""The manager's service helper methods, delegated to :class:`ServiceHelpers`.

:class:`HelperMethods` is a base of :class:`~boto_session_manager.BotoSesManager`:
one method per helper, each calling the same method of the manager's public
:attr:`~boto_session_manager.BotoSesManager.helpers`. The helpers' behaviour
and full documentation are in :mod:`boto_session_manager.services._methods`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ..arn import Arn
from ._methods import ServiceHelpers
from .tagging import TagFilters  # at runtime: the docs resolve signatures

if TYPE_CHECKING:
    from .dynamodb import DynamoDBTable

__all__ = ["HelperMethods"]


class HelperMethods:
    """Base of :class:`~boto_session_manager.BotoSesManager`: its service helper methods.

    Each method is :class:`ServiceHelpers`'s method of the same name, run by
    the manager's public :attr:`~boto_session_manager.BotoSesManager.helpers`
    (its cached clients and helper cache); nothing here touches the
    manager's state.
    """

    __slots__ = ()

    if TYPE_CHECKING:

        @property
        def helpers(self) -> ServiceHelpers: ...

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

        Runs ``ServiceHelpers.get_secret`` on this manager's clients.
        """
        return self.helpers.get_secret(
            name,
            transform=transform,
            version_id=version_id,
            version_stage=version_stage,
            max_age=max_age,
            force_fetch=force_fetch,
            **sdk_options,
        )

    def set_secret(
        self,
        name: str,
        value: str | bytes | Mapping[str, Any],
        *,
        client_request_token: str | None = None,
        **sdk_options: Any,
    ) -> dict[str, Any]:
        """Store a secret's new value, creating the secret if it does not exist.

        Runs ``ServiceHelpers.set_secret`` on this manager's clients.
        """
        return self.helpers.set_secret(
            name, value, client_request_token=client_request_token, **sdk_options
        )

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

        Runs ``ServiceHelpers.get_parameter`` on this manager's clients.
        """
        return self.helpers.get_parameter(
            name,
            with_decryption=with_decryption,
            transform=transform,
            max_age=max_age,
            force_fetch=force_fetch,
            **sdk_options,
        )

    def get_parameters(
        self, names: Iterable[str], *, with_decryption: bool = False
    ) -> dict[str, str]:
        """Read any number of SSM parameters, 10 per call, never a partial dict.

        Runs ``ServiceHelpers.get_parameters`` on this manager's clients.
        """
        return self.helpers.get_parameters(names, with_decryption=with_decryption)

    def get_parameters_by_path(
        self,
        path: str,
        *,
        recursive: bool = False,
        with_decryption: bool = False,
        **sdk_options: Any,
    ) -> dict[str, str]:
        """Read every SSM parameter under ``path`` (every page), as ``{name: value}``.

        Runs ``ServiceHelpers.get_parameters_by_path`` on this manager's clients.
        """
        return self.helpers.get_parameters_by_path(
            path, recursive=recursive, with_decryption=with_decryption, **sdk_options
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

        Runs ``ServiceHelpers.put_parameter`` on this manager's clients.
        """
        return self.helpers.put_parameter(name, value, type=type, overwrite=overwrite, **kwargs)

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

        Runs ``ServiceHelpers.s3_list_objects`` on this manager's clients.
        """
        return self.helpers.s3_list_objects(
            bucket,
            prefix,
            delimiter=delimiter,
            start_after=start_after,
            limit=limit,
            **list_objects_v2_kwargs,
        )

    def dynamodb_table(self, table_name: str) -> DynamoDBTable:
        """A :class:`~boto_session_manager.services.dynamodb.DynamoDBTable` using this manager.

        Runs ``ServiceHelpers.dynamodb_table`` on this manager's clients.
        """
        return self.helpers.dynamodb_table(table_name)

    def get_tagged_resources(
        self,
        tag_filters: TagFilters | None = None,
        resource_types: Iterable[str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Iterate lazily over every tagged resource in the manager's region.

        Runs ``ServiceHelpers.get_tagged_resources`` on this manager's clients.
        """
        return self.helpers.get_tagged_resources(tag_filters, resource_types)

    def get_named_resources(
        self,
        tag_filters: TagFilters | None = None,
        resource_types: Iterable[str] | None = None,
        *,
        on_duplicate: str = "error",
    ) -> dict[str, Arn]:
        """Map each ``Name`` tag value to the parsed ARN of its resource.

        Runs ``ServiceHelpers.get_named_resources`` on this manager's clients.
        """
        return self.helpers.get_named_resources(
            tag_filters, resource_types, on_duplicate=on_duplicate
        )

    def generate_password(self) -> str:
        """A random password that meets the account's IAM password policy.

        Runs ``ServiceHelpers.generate_password`` on this manager's clients.
        """
        return self.helpers.generate_password()
