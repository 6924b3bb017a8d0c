"""The Powertools parameters documentation's examples, run with only the import line changed."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest
from botocore.config import Config

from boto_session_manager import BotoSesManager
from boto_session_manager.compat import powertools as parameters
from boto_session_manager.compat.powertools import (
    GetParameterError,
    SecretsProvider,
    SetSecretError,
    SSMProvider,
    TransformParameterError,
    clear_caches,
    get_parameter,
    get_parameters,
    get_secret,
    set_secret,
)
from boto_session_manager.exceptions import (
    BotoSessionManagerError,
    InvalidArgumentError,
    SecretNotFoundError,
    TransformError,
)
from boto_session_manager.testing import LocalAWS

from .conftest import Recorder

VERSION = "f658cac0-98a5-41d9-b993-8a76a7799194"


@pytest.fixture
def my_secret(default_bsm: BotoSesManager) -> Any:
    """my-secret: an old version with the documented VersionId, then a current one."""
    sm = default_bsm.get_client("secretsmanager")
    sm.create_secret(Name="my-secret", SecretString='{"v": "old"}', ClientRequestToken=VERSION)
    sm.put_secret_value(SecretId="my-secret", SecretString='{"v": "new"}')
    return sm


# ------------------------------------------------------------ the examples


def test_example_get_secret(my_secret: Any) -> None:
    assert get_secret("my-secret") == '{"v": "new"}'


def test_example_get_secret_json(my_secret: Any) -> None:
    assert get_secret("my-secret", transform="json") == {"v": "new"}


def test_example_get_secret_with_sdk_options(my_secret: Any, recorder: Recorder) -> None:
    recorder.clear()
    assert get_secret("my-secret", VersionId=VERSION) == '{"v": "old"}'
    (request,) = recorder.requests("GetSecretValue")
    assert request.params == {"SecretId": "my-secret", "VersionId": VERSION}


def test_example_set_secret(default_bsm: BotoSesManager) -> None:
    parameters.set_secret(name="llamas-are-awesome", value="supers3cr3tllam@passw0rd")
    assert default_bsm.get_secret("llamas-are-awesome") == "supers3cr3tllam@passw0rd"


def test_example_set_secret_with_a_token(default_bsm: BotoSesManager) -> None:
    token = str(uuid.uuid4())
    response = parameters.set_secret(
        name="my-secret",
        value='{"password": "supers3cr3tllam@passw0rd"}',
        client_request_token=token,
    )
    assert response["VersionId"] == token
    assert default_bsm.get_secret("my-secret", transform="json") == {
        "password": "supers3cr3tllam@passw0rd"
    }


def test_example_secrets_provider(
    default_bsm: BotoSesManager, capsys: pytest.CaptureFixture[str]
) -> None:
    default_bsm.get_client("secretsmanager").create_secret(
        Name="my-parameter", SecretString="My parameter value", ClientRequestToken=VERSION
    )

    secrets_provider = SecretsProvider()
    value = secrets_provider.get("my-parameter")
    print(value)
    value = secrets_provider.get("my-parameter", VersionId=VERSION)
    print(value)

    assert capsys.readouterr().out == "My parameter value\n" * 2


def test_example_secrets_provider_in_another_region(
    default_bsm: BotoSesManager, capsys: pytest.CaptureFixture[str]
) -> None:
    west = default_bsm.get_client("secretsmanager", region_name="us-west-1")
    west.create_secret(Name="my-parameter", SecretString="My parameter value")

    config = Config(region_name="us-west-1")
    secrets_provider = SecretsProvider(config=config)
    value = secrets_provider.get("my-parameter")
    print(value)

    assert capsys.readouterr().out == "My parameter value\n"
    with pytest.raises(GetParameterError):
        SecretsProvider().get("my-parameter")  # not in the default region


# ---------------------------------------------------------------- the shapes


def test_reads_are_cached_300_seconds_by_default(my_secret: Any, recorder: Recorder) -> None:
    recorder.clear()
    for _ in range(3):
        get_secret("my-secret")
    get_secret("my-secret", force_fetch=True)
    get_secret("my-secret", VersionId=VERSION)  # other options: another entry
    get_secret("my-secret", VersionId=VERSION)
    assert len(recorder.requests("GetSecretValue")) == 3
    assert parameters.DEFAULT_MAX_AGE_SECS == 300


def test_max_age_comes_from_the_environment(
    my_secret: Any, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWERTOOLS_PARAMETERS_MAX_AGE", "0")
    recorder.clear()
    get_secret("my-secret")
    get_secret("my-secret")
    assert len(recorder.requests("GetSecretValue")) == 2
    monkeypatch.setenv("POWERTOOLS_PARAMETERS_MAX_AGE", "soon")
    with pytest.raises(GetParameterError, match="POWERTOOLS_PARAMETERS_MAX_AGE") as caught:
        get_secret("my-secret")
    assert isinstance(caught.value.__cause__, InvalidArgumentError)


def test_clear_caches_makes_the_next_read_fetch(my_secret: Any, recorder: Recorder) -> None:
    get_secret("my-secret")
    clear_caches()
    recorder.clear()
    get_secret("my-secret")
    assert len(recorder.requests("GetSecretValue")) == 1


def test_set_secret_update_sends_its_options_exactly(my_secret: Any, recorder: Recorder) -> None:
    recorder.clear()
    set_secret("my-secret", "rotated", Description="rotated by hand")
    (request,) = recorder.seen
    assert request.operation == "UpdateSecret"
    sent = dict(request.params)
    uuid.UUID(sent.pop("ClientRequestToken"))  # botocore's idempotency token, as with boto3
    assert sent == {
        "SecretId": "my-secret",
        "SecretString": "rotated",
        "Description": "rotated by hand",
    }
    described = my_secret.describe_secret(SecretId="my-secret")
    assert described["Description"] == "rotated by hand"
    assert get_secret("my-secret", force_fetch=True) == "rotated"


def test_set_secret_creates_with_its_options(
    default_bsm: BotoSesManager, recorder: Recorder
) -> None:
    recorder.clear()
    set_secret("fresh", b"\x00raw", Description="new", Tags=[{"Key": "team", "Value": "a"}])
    assert recorder.operations() == ["CreateSecret"]
    (request,) = recorder.seen
    assert request.params["Description"] == "new"
    assert request.params["Tags"] == [{"Key": "team", "Value": "a"}]
    assert get_secret("fresh") == b"\x00raw"


def test_ssm_functions_and_provider(default_bsm: BotoSesManager) -> None:
    ssm = default_bsm.get_client("ssm")
    ssm.put_parameter(Name="/my/parameter", Value="My parameter value", Type="SecureString")
    ssm.put_parameter(Name="/my/path/prefix/config", Value='{"a": 1}', Type="String")
    ssm.put_parameter(Name="/my/path/prefix/webhook/config", Value="x", Type="String")
    ssm.put_parameter(Name="/my/path/prefix/data.json", Value="[1]", Type="String")

    assert get_parameter("/my/parameter", decrypt=True) == "My parameter value"
    assert get_parameters("/my/path/prefix") == {
        "config": '{"a": 1}',
        "webhook/config": "x",
        "data.json": "[1]",
    }
    provider = SSMProvider()
    assert provider.get("/my/path/prefix/config", transform="json") == {"a": 1}
    assert provider.get_multiple("/my/path/prefix") == {"config": '{"a": 1}', "data.json": "[1]"}
    assert provider.get_multiple("/my/path/prefix", transform="json") == {
        "config": {"a": 1},
        "data.json": [1],
    }
    assert get_parameters("/my/path/prefix", transform="auto")["data.json"] == [1]
    with pytest.raises(TransformParameterError):
        get_parameters("/my/path/prefix", transform="json", raise_on_transform_error=True)
    assert get_parameters("/my/path/prefix", transform="json")["webhook/config"] is None


def test_decrypt_defaults_to_the_environment(
    default_bsm: BotoSesManager, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    default_bsm.get_client("ssm").put_parameter(Name="/d", Value="v", Type="SecureString")
    recorder.clear()
    get_parameter("/d", max_age=0)
    monkeypatch.setenv("POWERTOOLS_PARAMETERS_SSM_DECRYPT", "true")
    get_parameter("/d", max_age=0)
    flags = [r.params["WithDecryption"] for r in recorder.requests("GetParameter")]
    assert flags == [False, True]


def test_providers_take_a_client_or_a_session(aws: LocalAWS, default_bsm: BotoSesManager) -> None:
    default_bsm.get_client("secretsmanager").create_secret(Name="s", SecretString="v")
    client = default_bsm.get_client("secretsmanager")
    assert SecretsProvider(boto3_client=client).get("s") == "v"
    session = boto3.Session(
        aws_access_key_id="AKIALOCALTESTING0000",
        aws_secret_access_key="local-testing-secret-key",
        region_name="us-east-1",
    )
    config = Config(connect_timeout=5)
    # The session's own clients need the endpoint: give it through the environment.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ENDPOINT_URL", aws.endpoint_url)
        provider = SecretsProvider(boto3_session=session, config=config)
        assert provider.get("s") == "v"
    client.put_secret_value(SecretId="s", SecretString="w")  # behind the provider's back
    assert provider.get("s") == "v"  # its own cache, 300 s
    provider.clear_cache()
    assert provider.get("s") == "w"
    provider.set("s", "x")  # a write through the provider drops its cached read
    assert provider.get("s") == "x"
    ssm = SSMProvider(boto3_client=default_bsm.get_client("ssm"))
    with pytest.raises(GetParameterError):
        ssm.get("/none")
    default_bsm.get_client("ssm").put_parameter(Name="/p", Value="v", Type="String")
    assert ssm.get("/p") == "v"
    default_bsm.get_client("ssm").put_parameter(Name="/p", Value="w", Overwrite=True)
    assert ssm.get("/p") == "v"  # its own cache
    ssm.clear_cache()
    assert ssm.get("/p") == "w"


# ------------------------------------------------------ same requests as core


def test_compat_calls_make_the_same_requests_as_the_core(
    my_secret: Any, default_bsm: BotoSesManager, recorder: Recorder
) -> None:
    default_bsm.get_client("ssm").put_parameter(Name="/p/a", Value="1", Type="String")

    def seen() -> list[tuple[str, Any]]:
        # ClientRequestToken is a fresh uuid botocore adds to each write.
        out = [
            (r.operation, {k: v for k, v in r.params.items() if k != "ClientRequestToken"})
            for r in recorder.seen
        ]
        recorder.clear()
        return out

    pairs = [
        (
            lambda: get_secret("my-secret", VersionId=VERSION, max_age=0),
            lambda: default_bsm.get_secret("my-secret", version_id=VERSION),
        ),
        (
            lambda: get_secret("my-secret", force_fetch=True),
            lambda: default_bsm.get_secret("my-secret", force_fetch=True),
        ),
        (
            lambda: set_secret("my-secret", "x", Description="d"),
            lambda: default_bsm.set_secret("my-secret", "x", Description="d"),
        ),
        (
            lambda: get_parameter("/p/a", force_fetch=True),
            lambda: default_bsm.get_parameter("/p/a", with_decryption=False, force_fetch=True),
        ),
        (
            lambda: get_parameters("/p"),
            lambda: default_bsm.get_parameters_by_path("/p", recursive=True),
        ),
    ]
    recorder.clear()
    for through_compat, through_core in pairs:
        through_compat()
        compat_requests = seen()
        through_core()
        assert compat_requests == seen()
        assert len(compat_requests) == 1


# ----------------------------------------------------------- typed failures


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: get_secret("missing"), GetParameterError),
        (lambda: get_secret(""), GetParameterError),
        (lambda: get_secret(None), GetParameterError),  # type: ignore[arg-type]
        (lambda: get_secret("my-secret", transform="yaml"), TransformParameterError),
        (lambda: get_secret("my-secret", transform="binary"), TransformParameterError),
        (lambda: get_secret("my-secret", max_age=-1), GetParameterError),
        (lambda: get_secret("my-secret", SecretId="other"), GetParameterError),
        (lambda: get_secret("my-secret", VersionId="nope"), GetParameterError),
        (lambda: set_secret("x", 3), SetSecretError),  # type: ignore[arg-type]
        (lambda: set_secret("", "v"), SetSecretError),
        (lambda: set_secret("x", "v", SecretString="w"), SetSecretError),
        (lambda: set_secret("my-secret", "v", Tags=[]), SetSecretError),
        (lambda: set_secret("new", "v", VersionStages=["A"]), SetSecretError),
        (lambda: get_parameter("/missing"), GetParameterError),
        (lambda: get_parameter(""), GetParameterError),
        (lambda: get_parameter("/p", Name="/q"), GetParameterError),
        (lambda: get_parameters("relative"), GetParameterError),
        (lambda: get_parameters("/p", NextToken="t"), GetParameterError),
        (lambda: SSMProvider().get_multiple(3), GetParameterError),  # type: ignore[arg-type]
    ],
)
def test_bad_input_raises_the_error_powertools_users_catch(
    my_secret: Any, call: Any, error: type[Exception]
) -> None:
    with pytest.raises(error) as caught:
        call()
    assert isinstance(caught.value, BotoSessionManagerError)
    assert caught.value.__cause__ is not None


def test_a_missing_secret_keeps_the_core_error_as_its_cause(default_bsm: BotoSesManager) -> None:
    with pytest.raises(GetParameterError, match="missing") as caught:
        get_secret("missing")
    assert isinstance(caught.value.__cause__, SecretNotFoundError)


def test_transform_errors_are_both_names_and_never_quote_the_value(
    default_bsm: BotoSesManager,
) -> None:
    default_bsm.get_client("secretsmanager").create_secret(Name="t", SecretString="hunter2!")
    with pytest.raises(TransformParameterError) as caught:
        get_secret("t", transform="json")
    assert isinstance(caught.value, TransformError)
    assert isinstance(caught.value, ValueError)
    assert "hunter2" not in str(caught.value)


def test_set_secret_on_an_existing_secret_with_create_only_options_changes_nothing(
    my_secret: Any, recorder: Recorder
) -> None:
    recorder.clear()
    with pytest.raises(SetSecretError, match="Tags"):
        set_secret("my-secret", "v", Tags=[{"Key": "a", "Value": "b"}])
    assert recorder.operations() == ["CreateSecret"]
    assert json.loads(get_secret("my-secret", force_fetch=True)) == {"v": "new"}
