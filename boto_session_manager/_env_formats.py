"""How ``bsm env`` writes credentials: shell, fish, PowerShell, dotenv lines and GitHub's env file.

Each line format turns one variable (``None`` means unset it) into a line the
target reads back unchanged: values are quoted or escaped so a quote or a
newline cannot end one variable and start another. ``--format github``
appends GitHub's multi-line blocks to ``$GITHUB_ENV`` (a private file when
created) and masks every secret line in the Actions log.

Thread safety: pure functions, except :func:`_github_env`, which appends to a
file (one writer at a time, as GitHub runs steps).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shlex
from collections.abc import Callable, Mapping
from typing import IO

from .exceptions import CommandError

#: The variables whose values are secret (masked in the GitHub Actions log).
SECRET_VARIABLES = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


def _sh(name: str, value: str | None) -> str:
    return f"unset {name}" if value is None else f"export {name}={shlex.quote(value)}"


def _fish(name: str, value: str | None) -> str:
    if value is None:
        return f"set -e {name};"
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"set -gx {name} '{escaped}';"


def _powershell(name: str, value: str | None) -> str:
    if value is None:
        return f"Remove-Item Env:{name} -ErrorAction SilentlyContinue"
    return f"$Env:{name} = '{value.replace(chr(39), chr(39) * 2)}'"


def _dotenv(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    if shlex.quote(value) == value:
        return f"{name}={value}"
    # Escaped so a quote or newline in a value cannot end it and start another variable.
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'{name}="{escaped}"'


_LINE_FORMATS: dict[str, Callable[[str, str | None], str | None]] = {
    "sh": _sh,
    "fish": _fish,
    "powershell": _powershell,
    "dotenv": _dotenv,
}


def _github_env(args: argparse.Namespace, env: Mapping[str, str | None], out: IO[str]) -> int:
    target = args.github_env or os.environ.get("GITHUB_ENV")
    if not target:
        msg = (
            "bsm env --format github: GITHUB_ENV is not set "
            "(run it in a GitHub Actions step or pass --github-env PATH)"
        )
        raise CommandError(msg, code=2)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        # Workflow commands go to stdout, which is the log itself elsewhere: mask only in Actions.
        for line in github_masks(env):
            out.write(line)
    blocks = [github_env_block(n, v) for n, v in env.items() if v is not None]
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(target, flags, 0o600)  # created private; GitHub's own file keeps its mode
    except OSError as exc:
        msg = f"bsm env: cannot write the --github-env file {target!r}: {exc.strerror}"
        raise CommandError(msg) from exc
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write("".join(blocks))
    out.write(
        f"wrote {len(blocks)} variables to {'$GITHUB_ENV' if not args.github_env else target}\n"
    )
    return 0


def github_masks(env: Mapping[str, str | None]) -> list[str]:
    """``::add-mask::`` commands for every line of every secret value.

    GitHub masks line by line, so each line of a multi-line secret is masked
    on its own.
    """
    masks = []
    for name in SECRET_VARIABLES:
        for line in (env.get(name) or "").splitlines():
            if line.strip():
                masks.append(f"::add-mask::{line}\n")
    return masks


def github_env_block(name: str, value: str) -> str:
    """``NAME<<DELIMITER``, the value, the delimiter: GitHub's multi-line syntax.

    The delimiter is random and absent from the value, so no value (a newline
    in it included) can end the block early and add another variable.
    """
    delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
    while delimiter in value:  # pragma: no cover - 128 random bits
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"
