"""``bsm each``: run one command in every account (and region) of an organization.

::

    bsm each [auth] [--accounts ID,...|--ou OU,...] [--exclude ID,...]
             [--account-tag KEY=VALUE ...] [--role NAME]
             [--regions R,...|--all-regions] [--max-workers N] [--timeout S]
             [--output text|jsonl] -- CMD [ARG ...]

The accounts and regions are chosen by the library's fan-out
(:class:`~boto_session_manager.fanout.FanOutOptions`): the same targeting,
role caching and throttling retries (adaptive retry mode on the run's own
STS and Organizations clients) as
:meth:`~boto_session_manager.BotoSesManager.for_each_account`. Each run gets
the account's credentials, ``AWS_REGION``/``AWS_DEFAULT_REGION``,
``BSM_ACCOUNT_ID`` and ``BSM_ACCOUNT_NAME`` in its environment, in its own
process group. Progress goes to stderr (a bar on a terminal with the
``progress`` extra, plain lines otherwise), then a summary table.

Exit status: 0 when every run exited 0, 1 when any failed, 2 for bad
arguments, 130 when interrupted (Ctrl-C stops launching, terminates the
running commands and prints the summary of what ran).

Thread safety: the commands run from the fan-out's worker threads; every
write to stdout/stderr takes one lock and writes whole lines.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

from .exceptions import CommandError

if TYPE_CHECKING:
    from ._each_output import Output
    from ._each_process import Children, RunRecord
    from .fanout import AccountResult, FanOutOptions
    from .manager import BotoSesManager

OUTPUTS = ("text", "jsonl")
DEFAULT_ROLE = "OrganizationAccountAccessRole"
INTERRUPT_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name)
)


#: Fan-out option -> the ``bsm each`` flag that sets it, for error messages.
_FLAGS = {
    "account_ids": "--accounts",
    "organizational_units": "--ou",
    "exclude": "--exclude",
    "role_name": "--role",
    "regions": "--regions",
}


def _usage(message: str) -> CommandError:
    """A bad ``bsm each`` argument: exit status 2, the message names it."""
    return CommandError(f"bsm each: {message}", code=2)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``bsm each`` (auth options come from the parent parser)."""
    targets = parser.add_argument_group("which accounts (default: every ACTIVE account)")
    chosen = targets.add_mutually_exclusive_group()
    chosen.add_argument("--accounts", metavar="ID,...", help="these account ids")
    chosen.add_argument("--ou", metavar="OU,...", help="the accounts of these OUs, recursively")
    targets.add_argument("--exclude", metavar="ID,...", help="never these account ids")
    targets.add_argument(
        "--account-tag", metavar="KEY=VALUE", action="append", default=[],
        help="only accounts with this tag (repeat: every tag must match)",
    )  # fmt: skip
    # Replaces the auth options' --role ROLE_ARN: here it is the role in each account.
    targets.add_argument(
        "--role", metavar="NAME", dest="each_role", default=DEFAULT_ROLE,
        help=f"the role to assume in each account (default: {DEFAULT_ROLE})",
    )  # fmt: skip
    regions = parser.add_argument_group("which regions (default: the --region of the run)")
    where = regions.add_mutually_exclusive_group()
    where.add_argument("--regions", metavar="R,...", help="run once per region listed")
    where.add_argument(
        "--all-regions", action="store_true", help="run in every region enabled in each account"
    )
    run = parser.add_argument_group("how")
    run.add_argument("--max-workers", metavar="N", type=int, default=8, help="parallel runs (8)")
    run.add_argument("--timeout", metavar="S", type=float, help="kill a run after S seconds")
    run.add_argument("--output", choices=OUTPUTS, default="text", help="text (default) or jsonl")
    parser.add_argument("cmd", nargs=argparse.REMAINDER, help="the command, after --")
    parser.set_defaults(role=None)


def _ids(value: str | None) -> list[str] | None:
    return None if value is None else [part.strip() for part in value.split(",") if part.strip()]


def _tags(pairs: Sequence[str]) -> dict[str, str] | None:
    tags: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise _usage(f"--account-tag: expected KEY=VALUE, got {pair!r}")
        tags[key] = value
    return tags or None


def fan_out_options(args: argparse.Namespace) -> FanOutOptions:
    """The library's options for these arguments.

    Raises:
        CommandError: an argument the fan-out refuses (exit status 2; the
            message names it).
    """
    from .exceptions import BotoSessionManagerError
    from .fanout import ENABLED_REGIONS, FanOutOptions

    if args.max_workers < 1:
        raise _usage(f"--max-workers must be at least 1, got {args.max_workers}")
    if args.timeout is not None and args.timeout <= 0:
        raise _usage(f"--timeout must be a positive number of seconds, got {args.timeout}")
    regions = ENABLED_REGIONS if args.all_regions else _ids(args.regions)
    try:
        return FanOutOptions(
            account_ids=_ids(args.accounts),
            organizational_units=_ids(args.ou),
            exclude=_ids(args.exclude),
            account_tags=_tags(args.account_tag),
            role_name=args.each_role,
            regions=regions,
            max_workers=args.max_workers,
            role_session_name=args.role_session_name,
            external_id=args.external_id,
            duration_seconds=args.duration or 3600,
            auto_refresh=True,
        )
    except BotoSessionManagerError as exc:
        text = str(exc)
        for field, option in _FLAGS.items():
            if text.startswith(field):
                text = option + text[len(field) :]
        raise _usage(text) from exc


def _command(args: argparse.Namespace) -> list[str]:
    command = list(args.cmd)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        raise _usage("give the command to run after --")
    return command


def account_names(bsm: BotoSesManager, options: FanOutOptions) -> dict[str, str]:
    """Names for ids given with --accounts, when the organization can be read (else {})."""
    from botocore.exceptions import BotoCoreError, ClientError

    from .fanout import fanout_client
    from .services.organizations import list_accounts

    if options.account_ids is None:
        return {}
    try:
        return {a.id: a.name for a in list_accounts(fanout_client(bsm, "organizations"))}
    except (ClientError, BotoCoreError):
        return {}


def _base_environment(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    endpoint = getattr(args, "endpoint_url", None)
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    return env


def _runner(
    command: list[str],
    base_env: dict[str, str],
    names: dict[str, str],
    timeout: float | None,
    children: Children,
    output: Output,
) -> Callable[..., RunRecord]:
    """The function the fan-out calls per account (and region): one command run."""
    from ._each_process import RunRecord, run_command
    from .awscli import credentials_environment
    from .fanout import current_account

    def run(account_bsm: BotoSesManager, region: str | None = None) -> RunRecord:
        account = current_account()
        assert account is not None  # always set inside a fan-out
        region = region or account_bsm.aws_region
        name = account.name or names.get(account.id, "")
        env = dict(base_env)
        for key, value in credentials_environment(
            account_bsm.current_credentials(), region
        ).items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        env["BSM_ACCOUNT_ID"] = account.id
        env["BSM_ACCOUNT_NAME"] = name
        label = f"{account.id}/{region or '-'}"
        result = run_command(command, env, timeout, children, output, label)
        return RunRecord(account=account.id, name=name, region=region, **result)

    return run


def _record(outcome: AccountResult[RunRecord], names: dict[str, str]) -> RunRecord:
    from ._each_process import RunRecord

    if outcome.value is not None:
        return outcome.value
    return RunRecord(
        account=outcome.account_id,
        name=outcome.account_name or names.get(outcome.account_id, ""),
        region=outcome.region,
        exit_code=None,
        error=f"{type(outcome.error).__name__}: {outcome.error}",
    )


def _planned(options: FanOutOptions) -> int | None:
    """How many runs there will be, when that is known before any request."""
    if options.account_ids is None or options.account_tags or isinstance(options.regions, str):
        return None
    ids = [i for i in options.account_ids if i not in (options.exclude or ())]
    return len(ids) * (1 if options.regions is None else len(options.regions))


def _note_total(known: list[int | None], total: int | None) -> None:
    if total is not None:
        known[0] = total


@contextlib.contextmanager
def _interruptible(children: Children) -> Iterator[None]:
    """SIGINT/SIGTERM: stop launching, terminate the running commands, raise KeyboardInterrupt."""

    def stop(signum: int, _frame: Any) -> None:
        children.stop()
        raise KeyboardInterrupt

    previous: dict[int, Any] = {}
    for signum in INTERRUPT_SIGNALS:
        with contextlib.suppress(ValueError, OSError):  # not the main thread
            previous[signum] = signal.signal(signum, stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def check_arguments(args: argparse.Namespace) -> None:
    """Refuse bad arguments before any AWS call (:class:`CommandError`, status 2)."""
    _command(args)
    fan_out_options(args)


def cmd_each(args: argparse.Namespace, bsm: BotoSesManager, out: IO[str]) -> int:
    """Run ``bsm each``; return the exit status."""
    from ._each_output import Output, Tally, make_progress
    from ._each_process import Children

    command = _command(args)
    options = fan_out_options(args)
    names = account_names(bsm, options)
    children = Children()
    progress = make_progress(sys.stderr)
    output = Output(out, sys.stderr, args.output, progress)
    tally = Tally(time.monotonic())
    known: list[int | None] = [_planned(options)]
    run = _runner(command, _base_environment(args), names, args.timeout, children, output)
    interrupted = False
    with _interruptible(children):
        try:
            results = bsm.for_each_account_iter(
                run, options=options, progress=lambda p: _note_total(known, p.total)
            )
            for outcome in results:
                record = _record(outcome, names)
                tally.add(record)
                output.record(record)
                progress.update(tally, known[0])
        except KeyboardInterrupt:
            interrupted = True
            children.stop()
    progress.close()
    output.summary(tally, known[0], interrupted=interrupted)
    if interrupted:
        return 130
    return 0 if tally.failed == 0 else 1
