"""One command run of ``bsm each``: its own process group, a timeout, whole lines out.

Thread safety: :class:`Children` is safe from any thread (one lock);
:func:`run_command` runs in a fan-out worker thread, two reader threads per
command pump its pipes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any, Protocol

import attrs

#: How a command gets a process group of its own (POSIX), or its Windows equivalent.
if hasattr(os, "killpg"):
    _NEW_GROUP: dict[str, Any] = {"start_new_session": True}
else:  # pragma: no cover - Windows
    _NEW_GROUP = {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}

#: Seconds between the polite stop (SIGTERM) and SIGKILL on Ctrl-C.
KILL_AFTER = 2.0
#: Seconds to wait for a killed command's pipes to close (a grandchild that
#: left the process group may hold them open).
PIPE_GRACE = 5.0

if TYPE_CHECKING:
    from collections.abc import Mapping


class LineSink(Protocol):
    """Where text mode sends each output line as it arrives."""

    mode: str

    def line(self, label: str, stream: str, text: str) -> None: ...


@attrs.frozen
class RunRecord:
    """What one run did: the jsonl object of ``bsm each``.

    Attributes:
        account: the account id.
        name: the account's name in the organization ("" when unknown).
        region: the region of the run.
        exit_code: the command's exit status (None when it did not exit by
            itself: never launched, timed out).
        stdout: its standard output (jsonl mode; "" in text mode, where lines
            are printed as they arrive).
        stderr: its standard error, likewise.
        seconds: how long it ran.
        error: why the run failed other than by its exit status, or None.
    """

    account: str
    name: str
    region: str | None
    exit_code: int | None
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the command ran and exited 0."""
        return self.exit_code == 0 and self.error is None

    @property
    def label(self) -> str:
        """``account/region``, the prefix of its lines."""
        return f"{self.account}/{self.region or '-'}"

    def to_json(self) -> str:
        """One line of JSON with every field."""
        return json.dumps(attrs.asdict(self))


def signal_group(process: subprocess.Popen[bytes], kill: bool = False) -> None:
    """SIGTERM (or SIGKILL) to the command's whole process group, if it still runs."""
    if process.poll() is not None:
        return
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)  # type: ignore[attr-defined,unused-ignore]
        else:  # pragma: no cover - Windows
            process.kill() if kill else process.terminate()
    except OSError:  # gone already
        pass


class Children:
    """The commands running now; :meth:`stop` ends them all and refuses new ones.

    Thread safety: every method is safe from any thread.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: set[subprocess.Popen[bytes]] = set()
        self._stopping = False

    def launch(
        self, command: Sequence[str], env: Mapping[str, str]
    ) -> subprocess.Popen[bytes] | None:
        """Start ``command`` in a new process group; None once stopping."""
        with self._lock:
            if self._stopping:
                return None
            process = subprocess.Popen(
                list(command),
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                **_NEW_GROUP,
            )
            self._live.add(process)
        return process

    def finished(self, process: subprocess.Popen[bytes]) -> None:
        """Forget a command that has exited."""
        with self._lock:
            self._live.discard(process)

    def stop(self) -> None:
        """Launch nothing more; SIGTERM every running group, SIGKILL what remains later."""
        with self._lock:
            self._stopping = True
            running = list(self._live)
        for process in running:
            signal_group(process)
        if running:
            timer = threading.Timer(KILL_AFTER, self._kill, args=(running,))
            timer.daemon = True
            timer.start()

    def _kill(self, processes: list[subprocess.Popen[bytes]]) -> None:
        for process in processes:
            signal_group(process, kill=True)


def _pump(pipe: IO[bytes], stream: str, label: str, sink: LineSink, keep: list[str]) -> None:
    with pipe:
        for raw in iter(pipe.readline, b""):
            text = raw.decode("utf-8", "replace")
            if sink.mode == "jsonl":
                keep.append(text)
            else:
                sink.line(label, stream, text)


def run_command(
    command: Sequence[str],
    env: Mapping[str, str],
    timeout: float | None,
    children: Children,
    sink: LineSink,
    label: str,
) -> dict[str, Any]:
    """Run one command to its end (or its timeout); the :class:`RunRecord` fields it sets."""
    started = time.monotonic()
    try:
        process = children.launch(command, env)
    except FileNotFoundError:
        return {"exit_code": 127, "error": f"command not found: {command[0]}"}
    except PermissionError:
        return {"exit_code": 126, "error": f"permission denied: {command[0]}"}
    if process is None:
        return {"exit_code": None, "error": "not launched: bsm each is stopping"}
    kept: dict[str, list[str]] = {"stdout": [], "stderr": []}
    readers = [
        threading.Thread(target=_pump, args=(pipe, name, label, sink, kept[name]), daemon=True)
        for pipe, name in ((process.stdout, "stdout"), (process.stderr, "stderr"))
    ]
    for reader in readers:
        reader.start()
    timed_out = False
    try:
        status = process.wait(timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        signal_group(process, kill=True)
        status = process.wait()
    finally:
        children.finished(process)
    for reader in readers:
        reader.join(PIPE_GRACE)
    fields: dict[str, Any] = {
        "exit_code": status,
        "stdout": "".join(kept["stdout"]),
        "stderr": "".join(kept["stderr"]),
        "seconds": round(time.monotonic() - started, 3),
    }
    if timed_out:
        fields.update(exit_code=None, error=f"timed out after {timeout:g} s (killed)")
    elif status < 0:
        fields.update(exit_code=128 - status, error=f"killed by signal {-status}")
    return fields
