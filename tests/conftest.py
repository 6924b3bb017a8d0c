"""Shared fixtures: one local AWS server per test session, a clean environment.

Every test runs with the developer's ``AWS_*`` variables removed and the
shared config/credentials files pointed at empty temporary files, so a real
account can never be reached. Tests that need AWS take the ``aws`` fixture
(server reset before the test) or ``bsm`` (a manager pointed at it).
"""

from __future__ import annotations

import logging
import os
import socketserver
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from boto_session_manager import BotoSesManager
from boto_session_manager.testing import TEST_SECRET_ACCESS_KEY, LocalAWS, local_aws

from .helpers import FakeClock, create_role

# Property tests run 50 examples each by default, so the suite stays quick;
# ``pytest --hypothesis-profile=thorough`` runs 1,000 each.
settings.register_profile("quick", max_examples=50)
settings.register_profile("thorough", max_examples=1000)
settings.load_profile("quick")


@pytest.fixture(scope="session")
def _empty_aws_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An empty shared config file and credentials file, made once per test session."""
    home = tmp_path_factory.mktemp("aws-home")
    files = (home / "config", home / "credentials")
    for file in files:
        file.write_text("")
    return files


@pytest.fixture(autouse=True)
def _clean_aws_env(
    monkeypatch: pytest.MonkeyPatch, _empty_aws_files: tuple[Path, Path]
) -> Iterator[None]:
    """Strip every AWS_* variable so a developer's own credentials are never used.

    The shared config and credentials files are empty files; a test that
    writes to them leaves them empty again for the next test.
    """
    for name in list(os.environ):
        if name.startswith("AWS_") or name.startswith("BSM_"):
            monkeypatch.delenv(name)
    config, credentials = _empty_aws_files
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    # Never probe the instance metadata service: it is a network call.
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    yield
    for file in _empty_aws_files:
        if not file.is_file() or file.stat().st_size:
            file.unlink(missing_ok=True)
            file.write_text("")


#: Parts of the secret values the tests use (the local server's key, and the
#: sentinels of the leak, redaction and validation tests). None may ever appear
#: in a record of the library's loggers, in any test.
LEAK_SENTINELS = (
    TEST_SECRET_ACCESS_KEY,
    "ShouldNeverLeak",
    "Sentinel",
    "SENTINEL",
    "the-launch-codes",
    "parameter-secure-value",
    "SecretOfBlock",
)


class _LeakScan(logging.Handler):
    """Looks for the sentinels in every record of the library's loggers, at DEBUG."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += "".join(traceback.format_exception(*record.exc_info))
        found = [sentinel for sentinel in LEAK_SENTINELS if sentinel in text]
        if found:
            self.leaks.append(f"{record.name} [{record.levelname}] carries {found}")


@pytest.fixture(scope="session")
def _leak_scan() -> Iterator[_LeakScan]:
    scan = _LeakScan()
    logger = logging.getLogger("boto_session_manager")
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(scan)
    yield scan
    logger.removeHandler(scan)
    logger.setLevel(level)


@pytest.fixture(autouse=True)
def _no_secret_in_library_logs(_leak_scan: _LeakScan) -> Iterator[None]:
    """Every test, whatever it does, leaves no secret in a library log record."""
    before = len(_leak_scan.leaks)
    yield
    leaked = _leak_scan.leaks[before:]
    if leaked:
        pytest.fail(f"a library log record carried a test secret: {leaked}")


@pytest.fixture(scope="session")
def aws_server() -> Iterator[LocalAWS]:
    """moto's ThreadedMotoServer on 127.0.0.1, started once per test session.

    Repeated costs of the server are cut for the session: its access log
    line per request (the ``werkzeug`` logger is set to WARNING), the listing
    of moto's own package directory, which moto repeats on every request to
    route it, and the scan of every botocore service directory, which moto
    repeats for each service it first serves (it makes a new botocore loader
    each time). Both listings are made once here; the installed packages do
    not change during a run.

    The threads that serve requests (moto's, and the proxies' that tests put
    in front of it) run with no trace function: they run moto, werkzeug and
    test code, never the library, so coverage has nothing to measure there
    and tracing them only slowed every request.
    """
    from moto import backends
    from moto.core import utils

    modules = tuple(backends.list_of_moto_modules())
    loader = utils.create_loader()
    serve = socketserver.ThreadingMixIn.process_request_thread

    def serve_untraced(server: Any, request: Any, client_address: Any) -> None:
        sys.settrace(None)
        serve(server, request, client_address)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(backends, "list_of_moto_modules", lambda: modules)
        patch.setattr(utils, "create_loader", lambda: loader)
        patch.setattr(socketserver.ThreadingMixIn, "process_request_thread", serve_untraced)
        werkzeug = logging.getLogger("werkzeug")
        level = werkzeug.level
        werkzeug.setLevel(logging.WARNING)
        try:
            with local_aws() as server:
                yield server
        finally:
            werkzeug.setLevel(level)


@pytest.fixture
def aws(aws_server: LocalAWS) -> LocalAWS:
    """The local AWS server, wiped before the test."""
    aws_server.reset()
    return aws_server


@pytest.fixture
def bsm(aws: LocalAWS) -> BotoSesManager:
    """A manager with static keys whose clients all talk to the local server."""
    return aws.manager()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def role_arn(bsm: BotoSesManager) -> str:
    return create_role(bsm)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary HOME so default snapshot paths never touch the real one."""
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path
