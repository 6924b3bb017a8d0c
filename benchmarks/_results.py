"""Where a benchmark run happened, and its results written as JSON.

Every benchmark in this folder takes ``--json PATH``: besides printing its
table it writes one JSON document there::

    {
      "benchmark": "accounts",
      "environment": {"date": "2026-12-02T10:05:00Z", "machine": {...}, "versions": {...}},
      "params": {...},       # what was run (sizes, workers, delay ...)
      "results": {...},      # what was measured
      "report": "..."        # the table the benchmark printed
    }

``benchmarks/charts.py`` draws the SVG charts of the documentation from these
files; ``tox -e charts`` runs the benchmarks then the charts.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import sys
from typing import Any

RESULTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
_DISTRIBUTIONS = ("boto3", "botocore", "boto_session_manager")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_bytes() -> int | None:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        pass
    try:
        import psutil
    except ImportError:
        return None
    return int(psutil.virtual_memory().total)


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        if name == "boto_session_manager":
            from boto_session_manager import __version__

            return __version__
        return None


def environment() -> dict[str, Any]:
    """Date (UTC), machine size and the versions that the numbers depend on."""
    memory = _memory_bytes()
    versions: dict[str, str | None] = {"python": platform.python_version()}
    versions.update((name, _version(name)) for name in _DISTRIBUTIONS)
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    load = round(os.getloadavg()[0], 1) if hasattr(os, "getloadavg") else None
    return {
        "date": now.isoformat().replace("+00:00", "Z"),
        "machine": {
            "nproc": os.cpu_count(),
            "memory_gb": round(memory / 2**30, 1) if memory else None,
            "cpu_model": _cpu_model(),
            "system": f"{platform.system()} {platform.machine()}",
            # Other processes' demand when the run ended: wall times on a busy
            # machine are longer, CPU times much less so.
            "load_average_1min": load,
        },
        "versions": versions,
    }


class _Tee:
    """Standard output that also keeps what was written (the printed report)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return int(self.stream.write(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def record_output() -> None:
    """Keep a copy of everything printed from now on, for ``write``'s report."""
    if not isinstance(sys.stdout, _Tee):
        sys.stdout = _Tee(sys.stdout)


def add_json_option(parser: argparse.ArgumentParser) -> None:
    """``--json PATH``: also write the results there (see this module)."""
    parser.add_argument(
        "--json",
        metavar="PATH",
        help=f"also write the results as JSON to PATH (charts read {RESULTS_DIR})",
    )


def write(path: str | None, benchmark: str, params: dict[str, Any], results: Any) -> None:
    """Write one run's document to ``path`` (nothing when ``path`` is None)."""
    if not path:
        return
    document = {
        "benchmark": benchmark,
        "environment": environment(),
        "params": params,
        "results": results,
        "report": "".join(sys.stdout.parts) if isinstance(sys.stdout, _Tee) else None,
    }
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        json.dump(document, out, indent=2)
        out.write("\n")
    print(f"results written to {path}", file=sys.stderr)
