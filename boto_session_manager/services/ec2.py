"""EC2: the regions enabled in an account.

Thread safety: no state; safe from any thread.
"""

from __future__ import annotations

from typing import Any

__all__ = ["enabled_regions"]


def enabled_regions(client: Any) -> list[str]:
    """The regions enabled in the client's account, sorted (``DescribeRegions``).

    Opt-in regions the account has not opted into are left out (EC2 answers
    with the enabled ones unless asked for all).

    Example::

        regions = enabled_regions(account_bsm.get_client("ec2"))
    """
    response = client.describe_regions()
    return sorted(region["RegionName"] for region in response["Regions"])
