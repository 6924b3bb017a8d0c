"""Secrets Manager helpers against the local AWS server."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager.exceptions import (
    NotFoundError,
    SecretNotFoundError,
    TransformError,
)
from boto_session_manager.services import secrets
from boto_session_manager.services._cache import TTLCache

from .helpers import count_calls

SECRET_VALUE = "hunter2-very-secret-value"


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake_time(bsm: BotoSesManager) -> FakeMonotonic:
    """Give the manager's helper cache a clock the test moves."""
    fake = FakeMonotonic()
    bsm._helper_cache = TTLCache(clock=fake)
    return fake


@pytest.fixture
def sm(bsm: BotoSesManager) -> Any:
    return bsm.get_client("secretsmanager")


# ---------------------------------------------------------------- reading


def test_get_secret_returns_the_string_as_stored_without_parsing_json(
    bsm: BotoSesManager, sm: Any
) -> None:
    sm.create_secret(Name="app/config", SecretString='{"user": "app"}')
    assert bsm.get_secret("app/config") == '{"user": "app"}'


def test_get_secret_returns_binary_as_bytes_decoded_once(bsm: BotoSesManager, sm: Any) -> None:
    raw = b"\x00\x01binary\xff"
    sm.create_secret(Name="tls-key", SecretBinary=raw)
    assert bsm.get_secret("tls-key") == raw
    assert bsm.get_secret("tls-key", transform="binary") == raw


def test_get_secret_transform_json_parses(bsm: BotoSesManager, sm: Any) -> None:
    sm.create_secret(Name="db", SecretString='{"user": "app", "port": 5432}')
    assert bsm.get_secret("db", transform="json") == {"user": "app", "port": 5432}


def test_get_secret_transform_binary_decodes_a_base64_string(bsm: BotoSesManager, sm: Any) -> None:
    sm.create_secret(Name="b64", SecretString=base64.b64encode(b"\x10\x20").decode())
    assert bsm.get_secret("b64", transform="binary") == b"\x10\x20"


def test_get_secret_reads_a_version_stage(bsm: BotoSesManager, sm: Any) -> None:
    sm.create_secret(Name="rotated", SecretString="old")
    sm.put_secret_value(SecretId="rotated", SecretString="new")
    assert bsm.get_secret("rotated") == "new"
    assert bsm.get_secret("rotated", version_stage="AWSPREVIOUS") == "old"


def test_get_secret_missing_raises_secret_not_found_naming_it(bsm: BotoSesManager) -> None:
    with pytest.raises(SecretNotFoundError, match="no/such/secret") as info:
        bsm.get_secret("no/such/secret")
    assert isinstance(info.value, NotFoundError)
    assert isinstance(info.value, LookupError)


def test_get_secret_missing_version_raises_secret_not_found(bsm: BotoSesManager, sm: Any) -> None:
    sm.create_secret(Name="versioned", SecretString="v")
    with pytest.raises(SecretNotFoundError, match="versioned"):
        bsm.get_secret("versioned", version_stage="NO_SUCH_STAGE")


@pytest.mark.parametrize(
    ("stored", "transform"),
    [
        (SECRET_VALUE, "json"),
        ("{'single': 'quotes " + SECRET_VALUE + "'}", "json"),
        (SECRET_VALUE + "!!", "binary"),
    ],
)
def test_transform_failure_names_the_secret_and_never_quotes_the_value(
    bsm: BotoSesManager, sm: Any, stored: str, transform: str
) -> None:
    sm.create_secret(Name="broken", SecretString=stored)
    with pytest.raises(TransformError, match="'broken'") as info:
        bsm.get_secret("broken", transform=transform)
    assert SECRET_VALUE not in str(info.value)
    assert SECRET_VALUE not in repr(info.value)
    # The parser's own error would carry the document: it is not chained.
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_transform_json_of_non_utf8_binary_raises_transform_error(
    bsm: BotoSesManager, sm: Any
) -> None:
    sm.create_secret(Name="bin", SecretBinary=b"\xff\xfe\xfa")
    with pytest.raises(TransformError, match="'bin'"):
        bsm.get_secret("bin", transform="json")


def test_unknown_transform_is_refused_before_any_call(bsm: BotoSesManager) -> None:
    calls = count_calls(bsm.get_client("secretsmanager"), "GetSecretValue")
    with pytest.raises(TransformError, match="unknown transform 'yaml'"):
        bsm.get_secret("anything", transform="yaml")
    assert calls == []


@pytest.mark.parametrize(("name", "error"), [("", ValueError), (None, TypeError), (3, TypeError)])
def test_get_secret_rejects_a_bad_name(bsm: BotoSesManager, name: Any, error: type) -> None:
    with pytest.raises(error):
        bsm.get_secret(name)


# ---------------------------------------------------------------- writing


def test_set_secret_creates_then_updates(bsm: BotoSesManager, sm: Any) -> None:
    created = bsm.set_secret("new/secret", "one", Description="made by the test")
    assert created["Name"] == "new/secret"
    updated = bsm.set_secret("new/secret", "two")
    assert updated["VersionId"] != created["VersionId"]
    assert bsm.get_secret("new/secret") == "two"
    assert sm.describe_secret(SecretId="new/secret")["Description"] == "made by the test"


def test_set_secret_stores_a_dict_as_json(bsm: BotoSesManager) -> None:
    bsm.set_secret("as-json", {"user": "app", "n": 1})
    assert bsm.get_secret("as-json", transform="json") == {"user": "app", "n": 1}


def test_set_secret_stores_bytes_as_secret_binary(bsm: BotoSesManager, sm: Any) -> None:
    bsm.set_secret("as-bytes", b"\x00raw")
    assert "SecretBinary" in sm.get_secret_value(SecretId="as-bytes")
    assert bsm.get_secret("as-bytes") == b"\x00raw"


def test_set_secret_uses_the_client_request_token_as_version(bsm: BotoSesManager) -> None:
    token = "0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"
    assert bsm.set_secret("tokened", "v", client_request_token=token)["VersionId"] == token


@pytest.mark.parametrize("value", [1, None, ["a"], 1.5])
def test_set_secret_rejects_other_value_types(bsm: BotoSesManager, value: Any) -> None:
    with pytest.raises(TypeError, match="str, bytes or a mapping"):
        bsm.set_secret("typed", value)


def test_set_secret_works_on_a_plain_client() -> None:
    class Client:
        """A minimal client: the helper only needs these two calls."""

        def __init__(self) -> None:
            self.calls: list[tuple[str, dict[str, Any]]] = []

        def put_secret_value(self, **kwargs: Any) -> dict[str, Any]:
            self.calls.append(("put", kwargs))
            return {"Name": kwargs["SecretId"], "ResponseMetadata": {}}

    client = Client()
    assert secrets.set_secret(client, "x", "v") == {"Name": "x"}
    assert client.calls == [("put", {"SecretId": "x", "SecretString": "v"})]


# ---------------------------------------------------------------- caching


def test_max_age_zero_always_fetches(bsm: BotoSesManager, sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v")
    calls = count_calls(bsm.get_client("secretsmanager"), "GetSecretValue")
    bsm.get_secret("s")
    bsm.get_secret("s")
    assert len(calls) == 2


def test_max_age_serves_from_cache_until_it_expires(
    bsm: BotoSesManager, sm: Any, fake_time: FakeMonotonic
) -> None:
    sm.create_secret(Name="s", SecretString="v1")
    calls = count_calls(bsm.get_client("secretsmanager"), "GetSecretValue")
    assert bsm.get_secret("s", max_age=60) == "v1"
    sm.put_secret_value(SecretId="s", SecretString="v2")  # behind the manager's back
    fake_time.now += 59
    assert bsm.get_secret("s", max_age=60) == "v1"
    assert len(calls) == 1
    fake_time.now += 2
    assert bsm.get_secret("s", max_age=60) == "v2"
    assert len(calls) == 2


def test_a_reader_with_a_smaller_max_age_does_not_get_an_older_value(
    bsm: BotoSesManager, sm: Any, fake_time: FakeMonotonic
) -> None:
    sm.create_secret(Name="s", SecretString="v1")
    bsm.get_secret("s", max_age=3600)
    sm.put_secret_value(SecretId="s", SecretString="v2")
    fake_time.now += 30
    assert bsm.get_secret("s", max_age=3600) == "v1"
    assert bsm.get_secret("s", max_age=10) == "v2"


def test_force_fetch_bypasses_the_cache(bsm: BotoSesManager, sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v1")
    bsm.get_secret("s", max_age=600)
    sm.put_secret_value(SecretId="s", SecretString="v2")
    assert bsm.get_secret("s", max_age=600) == "v1"
    assert bsm.get_secret("s", max_age=600, force_fetch=True) == "v2"
    assert bsm.get_secret("s", max_age=600) == "v2"


def test_set_secret_through_the_manager_invalidates_that_name(bsm: BotoSesManager, sm: Any) -> None:
    bsm.set_secret("s", "v1")
    bsm.set_secret("other", "o1")
    assert bsm.get_secret("s", max_age=600) == "v1"
    assert bsm.get_secret("other", max_age=600) == "o1"
    calls = count_calls(bsm.get_client("secretsmanager"), "GetSecretValue")
    bsm.set_secret("s", "v2")
    assert bsm.get_secret("s", max_age=600) == "v2"
    assert bsm.get_secret("other", max_age=600) == "o1"
    assert [c["SecretId"] for c in calls] == ["s"]


def test_a_read_racing_a_write_never_caches_the_value_from_before_the_write(
    bsm: BotoSesManager, sm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    bsm.set_secret("s", "old")
    fetch = sm.get_secret_value

    def fetch_then_someone_writes(**kwargs: Any) -> Any:
        response = fetch(**kwargs)  # the read got "old" ...
        monkeypatch.setattr(sm, "get_secret_value", fetch)
        bsm.set_secret("s", "new")  # ... then a write lands before it is cached
        return response

    monkeypatch.setattr(sm, "get_secret_value", fetch_then_someone_writes)
    assert bsm.get_secret("s", max_age=600) == "old"
    assert bsm.get_secret("s", max_age=600) == "new"


def test_ttl_cache_put_skips_a_value_fetched_before_an_invalidation() -> None:
    cache = TTLCache()
    before = cache.generation
    cache.invalidate(lambda key: False)  # even one that drops nothing
    cache.put("k", "stale", 60, if_generation=before)
    assert cache.get("k") is None
    before = cache.generation
    cache.clear()
    cache.put("k", "stale", 60, if_generation=before)
    assert cache.get("k") is None
    cache.put("k", "fresh", 60, if_generation=cache.generation)
    assert cache.get("k") == "fresh"


def test_cache_key_includes_the_version(bsm: BotoSesManager, sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="old")
    sm.put_secret_value(SecretId="s", SecretString="new")
    assert bsm.get_secret("s", max_age=600) == "new"
    assert bsm.get_secret("s", version_stage="AWSPREVIOUS", max_age=600) == "old"
    assert bsm.get_secret("s", max_age=600) == "new"


def test_each_json_reader_gets_its_own_dict(bsm: BotoSesManager) -> None:
    bsm.set_secret("s", {"a": 1})
    first = bsm.get_secret("s", transform="json", max_age=600)
    first["a"] = "mutated by the caller"
    assert bsm.get_secret("s", transform="json", max_age=600) == {"a": 1}
    assert bsm.get_secret("s", max_age=600) == '{"a":1}'


def test_clear_cache_drops_cached_secrets(bsm: BotoSesManager, sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v1")
    bsm.get_secret("s", max_age=600)
    sm.put_secret_value(SecretId="s", SecretString="v2")
    bsm.clear_cache()
    assert bsm.get_secret("s", max_age=600) == "v2"


def test_secret_values_never_appear_in_reprs(bsm: BotoSesManager) -> None:
    bsm.set_secret("s", SECRET_VALUE)
    bsm.get_secret("s", max_age=600)
    assert SECRET_VALUE not in repr(bsm)
    assert SECRET_VALUE not in repr(bsm.helpers.cache)


def test_the_cache_is_safe_under_many_threads(bsm: BotoSesManager) -> None:
    from concurrent.futures import ThreadPoolExecutor

    bsm.set_secret("s", "v")
    read: Callable[[int], Any] = lambda _: bsm.get_secret("s", max_age=600)  # noqa: E731
    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(read, range(64))) == {"v"}


# ------------------------------------------------------------ SDK options


def test_get_secret_passes_sdk_options_and_keys_the_cache_by_them(
    bsm: BotoSesManager, sm: Any
) -> None:
    token = "0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"
    sm.create_secret(Name="opt", SecretString="one", ClientRequestToken=token)
    sm.put_secret_value(SecretId="opt", SecretString="two")
    calls = count_calls(bsm.get_client("secretsmanager"), "GetSecretValue")
    assert bsm.get_secret("opt", VersionId=token, max_age=60) == "one"
    assert bsm.get_secret("opt", version_id=token, max_age=60) == "one"  # same entry
    assert bsm.get_secret("opt", max_age=60) == "two"
    assert bsm.get_secret("opt", VersionStage="AWSPREVIOUS", max_age=60) == "one"
    assert [c.get("VersionId") or c.get("VersionStage") for c in calls] == [
        token,
        None,
        "AWSPREVIOUS",
    ]


@pytest.mark.parametrize(
    "kwargs",
    [{"SecretId": "x"}, {"version_id": "a", "VersionId": "b"}],
)
def test_get_secret_refuses_an_option_given_twice(bsm: BotoSesManager, kwargs: Any) -> None:
    from boto_session_manager.exceptions import InvalidArgumentError

    with pytest.raises(InvalidArgumentError):
        bsm.get_secret("opt", **kwargs)


def test_set_secret_update_passes_its_options(bsm: BotoSesManager, sm: Any) -> None:
    bsm.set_secret("upd", "one")
    puts = count_calls(bsm.get_client("secretsmanager"), "PutSecretValue")
    updates = count_calls(bsm.get_client("secretsmanager"), "UpdateSecret")
    bsm.set_secret("upd", "two", Description="now described")
    assert puts == []
    sent = {k: v for k, v in updates[0].items() if k != "ClientRequestToken"}  # botocore's own
    assert sent == {"SecretId": "upd", "SecretString": "two", "Description": "now described"}
    assert sm.describe_secret(SecretId="upd")["Description"] == "now described"
    bsm.set_secret("upd", "three", VersionStages=["AWSCURRENT", "MINE"])
    assert puts[0]["VersionStages"] == ["AWSCURRENT", "MINE"]
    assert bsm.get_secret("upd", VersionStage="MINE") == "three"


def test_set_secret_options_only_a_new_secret_takes(bsm: BotoSesManager, sm: Any) -> None:
    from boto_session_manager.exceptions import InvalidArgumentError

    tags = [{"Key": "team", "Value": "a"}]
    bsm.set_secret("tagged", "v", Tags=tags)
    assert sm.describe_secret(SecretId="tagged")["Tags"] == tags
    with pytest.raises(InvalidArgumentError, match="only when creating"):
        bsm.set_secret("tagged", "w", Tags=tags)
    assert bsm.get_secret("tagged") == "v"
    with pytest.raises(InvalidArgumentError, match="VersionStages"):
        bsm.set_secret("brand-new", "v", VersionStages=["X"])
    with pytest.raises(InvalidArgumentError, match="no single call"):
        bsm.set_secret("tagged", "v", Tags=tags, VersionStages=["X"])
    with pytest.raises(InvalidArgumentError, match="no single call"):
        bsm.set_secret("tagged", "v", Description="d", VersionStages=["X"])
    with pytest.raises(InvalidArgumentError, match="SecretString"):
        bsm.set_secret("tagged", "v", SecretString="w")
