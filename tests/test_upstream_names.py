"""Code written for upstream boto-session-manager finds every name where it looks."""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import boto_session_manager
from boto_session_manager import BotoSesManager
from boto_session_manager._clients import AwsServiceEnum, ClientProperties
from boto_session_manager.exceptions import BotoSessionManagerError, NoCredentialsError

from .helpers import load_script

ROOT = Path(__file__).resolve().parent.parent
NAMES_FILE = ROOT / "scripts" / "upstream_service_names.txt"
GENERATOR = ROOT / "scripts" / "generate_clients.py"


def _upstream_constants() -> dict[str, str]:
    pairs = (
        line.split()
        for line in NAMES_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    return dict(pairs)


@pytest.fixture
def offline_bsm() -> BotoSesManager:
    return BotoSesManager(
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", region_name="us-east-1"
    )


# --- module paths --------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("api", ["NoBotocoreCredentialError", "BotoSesManager", "PATH_DEFAULT_SNAPSHOT"]),
        ("api", ["AwsServiceEnum"]),
        ("manager", ["BotoSesManager", "PATH_DEFAULT_SNAPSHOT", "AwsServiceEnum"]),
        ("services", ["AwsServiceEnum"]),
        ("exc", ["NoBotocoreCredentialError"]),
        ("paths", ["PACKAGE_NAME", "PathEnum", "path_enum"]),
    ],
)
def test_upstream_module_paths_import(module: str, names: list[str]) -> None:
    imported = importlib.import_module(f"boto_session_manager.{module}")
    assert [name for name in names if not hasattr(imported, name)] == []


def test_upstream_names_are_this_package_objects() -> None:
    from boto_session_manager import api, exc, manager, services

    assert services.AwsServiceEnum is AwsServiceEnum
    assert api.AwsServiceEnum is AwsServiceEnum
    assert manager.BotoSesManager is BotoSesManager
    assert exc.NoBotocoreCredentialError is api.NoBotocoreCredentialError


def test_no_botocore_credential_error_is_the_no_credentials_error() -> None:
    from boto_session_manager.exc import NoBotocoreCredentialError

    assert NoBotocoreCredentialError is NoCredentialsError
    assert issubclass(NoBotocoreCredentialError, BotoSessionManagerError)
    assert issubclass(NoBotocoreCredentialError, RuntimeError)
    with pytest.raises(NoBotocoreCredentialError):
        raise NoCredentialsError("no credentials")


def test_services_package_still_offers_the_helpers() -> None:
    from boto_session_manager import services

    assert "ServiceHelpers" in services.__all__
    assert "AwsServiceEnum" in dir(services)


def test_services_package_refuses_an_unknown_name() -> None:
    from boto_session_manager import services

    with pytest.raises(AttributeError, match="NoSuchName"):
        _ = services.NoSuchName  # type: ignore[attr-defined]


def test_upstream_modules_do_not_import_boto3() -> None:
    code = (
        "import sys\n"
        "import boto_session_manager\n"
        "from boto_session_manager.services import AwsServiceEnum\n"
        "from boto_session_manager.exc import NoBotocoreCredentialError\n"
        "from boto_session_manager.paths import path_enum\n"
        "assert AwsServiceEnum.S3 == 's3'\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'boto3'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_paths_module_names_where_things_are(monkeypatch: pytest.MonkeyPatch) -> None:
    from boto_session_manager.paths import PACKAGE_NAME, PathEnum, path_enum

    assert PACKAGE_NAME == "boto_session_manager"
    assert isinstance(path_enum, PathEnum)
    assert Path(boto_session_manager.__file__).parent.absolute() == path_enum.dir_package
    assert (path_enum.dir_package / "py.typed").is_file()
    monkeypatch.setenv("HOME", "/home/someone")
    monkeypatch.setenv("USERPROFILE", "/home/someone")
    assert Path("/home/someone") == path_enum.dir_home
    assert Path("/home/someone/.bsm-snapshot.json") == path_enum.path_default_snapshot
    from boto_session_manager.snapshot import default_snapshot_path

    assert default_snapshot_path() == path_enum.path_default_snapshot


# --- AwsServiceEnum and the client properties ------------------------------------


def test_every_upstream_constant_keeps_its_value() -> None:
    constants = _upstream_constants()
    assert len(constants) == 436
    wrong = {c: v for c, v in constants.items() if getattr(AwsServiceEnum, c, None) != v}
    assert wrong == {}


def test_every_upstream_property_name_exists() -> None:
    missing = [
        constant
        for constant in _upstream_constants()
        if not isinstance(getattr(ClientProperties, f"{constant.lower()}_client", None), property)
    ]
    assert missing == []


def test_every_upstream_property_is_botocores_property_object() -> None:
    for constant, service in _upstream_constants().items():
        upstream_name = getattr(ClientProperties, f"{constant.lower()}_client")
        assert getattr(ClientProperties, f"{service.replace('-', '_')}_client") is upstream_name


@pytest.mark.parametrize(
    ("upstream_name", "service"),
    [
        ("cloudwatchlogs_client", "logs"),
        ("sfn_client", "stepfunctions"),
        ("eventbridge_client", "events"),
        ("bedrockruntime_client", "bedrock-runtime"),
        ("costexplorer_client", "ce"),
        ("cognitoidentityprovider_client", "cognito-idp"),
        ("pinpointsmsvoice_client", "pinpoint-sms-voice"),
    ],
)
def test_upstream_property_returns_the_cached_client_of_its_service(
    offline_bsm: BotoSesManager, upstream_name: str, service: str
) -> None:
    client = getattr(offline_bsm, upstream_name)
    assert service == client.meta.service_model.service_name
    assert client is offline_bsm.get_client(service)
    assert client is getattr(offline_bsm, f"{service.replace('-', '_')}_client")


def test_aws_service_enum_has_one_constant_per_service() -> None:
    values = [v for k, v in vars(AwsServiceEnum).items() if not k.startswith("_")]
    assert len(set(values)) == len(values)


def test_property_of_a_service_botocore_removed_names_the_service(
    offline_bsm: BotoSesManager,
) -> None:
    import botocore.exceptions
    import botocore.session

    available = set(botocore.session.Session().get_available_services())
    gone = sorted(set(_upstream_constants().values()) - available)
    if not gone:
        pytest.skip("the installed botocore still has every service upstream names")
    with pytest.raises(botocore.exceptions.UnknownServiceError, match=gone[0]):
        _ = getattr(offline_bsm, f"{gone[0].replace('-', '_')}_client")


# --- the generator's upstream table ----------------------------------------------


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return load_script(GENERATOR, "generate_clients_names")


def test_generator_refuses_a_malformed_names_line(generator: ModuleType, tmp_path: Path) -> None:
    bad = tmp_path / "names.txt"
    bad.write_text("# comment\nS3 s3\nOnlyAName\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"names\.txt:3"):
        generator.load_upstream_names(bad)


def test_generator_refuses_a_constant_listed_twice(generator: ModuleType, tmp_path: Path) -> None:
    bad = tmp_path / "names.txt"
    bad.write_text("S3 s3\nS3 s3control\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"names\.txt:2"):
        generator.load_upstream_names(bad)


def test_generator_refuses_an_upstream_name_that_is_another_services_property(
    generator: ModuleType,
) -> None:
    services = [
        generator.Service(name="s3", module_name="S3"),
        generator.Service(name="s3control", module_name="S3Control"),
    ]
    with pytest.raises(SystemExit, match="s3control_client"):
        generator.upstream_aliases(services, {"S3Control": "s3"})


def test_generator_names_a_new_service_after_its_client_class(generator: ModuleType) -> None:
    services = [
        generator.Service(name="pinpoint-sms-voice", module_name="PinpointSMSVoice"),
        generator.Service(name="sms-voice", module_name="PinpointSMSVoice"),
        generator.Service(name="brand-new", module_name="BrandNew"),
    ]
    constants = generator.enum_names(services, {"PinpointSMSVoice": "pinpoint-sms-voice"})
    expected = {
        "PinpointSMSVoice": "pinpoint-sms-voice",
        "SmsVoice": "sms-voice",
        "BrandNew": "brand-new",
    }
    assert expected == constants
