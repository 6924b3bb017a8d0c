"""Managers pickle as credentials plus recipe, and keep refreshing in another process."""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager.credentials import utc_now
from boto_session_manager.exceptions import UnpicklableRecipeError
from boto_session_manager.testing import DEFAULT_ACCOUNT_ID, TEST_ACCESS_KEY_ID, LocalAWS

from .helpers import FakeClock, count_calls, create_role

OTHER = "111111111111"


def roundtrip(bsm: BotoSesManager) -> BotoSesManager:
    copy = pickle.loads(pickle.dumps(bsm))  # noqa: S301 - our own bytes
    assert isinstance(copy, BotoSesManager)
    return copy


def test_static_manager_pickles_its_keys_not_its_clients(bsm: BotoSesManager) -> None:
    client = bsm.get_client("sts")

    copy = roundtrip(bsm)

    assert copy.aws_access_key_id == TEST_ACCESS_KEY_ID
    assert copy.aws_secret_access_key == bsm.aws_secret_access_key
    assert copy.default_client_kwargs == bsm.default_client_kwargs
    assert copy.region_name == bsm.region_name
    assert copy.get_client("sts") is not client
    assert copy.aws_account_id == DEFAULT_ACCOUNT_ID


def test_profile_manager_pickles_its_settings_only() -> None:
    bsm = BotoSesManager(profile_name="dev", region_name="eu-west-1")

    state = bsm.__getstate__()
    copy = roundtrip(bsm)

    assert state["keys"] is None
    assert (copy.profile_name, copy.region_name) == ("dev", "eu-west-1")
    assert copy.aws_access_key_id is None


def test_pickle_holds_no_session_client_or_lock(bsm: BotoSesManager) -> None:
    bsm.get_client("s3")

    state = bsm.__getstate__()

    for value in state.values():
        assert "Session" not in type(value).__name__
        assert "lock" not in type(value).__name__.lower()
    assert b"botocore" not in pickle.dumps(bsm)


def test_assumed_manager_keeps_its_keys_and_recipe(bsm: BotoSesManager) -> None:
    assumed = bsm.assume_role(create_role(bsm, account_id=OTHER), duration_seconds=900)

    copy = roundtrip(assumed)

    assert copy.get_frozen_credentials() == assumed.get_frozen_credentials()
    assert copy.expiration_time == assumed.expiration_time
    assert copy.recipe.source == "assume-role"
    assert copy.recipe.params == assumed.recipe.params
    assert copy.recipe.parent.aws_access_key_id == TEST_ACCESS_KEY_ID
    assert copy.aws_account_id == OTHER


def test_auto_refresh_manager_starts_from_its_current_keys(bsm: BotoSesManager) -> None:
    assumed = bsm.assume_role(create_role(bsm, account_id=OTHER), auto_refresh=True)
    calls: list[str] = []
    bsm.get_client("sts").meta.events.register(
        "before-call.sts.AssumeRole", lambda **_: calls.append("x")
    )

    copy = roundtrip(assumed)

    assert copy.get_frozen_credentials() == assumed.get_frozen_credentials()
    assert calls == []  # the copy's parent is a copy too: it has its own STS client
    assert copy.credential_expiration == assumed.credential_expiration


def test_unpicklable_clock_is_replaced_by_utc_now(bsm: BotoSesManager) -> None:
    local = aws_manager_with_clock(bsm, lambda: utc_now())

    assert roundtrip(local).clock is utc_now


def aws_manager_with_clock(bsm: BotoSesManager, clock: Any) -> BotoSesManager:
    return BotoSesManager(
        aws_access_key_id=bsm.aws_access_key_id,
        aws_secret_access_key=bsm.aws_secret_access_key,
        default_client_kwargs=bsm.default_client_kwargs,
        region_name=bsm.region_name,
        clock=clock,
    )


def test_refreshing_role_needing_mfa_refuses_to_refresh_after_unpickling(
    bsm: BotoSesManager, clock: FakeClock
) -> None:
    root = aws_manager_with_clock(bsm, clock)
    assumed = root.assume_role(
        create_role(bsm, account_id=OTHER),
        duration_seconds=900,
        mfa_serial_number="arn:aws:iam::123456789012:mfa/alice",
        mfa_token="123456",
        auto_refresh=True,
    )
    copy = roundtrip(assumed)
    copy.get_frozen_credentials()  # the carried keys still work

    copy.clock.advance(800)  # type: ignore[attr-defined]
    with pytest.raises(UnpicklableRecipeError, match="MFA code"):
        copy.get_frozen_credentials()


def _child_refreshes(blob: bytes) -> tuple[str, str, str]:
    """In a worker process: use the carried keys, jump the clock, refresh by itself."""
    bsm = pickle.loads(blob)  # noqa: S301 - our own bytes
    before = bsm.get_frozen_credentials().access_key
    bsm.clock.advance(800)  # inside the 150 s mandatory window of 900 s credentials
    after = bsm.get_frozen_credentials().access_key
    return before, after, bsm.aws_account_id


@pytest.mark.slow
def test_auto_refresh_manager_refreshes_by_itself_in_a_process_pool(
    bsm: BotoSesManager, clock: FakeClock
) -> None:
    root = aws_manager_with_clock(bsm, clock)
    chained = root.assume_role(create_role(bsm, "hop"), duration_seconds=900, auto_refresh=True)
    assumed = chained.assume_role(
        create_role(bsm, account_id=OTHER), duration_seconds=900, auto_refresh=True
    )
    key = assumed.get_frozen_credentials().access_key

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        before, after, account = pool.submit(_child_refreshes, pickle.dumps(assumed)).result(60)

    assert before == key
    assert after != key
    assert account == OTHER


def _account_of(bsm: BotoSesManager) -> str:
    return bsm.aws_account_id


@pytest.mark.slow
def test_dask_local_cluster_runs_tasks_with_a_pickled_manager(
    aws: LocalAWS, bsm: BotoSesManager
) -> None:
    distributed = pytest.importorskip("distributed", reason="dask[distributed] not installed")
    assumed = bsm.assume_role(create_role(bsm, account_id=OTHER), auto_refresh=True)
    try:
        cluster = distributed.LocalCluster(
            processes=True, n_workers=1, threads_per_worker=1, dashboard_address=None
        )
    except Exception as exc:  # pragma: no cover - environment dependent
        pytest.skip(f"dask LocalCluster cannot start here: {exc}")
    with cluster, distributed.Client(cluster) as client:
        futures = client.map(_account_of, [bsm, assumed], pure=False)
        assert client.gather(futures, errors="raise") == [DEFAULT_ACCOUNT_ID, OTHER]


def test_manager_on_a_callers_botocore_session_pickles_its_current_keys(aws: LocalAWS) -> None:
    session = botocore.session.Session()
    session.set_credentials("AKIACALLERSESSION000", "caller-secret")
    bsm = BotoSesManager(
        botocore_session=session,
        region_name="us-east-1",
        default_client_kwargs={"endpoint_url": aws.endpoint_url},
    )

    copy = roundtrip(bsm)

    assert copy.botocore_session is None
    assert copy.aws_access_key_id == "AKIACALLERSESSION000"
    assert copy.aws_account_id == DEFAULT_ACCOUNT_ID


def test_refreshing_session_token_manager_refreshes_after_unpickling(
    bsm: BotoSesManager, clock: FakeClock
) -> None:
    session = aws_manager_with_clock(bsm, clock).get_session_token(
        duration_seconds=900, auto_refresh=True
    )
    session.get_frozen_credentials()

    copy = roundtrip(session)
    calls = count_calls(copy.recipe.parent.get_client("sts"), "GetSessionToken")  # type: ignore[union-attr]
    copy.get_frozen_credentials()
    copy.clock.advance(800)  # type: ignore[attr-defined]
    copy.get_frozen_credentials()

    assert len(calls) == 1  # the carried keys first, then one refresh when due


def test_refreshing_web_identity_manager_rereads_its_token_file(
    bsm: BotoSesManager, clock: FakeClock, tmp_path: Path
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("header.payload.signature")
    root = aws_manager_with_clock(bsm, clock)
    role = create_role(bsm, account_id=OTHER)
    from_file = root.assume_role_with_web_identity(
        role, web_identity_token_file=token_file, duration_seconds=900, auto_refresh=True
    )
    literal = root.assume_role_with_web_identity(
        role, web_identity_token="header.payload.signature", duration_seconds=900, auto_refresh=True
    )

    copies = roundtrip(from_file), roundtrip(literal)
    parent_sts = copies[0].recipe.parent.get_client("sts", unsigned=True)  # type: ignore[union-attr]
    calls = count_calls(parent_sts, "AssumeRoleWithWebIdentity")
    for copy in copies:
        copy.get_frozen_credentials()
        copy.clock.advance(800)  # type: ignore[attr-defined]

    copies[0].get_frozen_credentials()
    assert len(calls) == 1
    with pytest.raises(UnpicklableRecipeError, match="web identity token"):
        copies[1].get_frozen_credentials()


def test_state_from_another_version_is_refused(bsm: BotoSesManager) -> None:
    state = bsm.__getstate__()
    blank = BotoSesManager.__new__(BotoSesManager)

    with pytest.raises(UnpicklableRecipeError, match="state version 99"):
        blank.__setstate__(dict(state, version=99))
