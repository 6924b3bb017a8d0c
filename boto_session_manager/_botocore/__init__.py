"""The one door to botocore's internals.

Everything the package does with botocore beyond its public API lives in this
subpackage; the rest of the package calls the functions below and never
reads a private botocore attribute. What is touched, and why:

- ``sharing``, ``handlers``, ``endpoints``, ``methods``: the shared Loader,
  the template of builtin handlers (``botocore.handlers.BUILTIN_HANDLERS``),
  copy-on-write handler tries (``botocore.hooks._PrefixTrie``, an emitter's
  ``_handlers`` / ``_lookup_cache`` / ``_verify_accept_kwargs``), the
  session's event aliaser (``_register_event_emitter``, ``_events``,
  ``_original_handler``, ``_alias_name_cache``), one endpoint provider per
  ruleset (``botocore.regions.EndpointProvider`` is replaced by a subclass)
  and shared generated client methods (``ClientCreator._create_api_method``,
  ``ClientMethodDocstring._gen_args`` / ``_gen_kwargs``);
- ``transport``: a client's HTTP session (``client._endpoint.http_session``),
  wrapped so a response body cut short is retried;
- ``credentials``: refreshable credentials' refresh lock and locked refresh
  (``_refresh_lock``, ``_protected_refresh``, ``_frozen_credentials``), their
  refresh windows and expiry, and a session's ``session_var_map``.

:func:`check` verifies all of it at once and names the botocore version and
each broken assumption; it runs once before the first session is built.
"""

from __future__ import annotations

from .checks import check, ensure_checked
from .credentials import (
    botocore_session_of,
    expiry_time,
    ignore_environment_profile,
    refresh_locked,
    set_refresh_windows,
)
from .sharing import gc_paused, new_botocore_session, prewarm, shared_loader
from .transport import guard_client, guard_resource

__all__ = [
    "botocore_session_of",
    "check",
    "ensure_checked",
    "expiry_time",
    "gc_paused",
    "guard_client",
    "guard_resource",
    "ignore_environment_profile",
    "new_botocore_session",
    "prewarm",
    "refresh_locked",
    "set_refresh_windows",
    "shared_loader",
]
