"""Sphinx configuration for boto_session_manager."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

from boto_session_manager import __version__  # noqa: E402

project = "boto_session_manager"
author = "boto_session_manager developers"
copyright = "2026, boto_session_manager developers"  # noqa: A001
version = release = __version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx.ext.intersphinx",
]

# Links out to Python, boto3 and botocore. The build runs offline: each
# inventory is read from docs/_inventories/, written from the installed
# packages by scripts/make_inventories.py; the URLs are the public sites'.
intersphinx_mapping = {
    "python": ("https://docs.python.org/3", "_inventories/python.inv"),
    "boto3": ("https://boto3.amazonaws.com/v1/documentation/api/latest", "_inventories/boto3.inv"),
    "botocore": (
        "https://botocore.amazonaws.com/v1/documentation/api/latest",
        "_inventories/botocore.inv",
    ),
}
intersphinx_disabled_reftypes = ["std:doc"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
nitpicky = True
html_theme = "alabaster"
html_theme_options = {"page_width": "1180px", "sidebar_width": "230px"}
html_static_path: list[str] = []
exclude_patterns = ["_build"]


# Names the signatures spell short (imported under TYPE_CHECKING, or our type
# aliases), each mapped to where it is documented: on a page here, or in an
# inventory above. A short name missing from this table stays a warning.
SHORT_NAMES = {
    "datetime": "datetime.datetime",
    "BaseClient": "botocore.client.BaseClient",
    "Config": "botocore.config.Config",
    "Clock": "boto_session_manager.credentials.Clock",
    "MfaToken": "boto_session_manager.credentials.MfaToken",
    "PathLike": "boto_session_manager.snapshot.PathLike",
}


def _type_variable(target: str) -> bool:
    """True when ``target`` (``module.T``) names a module-level ``TypeVar``."""
    import importlib
    import typing

    module_name, _, name = target.rpartition(".")
    if not module_name.startswith("boto_session_manager"):
        return False
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return False
    return isinstance(getattr(module, name, None), typing.TypeVar)


def _qualified(node, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    """``name`` in the module being documented, and in the module of its class."""
    import importlib

    if "." in name:
        return [name]
    module_name = node.get("py:module") or ""
    names = [f"{module_name}.{name}"]
    class_name = node.get("py:class")
    if module_name.startswith("boto_session_manager") and class_name:
        owner = getattr(importlib.import_module(module_name), class_name.split(".")[0], None)
        names.append(f"{getattr(owner, '__module__', '')}.{name}")
    return names


def _resolve_short_name(app, env, node, contnode):  # type: ignore[no-untyped-def]
    """Resolve a short name, or a module's type variable (linked to typing.TypeVar)."""
    if node.get("refdomain") != "py":
        return None
    reftarget = node.get("reftarget", "")
    target = SHORT_NAMES.get(reftarget)
    if target is None and any(_type_variable(name) for name in _qualified(node, reftarget)):
        target = "typing.TypeVar"
    if target is None:
        return None
    node["reftarget"] = target
    python = env.get_domain("py")
    found = python.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], target, node, contnode
    )
    if found is not None:
        return found
    from sphinx.ext.intersphinx import missing_reference

    return missing_reference(app, env, node, contnode)


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("missing-reference", _resolve_short_name, priority=100)

# Names that appear in signatures only: the self-type variables of the
# manager's capability bases and aliases documented in their modules' text.
nitpick_ignore = [
    ("py:class", name)
    for name in ("_M", "_B", "_T", "Path", "ClientProvider", "TTLCache", "Recipe", "CredentialRequest", "Fetch", "StsProvider")
]
