"""The public surface: exact __all__, lazy imports, the upstream-compatible modules."""

from __future__ import annotations

import subprocess
import sys

import pytest

import boto_session_manager


def test_all_lists_exactly_the_public_names() -> None:
    from boto_session_manager import exceptions

    core = [
        "PATH_DEFAULT_SNAPSHOT",
        "Arn",
        "AwsServiceEnum",
        "BotoSesManager",
        "CallerIdentity",
        "DynamoDBTable",
        "SessionManager",
        "__version__",
        "parse_arn",
    ]
    assert sorted(boto_session_manager.__all__) == sorted(core + exceptions.__all__)
    for name in boto_session_manager.__all__:
        assert getattr(boto_session_manager, name) is not None


#: Names that only the upstream-compatible ``api`` module offers.
API_ONLY: set[str] = set()


def test_api_offers_the_package_names_plus_the_upstream_only_ones() -> None:
    from boto_session_manager import api

    assert set(api.__all__) == set(boto_session_manager.__all__) | API_ONLY
    assert len(api.__all__) == len(set(api.__all__))
    for name in boto_session_manager.__all__:
        assert getattr(api, name) is getattr(boto_session_manager, name)


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="nope"):
        boto_session_manager.nope  # noqa: B018


def test_importing_the_package_does_not_import_boto3() -> None:
    code = "import sys, boto_session_manager; print('boto3' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("collector_on", [True, False])
def test_the_first_import_leaves_the_collector_as_it_found_it(collector_on: bool) -> None:
    # The manager's modules are imported with the cyclic GC paused; a process
    # that had it off keeps it off, one that had it on gets it back on.
    code = (
        "import gc, sys, boto_session_manager\n"
        f"gc.enable() if {collector_on} else gc.disable()\n"
        "seen = []\n"
        "gc.callbacks.append(lambda phase, info: seen.append(phase))\n"
        "boto_session_manager.BotoSesManager\n"
        "print(gc.isenabled(), 'boto_session_manager.manager' in sys.modules, len(seen))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    enabled, imported, collections = out.stdout.split()
    assert (enabled, imported) == (str(collector_on), "True")
    assert collections == "0"  # no collection ran during the import


def test_version_is_a_string() -> None:
    assert boto_session_manager.__version__.count(".") == 2


def test_upstream_import_paths() -> None:
    from boto_session_manager.api import PATH_DEFAULT_SNAPSHOT, AwsServiceEnum, BotoSesManager
    from boto_session_manager.manager import BotoSesManager as FromManager

    assert FromManager is BotoSesManager is boto_session_manager.BotoSesManager
    assert AwsServiceEnum.S3 == "s3"
    assert PATH_DEFAULT_SNAPSHOT.name == ".bsm-snapshot.json"
    from boto_session_manager import PATH_DEFAULT_SNAPSHOT as top
    from boto_session_manager.manager import PATH_DEFAULT_SNAPSHOT as in_manager
    from boto_session_manager.manager import AwsServiceEnum as enum_in_manager

    assert top == in_manager == PATH_DEFAULT_SNAPSHOT
    assert enum_in_manager is AwsServiceEnum


def test_the_library_logger_has_a_null_handler() -> None:
    import logging

    import boto_session_manager

    handlers = logging.getLogger(boto_session_manager.__name__).handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)
