"""The distribution says what it is: name, licence, Pythons, minimum versions, tox envs."""

from __future__ import annotations

import configparser
import importlib.metadata
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DISTRIBUTION = "boto-session-manager-ng"
SUPPORTED = ["3.10", "3.11", "3.12", "3.13"]


@pytest.fixture(scope="module")
def metadata() -> importlib.metadata.PackageMetadata:
    return importlib.metadata.metadata(DISTRIBUTION)


@pytest.fixture(scope="module")
def tox() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "tox.ini", encoding="utf-8")
    return parser


def _lower_bounds(requirements: list[str]) -> dict[str, str]:
    bounds = {}
    for requirement in requirements:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", requirement.strip())
        if match and "extra" not in requirement:
            bounds[match.group(1).lower()] = match.group(2)
    return bounds


def test_distribution_has_its_own_name_and_the_upstream_import_name(
    metadata: importlib.metadata.PackageMetadata,
) -> None:
    assert metadata["Name"] == DISTRIBUTION
    files = importlib.metadata.files(DISTRIBUTION) or []
    top_level = {Path(str(f)).parts[0] for f in files}
    assert "boto_session_manager" in top_level or (ROOT / "boto_session_manager").is_dir()


def test_distribution_is_mit_licensed_with_the_licence_text(
    metadata: importlib.metadata.PackageMetadata,
) -> None:
    assert metadata["License-Expression"] == "MIT"
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")


def test_requires_python_is_the_oldest_python_tox_runs(
    metadata: importlib.metadata.PackageMetadata, tox: configparser.ConfigParser
) -> None:
    assert metadata["Requires-Python"] == f">={SUPPORTED[0]}"
    assert tox["testenv:mindeps"]["basepython"] == f"python{SUPPORTED[0]}"


def test_each_tested_python_has_a_classifier_and_a_tox_env(
    metadata: importlib.metadata.PackageMetadata, tox: configparser.ConfigParser
) -> None:
    classifiers = metadata.get_all("Classifier") or []
    envlist = [env.strip() for env in tox["tox"]["envlist"].split(",")]
    for version in SUPPORTED:
        assert f"Programming Language :: Python :: {version}" in classifiers
        env = "py" + version.replace(".", "")
        assert env in envlist
        assert tox[f"testenv:{env}"]["basepython"] == f"python{version}"
    assert "mindeps" in envlist


def test_mindeps_env_installs_exactly_the_declared_minimums(
    metadata: importlib.metadata.PackageMetadata, tox: configparser.ConfigParser
) -> None:
    declared = _lower_bounds(metadata.get_all("Requires-Dist") or [])
    pinned = dict(
        line.strip().lower().split("==")
        for line in tox["testenv:mindeps"]["deps"].splitlines()
        if line.strip()
    )
    assert {"boto3", "botocore", "attrs"} == set(pinned)
    assert {name: declared[name] for name in pinned} == pinned


def test_project_urls_and_dev_extra_use_the_distribution_name(
    metadata: importlib.metadata.PackageMetadata,
) -> None:
    urls = dict(url.split(", ", 1) for url in metadata.get_all("Project-URL") or [])
    assert {"Homepage", "Documentation", "Source", "Issues", "Changelog"} <= set(urls)
    dev = [r for r in metadata.get_all("Requires-Dist") or [] if 'extra == "dev"' in r]
    assert any(r.startswith(f"{DISTRIBUTION}[") for r in dev)


def test_build_backend_supports_the_spdx_licence_field() -> None:
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    requires = project["build-system"]["requires"]
    setuptools = [r for r in requires if r.startswith("setuptools")]
    assert setuptools == ["setuptools>=77"]
    assert project["project"]["license-files"] == ["LICENSE"]


def test_the_running_python_is_one_the_package_claims() -> None:
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in SUPPORTED
