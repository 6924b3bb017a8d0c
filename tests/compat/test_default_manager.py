"""The compat modules' default manager: created once, lazily, and replaceable."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from boto_session_manager import BotoSesManager, compat
from boto_session_manager.exceptions import InvalidArgumentTypeError
from boto_session_manager.testing import LocalAWS


@pytest.fixture(autouse=True)
def _forget_default() -> Iterator[None]:
    compat.set_default_manager(None)
    yield
    compat.set_default_manager(None)


def test_one_default_manager_is_created_even_under_many_threads() -> None:
    seen: list[BotoSesManager] = []
    start = threading.Barrier(16)

    def ask() -> None:
        start.wait()
        seen.append(compat.get_default_manager())

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 16
    assert len({id(m) for m in seen}) == 1
    assert compat.get_default_manager() is seen[0]


def test_set_default_manager_replaces_and_none_forgets(aws: LocalAWS) -> None:
    bsm = aws.manager()
    compat.set_default_manager(bsm)
    assert compat.get_default_manager() is bsm
    compat.set_default_manager(None)
    assert compat.get_default_manager() is not bsm


def test_set_default_manager_refuses_anything_else() -> None:
    with pytest.raises(InvalidArgumentTypeError, match="bsm"):
        compat.set_default_manager("prod")  # type: ignore[arg-type]


def test_importing_compat_does_not_import_boto3() -> None:
    import subprocess
    import sys

    code = "import sys; import boto_session_manager.compat; print('boto3' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
