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


# Names the signatures spell short that live outside the module naming them
# (imported under TYPE_CHECKING, or aliases of another module), each mapped
# to where it is documented: on a page here, or in an inventory above.
SHORT_NAMES = {
    "datetime": "datetime.datetime",
    "Path": "pathlib.Path",
    "BaseClient": "botocore.client.BaseClient",
    "Config": "botocore.config.Config",
    "Clock": "boto_session_manager.credentials.Clock",
    "MfaToken": "boto_session_manager.credentials.MfaToken",
    "PathLike": "boto_session_manager.snapshot.PathLike",
}


def _described_object(node):  # type: ignore[no-untyped-def]
    """The Python object whose description holds ``node``, or None."""
    import importlib

    from sphinx import addnodes

    desc = node.parent
    while desc is not None and not isinstance(desc, addnodes.desc):
        desc = desc.parent
    if desc is None:
        return None
    signature = next(iter(desc.findall(addnodes.desc_signature)), None)
    module_name = "" if signature is None else signature.get("module") or ""
    if not module_name.startswith("boto_session_manager"):
        return None
    obj = importlib.import_module(module_name)
    for part in (signature.get("fullname") or "").split("."):
        obj = getattr(obj, part, None)
    return getattr(obj, "fget", obj)


def _candidates(node, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    """What ``name`` means where it is written, as Python would read it.

    A signature's bare name is looked up in the module being documented and
    in the module that defines the described object (a method a base class
    gives the manager names its own module's ``_M``). A class or function
    found there is named where it is defined; anything else (a type variable,
    an alias) by that module and name.
    """
    import importlib
    import inspect

    if "." in name:
        return [name]
    described = _described_object(node)
    modules = [node.get("py:module") or "", getattr(described, "__module__", None) or ""]
    names = []
    for module_name in dict.fromkeys(modules):
        if not module_name.startswith("boto_session_manager"):
            continue
        value = getattr(importlib.import_module(module_name), name, None)
        if value is None:
            continue
        if inspect.isclass(value) or inspect.isfunction(value):
            names.append(f"{value.__module__}.{value.__qualname__}")
        else:
            names.append(f"{module_name}.{name}")
    return names


def _qualify_names_transform():  # type: ignore[no-untyped-def]
    """A post-transform that gives each bare name the target it means where written.

    It runs before the references are resolved, so that a name several
    modules document (each module's ``T``) is not looked up by its last part.
    """
    from sphinx import addnodes
    from sphinx.transforms.post_transforms import SphinxPostTransform

    class QualifyNames(SphinxPostTransform):
        default_priority = 5  # before sphinx's ReferencesResolver (10)

        def run(self, **kwargs):  # type: ignore[no-untyped-def]
            python = self.env.get_domain("py")
            for node in self.document.findall(addnodes.pending_xref):
                if node.get("refdomain") != "py":
                    continue
                for candidate in _candidates(node, node.get("reftarget", "")):
                    if candidate in python.objects:
                        node["reftarget"] = candidate
                        break

    return QualifyNames


def _resolve_short_name(app, env, node, contnode):  # type: ignore[no-untyped-def]
    """Resolve a name of :data:`SHORT_NAMES`, here or in an inventory."""
    if node.get("refdomain") != "py":
        return None
    target = SHORT_NAMES.get(node.get("reftarget", ""))
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
    app.add_post_transform(_qualify_names_transform())
    app.connect("missing-reference", _resolve_short_name, priority=100)
