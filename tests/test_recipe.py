"""The credential recipe: one registry of credential sources, read by every consumer;
the manager's credential_source and has_* properties, which read it."""

from __future__ import annotations

import pickle
from pathlib import Path

import botocore.session
import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager.credentials import TemporaryCredentials
from boto_session_manager.exceptions import UnpicklableRecipeError
from boto_session_manager.recipe import (
    SOURCES,
    CredentialRequest,
    Recipe,
    base_recipe,
    principal_key,
)
from boto_session_manager.roles import assume_role_request
from boto_session_manager.testing import TEST_ACCESS_KEY_ID, LocalAWS

from .conftest import create_role

OTHER = "111111111111"


def test_every_source_names_its_travel_and_method() -> None:
    for name, source in SOURCES.items():
        assert source.name == name
        assert source.travels in {"keys", "settings", "current-keys", "recipe"}
        assert (source.rebuild is not None) == (source.travels == "recipe")
        assert (source.operation is not None) == (source.travels == "recipe")


@pytest.mark.parametrize(
    ("arguments", "source"),
    [
        ({"unsigned": True, "has_keys": True, "has_botocore_session": True}, "unsigned"),
        ({"unsigned": False, "has_keys": True, "has_botocore_session": True}, "botocore-session"),
        ({"unsigned": False, "has_keys": True, "has_botocore_session": False}, "explicit-keys"),
        ({"unsigned": False, "has_keys": False, "has_botocore_session": False}, "chain"),
    ],
)
def test_the_constructor_arguments_choose_the_recipe(
    arguments: dict[str, bool], source: str
) -> None:
    assert base_recipe(**arguments).source == source


def test_a_derived_manager_records_its_parent_and_request(bsm: BotoSesManager) -> None:
    arn = create_role(bsm, account_id=OTHER)

    role = bsm.assume_role(arn, role_session_name="audit", mfa_serial_number=None)

    assert role.recipe.source == "assume-role"
    assert role.recipe.parent is bsm
    assert role.recipe.params["RoleArn"] == arn
    assert role.recipe.kind.is_role
    assert not role.recipe.has_mfa
    assert role.credential_source == "assume-role"


def test_derive_takes_any_request(bsm: BotoSesManager) -> None:
    arn = create_role(bsm, account_id=OTHER)

    role = bsm.derive(assume_role_request(bsm.get_client, arn), region_name="eu-west-1")

    assert role.aws_account_id == OTHER
    assert role.aws_region == "eu-west-1"


def test_derive_with_a_custom_fetch_keeps_the_parents_client_defaults(bsm: BotoSesManager) -> None:
    fixed = TemporaryCredentials(access_key_id="AKIAFIXED", secret_access_key="s")
    request = CredentialRequest("session-token", {"DurationSeconds": 900}, lambda: fixed, {})

    derived = bsm.derive(request)

    assert derived.aws_access_key_id == "AKIAFIXED"
    assert derived.default_client_kwargs == bsm.default_client_kwargs
    assert derived.credential_source == "session-token"


def test_principal_key_follows_the_chain_without_secrets(bsm: BotoSesManager) -> None:
    arn = create_role(bsm, account_id=OTHER)
    role = bsm.assume_role(arn)

    assert principal_key(bsm) == f"key:{TEST_ACCESS_KEY_ID}"
    assert principal_key(role) == f"assume-role:{arn}:key:{TEST_ACCESS_KEY_ID}"
    assert principal_key(BotoSesManager(unsigned=True, region_name="us-east-1")) == "anonymous"


def test_a_recipe_without_a_rebuild_cannot_refresh_after_unpickling() -> None:
    with pytest.raises(UnpicklableRecipeError, match="'chain'"):
        Recipe("chain").rebuild_fetcher()


def test_mfa_and_literal_tokens_do_not_travel(bsm: BotoSesManager) -> None:
    with_mfa = Recipe("assume-role", parent=bsm, params={"RoleArn": "a", "SerialNumber": "m"})
    literal = Recipe("web-identity", parent=bsm, params={"RoleArn": "a"})

    for recipe, what in ((with_mfa, "MFA code"), (literal, "web identity token")):
        with pytest.raises(UnpicklableRecipeError, match=what):
            recipe.rebuild_fetcher()()


def test_in_region_shares_the_credentials_object(bsm: BotoSesManager) -> None:
    arn = create_role(bsm, account_id=OTHER)
    role = bsm.assume_role(arn, auto_refresh=True)

    eu = role.in_region("eu-west-1")

    assert eu.recipe.source == "shared"
    assert eu.recipe.credentials is role.boto_ses.get_credentials()
    assert eu.aws_region == "eu-west-1"
    assert eu.aws_account_id == OTHER
    assert eu.credential_source == "assume-role"
    assert eu.default_client_kwargs == bsm.default_client_kwargs


def test_a_shared_manager_pickles_its_current_keys(bsm: BotoSesManager) -> None:
    eu = bsm.in_region("eu-west-1")

    state = eu.__getstate__()
    copy = pickle.loads(pickle.dumps(eu))  # noqa: S301 - our own bytes

    assert state["keys"]["aws_access_key_id"] == TEST_ACCESS_KEY_ID
    assert copy.region_name == "eu-west-1"
    assert copy.credential_source == "explicit-keys"


# ------------------------------------------------------------ credential_source


def test_credential_source_for_each_way_of_building(
    bsm: BotoSesManager, aws: LocalAWS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = {"endpoint_url": aws.endpoint_url}
    arn = create_role(bsm, account_id=OTHER)
    assert bsm.credential_source == "explicit-keys"
    assert bsm.has_keys and not bsm.has_role and not bsm.has_profile
    assert bsm.assume_role(arn).credential_source == "assume-role"
    assert bsm.assume_role(arn, auto_refresh=True).has_role
    assert bsm.get_session_token().credential_source == "session-token"
    mfa = bsm.get_session_token(
        mfa_serial_number="arn:aws:iam::123456789012:mfa/a", mfa_token="123456"
    )
    assert mfa.has_mfa
    web = bsm.assume_role_with_web_identity(arn, web_identity_token="oidc-token")
    assert web.credential_source == "web-identity"

    core = botocore.session.Session()
    core.set_credentials("AKIACORE", "s")
    assert BotoSesManager(botocore_session=core).credential_source == "explicit-keys"

    (tmp_path / "credentials").write_text(
        "[dev]\naws_access_key_id = A\naws_secret_access_key = B\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    profile = BotoSesManager(profile_name="dev", default_client_kwargs=endpoint)
    assert profile.credential_source == "profile"
    assert profile.has_profile

    assert BotoSesManager(region_name="us-east-1").credential_source == "none"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s")
    assert BotoSesManager().credential_source == "env"
