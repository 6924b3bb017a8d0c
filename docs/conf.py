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
]
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(botocore|boto3|attrs|argparse|concurrent|datetime|os|pathlib|typing|collections)\..*"),
    (r"py:.*", r"(BaseClient|Config|Credentials|ReadOnlyCredentials|Session|PathLike|Clock|MfaToken|T|Any|Callable|Iterator|Mapping|Sequence|MutableMapping|datetime|Path|Namespace|ArgumentParser|TemporaryCredentials|_Origin)"),
    (r"py:class", r".*\.?(T|_Origin|_Source|_DefaultSessionSwitch)"),
    (r"py:.*", r"tempfile\..*"),
]
html_theme = "alabaster"
html_theme_options = {"page_width": "1180px", "sidebar_width": "230px"}
html_static_path: list[str] = []
exclude_patterns = ["_build"]
