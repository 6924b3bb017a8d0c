"""The service helper methods of the manager (thin delegations to the modules here)."""

from __future__ import annotations


class ServiceHelpers:
    """Mixin of :class:`~boto_session_manager.BotoSesManager`: Secrets Manager,
    Parameter Store, S3, DynamoDB, tagging helpers."""
