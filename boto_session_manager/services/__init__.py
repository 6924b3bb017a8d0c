"""Service helpers: plain functions that take a boto3 client, one module per service.

The manager exposes them as methods (see :class:`ServiceHelpers`, run on
its cached clients); the functions here are usable on their own with any client.

This package also answers ``from boto_session_manager.services import
AwsServiceEnum``, the import path upstream boto-session-manager uses for the
service-name constants (loaded on first use)::

    from boto_session_manager.services import AwsServiceEnum

    s3 = bsm.get_client(AwsServiceEnum.S3)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._helper_methods import HelperMethods
from ._methods import ServiceHelpers

if TYPE_CHECKING:
    from .._clients import AwsServiceEnum

__all__ = ["AwsServiceEnum", "HelperMethods", "ServiceHelpers"]


def __getattr__(name: str) -> Any:
    if name != "AwsServiceEnum":
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    from .._clients import AwsServiceEnum

    globals()[name] = AwsServiceEnum
    return AwsServiceEnum


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
