"""The typed get_client/get_resource stub: one overload per service, the manager's signature."""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path
from types import ModuleType

import boto3.session
import botocore
import botocore.session
import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager._clients import GENERATED_FROM_BOTOCORE

from .helpers import load_script

ROOT = Path(__file__).resolve().parent.parent
STUB = ROOT / "boto_session_manager" / "_client_types.pyi"
GENERATOR = ROOT / "scripts" / "generate_clients.py"


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return load_script(GENERATOR, "generate_clients_types")


@pytest.fixture(scope="module")
def stub() -> str:
    return STUB.read_text(encoding="utf-8")


def _overloaded(stub: str, method: str) -> list[str]:
    """The service-name types of ``method``'s overloads, in order."""
    return re.findall(rf"def {method}\(\n\s+self,\n\s+service_name: ([^,]+),", stub)


def _stub_parameters(stub: str) -> list[str]:
    block = stub.split("def get_client(", 1)[1].split(") ->", 1)[0]
    names = re.findall(r"^\s+(\*|\w+)(?::|,)", block, flags=re.M)
    return [name for name in names if name not in ("self", "service_name")]


@pytest.mark.skipif(
    botocore.__version__ != GENERATED_FROM_BOTOCORE,
    reason="the stub lists the services of the botocore release it was generated from",
)
def test_every_botocore_service_has_a_get_client_overload(stub: str) -> None:
    services = botocore.session.Session().get_available_services()
    expected = [f'Literal["{name}"]' for name in sorted(services)] + ["str"]
    assert expected == _overloaded(stub, "get_client")


@pytest.mark.skipif(
    botocore.__version__ != GENERATED_FROM_BOTOCORE,
    reason="the stub lists the resources of the boto3 release it was generated from",
)
def test_every_boto3_resource_has_a_get_resource_overload(stub: str) -> None:
    resources = boto3.session.Session().get_available_resources()
    expected = [f'Literal["{name}"]' for name in sorted(resources)] + ["str"]
    assert expected == _overloaded(stub, "get_resource")


def test_a_service_type_is_its_class_in_either_stub_flavor(stub: str) -> None:
    s3 = "S3Client: TypeAlias = types_boto3_s3.client.S3Client | mypy_boto3_s3.client.S3Client\n"
    assert s3 in stub
    resource = (
        "S3ServiceResource: TypeAlias = (\n"
        "    types_boto3_s3.service_resource.S3ServiceResource\n"
        "    | mypy_boto3_s3.service_resource.S3ServiceResource\n)\n"
    )
    assert resource in stub


def test_every_alias_names_the_same_class_in_both_flavors(stub: str) -> None:
    aliases = stub.split("class TypedFactories:", 1)[0]
    named = re.findall(r"\b(types|mypy)_boto3_(\w+\.\w+\.\w+)", aliases)
    types = sorted(path for flavor, path in named if flavor == "types")
    mypy = sorted(path for flavor, path in named if flavor == "mypy")
    assert types
    assert types == mypy


def test_every_overload_returns_a_defined_alias_or_a_base_type(stub: str) -> None:
    defined = set(re.findall(r"^(\w+): TypeAlias = ", stub, flags=re.M))
    returned = set(re.findall(r"^    \) -> (\w+): \.\.\.$", stub, flags=re.M))
    assert returned - defined == {"BaseClient", "ServiceResource"}


def test_any_other_name_falls_back_to_botocore_and_boto3_base_types(stub: str) -> None:
    assert "service_name: str,\n" in stub
    assert ") -> BaseClient: ..." in stub
    assert ") -> ServiceResource: ..." in stub


@pytest.mark.parametrize("method", ["get_client", "get_resource"])
def test_stub_parameters_are_the_managers_own(stub: str, method: str) -> None:
    signature = inspect.signature(getattr(BotoSesManager, method))
    runtime = []
    for parameter in list(signature.parameters.values())[2:]:
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY and "*" not in runtime:
            runtime.append("*")
        runtime.append(parameter.name)
    assert _stub_parameters(stub) == runtime


@pytest.mark.skipif(
    botocore.__version__ != GENERATED_FROM_BOTOCORE,
    reason="the stub is generated from one botocore release",
)
def test_stub_is_current_with_the_generator(generator: ModuleType, stub: str) -> None:
    services = generator.with_upstream_services(generator.load_services(), {})
    expected = generator.render_types(services, generator.load_resource_names())
    assert expected == stub, "stale: run python scripts/generate_clients.py"


def test_stub_is_for_type_checkers_only() -> None:
    assert not (ROOT / "boto_session_manager" / "_client_types.py").exists()
    assert "boto_session_manager._client_types" not in sys.modules
