"""Draw the documentation's SVG charts from the benchmarks' JSON results.

Reads ``benchmarks/results/{accounts,fanout,get_client,startup}.json`` (written
by the benchmarks' ``--json`` option) and writes into ``docs/_static/``:

- ``accounts-time.svg`` and ``accounts-memory.svg``: CPU time and RSS per account
  against the number of accounts, plain boto3 against this library;
- ``fanout.svg``: fan-out wall time against worker threads, beside the ideal
  (sequential time / workers) and the sequential plain-boto3 loop;
- ``startup.svg``: import times, and ``bsm`` commands against the AWS CLI;
- ``charts.inc``: one reStructuredText substitution per chart with the date,
  machine and versions of its run, for the figure captions of the docs;
- ``benchmark-<name>.txt``: the table each benchmark printed in that run, for
  the docs to show beside its chart.

Each SVG carries the same line as visible text and in its title and
description. The output is stable: no creation date, fixed element ids
(``svg.hashsalt``), text kept as text; drawing the same JSON again gives the
same bytes.

Needs matplotlib (``pip install -e ".[charts]"``). Run: ``python benchmarks/charts.py``
after the benchmarks, or ``tox -e charts`` for fresh runs and charts in one go.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _results

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(os.path.dirname(HERE), "docs", "_static")
BOTO3 = "#c0504d"
BSM = "#1f5fa8"
LIGHT = "#8fb3dd"
GREY = "#7a7a7a"
CAPTIONS = {
    "accounts": "chart-accounts",
    "fanout": "chart-fanout",
    "startup": "chart-startup",
}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "svg.hashsalt": "boto_session_manager",
            "svg.fonttype": "none",
            "font.family": "sans-serif",
            "font.sans-serif": ["DejaVu Sans", "Helvetica", "Arial"],
            "font.size": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.color": "#e4e4e4",
            "grid.linewidth": 0.6,
            "legend.frameon": False,
        }
    )
    return plt


def load(directory: str, name: str) -> dict[str, Any]:
    path = os.path.join(directory, f"{name}.json")
    try:
        with open(path, encoding="utf-8") as source:
            document: dict[str, Any] = json.load(source)
    except FileNotFoundError:
        raise SystemExit(f"{path} is missing: run benchmarks/{name}.py --json {path}") from None
    return document


def provenance(document: dict[str, Any]) -> str:
    """One line: date, machine size and versions of a run."""
    env = document["environment"]
    machine, versions = env["machine"], env["versions"]
    memory = f", {machine['memory_gb']:.0f} GB" if machine.get("memory_gb") else ""
    load = machine.get("load_average_1min")
    busy = f", load average {load:g}" if load is not None else ""
    parts = [
        f"measured {env['date'][:10]}",
        f"{machine['nproc']} CPUs ({machine['cpu_model']}){memory}{busy}",
        f"Python {versions['python']}",
        f"boto3 {versions['boto3']}, botocore {versions['botocore']}",
        f"boto_session_manager {versions['boto_session_manager']}",
    ]
    return "; ".join(parts)


def save(fig: Any, path: str, title: str, caption: str) -> None:
    import textwrap

    shown = textwrap.fill(caption, 125, break_on_hyphens=False)
    fig.supxlabel(shown, x=0.01, ha="left", fontsize=7.5, color=GREY)
    metadata = {
        "Title": f"{title} ({caption})",
        "Description": caption,
        "Date": None,
        "Creator": None,
    }
    fig.savefig(path, format="svg", metadata=metadata)
    print(f"wrote {os.path.relpath(path)}")


def _log_axis(ax: Any, axis: str, ticks: list[float] | None = None) -> None:
    """Log scale with plain numbers (1, 2, 5, 10 ... or the given ticks)."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullLocator

    target = ax.xaxis if axis == "x" else ax.yaxis
    getattr(ax, f"set_{axis}scale")("log")
    locator = FixedLocator(ticks) if ticks else LogLocator(subs=(1.0, 2.0, 5.0))
    target.set_major_locator(locator)
    target.set_minor_locator(NullLocator())
    target.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))


def _titles(fig: Any, ax: Any, title: str, subtitle: str) -> None:
    fig.suptitle(title, x=0.01, ha="left", fontsize=11.5, fontweight="bold")
    ax.set_title(subtitle, loc="left", fontsize=8.5, color="#333333")


def accounts_chart(plt: Any, doc: dict[str, Any], out: str, quantity: str) -> None:
    """CPU time (``cpu``) or memory (``mb``) per account against accounts.

    CPU time rather than wall time: the loop is single-threaded, so on an idle
    machine they match, and on a busy one CPU time still measures the work.
    """
    modes, sizes = doc["results"]["modes"], doc["params"]["sizes"]
    time = quantity == "cpu"
    scale, unit = (1000.0, "ms") if time else (1.0, "MB")
    fig, ax = plt.subplots(figsize=(7.2, 4.3), layout="constrained")
    lines = [("boto3", "plain boto3", BOTO3, "-"), ("bsm", "boto_session_manager", BSM, "-")]
    if time and "bsm-nogc" in modes:
        lines.append(("bsm-nogc", "boto_session_manager, GC off (floor)", LIGHT, ":"))
    for mode, label, color, style in lines:
        points = modes[mode]["points"]
        xs = [p["n"] for p in points]
        ys = [max(p[quantity], 1e-3) / p["n"] * scale for p in points]
        ax.plot(xs, ys, style, color=color, marker="o", markersize=4, lw=2, label=label)
        if mode == "bsm-nogc":
            continue
        total = points[-1][quantity]
        shown = f"{total:.1f} s CPU" if time else f"{total:,.0f} MB"
        ax.annotate(
            f"{ys[-1]:.1f} {unit} each\n{shown} for {xs[-1]}",
            (xs[-1], ys[-1]),
            xytext=(8, 0),
            textcoords="offset points",
            va="center",
            fontsize=8.5,
            color=color,
        )
    per = {m: modes[m]["per_extra_account"] for m in ("boto3", "bsm")}
    key, word = ("cpu_ms", "faster") if time else ("mb", "leaner")
    ratio = per["boto3"][key] / max(per["bsm"][key], 1e-9)
    what = "CPU time" if time else "Memory (RSS growth)"
    title = f"{what} per account, 3 clients each (sts, s3, dynamodb)"
    _titles(
        fig,
        ax,
        title,
        f"each extra account: {per['boto3'][key]:.1f} {unit} with plain boto3, "
        f"{per['bsm'][key]:.{1 if time else 2}f} {unit} with boto_session_manager "
        f"({ratio:.0f}x {word})",
    )
    _log_axis(ax, "x", sizes)
    _log_axis(ax, "y")
    ax.set_xlim(sizes[0] * 0.8, sizes[-1] * 3.2)
    ax.set_xlabel("accounts in one process (fresh process per point)")
    ax.set_ylabel(f"{unit} per account (log scale)")
    ax.legend(loc="lower left", fontsize=8.5)
    name = "accounts-time" if time else "accounts-memory"
    save(fig, os.path.join(out, f"{name}.svg"), title, provenance(doc))
    plt.close(fig)


def fanout_chart(plt: Any, doc: dict[str, Any], out: str) -> None:
    params, results = doc["params"], doc["results"]
    runs = sorted(results["bsm"], key=lambda r: r["workers"])
    workers = [r["workers"] for r in runs]
    seconds = [r["seconds"] for r in runs]
    ideal = [seconds[0] / w for w in workers]
    base = results["boto3_sequential_seconds"]
    fig, ax = plt.subplots(figsize=(7.2, 4.3), layout="constrained")
    ax.axhline(base, color=BOTO3, ls="--", lw=1.5, label="plain boto3, sequential loop")
    ax.plot(workers, ideal, ":", color=GREY, lw=1.5, label="ideal: sequential time / workers")
    ax.plot(workers, seconds, "-o", color=BSM, lw=2, markersize=4, label="for_each_account")
    for w, s in zip(workers, seconds, strict=True):
        ax.annotate(
            f"{s:.1f} s\n{base / s:.1f}x",
            (w, s),
            xytext=(0, 7),
            textcoords="offset points",
            ha="center",
            fontsize=7.5,
            color=BSM,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
        )
    title = (
        f"Fan-out over {params['accounts']} accounts, "
        f"+{params['delay_seconds'] * 1000:.0f} ms per request"
    )
    _titles(
        fig,
        ax,
        title,
        "per account: AssumeRole, then GetCallerIdentity in the account\n"
        "labels: wall time, and speed-up over the sequential plain-boto3 loop",
    )
    _log_axis(ax, "x", workers)
    _log_axis(ax, "y")
    ax.set_ylim(min(ideal) * 0.6, base * 1.6)
    ax.set_xlabel("worker threads")
    ax.set_ylabel("wall time, seconds (log scale)")
    ax.legend(loc="lower left", fontsize=8.5)
    save(fig, os.path.join(out, "fanout.svg"), title, provenance(doc))
    plt.close(fig)


def _bars(ax: Any, labels: list[str], values: list[float], colors: list[str]) -> None:
    import textwrap

    ys = list(range(len(labels)))[::-1]
    ax.barh(ys, values, color=colors, height=0.62)
    ax.set_yticks(ys, [textwrap.fill(label, 34) for label in labels], fontsize=8.5)
    ax.grid(axis="y", visible=False)
    for y, v in zip(ys, values, strict=True):
        ax.text(v, y, f" {v:,.0f} ms", va="center", fontsize=8)
    ax.set_xlim(0, max(values) * 1.18)


def startup_chart(plt: Any, imports: dict[str, Any], startup: dict[str, Any], out: str) -> None:
    fig, (top, bottom) = plt.subplots(
        2,
        1,
        figsize=(7.2, 5.6),
        layout="constrained",
        gridspec_kw={"height_ratios": [4, 6]},
    )
    fig.get_layout_engine().set(h_pad=0.12)
    measured = imports["results"]["import_ms"]
    labels = list(measured)
    colors = [BOTO3 if label == "import boto3" else BSM for label in labels]
    _bars(top, labels, [measured[k] for k in labels], colors)
    top.set_title("Import, in a fresh interpreter (ms)", loc="left", fontsize=10)
    commands = startup["results"]["commands"]
    palette = {"bsm": BSM, "aws": BOTO3, "python": GREY}
    labels = [
        f"{c['command']} (interpreter alone)" if c["tool"] == "python" else c["command"]
        for c in commands
    ]
    colors = [palette.get(c["tool"], GREY) for c in commands]
    _bars(bottom, labels, [c["ms"] for c in commands], colors)
    cli = (startup["params"].get("aws_cli") or "AWS CLI").split(" ")[0]
    bottom.set_title(f"Commands, whole process, ms ({cli})", loc="left", fontsize=10)
    title = "Start-up: imports, and the bsm command against the AWS CLI"
    fig.suptitle(title, x=0.01, ha="left", fontsize=11, fontweight="bold")
    save(fig, os.path.join(out, "startup.svg"), title, provenance(startup))
    plt.close(fig)


def captions(documents: dict[str, dict[str, Any]], out: str) -> None:
    """``charts.inc``: the provenance line of each chart as a substitution."""
    lines = [".. Written by benchmarks/charts.py from benchmarks/results/*.json.", ""]
    for name, substitution in CAPTIONS.items():
        lines.append(f".. |{substitution}| replace:: {provenance(documents[name])}")
    path = os.path.join(out, "charts.inc")
    with open(path, "w", encoding="utf-8") as inc:
        inc.write("\n".join(lines) + "\n")
    print(f"wrote {os.path.relpath(path)}")


def tables(documents: dict[str, dict[str, Any]], out: str) -> None:
    """The printed report of each run, as ``benchmark-<name>.txt``."""
    for name, document in documents.items():
        report = document.get("report")
        if not report:
            continue
        path = os.path.join(out, f"benchmark-{name}.txt")
        with open(path, "w", encoding="utf-8") as text:
            text.write(report.strip("\n") + "\n")
        print(f"wrote {os.path.relpath(path)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default=_results.RESULTS_DIR, help="folder of JSON results")
    parser.add_argument("--out", default=DEFAULT_OUT, help="folder for the SVG files")
    args = parser.parse_args()
    names = ("accounts", "fanout", "get_client", "startup")
    documents = {name: load(args.results, name) for name in names}
    os.makedirs(args.out, exist_ok=True)
    plt = _pyplot()
    accounts_chart(plt, documents["accounts"], args.out, "cpu")
    accounts_chart(plt, documents["accounts"], args.out, "mb")
    fanout_chart(plt, documents["fanout"], args.out)
    startup_chart(plt, documents["get_client"], documents["startup"], args.out)
    captions(documents, args.out)
    tables(documents, args.out)


if __name__ == "__main__":
    main()
