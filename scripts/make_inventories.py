"""Write the Sphinx inventories the docs link out with, from the installed packages.

The docs build offline: instead of downloading ``objects.inv`` from
docs.python.org, boto3's and botocore's sites, this script writes small
inventories under ``docs/_inventories/`` from the running interpreter's
standard library and the installed boto3/botocore, with the public URLs each
name has on those sites. Sphinx's intersphinx reads them (``conf.py``), so
``:class:`datetime.datetime``` or ``:class:`botocore.client.BaseClient``` in
a docstring becomes a link, and a name that no inventory knows stays a
nitpicky warning.

Usage::

    python scripts/make_inventories.py           # rewrite the inventories
    python scripts/make_inventories.py --check   # exit 1 if one is stale

Run it after changing which standard-library or boto3/botocore modules the
docs mention (add them to the lists below).
"""

from __future__ import annotations

import argparse
import builtins
import importlib
import inspect
import sys
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "_inventories"

#: Standard-library modules whose public names the docs may mention.
PYTHON_MODULES = [
    "abc", "argparse", "collections", "collections.abc", "concurrent.futures",
    "contextlib", "dataclasses", "datetime", "decimal", "enum", "functools", "io",
    "json", "logging", "os", "pathlib", "pickle", "queue", "re", "secrets",
    "subprocess", "sys", "tempfile", "threading", "time", "types", "typing",
    "uuid", "warnings",
]  # fmt: skip

#: boto3 / botocore modules, with the page of their reference each one is on.
BOTO3_PAGES = {
    "boto3": "reference/core/boto3.html",
    "boto3.session": "reference/core/session.html",
    "boto3.exceptions": "reference/core/exceptions.html",
    "boto3.resources.base": "reference/core/resources.html",
    "boto3.resources.factory": "reference/core/resources.html",
}
BOTOCORE_PAGES = {
    "botocore.client": "reference/client.html",
    "botocore.config": "reference/config.html",
    "botocore.credentials": "reference/credentials.html",
    "botocore.exceptions": "reference/exceptions.html",
    "botocore.session": "reference/session.html",
    "botocore.loaders": "reference/loaders.html",
    "botocore.paginate": "reference/paginate.html",
    "botocore.response": "reference/response.html",
    "botocore.waiter": "reference/waiter.html",
}


def _role(obj: object) -> str | None:
    if inspect.isclass(obj):
        return "exception" if issubclass(obj, BaseException) else "class"
    if inspect.isroutine(obj):
        return "function"
    if inspect.ismodule(obj):
        return None
    return "data"


def _public(module: object) -> Iterator[tuple[str, object]]:
    """``__all__`` plus the public names the module itself defines."""
    module_name = getattr(module, "__name__", "")
    names = set(getattr(module, "__all__", ()))
    for name in dir(module):
        value = getattr(module, name)
        if not name.startswith("_") and getattr(value, "__module__", None) == module_name:
            names.add(name)
    if not hasattr(module, "__all__"):
        names |= {n for n in dir(module) if not n.startswith("_")}
    for name in sorted(names):
        if hasattr(module, name):
            yield name, getattr(module, name)


def module_entries(module_name: str, page: str) -> Iterator[tuple[str, str, str]]:
    """(name, domain:role, uri) for a module, its public names and their methods."""
    module = importlib.import_module(module_name)
    yield module_name, "py:module", f"{page}#module-{module_name}"
    for name, obj in _public(module):
        role = _role(obj)
        if role is None:
            continue
        full = f"{module_name}.{name}"
        yield full, f"py:{role}", f"{page}#{full}"
        if isinstance(obj, type):
            for attr, value in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if isinstance(value, property):
                    yield f"{full}.{attr}", "py:attribute", f"{page}#{full}.{attr}"
                elif inspect.isroutine(value):
                    yield f"{full}.{attr}", "py:method", f"{page}#{full}.{attr}"


def python_entries() -> Iterator[tuple[str, str, str]]:
    for module_name in PYTHON_MODULES:
        yield from module_entries(module_name, f"library/{module_name}.html")
    for name, obj in vars(builtins).items():
        if name.startswith("_"):
            continue
        if inspect.isclass(obj) and issubclass(obj, BaseException):
            yield name, "py:exception", f"library/exceptions.html#{name}"
        elif inspect.isclass(obj):
            yield name, "py:class", f"library/stdtypes.html#{name}"
        elif inspect.isroutine(obj):
            yield name, "py:function", f"library/functions.html#{name}"
    for name in ("None", "True", "False", "Ellipsis", "NotImplemented"):
        yield name, "py:data", f"library/constants.html#{name}"


def render(project: str, version: str, entries: Iterable[tuple[str, str, str]]) -> bytes:
    """An ``objects.inv`` (Sphinx inventory version 2) holding ``entries``."""
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    ).encode()
    seen: dict[tuple[str, str], str] = {}
    for name, role, uri in entries:
        seen.setdefault((name, role), uri)
    lines = "".join(
        f"{name} {role} 1 {uri.replace(name, '$') if uri.endswith('#' + name) else uri} -\n"
        for (name, role), uri in sorted(seen.items())
    )
    return header + zlib.compress(lines.encode(), 9)


def inventories() -> dict[str, bytes]:
    import boto3
    import botocore

    python_version = f"{sys.version_info.major}.{sys.version_info.minor}"
    boto3_entries = (e for m, p in BOTO3_PAGES.items() for e in module_entries(m, p))
    botocore_entries = (e for m, p in BOTOCORE_PAGES.items() for e in module_entries(m, p))
    return {
        "python.inv": render("Python", python_version, python_entries()),
        "boto3.inv": render("Boto3", boto3.__version__, boto3_entries),
        "botocore.inv": render("botocore", botocore.__version__, botocore_entries),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if one is stale")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="default: %(default)s")
    args = parser.parse_args(argv)
    stale = []
    args.output.mkdir(parents=True, exist_ok=True)
    for name, data in inventories().items():
        path = args.output / name
        current = path.read_bytes() if path.exists() else b""
        if current == data:
            continue
        stale.append(path)
        if not args.check:
            path.write_bytes(data)
    for path in stale:
        print(f"{path} {'is stale' if args.check else 'written'}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
