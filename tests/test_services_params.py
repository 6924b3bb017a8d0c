"""SSM Parameter Store helpers against the local AWS server."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager.exceptions import ParameterNotFoundError, TransformError
from boto_session_manager.services import params
from boto_session_manager.services._common import to_json

from .helpers import count_calls


@pytest.fixture
def ssm(bsm: BotoSesManager) -> Any:
    return bsm.get_client("ssm")


# ------------------------------------------------------------ get_parameter


def test_get_parameter_returns_the_value(bsm: BotoSesManager) -> None:
    bsm.put_parameter("/app/url", "https://example.com")
    assert bsm.get_parameter("/app/url") == "https://example.com"


def test_get_parameter_decrypts_a_secure_string_by_default(bsm: BotoSesManager) -> None:
    bsm.put_parameter("/app/password", "p@ss", type="SecureString")
    assert bsm.get_parameter("/app/password") == "p@ss"
    assert bsm.get_parameter("/app/password", with_decryption=False) != "p@ss"


def test_cache_key_includes_the_decryption_flag(bsm: BotoSesManager) -> None:
    bsm.put_parameter("/app/password", "p@ss", type="SecureString")
    ciphertext = bsm.get_parameter("/app/password", with_decryption=False, max_age=600)
    assert bsm.get_parameter("/app/password", max_age=600) == "p@ss"
    assert bsm.get_parameter("/app/password", with_decryption=False, max_age=600) == ciphertext


def test_get_parameter_transform_json(bsm: BotoSesManager) -> None:
    bsm.put_parameter("/app/limits", {"rps": 10})
    assert bsm.get_parameter("/app/limits", transform="json") == {"rps": 10}


def test_get_parameter_transform_failure_never_quotes_the_value(bsm: BotoSesManager) -> None:
    bsm.put_parameter("/app/token", "tok-sensitive-123", type="SecureString")
    with pytest.raises(TransformError, match="/app/token") as info:
        bsm.get_parameter("/app/token", transform="json")
    assert "tok-sensitive-123" not in str(info.value)


def test_get_parameter_missing_raises_naming_it(bsm: BotoSesManager) -> None:
    with pytest.raises(ParameterNotFoundError, match="/no/such") as info:
        bsm.get_parameter("/no/such")
    assert info.value.names == ["/no/such"]


def test_get_parameter_missing_version_raises(bsm: BotoSesManager) -> None:
    bsm.put_parameter("/app/v", "1")
    with pytest.raises(ParameterNotFoundError):
        bsm.get_parameter("/app/v:7")


@pytest.mark.parametrize(("name", "error"), [("", ValueError), (None, TypeError)])
def test_get_parameter_rejects_a_bad_name(bsm: BotoSesManager, name: Any, error: type) -> None:
    with pytest.raises(error):
        bsm.get_parameter(name)


def test_get_parameter_caches_and_put_parameter_invalidates(bsm: BotoSesManager) -> None:
    bsm.put_parameter("/app/a", "1")
    bsm.put_parameter("/app/b", "1")
    assert bsm.get_parameter("/app/a", max_age=600) == "1"
    assert bsm.get_parameter("/app/b", max_age=600) == "1"
    calls = count_calls(bsm.get_client("ssm"), "GetParameter")
    assert bsm.get_parameter("/app/a", max_age=600) == "1"
    assert calls == []
    bsm.put_parameter("/app/a", "2")
    assert bsm.get_parameter("/app/a", max_age=600) == "2"
    assert bsm.get_parameter("/app/b", max_age=600) == "1"
    assert [c["Name"] for c in calls] == ["/app/a"]


def test_a_read_racing_put_parameter_never_caches_the_old_value(
    bsm: BotoSesManager, ssm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    bsm.put_parameter("/app/a", "old")
    fetch = ssm.get_parameter

    def fetch_then_someone_writes(**kwargs: Any) -> Any:
        response = fetch(**kwargs)
        monkeypatch.setattr(ssm, "get_parameter", fetch)
        bsm.put_parameter("/app/a", "new")
        return response

    monkeypatch.setattr(ssm, "get_parameter", fetch_then_someone_writes)
    assert bsm.get_parameter("/app/a", max_age=600) == "old"
    assert bsm.get_parameter("/app/a", max_age=600) == "new"


def test_get_parameter_force_fetch_and_max_age_zero_fetch(bsm: BotoSesManager, ssm: Any) -> None:
    bsm.put_parameter("/app/a", "1")
    bsm.get_parameter("/app/a", max_age=600)
    ssm.put_parameter(Name="/app/a", Value="2", Type="String", Overwrite=True)
    assert bsm.get_parameter("/app/a", max_age=600) == "1"
    assert bsm.get_parameter("/app/a") == "2"
    assert bsm.get_parameter("/app/a", max_age=600, force_fetch=True) == "2"


# ----------------------------------------------------------- get_parameters


def test_get_parameters_batches_by_ten_and_returns_every_value(bsm: BotoSesManager) -> None:
    names = [f"/batch/p{i:02d}" for i in range(25)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: bsm.put_parameter(n, n.upper()), names))
    calls = count_calls(bsm.get_client("ssm"), "GetParameters")
    assert bsm.get_parameters(names) == {n: n.upper() for n in names}
    assert [len(c["Names"]) for c in calls] == [10, 10, 5]


def test_get_parameters_reports_every_missing_name_across_batches(bsm: BotoSesManager) -> None:
    present = [f"/p/{i:02d}" for i in range(12)]
    for name in present:
        bsm.put_parameter(name, "x")
    asked = ["/missing/a", *present[:9], "/missing/b", *present[9:], "/missing/c"]
    with pytest.raises(ParameterNotFoundError) as info:
        bsm.get_parameters(asked)
    assert info.value.names == ["/missing/a", "/missing/b", "/missing/c"]
    assert "'/missing/c'" in str(info.value)


def test_get_parameters_asks_for_duplicates_once(bsm: BotoSesManager) -> None:
    bsm.put_parameter("/d", "1")
    calls = count_calls(bsm.get_client("ssm"), "GetParameters")
    assert bsm.get_parameters(["/d", "/d"]) == {"/d": "1"}
    assert calls[0]["Names"] == ["/d"]


def test_get_parameters_of_nothing_makes_no_call(bsm: BotoSesManager) -> None:
    calls = count_calls(bsm.get_client("ssm"), "GetParameters")
    assert bsm.get_parameters([]) == {}
    assert calls == []


def test_get_parameters_with_decryption(bsm: BotoSesManager) -> None:
    bsm.put_parameter("/s", "plain", type="SecureString")
    assert bsm.get_parameters(["/s"], with_decryption=True) == {"/s": "plain"}


def test_get_parameters_rejects_a_single_string(bsm: BotoSesManager) -> None:
    with pytest.raises(TypeError, match="single string"):
        bsm.get_parameters("/app/a")


def test_get_parameters_keeps_the_asked_spelling_of_a_version_selector() -> None:
    class Client:
        def get_parameters(self, **kwargs: Any) -> dict[str, Any]:
            return {
                "Parameters": [{"Name": "/v", "Selector": ":2", "Value": "two"}],
                "InvalidParameters": [],
            }

    assert params.get_parameters(Client(), ["/v:2"]) == {"/v:2": "two"}


def test_get_parameters_never_returns_a_partial_dict_when_aws_omits_a_name() -> None:
    class Client:
        """Answers without listing the name anywhere: still reported missing."""

        def get_parameters(self, **kwargs: Any) -> dict[str, Any]:
            return {"Parameters": [{"Name": "/a", "Value": "1"}]}

    with pytest.raises(ParameterNotFoundError) as info:
        params.get_parameters(Client(), ["/a", "/b"])
    assert info.value.names == ["/b"]


# --------------------------------------------------- get_parameters_by_path


@pytest.fixture
def sixty(bsm: BotoSesManager) -> dict[str, str]:
    """60 parameters under /svc: 40 directly below, 20 one level deeper."""
    names = [f"/svc/p{i:02d}" for i in range(40)] + [f"/svc/deep/q{i:02d}" for i in range(20)]
    ssm = bsm.get_client("ssm")

    def put(name: str) -> None:
        ssm.put_parameter(Name=name, Value=name[::-1], Type="String")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put, names))
    return {n: n[::-1] for n in names}


def test_get_parameters_by_path_follows_every_page(
    bsm: BotoSesManager, sixty: dict[str, str]
) -> None:
    calls = count_calls(bsm.get_client("ssm"), "GetParametersByPath")
    assert bsm.get_parameters_by_path("/svc", recursive=True) == sixty
    assert len(calls) > 1


def test_get_parameters_by_path_one_level_unless_recursive(
    bsm: BotoSesManager, sixty: dict[str, str]
) -> None:
    direct = bsm.get_parameters_by_path("/svc")
    assert sorted(direct) == sorted(n for n in sixty if not n.startswith("/svc/deep/"))


def test_get_parameters_by_path_of_an_empty_path_is_empty(bsm: BotoSesManager) -> None:
    assert bsm.get_parameters_by_path("/nothing/here") == {}


def test_get_parameters_by_path_follows_an_empty_page_with_a_token() -> None:
    class Client:
        def __init__(self) -> None:
            self.pages = [
                {"Parameters": [], "NextToken": "t1"},
                {"Parameters": [{"Name": "/a/x", "Value": "1"}]},
            ]

        def get_parameters_by_path(self, **kwargs: Any) -> dict[str, Any]:
            return self.pages.pop(0)

    assert params.get_parameters_by_path(Client(), "/a") == {"/a/x": "1"}


@pytest.mark.parametrize("path", ["", "svc", None])
def test_get_parameters_by_path_rejects_a_relative_path(bsm: BotoSesManager, path: Any) -> None:
    with pytest.raises(ValueError, match="starting with '/'"):
        bsm.get_parameters_by_path(path)


# ------------------------------------------------------------ put_parameter


def test_put_parameter_returns_the_new_version(bsm: BotoSesManager) -> None:
    assert bsm.put_parameter("/v", "1") == 1
    assert bsm.put_parameter("/v", "2") == 2


def test_put_parameter_stores_a_mapping_as_json(bsm: BotoSesManager, ssm: Any) -> None:
    bsm.put_parameter("/j", {"a": [1, 2]})
    assert ssm.get_parameter(Name="/j")["Parameter"]["Value"] == '{"a":[1,2]}'


def test_put_parameter_without_overwrite_refuses_an_existing_name(bsm: BotoSesManager) -> None:
    from botocore.exceptions import ClientError

    bsm.put_parameter("/once", "1")
    with pytest.raises(ClientError, match="ParameterAlreadyExists"):
        bsm.put_parameter("/once", "2", overwrite=False)


def test_put_parameter_stores_decimals_exactly(bsm: BotoSesManager, ssm: Any) -> None:
    bsm.put_parameter("/d", {"n": Decimal("3"), "big": Decimal("1E+20"), "f": Decimal("9.5")})
    value = ssm.get_parameter(Name="/d")["Parameter"]["Value"]
    assert value == '{"n":3,"big":100000000000000000000,"f":9.5}'


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        (Decimal("NaN"), "NaN or Infinity"),
        (Decimal("Infinity"), "NaN or Infinity"),
        (Decimal("-Infinity"), "NaN or Infinity"),
        (Decimal("0.1000000000000000000001"), "without losing precision"),
    ],
)
def test_put_parameter_refuses_a_decimal_json_cannot_hold_exactly(
    bsm: BotoSesManager, ssm: Any, number: Decimal, problem: str
) -> None:
    with pytest.raises(TypeError, match=problem) as caught:
        bsm.put_parameter("/d", {"n": number})
    assert "0000001" not in str(caught.value)  # the value is never quoted
    assert ssm.describe_parameters()["Parameters"] == []


@pytest.mark.parametrize("number", [float("nan"), float("inf"), -float("inf")])
def test_put_parameter_refuses_a_float_json_cannot_hold(
    bsm: BotoSesManager, ssm: Any, number: float
) -> None:
    with pytest.raises(TypeError, match="NaN or Infinity"):
        bsm.put_parameter("/f", {"n": number})
    assert ssm.describe_parameters()["Parameters"] == []


def test_to_json_reports_a_circular_value_as_json_does() -> None:
    looped: list[Any] = []
    looped.append(looped)
    with pytest.raises(ValueError, match="Circular reference"):
        to_json({"n": looped})


def test_to_json_writes_a_decimal_only_when_exact() -> None:
    assert to_json([Decimal("0.1"), Decimal("-2"), Decimal("2.50")]) == "[0.1,-2,2.5]"
    with pytest.raises(TypeError):
        to_json(Decimal("1.5E-400"))  # a float would round it to 0.0


def test_put_parameter_with_tags_creates_then_overwrites_and_retags(
    bsm: BotoSesManager, ssm: Any
) -> None:
    def tags() -> dict[str, str]:
        found = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/t")
        return {t["Key"]: t["Value"] for t in found["TagList"]}

    assert bsm.put_parameter("/t", "1", Tags=[{"Key": "team", "Value": "a"}]) == 1
    assert tags() == {"team": "a"}
    calls = count_calls(bsm.get_client("ssm"), "PutParameter")
    version = bsm.put_parameter(
        "/t", "2", Description="d", Tags=[{"Key": "team", "Value": "b"}, {"Key": "x", "Value": "y"}]
    )
    assert version == 2
    assert ssm.get_parameter(Name="/t")["Parameter"]["Value"] == "2"
    assert tags() == {"team": "b", "x": "y"}
    assert [("Tags" in c, c.get("Overwrite")) for c in calls] == [(True, None), (False, True)]
    assert all(c["Description"] == "d" for c in calls)


def test_put_parameter_with_tags_and_no_overwrite_refuses_an_existing_name(
    bsm: BotoSesManager,
) -> None:
    from botocore.exceptions import ClientError

    bsm.put_parameter("/t", "1")
    with pytest.raises(ClientError, match="ParameterAlreadyExists"):
        bsm.put_parameter("/t", "2", overwrite=False, Tags=[{"Key": "k", "Value": "v"}])
    assert bsm.get_parameter("/t") == "1"


def test_put_parameter_rejects_an_unknown_type(bsm: BotoSesManager) -> None:
    with pytest.raises(ValueError, match="unknown parameter type 'Secret'"):
        bsm.put_parameter("/t", "v", type="Secret")


@pytest.mark.parametrize("value", [1, None, b"bytes"])
def test_put_parameter_rejects_other_value_types(bsm: BotoSesManager, value: Any) -> None:
    with pytest.raises(TypeError):
        bsm.put_parameter("/t", value)


def test_get_parameter_sdk_options_are_part_of_the_cache_key(bsm: BotoSesManager) -> None:
    from boto_session_manager.exceptions import InvalidArgumentError

    bsm.put_parameter("/opt/p", "v")
    assert bsm.get_parameter("/opt/p", max_age=60) == "v"
    with pytest.raises(InvalidArgumentError, match="with_decryption"):
        bsm.get_parameter("/opt/p", WithDecryption=False)
    with pytest.raises(InvalidArgumentError, match="Path"):
        bsm.get_parameters_by_path("/opt", Path="/x")


def test_get_parameters_by_path_passes_its_sdk_options(bsm: BotoSesManager) -> None:
    for i in range(3):
        bsm.put_parameter(f"/pf/p{i}", str(i))
    calls = count_calls(bsm.get_client("ssm"), "GetParametersByPath")
    assert len(bsm.get_parameters_by_path("/pf", MaxResults=1)) == 3
    assert len(calls) >= 3 and {c["MaxResults"] for c in calls} == {1}
