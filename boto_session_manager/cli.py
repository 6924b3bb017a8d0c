"""The ``bsm`` command: identity, credentials for child processes, snapshots, demo.

::

    bsm whoami [auth] [--json] [--no-mask]
    bsm exec [auth] [--nested] -- CMD ...
    bsm env [auth] --format sh|fish|powershell|dotenv|json|github [--github-env PATH]
    bsm credential-process [auth]
    bsm snapshot save [PATH] [auth] [--force]
    bsm snapshot show [PATH] [--reveal]
    bsm each [auth] [--accounts ID,...|--ou OU] [--exclude ID,...] [--account-tag K=V]
             [--role NAME] [--regions R,...|--all-regions] [--max-workers N]
             [--timeout S] [--output text|jsonl] -- CMD ...
    bsm demo

``[auth]`` are the options of
:class:`~boto_session_manager.cli_args.AWSArgumentParser` (``--profile``,
``--region``, keys, ``--role``, ``--external-id``, ``--duration``,
``--mfa-serial``, ``--mfa-token``, ``--endpoint-url``, ``--cache-dir`` ...),
or ``--snapshot PATH`` to take the credentials from a snapshot file.
Expired credentials are refused by ``whoami``, ``exec``, ``env`` and
``credential-process`` unless ``--allow-expired`` is given.

Every failure is one line on stderr naming what was wrong, and a non-zero exit
status (2 for bad usage, 1 otherwise, the child's own status for ``exec``); a
refusal names the flag that overrides it (``--force``, ``--nested``,
``--allow-expired``). ``--debug`` shows the traceback too. Known secrets (the
keys, token and MFA code given as options or in the environment) and
credential header text are hidden from every message; ``--auth-debug`` logs
botocore's requests at DEBUG through the same redaction. ``bsm --help`` and
``bsm --version`` do
not import boto3.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

from ._env_formats import _LINE_FORMATS
from ._env_formats import SECRET_VARIABLES as SECRET_VARIABLES
from ._env_formats import _dotenv as _dotenv
from ._env_formats import _github_env as _github_env
from ._env_formats import github_env_block as github_env_block
from ._env_formats import github_masks as github_masks
from ._version import __version__
from .exceptions import CommandError

if TYPE_CHECKING:
    from .manager import BotoSesManager

PROG = "bsm"
PACKAGE_LOGGER = "boto_session_manager"
SESSION_NAME = "bsm-cli"
#: Set in the environment of every ``bsm exec`` child, to detect nesting.
EXEC_MARKER = "BSM_EXEC"
ENV_FORMATS = ("sh", "fish", "powershell", "dotenv", "json", "github")
FORWARDED_SIGNALS = tuple(
    getattr(signal, name)
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH")
    if hasattr(signal, name)
)


# ---------------------------------------------------------------------- parser


def _auth_parent() -> argparse.ArgumentParser:
    """A parent parser with the auth options (``--profile``, keys, ``--role`` ...)."""
    from .cli_args import AWSArgumentParser

    return AWSArgumentParser(role_session_name=SESSION_NAME, add_help=False)


def _add_credentials_source(sub: argparse.ArgumentParser) -> None:
    """``--snapshot`` and ``--allow-expired``: where the credentials come from."""
    sub.add_argument(
        "--snapshot",
        metavar="PATH",
        help="take the credentials from this snapshot file instead of the auth options",
    )
    sub.add_argument(
        "--allow-expired",
        action="store_true",
        help="use credentials that have already expired instead of refusing",
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``bsm`` argument parser (auth options come from :mod:`.cli_args`)."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="AWS credentials for scripts, CI jobs and people.",
        epilog="Run 'bsm COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument(
        "--auth-debug",
        dest="log_requests",
        action="store_true",
        help="log botocore's requests and responses at DEBUG on stderr, secrets hidden "
        "(after a command: print which credentials would be used, then exit)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    subs = [
        *_add_credential_commands(commands),
        *_add_snapshot_commands(commands),
        *_add_account_commands(commands),
    ]
    for sub in subs:
        sub.set_defaults(parser_=sub)  # its usage line goes into error messages
    return parser


def _add_credential_commands(commands: Any) -> list[argparse.ArgumentParser]:
    """``whoami``, ``exec``, ``env`` and ``credential-process``."""
    whoami = commands.add_parser(
        "whoami", parents=[_auth_parent()], help="account, alias, principal, region and expiry"
    )
    whoami.add_argument("--json", action="store_true", help="print JSON")
    whoami.add_argument("--no-mask", action="store_true", help="show the account id in full")

    run = commands.add_parser(
        "exec",
        parents=[_auth_parent()],
        help="run a command with the credentials in its environment",
        usage="bsm exec [auth options] [--nested] -- CMD [ARG ...]",
    )
    run.add_argument("--nested", action="store_true", help="allow running inside another bsm exec")
    run.add_argument("cmd", nargs=argparse.REMAINDER, help="the command, after --")

    env = commands.add_parser(
        "env", parents=[_auth_parent()], help="print the credentials as shell or CI variables"
    )
    env.add_argument("--format", choices=ENV_FORMATS, default="sh", help="output format")
    env.add_argument(
        "--github-env",
        metavar="PATH",
        help="with --format github: the file to append to (default: $GITHUB_ENV)",
    )
    process = commands.add_parser(
        "credential-process",
        parents=[_auth_parent()],
        help="the JSON of credential_process in ~/.aws/config",
    )
    subs = [whoami, run, env, process]
    for sub in subs:
        _add_credentials_source(sub)
    return subs


def _add_snapshot_commands(commands: Any) -> list[argparse.ArgumentParser]:
    """``snapshot save`` and ``snapshot show``."""
    snapshot = commands.add_parser("snapshot", help="save or show a credential snapshot file")
    actions = snapshot.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    save = actions.add_parser(
        "save", parents=[_auth_parent()], help="write a snapshot file (mode 0600)"
    )
    save.add_argument("path", nargs="?", help="default: ~/.bsm-snapshot.json")
    save.add_argument("--force", action="store_true", help="replace an existing file")
    show = actions.add_parser("show", help="show a snapshot file (secrets masked)")
    show.add_argument("path", nargs="?", help="default: ~/.bsm-snapshot.json")
    show.add_argument("--reveal", action="store_true", help="print the secret key and token too")
    return [save, show]


def _add_account_commands(commands: Any) -> list[argparse.ArgumentParser]:
    """``each`` (every account of the organization) and ``demo``."""
    each = commands.add_parser(
        "each",
        parents=[_auth_parent()],
        conflict_handler="resolve",  # its --role is the role in each account
        help="run a command in every account (and region) of the organization",
        usage="bsm each [auth options] [targets] [--role NAME] [--regions R,...|--all-regions] "
        "[--max-workers N] [--timeout S] [--output text|jsonl] -- CMD [ARG ...]",
    )
    _add_each_arguments(each)

    demo = commands.add_parser(
        "demo", help="the main scenario on an embedded local AWS (no account needed)"
    )
    demo.add_argument("--accounts", type=int, default=3, help="member accounts to create (1-20)")
    return [each, demo]


def _add_each_arguments(parser: argparse.ArgumentParser) -> None:
    from .cli_each import add_arguments

    add_arguments(parser)


# -------------------------------------------------------------------- commands


def _manager(args: argparse.Namespace, parser: argparse.ArgumentParser) -> BotoSesManager:
    from .cli_args import validate_auth_args
    from .manager import BotoSesManager

    if getattr(args, "snapshot", None) is not None:
        return _snapshot_manager(args)
    validate_auth_args(args, parser)
    bsm = BotoSesManager.from_args(args)
    hide = getattr(args, "hide_in_logs_", None)
    if hide is not None:  # --auth-debug: the credentials in use are hidden too
        with contextlib.suppress(Exception):
            hide(bsm.get_frozen_credentials()[1:3])
    return bsm


def _snapshot_manager(args: argparse.Namespace) -> BotoSesManager:
    from .exceptions import SnapshotExpiredError
    from .manager import BotoSesManager

    options: dict[str, Any] = {}
    if getattr(args, "endpoint_url", None):
        options["default_client_kwargs"] = {"endpoint_url": args.endpoint_url}
    if getattr(args, "region", None):
        options["region_name"] = args.region
    try:
        return BotoSesManager.from_snapshot_file(
            args.snapshot, allow_expired=args.allow_expired, **options
        )
    except SnapshotExpiredError as exc:
        text = str(exc).replace("; pass allow_expired=True to load them anyway", "")
        msg = f"{text}; pass --allow-expired to use them anyway"
        raise CommandError(msg) from exc


def refuse_expired(args: argparse.Namespace, bsm: BotoSesManager) -> None:
    """Refuse credentials that have already expired, unless ``--allow-expired``."""
    from .credentials import utc_now
    from .exceptions import NoCredentialsError

    try:
        expiry = bsm.credential_expiration
    except NoCredentialsError:
        return  # the command's own call reports it, in its own words
    if expiry is None or args.allow_expired or expiry > utc_now():
        return
    msg = (
        f"bsm {args.command}: the credentials expired at "
        f"{expiry.isoformat(timespec='seconds')}; pass --allow-expired to use them anyway"
    )
    raise CommandError(msg)


def _expiry_text(expiry: datetime | None) -> str:
    return "never" if expiry is None else expiry.isoformat(timespec="seconds")


def cmd_whoami(args: argparse.Namespace, bsm: BotoSesManager, out: IO[str]) -> int:
    refuse_expired(args, bsm)
    bsm.check_credentials()
    expiry = bsm.credential_expiration
    if args.json:
        # For scripts: the real identifiers, and null (not "never") for no expiry.
        document: dict[str, Any] = bsm.who_am_i(masked=False)
        document["credential_source"] = bsm.credential_source
        document["expiration"] = None if expiry is None else expiry.isoformat(timespec="seconds")
        out.write(json.dumps(document, indent=2) + "\n")
        return 0
    info: dict[str, Any] = bsm.who_am_i(masked=not args.no_mask)
    info["credential_source"] = bsm.credential_source
    info["expiration"] = _expiry_text(expiry)
    labels = {
        "account_id": "Account",
        "account_alias": "Alias",
        "principal_arn": "Principal",
        "user_id": "User id",
        "region": "Region",
        "credential_source": "Source",
        "expiration": "Expires",
    }
    width = max(len(v) for v in labels.values())
    for key, label in labels.items():
        out.write(f"{label:<{width}}  {info.get(key) or '-'}\n")
    return 0


def child_environment(bsm: BotoSesManager, args: argparse.Namespace) -> dict[str, str | None]:
    """The variables ``exec`` and ``env`` hand over (None = remove)."""
    from .awscli import credentials_environment

    env = credentials_environment(bsm.current_credentials(), bsm.aws_region)
    endpoint = getattr(args, "endpoint_url", None)
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    return env


def cmd_exec(args: argparse.Namespace, bsm: BotoSesManager, out: IO[str]) -> int:
    command = list(args.cmd)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        raise CommandError("bsm exec: give the command to run after --", code=2)
    if os.environ.get(EXEC_MARKER) and not args.nested:
        msg = (
            "bsm exec: already inside a 'bsm exec' (its credentials would be replaced); "
            "pass --nested to do it anyway"
        )
        raise CommandError(msg, code=2)
    refuse_expired(args, bsm)
    env = dict(os.environ)
    for name, value in child_environment(bsm, args).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    env[EXEC_MARKER] = str(int(env.get(EXEC_MARKER, "0") or 0) + 1)
    return run_forwarding_signals(command, env)


def run_forwarding_signals(command: Sequence[str], env: Mapping[str, str]) -> int:
    """Run ``command``, forward the usual signals to it, return its exit status.

    A child killed by a signal gives ``128 + signal``, as a shell reports it.
    """
    try:
        child = subprocess.Popen(list(command), env=dict(env))
    except FileNotFoundError as exc:
        raise CommandError(f"bsm exec: command not found: {command[0]}", code=127) from exc
    except PermissionError as exc:
        raise CommandError(f"bsm exec: permission denied: {command[0]}", code=126) from exc

    def forward(signum: int, _frame: Any) -> None:
        if child.poll() is None:
            child.send_signal(signum)

    previous: dict[int, Any] = {}
    for signum in FORWARDED_SIGNALS:
        with contextlib.suppress(ValueError, OSError):  # not the main thread
            previous[signum] = signal.signal(signum, forward)
    try:
        status = child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 - status if status < 0 else status


def cmd_env(args: argparse.Namespace, bsm: BotoSesManager, out: IO[str]) -> int:
    if args.github_env is not None and args.format != "github":
        msg = f"bsm env: --github-env goes with --format github, not --format {args.format}"
        raise CommandError(msg, code=2)
    refuse_expired(args, bsm)
    env = child_environment(bsm, args)
    if args.format == "json":
        out.write(json.dumps({k: v for k, v in env.items() if v is not None}, indent=2) + "\n")
        return 0
    if args.format == "github":
        return _github_env(args, env, out)
    for name, value in env.items():
        line = _LINE_FORMATS[args.format](name, value)
        if line is not None:
            out.write(line + "\n")
    return 0


def cmd_credential_process(args: argparse.Namespace, bsm: BotoSesManager, out: IO[str]) -> int:
    refuse_expired(args, bsm)
    document = bsm.current_credentials().to_credential_process()
    out.write(json.dumps(document) + "\n")
    return 0


def cmd_snapshot_save(args: argparse.Namespace, bsm: BotoSesManager, out: IO[str]) -> int:
    from .exceptions import SnapshotExistsError
    from .snapshot import resolve_path, write_private_file

    path = resolve_path(args.path)
    try:
        write_private_file(path, json.dumps(bsm.to_snapshot(), indent=2), overwrite=args.force)
    except SnapshotExistsError as exc:
        msg = f"bsm snapshot save: {str(path)!r} already exists; pass --force to replace it"
        raise CommandError(msg) from exc
    out.write(f"wrote {path} (mode 0600)\n")
    return 0


def cmd_snapshot_show(args: argparse.Namespace, out: IO[str]) -> int:
    from .credentials import utc_now
    from .snapshot import read_snapshot_file, resolve_path

    path = resolve_path(args.path)
    options = read_snapshot_file(path, allow_expired=True)
    rows = [
        ("File", str(path)),
        ("Region", options["region_name"] or "-"),
        ("Access key id", options["aws_access_key_id"]),
        ("Secret key", options["aws_secret_access_key"] if args.reveal else "(hidden, --reveal)"),
    ]
    token = options["aws_session_token"]
    if token:
        rows.append(("Session token", token if args.reveal else "(hidden, --reveal)"))
    expiry = options["expiration_time"]
    expired = expiry is not None and expiry <= utc_now()
    rows.append(("Expires", _expiry_text(expiry) + (" (EXPIRED)" if expired else "")))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        out.write(f"{label:<{width}}  {value}\n")
    return 0


# ------------------------------------------------------------------------ main


def _dispatch(args: argparse.Namespace, parser: argparse.ArgumentParser, out: IO[str]) -> int:
    if args.command == "demo":
        from .demo import run_demo

        if not 1 <= args.accounts <= 20:
            raise CommandError("bsm demo: --accounts must be from 1 to 20", code=2)
        return run_demo(out=out, accounts=args.accounts)
    if args.command == "snapshot" and args.action == "show":
        return cmd_snapshot_show(args, out)
    if args.command == "each":
        return _each(args, parser, out)
    handlers: dict[str, Callable[[argparse.Namespace, BotoSesManager, IO[str]], int]] = {
        "whoami": cmd_whoami,
        "exec": cmd_exec,
        "env": cmd_env,
        "credential-process": cmd_credential_process,
        "snapshot": cmd_snapshot_save,
    }
    handler = handlers[args.command]
    return handler(args, _manager(args, parser), out)


def _each(args: argparse.Namespace, parser: argparse.ArgumentParser, out: IO[str]) -> int:
    from .cli_each import check_arguments, cmd_each

    check_arguments(args)  # bad targets are usage errors, before any credentials
    return cmd_each(args, _manager(args, parser), out)


def describe_error(exc: BaseException) -> str:
    """One line naming what went wrong, never a secret."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        ProfileNotFound,
    )

    from .exceptions import BotoSessionManagerError

    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = error.get("Code", "Unknown")
        hint = ""
        if code in (
            "Throttling",
            "ThrottlingException",
            "TooManyRequestsException",
            "RequestLimitExceeded",
        ):
            hint = " (throttled: retry later or lower the request rate)"
        elif code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation"):
            hint = " (access denied: check the role's or user's permissions)"
        return (
            f"AWS refused {exc.operation_name}: {code}: {error.get('Message', '')}{hint}".rstrip()
        )
    if isinstance(exc, ProfileNotFound):
        profile = exc.kwargs.get("profile")
        return f"profile not found: {profile!r} (check ~/.aws/config or --config-path)"
    if isinstance(exc, NoCredentialsError):
        return "no AWS credentials found: pass --profile or keys, or configure the standard chain"
    if isinstance(exc, NoRegionError):
        return "no AWS region: pass --region or set AWS_REGION"
    if isinstance(exc, EndpointConnectionError):
        return f"cannot reach the AWS endpoint {exc.kwargs.get('endpoint_url')!r}"
    if isinstance(exc, (BotoSessionManagerError, BotoCoreError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def known_secrets(args: argparse.Namespace) -> list[str]:
    """The secrets ``bsm`` was given (options and environment), to hide from any output."""
    values = [getattr(args, name, None) for name in ("aws_secret_access_key", "aws_session_token")]
    values.append(getattr(args, "mfa_token", None))
    values += [os.environ.get(name) for name in SECRET_VARIABLES]
    return [str(value) for value in values if value is not None and not callable(value)]


@contextlib.contextmanager
def auth_debug(args: argparse.Namespace) -> Iterator[None]:
    """With ``--auth-debug``: botocore, boto3 and this library log at DEBUG on
    stderr through a filter that hides every known secret and credential header.

    ``bsm --auth-debug COMMAND`` logs while the command runs; ``bsm COMMAND
    --auth-debug`` (the option of :mod:`.cli_args`) logs while it prints its
    report of which credentials would be used. botocore's own DEBUG records
    print request headers and response bodies, session tokens and new
    credentials included; the filter rewrites each record before any handler
    (ours or one further up) formats it.
    """
    if not (getattr(args, "log_requests", False) or getattr(args, "auth_debug", False)):
        yield
        return
    import logging

    from ._redact import RedactingFilter

    hider = RedactingFilter(known_secrets(args))
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s [%(levelname)s] %(message)s"))
    handler.addFilter(hider)
    loggers = [logging.getLogger(name) for name in ("botocore", "boto3", PACKAGE_LOGGER)]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    args.hide_in_logs_ = hider.add
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


def main(argv: Sequence[str] | None = None, out: IO[str] | None = None) -> int:
    """Run ``bsm``; return the exit status (the console script exits with it)."""
    out = out or sys.stdout
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(arguments)
    try:
        with auth_debug(args):
            return _dispatch(args, args.parser_, out)
    except CommandError as exc:
        if args.debug:
            raise
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        from ._redact import redact_exception, redact_text

        secrets = known_secrets(args)
        redact_exception(exc, secrets)  # the traceback of --debug is clean too
        if args.debug:
            raise
        print(f"{PROG}: error: {redact_text(describe_error(exc), secrets)}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
