"""``bsm each`` against the local AWS: targeting, output, failures, timeouts, Ctrl-C."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3
import psutil
import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager._each_output import BarProgress, PlainProgress, Tally, progress_line
from boto_session_manager._each_process import RunRecord
from boto_session_manager.cli import main
from boto_session_manager.testing import LocalAWS

from . import fault_proxy
from .fault_proxy import FaultProxy, FaultyAWS
from .organization import Organization, build_organization
from .test_cli import auth, bsm_main, bsm_run

ECHO = 'echo "$BSM_ACCOUNT_ID|$BSM_ACCOUNT_NAME|$AWS_REGION|$AWS_DEFAULT_REGION"'

faulty_aws = fault_proxy.faulty_aws


@pytest.fixture
def org(bsm: BotoSesManager) -> Organization:
    return build_organization(bsm)


def each(aws: LocalAWS, *args: str) -> subprocess.CompletedProcess[str]:
    """``bsm each`` in this process (``main()``); the commands it launches are real processes.

    Tests of what only the bsm process shows (the entry point, Ctrl-C,
    output through a pipe) use :func:`each_process`.
    """
    return bsm_main("each", *auth(aws), *args)


def each_process(
    aws: LocalAWS, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``bsm each`` as a user runs it: ``python -m boto_session_manager each ...``."""
    return bsm_run("each", *auth(aws), *args, timeout=timeout)


def records(result: subprocess.CompletedProcess[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_an_ou_runs_once_per_account_with_its_environment(aws: LocalAWS, org: Organization) -> None:
    result = each_process(
        aws, "--ou", org.units["prod"], "--output", "jsonl", "--", "sh", "-c", ECHO
    )

    assert result.returncode == 0, result.stderr
    runs = sorted(records(result), key=lambda r: str(r["account"]))
    assert org.ids("web", "api", "eu") == [r["account"] for r in runs]
    names = {v: k for k, v in org.accounts.items()}
    for run in runs:
        assert set(run) == {
            "account", "name", "region", "exit_code", "stdout", "stderr", "seconds", "error"
        }  # fmt: skip
        assert run["name"] == names[str(run["account"])]
        assert run["stdout"] == f"{run['account']}|{run['name']}|us-east-1|us-east-1\n"
        assert (run["exit_code"], run["error"], run["region"]) == (0, None, "us-east-1")
        assert isinstance(run["seconds"], float)
    assert "| ok      | 3" in result.stderr


def test_the_credentials_are_the_accounts_own(aws: LocalAWS, org: Organization) -> None:
    show = 'echo "$AWS_ACCESS_KEY_ID $AWS_SECRET_ACCESS_KEY $AWS_SESSION_TOKEN"'
    result = each(
        aws, "--accounts", org.accounts["dev"], "--output", "jsonl", "--", "sh", "-c", show
    )

    assert result.returncode == 0, result.stderr
    key, secret, token = str(records(result)[0]["stdout"]).split()
    sts = boto3.client(
        "sts",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        region_name="us-east-1",
        endpoint_url=aws.endpoint_url,
    )
    arn = sts.get_caller_identity()["Arn"]
    assert arn.startswith(f"arn:aws:sts::{org.accounts['dev']}:assumed-role/")
    assert "/OrganizationAccountAccessRole/" in arn


def test_accounts_exclude_tags_and_regions(aws: LocalAWS, org: Organization) -> None:
    result = each(
        aws,
        "--accounts", ",".join(org.ids("web", "api", "dev", "sandbox")),
        "--exclude", org.accounts["api"],
        "--account-tag", "team=web", "--account-tag", "env=prod",
        "--regions", "eu-west-1,ap-south-1",
        "--output", "jsonl",
        "--", "sh", "-c", ECHO,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    got = sorted((str(r["account"]), str(r["region"]), str(r["name"])) for r in records(result))
    web = org.accounts["web"]
    assert [(web, "ap-south-1", "web"), (web, "eu-west-1", "web")] == got


@pytest.mark.slow
def test_all_regions_are_the_regions_enabled_in_each_account(
    bsm: BotoSesManager, aws: LocalAWS, org: Organization
) -> None:
    enabled = sorted(r["RegionName"] for r in bsm.get_client("ec2").describe_regions()["Regions"])

    result = each(aws, "--accounts", org.accounts["eu"], "--all-regions", "--output", "jsonl",
                  "--max-workers", "16", "--", "true")  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert enabled == sorted(str(r["region"]) for r in records(result))


@pytest.mark.slow
def test_text_lines_are_prefixed_and_never_interleaved(aws: LocalAWS, org: Organization) -> None:
    loud = (
        'i=0; while [ $i -lt 300 ]; do echo "line-$i-$BSM_ACCOUNT_ID-'
        + "x" * 300
        + '"; i=$((i+1)); done'
    )

    result = each_process(aws, "--ou", org.root, "--max-workers", "8", "--", "sh", "-c", loud)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 300 * len(org.active)
    pattern = re.compile(r"(\d{12})/us-east-1: line-(\d+)-(\d{12})-x{300}")
    per_account: dict[str, list[int]] = {}
    for line in lines:
        match = pattern.fullmatch(line)
        assert match, line[:80]
        assert match.group(1) == match.group(3)
        per_account.setdefault(match.group(1), []).append(int(match.group(2)))
    assert all(numbers == list(range(300)) for numbers in per_account.values())


def test_a_failing_command_fails_the_run_but_not_the_others(
    aws: LocalAWS, org: Organization
) -> None:
    script = f'[ "$BSM_ACCOUNT_ID" = {org.accounts["api"]} ] && exit 3; echo fine'

    result = each(aws, "--ou", org.units["prod"], "--output", "jsonl", "--", "sh", "-c", script)

    assert result.returncode == 1
    codes = {r["account"]: r["exit_code"] for r in records(result)}
    assert codes == {org.accounts["api"]: 3, org.accounts["web"]: 0, org.accounts["eu"]: 0}
    assert "| failed  | 1" in result.stderr
    assert f"failed: {org.accounts['api']}/us-east-1: exit 3" in result.stderr


def test_a_text_run_reports_each_failure_on_stderr(aws: LocalAWS, org: Organization) -> None:
    result = each(aws, "--accounts", org.accounts["dev"], "--", "sh", "-c", "echo out; exit 3")

    assert result.returncode == 1
    assert f"{org.accounts['dev']}/us-east-1: out\n" == result.stdout
    assert f"{org.accounts['dev']}/us-east-1: failed: exit 3" in result.stderr


@pytest.mark.slow
def test_a_command_past_the_timeout_is_killed(aws: LocalAWS, org: Organization) -> None:
    started = time.monotonic()

    result = each_process(aws, "--accounts", ",".join(org.ids("web", "dev")), "--timeout", "1",
                  "--output", "jsonl", "--", "sh", "-c",
                  f'[ "$BSM_ACCOUNT_ID" = {org.accounts["web"]} ] && sleep 60; echo quick')  # fmt: skip

    assert time.monotonic() - started < 40
    assert result.returncode == 1
    runs = {r["account"]: r for r in records(result)}
    assert runs[org.accounts["web"]]["exit_code"] is None
    assert "timed out after 1 s" in str(runs[org.accounts["web"]]["error"])
    assert runs[org.accounts["dev"]]["stdout"] == "quick\n"


def test_a_role_that_cannot_be_assumed_fails_only_its_account(
    aws: LocalAWS, org: Organization
) -> None:
    denied = org.accounts["api"].encode()
    with FaultProxy.running(aws.endpoint_url) as proxy:
        proxy.add("access_denied", operation="AssumeRole", where=lambda info: denied in info.body)
        args = auth(aws)
        args[args.index("--endpoint-url") + 1] = proxy.url
        result = bsm_main("each", *args, "--ou", org.units["prod"], "--output", "jsonl",
                         "--", "sh", "-c", "echo ran")  # fmt: skip

    assert result.returncode == 1, result.stderr
    runs = {r["account"]: r for r in records(result)}
    failed = runs[org.accounts["api"]]
    assert failed["exit_code"] is None and failed["name"] == "api"
    assert "AccountAccessError" in str(failed["error"]) and "AccessDenied" in str(failed["error"])
    assert runs[org.accounts["web"]]["stdout"] == "ran\n"
    assert runs[org.accounts["eu"]]["stdout"] == "ran\n"


def test_every_account_runs_through_sts_and_organizations_throttling(
    aws: LocalAWS, org: Organization, faulty_aws: FaultyAWS
) -> None:
    proxy = faulty_aws.proxy
    proxy.add("throttle", times=2, service="organizations", operation="ListAccounts")
    proxy.add("throttle", times=3, service="sts", operation="AssumeRole")
    args = auth(aws)
    args[args.index("--endpoint-url") + 1] = proxy.url
    chosen = org.ids("web", "api", "dev")
    out = io.StringIO()

    # In this process, so the fixture's quick clock reaches adaptive mode's rate limiting.
    code = main(["each", *args, "--accounts", ",".join(chosen), "--output", "jsonl",
                 "--", "sh", "-c", "echo ran"], out=out)  # fmt: skip

    assert code == 0
    runs = [json.loads(line) for line in out.getvalue().splitlines()]
    assert chosen == sorted(str(r["account"]) for r in runs)
    assert {(r["stdout"], r["error"]) for r in runs} == {("ran\n", None)}
    names = {v: k for k, v in org.accounts.items()}
    assert {r["name"] for r in runs} == {names[i] for i in chosen}  # listed despite throttling
    assert proxy.injected == {"throttle": 5}


def test_an_unknown_command_is_127(aws: LocalAWS, org: Organization) -> None:
    result = each(aws, "--accounts", org.accounts["dev"], "--output", "jsonl", "--", "no-such-cmd")

    assert result.returncode == 1
    (run,) = records(result)
    assert run["exit_code"] == 127 and "command not found: no-such-cmd" in str(run["error"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--accounts", "123", "--", "true"], "--accounts: not an AWS account id"),
        (["--exclude", "12345678901x", "--", "true"], "--exclude: not an AWS account id"),
        (["--ou", "prod", "--", "true"], "--ou: not an OU id"),
        (["--account-tag", "env", "--", "true"], "--account-tag: expected KEY=VALUE"),
        (["--max-workers", "0", "--", "true"], "--max-workers must be at least 1"),
        (["--timeout", "0", "--", "true"], "--timeout must be a positive"),
        (["--role", "/", "--", "true"], "--role must be a role name"),
        ([], "give the command to run after --"),
        (["--accounts", "111122223333", "--ou", "r-ab12", "--", "true"], "not allowed with"),
        (["--output", "xml", "--", "true"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2_naming_the_option(
    aws: LocalAWS, args: list[str], message: str
) -> None:
    result = each(aws, *args)

    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_an_ou_that_cannot_be_listed_is_one_line(aws: LocalAWS, org: Organization) -> None:
    result = each(aws, "--ou", "ou-zzzz-zzzzzzzz", "--", "true")

    assert result.returncode == 1
    assert "cannot list the accounts of ou-zzzz-zzzzzzzz" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_account_to_run_in_is_success(aws: LocalAWS) -> None:
    result = each(aws, "--", "true")

    assert result.returncode == 0, result.stderr
    assert "finished 0 runs" in result.stderr


@pytest.mark.slow
def test_ctrl_c_stops_terminates_the_commands_and_exits_130(
    aws: LocalAWS, org: Organization, tmp_path: Path
) -> None:
    ids = ",".join(org.ids("web", "api", "dev"))
    command = [sys.executable, "-m", "boto_session_manager", "each", *auth(aws),
               "--accounts", ids, "--", "sleep", "120"]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    sleeps: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 60
        while len(sleeps) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
            sleeps = [
                child
                for child in psutil.Process(process.pid).children(recursive=True)
                if child.name() == "sleep"
            ]
        assert len(sleeps) == 3
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        _, err = process.communicate(timeout=30)
        _, alive = psutil.wait_procs(sleeps, timeout=10)
    finally:
        for child in sleeps:
            if child.is_running():
                child.kill()
        if process.poll() is None:
            process.kill()

    assert process.returncode == 130, err
    assert alive == []
    assert "interrupted after 0 runs" in err
    assert "| skipped | 3" in err


def test_help_lists_the_each_options() -> None:
    out = io.StringIO()
    with pytest.raises(SystemExit):
        main(["each", "--help"], out=out)


def test_plain_progress_writes_a_line_per_period() -> None:
    now = [100.0]
    stream = io.StringIO()
    progress = PlainProgress(stream, every=10, clock=lambda: now[0])
    tally = Tally(started=100.0)
    tally.add(RunRecord("111122223333", "a", "us-east-1", exit_code=0, seconds=1.0))

    progress.update(tally, 4)
    now[0] = 110.0
    progress.update(tally, 4)
    tally.add(RunRecord("111122223333", "a", "eu-west-1", exit_code=3, seconds=2.0))
    now[0] = 115.0
    progress.update(tally, None)
    progress.close()

    assert stream.getvalue() == "bsm each: 1/4 done, 0 failed, 0.1 runs/s, ETA 30 s\n"
    assert progress_line(tally, None, 120.0) == "bsm each: 2/? done, 1 failed, 0.1 runs/s"
    assert tally.slowest is not None and tally.slowest.region == "eu-west-1"


def test_the_bar_shows_done_total_and_failures() -> None:
    stream = io.StringIO()
    out = io.StringIO()
    bar = BarProgress(stream)
    tally = Tally(started=time.monotonic())
    tally.add(RunRecord("111122223333", "a", "us-east-1", exit_code=3))

    bar.update(tally, 2)
    bar.write("111122223333/us-east-1: hello\n", out)
    bar.close()

    assert "1/2" in stream.getvalue() and "failed=1" in stream.getvalue()
    assert out.getvalue() == "111122223333/us-east-1: hello\n"


def test_nothing_is_launched_once_stopping() -> None:
    from boto_session_manager._each_process import Children, run_command

    class Sink:
        mode = "jsonl"

        def line(self, label: str, stream: str, text: str) -> None:
            raise AssertionError("no output expected")

    children = Children()
    children.stop()

    fields = run_command(["true"], dict(os.environ), None, children, Sink(), "x/y")

    assert fields == {"exit_code": None, "error": "not launched: bsm each is stopping"}


def test_a_terminal_gets_the_bar_and_a_pipe_plain_lines() -> None:
    from boto_session_manager._each_output import make_progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    bar = make_progress(Terminal())
    plain = make_progress(io.StringIO())

    assert isinstance(bar, BarProgress)
    assert isinstance(plain, PlainProgress)
    bar.close()


def test_text_mode_prints_nothing_more_for_a_run_that_succeeded() -> None:
    from boto_session_manager._each_output import Output

    out, err = io.StringIO(), io.StringIO()
    output = Output(out, err, "text", PlainProgress(err))

    output.record(RunRecord("111122223333", "a", "us-east-1", exit_code=0))
    output.line("111122223333/us-east-1", "stderr", "no newline at the end")

    assert out.getvalue() == ""
    assert err.getvalue() == "111122223333/us-east-1: no newline at the end\n"
