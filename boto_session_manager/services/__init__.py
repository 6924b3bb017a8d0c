"""Service helpers: plain functions that take a boto3 client, one module per service.

The manager exposes them as methods (see :class:`ServiceHelpers`), using its
cached clients; the functions here are usable on their own with any client.
"""

from ._methods import ServiceHelpers

__all__ = ["ServiceHelpers"]
