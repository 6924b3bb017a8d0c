"""What ``bsm each`` prints: prefixed lines, jsonl records, progress, the summary table.

Thread safety: :meth:`Output.line` is called from many threads; every write
takes one lock and writes whole lines, so lines of different runs never mix.
The rest runs in the main thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ._each_process import RunRecord

#: Plain progress lines (no terminal, or no tqdm): at most one per this many seconds.
PLAIN_EVERY = 10.0
#: Failed runs listed under the summary table.
FAILURES_LISTED = 20


class Tally:
    """Counts of a run: ok, failed, the slowest, the first failures."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.ok = 0
        self.failed = 0
        self.slowest: RunRecord | None = None
        self.failures: list[RunRecord] = []

    @property
    def done(self) -> int:
        return self.ok + self.failed

    def add(self, record: RunRecord) -> None:
        if record.ok:
            self.ok += 1
        else:
            self.failed += 1
            if len(self.failures) < FAILURES_LISTED:
                self.failures.append(record)
        if self.slowest is None or record.seconds > self.slowest.seconds:
            self.slowest = record


class Progress(Protocol):
    """A progress display: writes lines around itself, updates, closes."""

    def write(self, text: str, target: IO[str]) -> None: ...

    def update(self, tally: Tally, total: int | None) -> None: ...

    def close(self) -> None: ...


def progress_line(tally: Tally, total: int | None, now: float) -> str:
    """``bsm each: 40/200 done, 2 failed, 3.1 runs/s, ETA 52 s``."""
    elapsed = max(now - tally.started, 1e-9)
    rate = tally.done / elapsed
    text = f"bsm each: {tally.done}/{'?' if total is None else total} done, "
    text += f"{tally.failed} failed, {rate:.1f} runs/s"
    if total is not None and rate > 0:
        text += f", ETA {max(total - tally.done, 0) / rate:.0f} s"
    return text


class PlainProgress:
    """Periodic plain lines on stderr (CI logs), at most one per ``every`` seconds."""

    def __init__(
        self,
        stream: IO[str],
        every: float = PLAIN_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.every = every
        self.clock = clock
        self.last = clock()

    def write(self, text: str, target: IO[str]) -> None:
        target.write(text)
        target.flush()

    def update(self, tally: Tally, total: int | None) -> None:
        now = self.clock()
        if now - self.last >= self.every:
            self.last = now
            self.write(progress_line(tally, total, now) + "\n", self.stream)

    def close(self) -> None:
        """Nothing to tidy up."""


class BarProgress:
    """tqdm's live bar on a terminal: done/total, failures, rate, ETA."""

    def __init__(self, stream: IO[str]) -> None:
        from tqdm import tqdm

        self.bar: Any = tqdm(total=None, file=stream, unit="run", dynamic_ncols=True, leave=True)

    def write(self, text: str, target: IO[str]) -> None:
        self.bar.write(text.rstrip("\n"), file=target)

    def update(self, tally: Tally, total: int | None) -> None:
        if total is not None and total != self.bar.total:
            self.bar.total = total
        self.bar.set_postfix(failed=tally.failed, refresh=False)
        self.bar.update(tally.done - self.bar.n)

    def close(self) -> None:
        self.bar.close()


def make_progress(stream: IO[str]) -> Progress:
    """A bar when ``stream`` is a terminal and tqdm is installed, plain lines otherwise."""
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        try:
            return BarProgress(stream)
        except ImportError:
            pass
    return PlainProgress(stream)


class Output:
    """stdout/stderr of ``bsm each``: lines, records and the summary, one lock for all."""

    def __init__(self, out: IO[str], err: IO[str], mode: str, progress: Progress) -> None:
        self.out = out
        self.err = err
        self.mode = mode
        self.progress = progress
        self._lock = threading.Lock()

    def line(self, label: str, stream: str, text: str) -> None:
        """One line of a run (text mode), prefixed with ``account/region``."""
        if not text.endswith("\n"):
            text += "\n"
        target = self.out if stream == "stdout" else self.err
        with self._lock:
            self.progress.write(f"{label}: {text}", target)

    def record(self, record: RunRecord) -> None:
        """A finished run: its JSON line (jsonl), or a line when it failed (text)."""
        with self._lock:
            if self.mode == "jsonl":
                self.progress.write(record.to_json() + "\n", self.out)
            elif not record.ok:
                self.progress.write(f"{record.label}: failed: {_reason(record)}\n", self.err)

    def summary(self, tally: Tally, total: int | None, *, interrupted: bool) -> None:
        """The table at the end, on stderr."""
        skipped: Any = 0 if total is None else max(total - tally.done, 0)
        if interrupted and total is None:
            skipped = "?"
        slowest = tally.slowest
        rows = [
            ("ok", str(tally.ok)),
            ("failed", str(tally.failed)),
            ("skipped", str(skipped)),
            ("slowest", "-" if slowest is None else f"{slowest.label} ({slowest.seconds:.2f} s)"),
        ]
        elapsed = time.monotonic() - tally.started
        head = "interrupted after" if interrupted else "finished"
        lines = [f"bsm each: {head} {tally.done} runs in {elapsed:.1f} s"]
        width = max(len(value) for _, value in rows)
        rule = f"+---------+-{'-' * width}-+"
        lines += [rule, *(f"| {k:<7} | {v:<{width}} |" for k, v in rows), rule]
        lines += [f"failed: {r.label}: {_reason(r)}" for r in tally.failures]
        with self._lock:
            self.err.write("\n".join(lines) + "\n")
            self.err.flush()


def _reason(record: RunRecord) -> str:
    return record.error or f"exit {record.exit_code}"
