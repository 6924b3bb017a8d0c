"""The offline inventories the docs link out with know the names the docs use."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from .helpers import load_script

INVENTORIES = Path(__file__).resolve().parent.parent / "docs" / "_inventories"


def _entries(name: str) -> dict[str, str]:
    """name -> "domain:role uri" of one inventory, read as Sphinx reads it."""
    raw = (INVENTORIES / name).read_bytes()
    lines = raw.split(b"\n", 4)
    assert lines[0] == b"# Sphinx inventory version 2"
    entries = {}
    for line in zlib.decompress(lines[4]).decode().splitlines():
        target, role, _priority, uri, _display = line.split(" ", 4)
        entries[target] = f"{role} {uri.replace('$', target)}"
    return entries


@pytest.mark.parametrize(
    ("inventory", "target", "page"),
    [
        ("python.inv", "datetime.datetime", "library/datetime.html#datetime.datetime"),
        ("python.inv", "os.PathLike", "library/os.html#os.PathLike"),
        ("python.inv", "ValueError", "library/exceptions.html#ValueError"),
        ("python.inv", "concurrent.futures.ProcessPoolExecutor", "library/concurrent.futures"),
        ("boto3.inv", "boto3.session.Session", "reference/core/session.html#boto3.session.Session"),
        ("botocore.inv", "botocore.client.BaseClient", "reference/client.html"),
        ("botocore.inv", "botocore.config.Config", "reference/config.html#botocore.config.Config"),
        ("botocore.inv", "botocore.exceptions.ClientError", "reference/exceptions.html"),
    ],
)
def test_inventory_links_a_name_to_its_page(inventory: str, target: str, page: str) -> None:
    entries = _entries(inventory)
    assert target in entries
    assert page in entries[target]


def test_inventory_generator_refuses_nothing_and_writes_three_files(tmp_path: Path) -> None:
    script = INVENTORIES.parent.parent / "scripts" / "make_inventories.py"
    module = load_script(script, "make_inventories")
    assert module.main(["--output", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["boto3.inv", "botocore.inv", "python.inv"]
    assert module.main(["--check", "--output", str(tmp_path)]) == 0
    (tmp_path / "boto3.inv").write_bytes(b"stale")
    assert module.main(["--check", "--output", str(tmp_path)]) == 1
