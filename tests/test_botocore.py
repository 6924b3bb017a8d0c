"""The one door to botocore: every assumption checked at once, handler changes followed."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import botocore
import botocore.credentials
import botocore.handlers
import botocore.hooks
import pytest

from boto_session_manager import BotoSesManager, _botocore
from boto_session_manager._botocore import checks, sharing
from boto_session_manager.exceptions import BotocoreCompatibilityError

from .helpers import error_answer


def offline_manager() -> BotoSesManager:
    return BotoSesManager(
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", region_name="us-east-1"
    )


def test_the_installed_botocore_meets_every_assumption() -> None:
    _botocore.check()


def test_a_missing_internal_is_named_with_the_botocore_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(botocore.hooks, "_PrefixTrie")
    with pytest.raises(BotocoreCompatibilityError) as info:
        _botocore.check()
    message = str(info.value)
    assert f"botocore {botocore.__version__}" in message
    assert "_PrefixTrie" in message


def test_every_broken_assumption_is_listed_in_one_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(botocore.handlers, "BUILTIN_HANDLERS", {})
    monkeypatch.delattr(botocore.credentials.RefreshableCredentials, "_advisory_refresh_timeout")
    with pytest.raises(BotocoreCompatibilityError) as info:
        _botocore.check()
    assert "BUILTIN_HANDLERS" in str(info.value)
    assert "_advisory_refresh_timeout" in str(info.value)


def test_a_check_that_crashes_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    def crashing() -> Any:
        raise KeyError("chunk")

    monkeypatch.setattr(checks, "CHECKS", (crashing,))
    with pytest.raises(BotocoreCompatibilityError, match="crashing: KeyError"):
        _botocore.check()


def test_the_check_runs_once_before_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(checks, "_checked", [])
    monkeypatch.setattr(checks, "check", lambda: (calls.append(1), checks._checked.append(True)))
    _botocore.ensure_checked()
    _botocore.ensure_checked()
    assert calls == [1]


def record_sent_urls(client: Any) -> list[str]:
    urls: list[str] = []
    client.meta.events.register_first("before-send", lambda request, **_: urls.append(request.url))
    return urls


def test_a_handler_appended_to_botocores_builtins_reaches_later_managers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    offline_manager().get_client("sts")  # the template exists before the change
    answered: list[str] = []

    def intercept(request: Any, **_: Any) -> Any:
        answered.append(request.url)
        return error_answer("Intercepted", url=request.url)

    monkeypatch.setattr(
        botocore.handlers,
        "BUILTIN_HANDLERS",
        [*botocore.handlers.BUILTIN_HANDLERS, ("before-send", intercept)],
    )
    client = offline_manager().get_client(
        "sts", config=botocore.config.Config(retries={"max_attempts": 1})
    )
    sent = record_sent_urls(client)
    with pytest.raises(botocore.exceptions.ClientError, match="Intercepted"):
        client.get_caller_identity()
    assert answered == sent == ["https://sts.us-east-1.amazonaws.com/"]


@pytest.mark.slow
def test_a_manager_inside_mock_aws_gets_motos_handlers_when_moto_came_later() -> None:
    script = """
import boto_session_manager
from boto_session_manager import BotoSesManager
keys = dict(aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x", region_name="us-east-1")
BotoSesManager(**keys).get_client("s3")   # the handler template is built before moto
import moto
import botocore.httpsession
escaped = []
def no_network(self, request):  # a request that reached the HTTP layer would leave the host
    escaped.append(request.url)
    raise RuntimeError("no network in this test")
botocore.httpsession.URLLib3Session.send = no_network
with moto.mock_aws():
    s3 = BotoSesManager(**keys).get_client("s3")
    s3.create_bucket(Bucket="made-by-moto")
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
print(names, escaped)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "['made-by-moto'] []"


def test_sessions_built_without_a_change_share_one_template() -> None:
    first = sharing._handler_template()
    assert sharing._handler_template() is first


def test_a_handler_changing_the_model_in_place_changes_only_its_own_manager() -> None:
    changer, other = offline_manager(), offline_manager()

    def rename(service_data: dict[str, Any], **_: Any) -> None:
        service_data["metadata"]["serviceFullName"] = "changed by one manager"

    changer.boto_ses._session.register("service-data-loaded.sts", rename)
    changed = changer.boto_ses._session.get_service_model("sts")
    assert changed.metadata["serviceFullName"] == "changed by one manager"

    original = "AWS Security Token Service"
    assert other.boto_ses._session.get_service_model("sts").metadata["serviceFullName"] == original
    assert other.get_client("sts").meta.service_model.metadata["serviceFullName"] == original
    assert offline_manager().get_client("sts").meta.service_model.metadata["serviceFullName"] == (
        original
    )


def test_a_session_without_model_handlers_reads_the_shared_model() -> None:
    first, second = offline_manager(), offline_manager()
    assert first.boto_ses._session.get_service_data("sts") is (
        second.boto_ses._session.get_service_data("sts")
    )
