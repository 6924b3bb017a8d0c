"""An organization with nested OUs and tagged accounts, on the local AWS server.

::

    root
    ├── management (123456789012, no tags)
    ├── sandbox    tags team=web
    ├── OU prod
    │   ├── web    tags env=prod, team=web
    │   ├── api    tags env=prod, team=api
    │   ├── old    tags env=prod (closed: never a target)
    │   └── OU prod-eu
    │       └── eu  tags env=prod, team=web
    └── OU dev
        └── dev    tags env=dev, team=web
"""

from __future__ import annotations

from dataclasses import dataclass, field

from boto_session_manager import BotoSesManager
from boto_session_manager.testing import DEFAULT_ACCOUNT_ID


@dataclass
class Organization:
    """Ids by name: ``accounts["web"]``, ``units["prod"]``; ``root`` is the root's id."""

    root: str
    accounts: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)

    def ids(self, *names: str) -> list[str]:
        return sorted(self.accounts[name] for name in names)

    @property
    def active(self) -> list[str]:
        return sorted(i for name, i in self.accounts.items() if name != "old")


LAYOUT = {
    # name: (parent OU name or None for the root, tags)
    "sandbox": (None, {"team": "web"}),
    "web": ("prod", {"env": "prod", "team": "web"}),
    "api": ("prod", {"env": "prod", "team": "api"}),
    "old": ("prod", {"env": "prod"}),
    "eu": ("prod-eu", {"env": "prod", "team": "web"}),
    "dev": ("dev", {"env": "dev", "team": "web"}),
}


def build_organization(bsm: BotoSesManager) -> Organization:
    """Create the organization above (the server should be freshly reset)."""
    client = bsm.get_client("organizations")
    client.create_organization(FeatureSet="ALL")
    root = client.list_roots()["Roots"][0]["Id"]
    org = Organization(root=root, accounts={"management": DEFAULT_ACCOUNT_ID})
    for name, parent in (("prod", root), ("dev", root)):
        org.units[name] = client.create_organizational_unit(ParentId=parent, Name=name)[
            "OrganizationalUnit"
        ]["Id"]
    org.units["prod-eu"] = client.create_organizational_unit(
        ParentId=org.units["prod"], Name="prod-eu"
    )["OrganizationalUnit"]["Id"]
    for name, (unit, tags) in LAYOUT.items():
        account_id = client.create_account(
            Email=f"{name}@example.com",
            AccountName=name,
            Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
        )["CreateAccountStatus"]["AccountId"]
        org.accounts[name] = account_id
        if unit is not None:
            client.move_account(
                AccountId=account_id, SourceParentId=root, DestinationParentId=org.units[unit]
            )
    client.close_account(AccountId=org.accounts["old"])
    return org
