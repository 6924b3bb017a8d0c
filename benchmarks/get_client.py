"""A cached ``get_client`` hit vs a plain dict lookup, and import time vs boto3.

- ``get_client``: ``bsm.get_client("s3")`` once the client is cached, against
  ``cache.get(key)`` on a dict holding one client under an 11-item tuple key
  (the shape of the manager's key) and against ``d["s3"]``; best of 7 timeit
  runs each.
- import: ``import boto3``, ``import boto_session_manager`` (lazy: does not
  import boto3), ``from boto_session_manager import BotoSesManager`` (which
  imports boto3 itself) and the same import in a process that has already
  imported boto3 (what the package adds: the number the target is about).
  Each is timed inside a fresh interpreter (start-up and any setup
  excluded), interleaved, median of 15 rounds, with the package's bytecode
  compiled first (as an installed wheel has it).

Run: ``python benchmarks/get_client.py`` (about 20 seconds); ``--json PATH``
also writes the results (see ``_results.py``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import timeit

import boto3
import botocore

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _results

from boto_session_manager import BotoSesManager

NUMBER = 200_000
IMPORT_RUNS = 15


def cache_hit() -> dict[str, float]:
    bsm = BotoSesManager(
        aws_access_key_id="AKIAEXAMPLEEXAMPLE00",
        aws_secret_access_key="not-a-secret",  # noqa: S106
        region_name="us-east-1",
    )
    client = bsm.get_client("s3")
    key = ("s3", None, None, True, None, None, None, None, None, None, False)
    cache = {key: client}
    by_name = {"s3": client}
    glob = {"bsm": bsm, "cache": cache, "key": key, "by_name": by_name}

    def best(stmt: str) -> float:
        runs = timeit.repeat(stmt, globals=glob, number=NUMBER, repeat=7)
        return min(runs) / NUMBER * 1e6

    return {
        "bsm.get_client('s3')": best("bsm.get_client('s3')"),
        "bsm.s3_client": best("bsm.s3_client") if hasattr(bsm, "s3_client") else float("nan"),
        "cache.get(11-tuple key)": best("cache.get(key)"),
        "by_name['s3']": best("by_name['s3']"),
    }


def compile_package() -> None:
    """Write the package's bytecode, as an installed wheel has it.

    Otherwise a source checkout run with ``PYTHONDONTWRITEBYTECODE`` (or just
    after an edit) would time the compiler, not the import.
    """
    import compileall

    import boto_session_manager

    compileall.compile_dir(os.path.dirname(boto_session_manager.__file__), quiet=1)


def import_time(statement: str, setup: str = "pass") -> float:
    code = (
        f"{setup}; import time; t = time.perf_counter(); {statement}; "
        "print(time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(out.stdout) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    _results.add_json_option(parser)
    args = parser.parse_args()
    _results.record_output()
    print(
        f"Python {sys.version.split()[0]}, boto3 {boto3.__version__}, "
        f"botocore {botocore.__version__}\n"
    )
    hits = cache_hit()
    for name, us in hits.items():
        print(f"{name:<26}{us:>8.3f} us")
    ratio = hits["bsm.get_client('s3')"] / hits["cache.get(11-tuple key)"]
    print(f"cached get_client: {ratio:.1f}x a dict lookup with the same key (target <=5x)\n")

    compile_package()
    manager = "from boto_session_manager import BotoSesManager"
    cases = (
        ("import boto3", "import boto3", "pass"),
        ("import boto_session_manager", "import boto_session_manager", "pass"),
        (manager, manager, "pass"),
        (f"{manager} (boto3 loaded)", manager, "import boto3"),
    )
    runs = [[import_time(stmt, setup) for _, stmt, setup in cases] for _ in range(IMPORT_RUNS)]
    imports = {
        label: statistics.median(r[i] for r in runs) for i, (label, _, _) in enumerate(cases)
    }
    for label, ms in imports.items():
        print(f"{label:<64}{ms:>7.1f} ms")
    extra = statistics.median(r[3] for r in runs)
    print(
        f"BotoSesManager adds {extra:.1f} ms to an interpreter that has imported boto3 "
        "(target <10 ms); the bare package import does not import boto3 at all"
    )

    params = {"timeit_number": NUMBER, "import_rounds": IMPORT_RUNS}
    results = {"cached_us": hits, "import_ms": imports, "manager_adds_ms": extra}
    _results.write(args.json, "get_client", params, results)


if __name__ == "__main__":
    main()
