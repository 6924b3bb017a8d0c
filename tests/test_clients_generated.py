"""The generated client properties and AwsServiceEnum, and the upstream-compatible api module."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import botocore
import botocore.session
import pytest

import boto_session_manager
from boto_session_manager import BotoSesManager
from boto_session_manager._clients import (
    GENERATED_FROM_BOTOCORE,
    AwsServiceEnum,
    ClientProperties,
)

from .helpers import load_script

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "scripts" / "generate_clients.py"
GENERATED = ROOT / "boto_session_manager" / "_clients.py"


def _load_generator() -> ModuleType:
    return load_script(GENERATOR, "generate_clients")


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return _load_generator()


@pytest.fixture(scope="module")
def services(generator: ModuleType) -> list[Any]:
    """Every service of the installed botocore (loads each service model once)."""
    return list(generator.load_services())


@pytest.fixture(scope="module")
def service_names() -> list[str]:
    """The installed botocore's services, when it is the release the module was made from."""
    if botocore.__version__ != GENERATED_FROM_BOTOCORE:
        pytest.skip(
            f"_clients.py was generated from botocore {GENERATED_FROM_BOTOCORE}, "
            f"botocore {botocore.__version__} is installed: python scripts/generate_clients.py"
        )
    return sorted(botocore.session.Session().get_available_services())


@pytest.fixture
def offline_bsm() -> BotoSesManager:
    """A manager with static keys: creating clients needs no network."""
    return BotoSesManager(
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", region_name="us-east-1"
    )


def _client_properties() -> set[str]:
    """botocore's property names (upstream's second names are the same objects)."""
    properties = {
        name: value
        for name, value in vars(ClientProperties).items()
        if isinstance(value, property) and name.endswith("_client")
    }
    first = {}
    for name, value in properties.items():
        first.setdefault(id(value), name)
    return set(first.values())


#: Services upstream still names that the installed botocore no longer has.
GONE_FROM_BOTOCORE = {"finspace", "finspace-data", "tnb"}


# --- the generated file -------------------------------------------------------


def test_generated_file_is_current_with_installed_botocore(
    generator: ModuleType, services: list[Any], service_names: list[str]
) -> None:
    expected = generator.render(services, botocore.__version__)
    actual = GENERATED.read_text(encoding="utf-8")
    assert expected == actual, "stale: run python scripts/generate_clients.py"


def test_generator_check_mode_exits_1_on_a_stale_file(
    generator: ModuleType,
    services: list[Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(generator, "load_services", lambda: services)
    stale = tmp_path / "_clients.py"
    stale.write_text("# an old version\n", encoding="utf-8")
    assert generator.main(["--check", "--output", str(stale)]) == 1
    assert "stale" in capsys.readouterr().out
    assert stale.read_text(encoding="utf-8") == "# an old version\n"


def test_generator_writes_then_check_mode_exits_0(
    generator: ModuleType, services: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generator, "load_services", lambda: services)
    target = tmp_path / "_clients.py"
    assert generator.main(["--output", str(target)]) == 0
    assert generator.main(["--check", "--output", str(target)]) == 0


def test_generated_module_imports_no_stub_package_at_runtime() -> None:
    stubs = [name for name in sys.modules if name.startswith(("types_boto3", "mypy_boto3"))]
    assert stubs == []


def test_generated_module_says_it_is_generated_and_how_to_regenerate() -> None:
    head = GENERATED.read_text(encoding="utf-8")[:1000]
    assert "GENERATED" in head
    assert "python scripts/generate_clients.py" in head


# --- client properties -----------------------------------------------------------


def test_every_botocore_service_has_a_client_property(service_names: list[str]) -> None:
    expected = {f"{name.replace('-', '_')}_client" for name in service_names}
    expected |= {f"{name.replace('-', '_')}_client" for name in GONE_FROM_BOTOCORE}
    assert expected == _client_properties()


def test_every_service_of_the_enum_has_a_client_property_and_no_other() -> None:
    expected = {f"{name.replace('-', '_')}_client" for name in _enum_constants().values()}
    assert expected == _client_properties()


def test_client_properties_have_a_one_line_docstring() -> None:
    for name in _client_properties():
        doc = getattr(ClientProperties, name).__doc__
        assert doc is not None
        assert "\n" not in doc.strip()


def test_client_property_is_the_cached_default_client(offline_bsm: BotoSesManager) -> None:
    assert offline_bsm.s3_client is offline_bsm.get_client("s3")
    assert offline_bsm.s3_client is offline_bsm.s3_client


@pytest.mark.parametrize(
    ("prop", "service"),
    [
        ("sts_client", "sts"),
        ("resource_groups_client", "resource-groups"),
        ("pinpoint_sms_voice_client", "pinpoint-sms-voice"),
        ("sms_voice_client", "sms-voice"),
    ],
)
def test_client_property_uses_the_botocore_service_name(
    offline_bsm: BotoSesManager, prop: str, service: str
) -> None:
    client = getattr(offline_bsm, prop)
    assert service == client.meta.service_model.service_name
    assert client is offline_bsm.get_client(service)


def test_client_properties_are_read_only(offline_bsm: BotoSesManager) -> None:
    prop = "s3_client"
    with pytest.raises(AttributeError):
        setattr(offline_bsm, prop, None)


def test_client_properties_follow_clear_cache(offline_bsm: BotoSesManager) -> None:
    before = offline_bsm.s3_client
    offline_bsm.clear_cache()
    assert before is not offline_bsm.s3_client


def test_stub_class_names_follow_the_published_stub_packages(
    generator: ModuleType, services: list[Any]
) -> None:
    # Checked against the published types-boto3-* and mypy-boto3-* wheels.
    by_name = {service.name: service for service in services}
    expected = {
        "s3": ("s3", "S3Client"),
        "dynamodb": ("dynamodb", "DynamoDBClient"),
        "sts": ("sts", "STSClient"),
        "secretsmanager": ("secretsmanager", "SecretsManagerClient"),
        "resource-groups": ("resource_groups", "ResourceGroupsClient"),
        "imagebuilder": ("imagebuilder", "ImagebuilderClient"),
        "repostspace": ("repostspace", "RePostPrivateClient"),
    }
    actual = {name: (by_name[name].stub_modules(), by_name[name].stub_class) for name in expected}
    assert actual == {
        name: ([f"types_boto3_{stem}.client", f"mypy_boto3_{stem}.client"], cls)
        for name, (stem, cls) in expected.items()
    }


# --- AwsServiceEnum ----------------------------------------------------------


def _enum_constants() -> dict[str, str]:
    return {name: value for name, value in vars(AwsServiceEnum).items() if not name.startswith("_")}


def test_aws_service_enum_has_one_constant_per_botocore_service(service_names: list[str]) -> None:
    expected = sorted([*service_names, *GONE_FROM_BOTOCORE])
    assert expected == sorted(_enum_constants().values())


@pytest.mark.parametrize(
    ("constant", "value"),
    [
        ("S3", "s3"),
        ("STS", "sts"),
        ("IAM", "iam"),
        ("SSM", "ssm"),
        ("DynamoDB", "dynamodb"),
        ("SecretsManager", "secretsmanager"),
        ("EC2", "ec2"),
        ("Lambda", "lambda"),
        ("CostExplorer", "ce"),
        ("SFN", "stepfunctions"),
        ("CloudWatchLogs", "logs"),
        ("ElasticLoadBalancingv2", "elbv2"),
        ("ResourceGroupsTaggingAPI", "resourcegroupstaggingapi"),
        ("drs", "drs"),
        ("imagebuilder", "imagebuilder"),
        # Two services share botocore's class name; upstream's constant names the first.
        ("PinpointSMSVoice", "pinpoint-sms-voice"),
        ("SmsVoice", "sms-voice"),
    ],
)
def test_aws_service_enum_keeps_upstream_names(constant: str, value: str) -> None:
    assert value == getattr(AwsServiceEnum, constant)


def test_aws_service_enum_values_are_plain_strings() -> None:
    assert all(type(value) is str for value in _enum_constants().values())


def test_aws_service_enum_value_is_accepted_by_get_client(offline_bsm: BotoSesManager) -> None:
    assert offline_bsm.get_client(AwsServiceEnum.S3) is offline_bsm.s3_client


# --- migration: the api module -------------------------------------------------


def test_api_module_offers_upstream_imports() -> None:
    from boto_session_manager.api import PATH_DEFAULT_SNAPSHOT, AwsServiceEnum, BotoSesManager

    assert BotoSesManager is boto_session_manager.BotoSesManager
    assert AwsServiceEnum.S3 == "s3"
    assert Path.home() / ".bsm-snapshot.json" == PATH_DEFAULT_SNAPSHOT


def test_manager_module_offers_the_manager() -> None:
    from boto_session_manager.manager import BotoSesManager as FromManager

    assert FromManager is boto_session_manager.BotoSesManager


def test_api_module_reexports_every_public_name_of_the_package() -> None:
    from boto_session_manager import api

    assert set(boto_session_manager.__all__) <= set(api.__all__)


def test_api_module_all_names_exist_once() -> None:
    from boto_session_manager import api

    assert [name for name in api.__all__ if not hasattr(api, name)] == []
    assert len(set(api.__all__)) == len(api.__all__)


def test_every_property_asks_for_its_own_service() -> None:
    """Each generated property hands get_client the service it is named after."""

    class Recorder(ClientProperties):
        def get_client(self, service_name: str, /) -> str:  # type: ignore[override]
            return service_name

    recorder = Recorder()
    for service in _enum_constants().values():
        assert getattr(recorder, f"{service.replace('-', '_')}_client") == service
