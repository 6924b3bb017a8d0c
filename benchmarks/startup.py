"""Start-up of the ``bsm`` command against the AWS CLI, as a user runs them.

Each command runs in a fresh process; the time is its whole wall time (the
interpreter's start-up included), median of ``--rounds`` interleaved rounds:

- ``--version``: ``bsm --version`` vs ``aws --version``;
- help: ``bsm --help`` vs ``aws help`` (which renders a manual page);
- who am I: ``bsm whoami`` vs ``aws sts get-caller-identity``, both against
  moto's server on 127.0.0.1 (``--endpoint-url``), with fake keys in an
  environment that has no other ``AWS_*`` variable and no config files;
- ``python -c pass``: the interpreter alone, the floor of every row.

The AWS CLI is the ``aws`` next to this interpreter (``pip install awscli``,
as ``tox -e charts`` does), else the one on ``PATH``; without one, only the
``bsm`` rows are measured.

Run: ``python benchmarks/startup.py`` (about a minute); ``--json PATH`` also
writes the results (see ``_results.py``).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _results

from boto_session_manager.testing import TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY, local_aws


def _tool(name: str) -> str | None:
    here = os.path.join(os.path.dirname(sys.executable), name)
    return here if os.path.exists(here) else shutil.which(name)


def _environment(home: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        HOME=home,
        PAGER="cat",
        MANPAGER="cat",
        AWS_ACCESS_KEY_ID=TEST_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY=TEST_SECRET_ACCESS_KEY,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.path.join(home, "config"),
        AWS_SHARED_CREDENTIALS_FILE=os.path.join(home, "credentials"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def commands(endpoint: str) -> list[tuple[str, str, list[str]]]:
    """(row, tool, argv) for every command that can run here."""
    bsm, aws = _tool("bsm"), _tool("aws")
    if bsm is None:
        raise SystemExit("no bsm command: install the package (pip install -e .)")
    rows = [("python -c pass", "python", [sys.executable, "-c", "pass"])]
    pairs = (
        ("--version", ["--version"], ["--version"]),
        ("help", ["--help"], ["help"]),
        (
            "who am I",
            ["whoami", "--endpoint-url", endpoint],
            ["sts", "get-caller-identity", "--endpoint-url", endpoint],
        ),
    )
    for row, bsm_args, aws_args in pairs:
        rows.append((row, "bsm", [bsm, *bsm_args]))
        if aws is not None:
            rows.append((row, "aws", [aws, *aws_args]))
    return rows


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="interleaved rounds (median)")
    _results.add_json_option(parser)
    args = parser.parse_args()
    _results.record_output()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; median of {args.rounds}\n")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with local_aws() as aws, tempfile.TemporaryDirectory() as home:
        env = _environment(home)
        rows = commands(aws.endpoint_url)
        for _, _, argv in rows:  # warm the disk cache and write bytecode
            timed(argv, env)
        runs = [[timed(argv, env) for _, _, argv in rows] for _ in range(args.rounds)]
    aws_version = None
    results = []
    for i, (row, tool, argv) in enumerate(rows):
        ms = statistics.median(r[i] for r in runs)
        shown = " ".join(os.path.basename(a) if j == 0 else a for j, a in enumerate(argv))
        shown = shown.replace(aws.endpoint_url, "URL")
        results.append({"row": row, "tool": tool, "command": shown, "ms": ms})
        print(f"{shown:<52}{ms:>8.0f} ms")
        if tool == "aws" and row == "--version":
            aws_version = subprocess.run(argv, capture_output=True, text=True).stdout.strip()
    print(f"\nAWS CLI: {aws_version or 'not installed'}")
    params = {"rounds": args.rounds, "aws_cli": aws_version}
    _results.write(args.json, "startup", params, {"commands": results})


if __name__ == "__main__":
    main()
