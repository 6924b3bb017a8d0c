"""Generated: one ``<service>_client`` property per botocore service (placeholder)."""

from __future__ import annotations


class ClientProperties:
    """Mixin of :class:`~boto_session_manager.BotoSesManager`: typed client properties."""
