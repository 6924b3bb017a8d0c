"""Choosing the accounts and regions of a fan-out: OUs, exclusions, tags, enabled regions."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from boto_session_manager import BotoSesManager
from boto_session_manager.backoff import Backoff
from boto_session_manager.exceptions import (
    FanOutError,
    InvalidAccountIdError,
    InvalidArgumentError,
)
from boto_session_manager.fanout import (
    FanOutOptions,
    OrgAccount,
    Progress,
    current_account,
    fanout_client,
    for_each_account,
)

from .organization import Organization, build_organization


@pytest.fixture
def org(bsm: BotoSesManager) -> Organization:
    return build_organization(bsm)


def account_of(account_bsm: BotoSesManager) -> str:
    return account_bsm.aws_account_id


def _error(code: str) -> tuple[AWSResponse, dict[str, Any]]:
    http = AWSResponse("https://organizations.amazonaws.com", 400, {}, None)
    return http, {"Error": {"Code": code, "Message": "injected"}, "ResponseMetadata": {}}


class TagReadFaults:
    """Answers ListTagsForResource for chosen accounts with error codes, in order."""

    def __init__(self, bsm: BotoSesManager) -> None:
        self.codes: dict[str, list[str]] = {}
        self.calls: list[str] = []
        self._lock = threading.Lock()
        fanout_client(bsm, "organizations").meta.events.register(
            "before-call.organizations.ListTagsForResource", self
        )

    def __call__(self, params: dict[str, Any], **_: Any) -> Any:
        account = json.loads(params["body"])["ResourceId"]
        with self._lock:
            self.calls.append(account)
            codes = self.codes.get(account)
            code = codes.pop(0) if codes else None
        return None if code is None else _error(code)


def test_the_default_is_every_active_account(bsm: BotoSesManager, org: Organization) -> None:
    run = bsm.for_each_account(account_of)

    assert org.active == sorted(run.results)
    assert run.errors == {}


def test_an_ou_includes_the_ous_below_it_and_skips_closed_accounts(
    bsm: BotoSesManager, org: Organization
) -> None:
    run = bsm.for_each_account(account_of, organizational_units=[org.units["prod"]])

    assert org.ids("web", "api", "eu") == sorted(run.results)
    assert {a: a for a in run.results} == run.results


def test_several_ous_and_the_root_are_listed_once_each(
    bsm: BotoSesManager, org: Organization
) -> None:
    run = bsm.for_each_account(
        account_of, organizational_units=[org.units["prod-eu"], org.root, org.units["dev"]]
    )

    assert org.active == sorted(run.results)


def test_exclude_removes_accounts(bsm: BotoSesManager, org: Organization) -> None:
    run = bsm.for_each_account(
        account_of,
        organizational_units=[org.units["prod"]],
        exclude=[org.accounts["api"], org.accounts["dev"]],
    )

    assert org.ids("web", "eu") == sorted(run.results)


def test_account_tags_must_all_match(bsm: BotoSesManager, org: Organization) -> None:
    prod = bsm.for_each_account(account_of, account_tags={"env": "prod"})
    prod_web = bsm.for_each_account(account_of, account_tags={"env": "prod", "team": "web"})

    assert org.ids("web", "api", "eu") == sorted(prod.results)
    assert org.ids("web", "eu") == sorted(prod_web.results)


def test_tags_ou_and_exclude_combine(bsm: BotoSesManager, org: Organization) -> None:
    run = bsm.for_each_account(
        account_of,
        options=FanOutOptions(organizational_units=[org.root], account_tags={"team": "web"}),
        exclude=[org.accounts["eu"]],
    )

    assert org.ids("sandbox", "web", "dev") == sorted(run.results)


def test_tags_apply_to_ids_given_directly(bsm: BotoSesManager, org: Organization) -> None:
    run = bsm.for_each_account(
        account_of, account_ids=org.ids("web", "dev", "sandbox"), account_tags={"env": "dev"}
    )

    assert org.ids("dev") == list(run.results)


def test_enabled_regions_run_once_per_region_of_each_account(
    bsm: BotoSesManager, org: Organization
) -> None:
    enabled = sorted(r["RegionName"] for r in bsm.get_client("ec2").describe_regions()["Regions"])
    seen: list[Progress] = []

    run = bsm.for_each_account(
        lambda b, region: (b.aws_account_id, region),
        account_ids=org.ids("web", "management"),
        regions="enabled",
        progress=seen.append,
    )

    expected = {(a, r): (a, r) for a in org.ids("web", "management") for r in enabled}
    assert expected == run.results
    assert seen[-1].total == len(expected) == seen[-1].done


def test_an_account_whose_regions_cannot_be_read_is_one_error(
    bsm: BotoSesManager, org: Organization
) -> None:
    from .test_fanout import AssumeRoleSpy

    spy = AssumeRoleSpy(bsm)
    spy.fail[org.accounts["web"]] = ["AccessDenied"]

    run = bsm.for_each_account(
        lambda b, region: region, account_ids=org.ids("web", "api"), regions="enabled"
    )

    assert [org.accounts["web"]] == list(run.errors)  # keyed by the account alone
    assert {org.accounts["api"]} == {account for account, _ in run.results}
    assert spy.calls.count(org.accounts["api"]) == 1  # one role for all its regions


def test_tags_that_do_not_match_run_nothing(bsm: BotoSesManager, org: Organization) -> None:
    run = bsm.for_each_account(
        lambda b, region: region,
        account_ids=org.ids("web"),
        regions="enabled",
        account_tags={"env": "nope"},
    )

    assert run.results == {} and run.errors == {}


def test_current_account_names_the_account_inside_func(
    bsm: BotoSesManager, org: Organization
) -> None:
    def name(account_bsm: BotoSesManager) -> tuple[str, str]:
        account = current_account()
        assert isinstance(account, OrgAccount)
        return account.id, account.name

    run = bsm.for_each_account(name, organizational_units=[org.units["dev"]])
    given = bsm.for_each_account(name, account_ids=org.ids("dev"))

    assert {org.accounts["dev"]: (org.accounts["dev"], "dev")} == run.results
    assert {org.accounts["dev"]: (org.accounts["dev"], "")} == given.results
    assert current_account() is None


def test_account_results_carry_the_name(bsm: BotoSesManager, org: Organization) -> None:
    outcomes = list(
        bsm.for_each_account_iter(account_of, organizational_units=[org.units["prod-eu"]])
    )

    assert [("eu", org.accounts["eu"])] == [(o.account_name, o.value) for o in outcomes]


def test_a_tag_read_failure_is_that_accounts_error(bsm: BotoSesManager, org: Organization) -> None:
    faults = TagReadFaults(bsm)
    faults.codes[org.accounts["api"]] = ["AccessDeniedException"]

    run = bsm.for_each_account(
        account_of, organizational_units=[org.units["prod"]], account_tags={"env": "prod"}
    )

    assert org.ids("web", "eu") == sorted(run.results)
    assert [org.accounts["api"]] == list(run.errors)
    assert "AccessDeniedException" in str(run.errors[org.accounts["api"]])


def test_organizations_throttling_is_retried(bsm: BotoSesManager, org: Organization) -> None:
    faults = TagReadFaults(bsm)
    faults.codes[org.accounts["web"]] = ["TooManyRequestsException"] * 2
    slept: list[float] = []

    run = bsm.for_each_account(
        account_of,
        account_ids=org.ids("web"),
        account_tags={"team": "web"},
        backoff=Backoff(sleep=slept.append, random=lambda: 1.0),
    )

    assert org.ids("web") == list(run.results)
    assert slept == [0.5, 1.0]
    assert faults.calls.count(org.accounts["web"]) == 3


def test_an_ou_that_does_not_exist_is_a_fanout_error(
    bsm: BotoSesManager, org: Organization
) -> None:
    with pytest.raises(FanOutError, match=r"ou-zzzz-zzzzzzzz.*ParentNotFoundException"):
        bsm.for_each_account(account_of, organizational_units=["ou-zzzz-zzzzzzzz"])


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"organizational_units": ["prod"]}, InvalidArgumentError, "organizational_units.*'prod'"),
        ({"organizational_units": "ou-ab12-abcdefgh"}, InvalidArgumentError, "not one string"),
        ({"exclude": ["123"]}, InvalidAccountIdError, "exclude.*'123'"),
        ({"account_tags": {"env": 1}}, InvalidArgumentError, "account_tags"),
        ({"account_tags": ["env=prod"]}, InvalidArgumentError, "account_tags"),
        ({"regions": "us-east-1"}, InvalidArgumentError, "not one string"),
        ({"regions": [""]}, InvalidArgumentError, "regions"),
        ({"max_workers": 0}, InvalidArgumentError, "max_workers"),
        ({"max_in_flight": 1.5}, InvalidArgumentError, "max_in_flight"),
        ({"timeout": -1}, InvalidArgumentError, "timeout"),
        ({"role_name": "/"}, InvalidArgumentError, "role_name"),
        ({"account_ids": ["111122223333"], "organizational_units": ["r-ab12"]},
         InvalidArgumentError, "not both"),
        ({"acount_ids": ["111122223333"]}, InvalidArgumentError, "unknown.*acount_ids"),
    ],
)  # fmt: skip
def test_bad_options_are_refused_naming_the_option(
    bsm: BotoSesManager, options: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        for_each_account(bsm, account_of, **options)


def test_keywords_override_the_options_object() -> None:
    base = FanOutOptions(max_workers=4, regions=["eu-west-1"])

    chosen = base.with_keywords({"max_workers": 8})

    assert (chosen.max_workers, chosen.regions) == (8, ("eu-west-1",))
    assert base.max_workers == 4
    assert base.with_keywords({}) is base
    assert chosen.in_flight == 16


def test_backoff_needs_one_attempt() -> None:
    with pytest.raises(InvalidArgumentError, match="max_attempts"):
        Backoff(max_attempts=0)


def test_organization_account_ids_lists_the_active_ids(
    bsm: BotoSesManager, org: Organization
) -> None:
    from boto_session_manager.fanout import organization_account_ids

    assert org.active == sorted(organization_account_ids(bsm))


def test_organization_account_ids_names_a_listing_failure(bsm: BotoSesManager) -> None:
    from boto_session_manager.fanout import organization_account_ids

    fanout_client(bsm, "organizations").meta.events.register(
        "before-call.organizations.ListAccounts",
        lambda **_: _error("AccessDeniedException"),
    )

    with pytest.raises(FanOutError, match=r"cannot list .*AccessDeniedException"):
        list(organization_account_ids(bsm))
