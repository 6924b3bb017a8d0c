"""Marginal time and memory per extra account: boto_session_manager vs plain boto3.

For N = 1, 10, 50, 100, 200 accounts, a fresh Python process per (mode, N) builds N
sessions with distinct static keys and one sts, s3 and dynamodb client each
(no network), and reports wall time and RSS growth (psutil). The marginal cost
per account is the slope between N=1 and N=200.

Modes:

- ``boto3``: ``boto3.session.Session(keys)`` then ``session.client(...)``, the
  usual multi-account loop (one botocore Loader per session).
- ``bsm``: ``BotoSesManager(keys).get_client(...)`` (shared loader, handler
  template).
- ``bsm-nogc``: the same with the cyclic GC disabled for the whole loop: the
  floor that pausing the GC around client creation could reach.

Run: ``python benchmarks/accounts.py`` (about a minute and a half; most of it
is plain boto3). ``--repeat 3`` takes the median of three processes per point;
``--json PATH`` also writes the results (see ``_results.py``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _results

SERVICES = ("sts", "s3", "dynamodb")
SIZES = (1, 10, 50, 100, 200)
MODES = ("boto3", "bsm", "bsm-nogc")


def child(mode: str, n: int) -> dict[str, float]:
    import psutil

    if mode == "boto3":
        import boto3

        def make(i: int) -> object:
            session = boto3.session.Session(
                aws_access_key_id=f"AKIA{i:016d}",
                aws_secret_access_key="not-a-secret",  # noqa: S106
                region_name="us-east-1",
            )
            return [session.client(s) for s in SERVICES]
    else:
        from boto_session_manager import BotoSesManager

        def make(i: int) -> object:
            bsm = BotoSesManager(
                aws_access_key_id=f"AKIA{i:016d}",
                aws_secret_access_key="not-a-secret",  # noqa: S106
                region_name="us-east-1",
            )
            for s in SERVICES:
                bsm.get_client(s)
            return bsm

    process = psutil.Process()
    gc.collect()
    rss0 = process.memory_info().rss
    if mode == "bsm-nogc":
        gc.disable()
    start, cpu = time.perf_counter(), time.process_time()
    kept = [make(i) for i in range(n)]
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    gc.enable()
    rss1 = process.memory_info().rss
    assert len(kept) == n
    return {"seconds": elapsed, "cpu": cpu, "mb": (rss1 - rss0) / 2**20}


def measure(mode: str, n: int, repeat: int) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, __file__, "--child", mode, str(n)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        runs.append(json.loads(out))
    return {k: statistics.median(r[k] for r in runs) for k in ("seconds", "cpu", "mb")}


def report(
    sizes: list[int], table: dict[str, dict[int, dict[str, float]]]
) -> tuple[dict[str, tuple[float, float, float]], dict[str, dict[str, float]]]:
    """Print the table and the ratios; return the slopes and the ratios."""
    header = f"{'mode':<10}" + "".join(f"{'N=' + str(n):>16}" for n in sizes)
    print(header + f"{'per extra account: wall / CPU / RSS':>40}")
    slopes: dict[str, tuple[float, float, float]] = {}
    span = sizes[-1] - sizes[0]
    for mode in MODES:
        row = table[mode]
        first, last = row[sizes[0]], row[sizes[-1]]
        ms = (last["seconds"] - first["seconds"]) / span * 1000
        cpu_ms = (last["cpu"] - first["cpu"]) / span * 1000
        mb = (last["mb"] - first["mb"]) / span
        slopes[mode] = (ms, cpu_ms, mb)
        cells = "".join(f"{row[n]['seconds']:>8.2f}s{row[n]['mb']:>6.0f}MB" for n in sizes)
        print(f"{mode:<10}{cells}{ms:>15.1f} ms {cpu_ms:>7.1f} ms {mb:>6.2f} MB")
    base_ms, base_cpu, base_mb = slopes["boto3"]
    print()
    ratios = {}
    for mode in MODES[1:]:
        ms, cpu_ms, mb = slopes[mode]
        ratios[mode] = {
            "faster": base_ms / ms,
            "faster_cpu": base_cpu / cpu_ms,
            "leaner": base_mb / max(mb, 1e-9),
        }
        print(
            f"{mode}: {base_ms / ms:.1f}x faster (CPU {base_cpu / cpu_ms:.1f}x) and "
            f"{base_mb / max(mb, 1e-9):.1f}x leaner per extra account than plain boto3 "
            "(target: <=10 ms and <=1 MB)"
        )
    return slopes, ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("MODE", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=1, help="processes per point (median)")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    _results.add_json_option(parser)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]))))
        return
    _results.record_output()

    import boto3
    import botocore

    sizes = [int(s) for s in args.sizes.split(",")]
    versions = f"boto3 {boto3.__version__}, botocore {botocore.__version__}"
    print(f"Python {sys.version.split()[0]}, {versions}, {os.cpu_count()} CPUs")
    print(f"{len(SERVICES)} clients per account ({', '.join(SERVICES)}); fresh process per point\n")
    table: dict[str, dict[int, dict[str, float]]] = {}
    for mode in MODES:
        table[mode] = {n: measure(mode, n, args.repeat) for n in sizes}
    slopes, ratios = report(sizes, table)
    results = {
        mode: {
            "points": [{"n": n, **table[mode][n]} for n in sizes],
            "per_extra_account": dict(zip(("ms", "cpu_ms", "mb"), slopes[mode], strict=True)),
        }
        for mode in MODES
    }
    params = {"sizes": sizes, "services": list(SERVICES), "repeat": args.repeat}
    _results.write(args.json, "accounts", params, {"modes": results, "vs_boto3": ratios})


if __name__ == "__main__":
    main()
