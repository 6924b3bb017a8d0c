"""Which region a manager uses when none is given: the AWS CLI v2 order, in one place.

The explicit argument wins, then ``AWS_REGION``, then ``AWS_DEFAULT_REGION``,
then the profile's ``region`` (botocore reads the profile itself). The
library (:class:`~boto_session_manager.BotoSesManager`) and the ``bsm``
command (:mod:`boto_session_manager.cli_args`) both read
:data:`REGION_VARIABLES`, so a GitHub Actions job that sets only
``AWS_REGION`` behaves the same in Python and in the command line.

Thread safety: pure functions over the mapping given (``os.environ`` by default).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

__all__ = ["REGION_VARIABLES", "resolve_region"]

#: The environment variables that name a region, first one set wins.
REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION")


def resolve_region(explicit: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The region to use before the profile is asked (None: let the profile decide).

    Example::

        >>> resolve_region(None, {"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-1"})
        'eu-west-1'
    """
    if explicit:
        return explicit
    env = os.environ if environ is None else environ
    for name in REGION_VARIABLES:
        value = env.get(name)
        if value:
            return value
    return None
