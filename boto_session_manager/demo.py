"""``bsm demo``: the library's main job, on an embedded local AWS.

Starts moto's server on ``127.0.0.1`` (the ``local`` extra), builds a small
organization with a secret, parameters, a bucket and a table, and walks
through what multi-account scripts do every day: who am I, roles with
auto-refresh, a role chain, secrets and parameters, S3, DynamoDB, a fan-out
over every account, and credentials handed to a child process. No AWS account
and no network are needed. Every secret shown is masked.

The demo is isolated from the user's AWS configuration: for its duration the
process environment has no ``AWS_*`` variable of the user's (a profile that
does not exist, an unreadable ``AWS_CONFIG_FILE``, real keys) and the config
and credentials files point at the null device, so neither the demo's
managers nor the embedded server's own boto3 sessions read them. The
environment is restored exactly afterwards.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .fanout import Progress
    from .manager import BotoSesManager

ROLE_NAME = "OrganizationAccountAccessRole"
TRUST_POLICY = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
    '"Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}'
)


class _Report:
    """Numbered steps, each with a short table."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.step = 0
        self.started = time.perf_counter()

    def title(self, text: str) -> None:
        self.step += 1
        self.out.write(f"\n{self.step}. {text}\n")

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
        line = "   +" + "+".join("-" * (w + 2) for w in widths) + "+\n"
        self.out.write(line)
        for index, row in enumerate(cells):
            # a row longer than the header shows only the header's columns
            padded = (c.ljust(w) for c, w in zip(row, widths, strict=False))
            self.out.write("   | " + " | ".join(padded) + " |\n")
            if index == 0:
                self.out.write(line)
        self.out.write(line)

    def note(self, text: str) -> None:
        self.out.write(f"   {text}\n")


@contextmanager
def _quiet_server_logs() -> Iterator[None]:
    logger = logging.getLogger("werkzeug")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def isolated_environment(environ: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """The environment changes that shut the user's AWS configuration out.

    Every ``AWS_*`` variable is removed (None), and the config and credentials
    files point at the null device.
    """
    env: dict[str, str | None] = {
        name: None
        for name in (os.environ if environ is None else environ)
        if name.startswith("AWS_")
    }
    env["AWS_CONFIG_FILE"] = os.devnull
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env


def _mask(value: str) -> str:
    """Keep two characters at each end (account ids: the library's own masking)."""
    return value[:2] + "*" * max(len(value) - 4, 4) + value[-2:] if len(value) > 4 else "****"


def run_demo(out: IO[str] | None = None, accounts: int = 3) -> int:
    """Run the demo; return 0. Raises LocalAWSUnavailableError without moto.

    Example::

        from boto_session_manager.demo import run_demo
        run_demo(accounts=2)
    """
    from .awscli import patched_environ
    from .testing import local_aws

    out = out or sys.stdout
    report = _Report(out)
    out.write("boto_session_manager demo: a local AWS on 127.0.0.1, no account or network needed\n")
    with patched_environ(isolated_environment()), _quiet_server_logs(), local_aws() as aws:
        report.note(f"local AWS (moto's server) at {aws.endpoint_url}")
        root = aws.manager()
        members = _organization(root, accounts)
        _who_am_i(report, root)
        roles = _assume_into_each(report, root, members)
        _role_chain(report, root, members)
        _secrets_and_parameters(report, root)
        _s3(report, root)
        _dynamodb(report, root)
        _fan_out(report, root, members)
        _bsm_each(report, aws.endpoint_url)
        _child_process(report, roles[members[0]], aws.endpoint_url)
    elapsed = time.perf_counter() - report.started
    out.write(f"\nDone in {elapsed:.1f} s. Every step used one manager and its cached clients.\n")
    return 0


def _organization(root: BotoSesManager, accounts: int) -> list[str]:
    """Member accounts in two OUs: even ones in ``prod`` (env=prod), odd ones in ``dev``."""
    org = root.organizations_client
    org.create_organization(FeatureSet="ALL")
    top = org.list_roots()["Roots"][0]["Id"]
    units = {
        env: org.create_organizational_unit(ParentId=top, Name=env)["OrganizationalUnit"]["Id"]
        for env in ("prod", "dev")
    }
    ids = []
    for index in range(accounts):
        env = "prod" if index % 2 == 0 else "dev"
        status = org.create_account(
            Email=f"member{index}@example.com",
            AccountName=f"member-{index}",
            Tags=[{"Key": "env", "Value": env}],
        )
        account_id = status["CreateAccountStatus"]["AccountId"]
        org.move_account(AccountId=account_id, SourceParentId=top, DestinationParentId=units[env])
        ids.append(account_id)
    root.iam_client.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=TRUST_POLICY)
    return ids


def _role_arn(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:role/{ROLE_NAME}"


def _who_am_i(report: _Report, root: BotoSesManager) -> None:
    report.title("Who am I? (one cached STS call, account id masked)")
    identity = root.who_am_i(masked=True)
    report.table(
        ["account", "principal", "region", "credentials"],
        [
            [
                identity["account_id"],
                identity["principal_arn"],
                identity["region"],
                root.credential_source,
            ]
        ],
    )


def _assume_into_each(
    report: _Report, root: BotoSesManager, members: list[str]
) -> dict[str, BotoSesManager]:
    report.title("Assume a role into each member account, with auto-refresh")
    roles = {}
    rows = []
    for account_id in members:
        role = root.assume_role(
            _role_arn(account_id),
            role_session_name="bsm-demo",
            duration_seconds=900,
            auto_refresh=True,
        )
        roles[account_id] = role
        expiry = role.credential_expiration
        clock = expiry.strftime("%H:%M:%S UTC") if expiry else "-"
        rows.append([role.masked_aws_account_id, role.masked_principal_arn, clock])
    report.table(["account", "principal", "expires (then refreshes itself)"], rows)
    report.note(
        "900-second roles refresh once, ~11 minutes in: not on every call, "
        "as botocore's fixed windows would."
    )
    return roles


def _role_chain(report: _Report, root: BotoSesManager, members: list[str]) -> None:
    report.title("A role chain: management -> member 1 -> member 2, refreshing at every link")
    first = root.assume_role(_role_arn(members[0]), auto_refresh=True)
    last = first.assume_role(_role_arn(members[-1]), auto_refresh=True)
    report.table(
        ["link", "account", "source"],
        [["0", root.masked_aws_account_id, root.credential_source],
         ["1", first.masked_aws_account_id, first.credential_source],
         ["2", last.masked_aws_account_id, last.credential_source]],
    )  # fmt: skip


def _secrets_and_parameters(report: _Report, root: BotoSesManager) -> None:
    report.title("Secrets Manager and Parameter Store (typed errors, batching, caching)")
    root.set_secret("demo/db", {"username": "app", "password": "correct horse battery staple"})
    secret = root.get_secret("demo/db", transform="json", max_age=60)
    for index in range(12):
        root.put_parameter(f"/demo/app/setting-{index:02d}", f"value-{index}")
    root.put_parameter("/demo/app/api-key", "k-123456789", type="SecureString")
    names = [f"/demo/app/setting-{index:02d}" for index in range(12)]
    batch = root.get_parameters(names)
    by_path = root.get_parameters_by_path("/demo/app", recursive=True, with_decryption=True)
    report.table(
        ["what", "result"],
        [["secret demo/db (json)", f"keys {sorted(secret)}; password {_mask(secret['password'])}"],
         ["get_parameters, 12 names", f"{len(batch)} values in 2 batches of at most 10"],
         ["get_parameters_by_path /demo/app", f"{len(by_path)} parameters, every page"],
         ["SecureString /demo/app/api-key", _mask(by_path['/demo/app/api-key'])]],
    )  # fmt: skip


def _s3(report: _Report, root: BotoSesManager) -> None:
    from concurrent.futures import ThreadPoolExecutor

    report.title("S3: 1,100 objects listed lazily past the 1,000-key page")
    s3 = root.s3_client
    s3.create_bucket(Bucket="demo-bucket")

    def put(index: int) -> None:
        s3.put_object(Bucket="demo-bucket", Key=f"reports/2026/{index:04d}.csv", Body=b"a,b\n1,2\n")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put, range(1100)))
    listed = list(root.s3_list_objects("demo-bucket", prefix="reports/"))
    report.table(
        ["bucket", "objects", "bytes", "last key"],
        [["demo-bucket", len(listed), sum(o["Size"] for o in listed), listed[-1]["Key"]]],
    )


def _dynamodb(report: _Report, root: BotoSesManager) -> None:
    from boto3.dynamodb.conditions import Key

    report.title("DynamoDB: batch write with floats, query every page")
    root.dynamodb_client.create_table(
        TableName="demo-orders",
        KeySchema=[
            {"AttributeName": "customer", "KeyType": "HASH"},
            {"AttributeName": "order", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "customer", "AttributeType": "S"},
            {"AttributeName": "order", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )  # fmt: skip
    table = root.dynamodb_table("demo-orders")
    items = [
        {"customer": f"c{index % 4}", "order": index, "total": index * 1.25} for index in range(120)
    ]
    written = table.batch_write_items(items)
    orders = list(table.query(KeyConditionExpression=Key("customer").eq("c1")))
    total = sum((o["total"] for o in orders), Decimal(0))
    report.table(
        ["table", "written", "customer c1 orders", "c1 total"],
        [["demo-orders", written, len(orders), f"{total:.2f}"]],
    )


def _fan_out(report: _Report, root: BotoSesManager, members: list[str]) -> None:
    report.title("Fan out over every account of the organization, in parallel")

    def buckets(account_bsm: BotoSesManager) -> int:
        return len(account_bsm.s3_client.list_buckets()["Buckets"])

    live = report.out.isatty()

    def progress(state: Progress) -> None:
        total = state.total or 0
        finished = bool(total) and state.done >= total
        if not (live or finished):
            return
        width = 24
        filled = width * state.done // total if total else 0
        bar = f"   [{'#' * filled}{'.' * (width - filled)}] {state.done}/{total or '?'} accounts"
        report.out.write(("\r" if live else "") + bar + ("\n" if finished else ""))
        report.out.flush()

    run = root.for_each_account(buckets, role_name=ROLE_NAME, max_workers=8, progress=progress)
    own = root.aws_account_id
    rows = [
        [_mask(str(account)), "yes" if account == own else "no", count]
        for account, count in sorted(run.results.items())
    ]
    rows += [[_mask(str(a)), "-", f"error: {type(e).__name__}"] for a, e in run.errors.items()]
    report.table(["account", "own (no role assumed)", "buckets"], rows)


def _bsm_each(report: _Report, endpoint_url: str) -> None:
    import os
    import re

    from .testing import TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY

    report.title("bsm each: one command in every prod account of an OU, in two regions")
    show = (
        "import os; e = os.environ; "
        "print(e['BSM_ACCOUNT_NAME'], e['AWS_REGION'], e['AWS_ACCESS_KEY_ID'][:4] + '...')"
    )
    report.note("$ bsm each --ou <prod OU> --account-tag env=prod --regions us-east-1,eu-west-1 \\")
    report.note(f"      -- python -c {show!r}")
    command = [
        sys.executable, "-m", "boto_session_manager", "each",
        "--aws-access-key-id", TEST_ACCESS_KEY_ID,
        "--aws-secret-access-key", TEST_SECRET_ACCESS_KEY,
        "--region", "us-east-1", "--endpoint-url", endpoint_url,
        "--ou", _prod_unit(endpoint_url), "--account-tag", "env=prod",
        "--regions", "us-east-1,eu-west-1", "--", sys.executable, "-c", show,
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BSM_"))}
    env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    masked = re.compile(r"\b\d{12}\b")
    for line in sorted(result.stdout.splitlines()):
        report.note(masked.sub(lambda m: _mask(m.group(0)), line))
    for line in result.stderr.splitlines():
        if line.startswith(("|", "bsm each:")):
            report.note(line)
    report.note(f"exit status {result.returncode}: 0 only when every run exited 0")


def _prod_unit(endpoint_url: str) -> str:
    from .testing import LocalAWS

    org = LocalAWS(endpoint_url).manager().organizations_client
    top = org.list_roots()["Roots"][0]["Id"]
    units = org.list_organizational_units_for_parent(ParentId=top)["OrganizationalUnits"]
    return str(next(unit["Id"] for unit in units if unit["Name"] == "prod"))


def _child_process(report: _Report, role: BotoSesManager, endpoint_url: str) -> None:
    from .awscli import patched_environ

    report.title("Hand the credentials to a child process (awscli())")
    code = "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])"
    with patched_environ({"AWS_ENDPOINT_URL": endpoint_url}), role.awscli():
        arn = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.strip()
    account = arn.split(":")[4]
    report.table(
        ["child process", "acts as"], [["python -c boto3...", arn.replace(account, _mask(account))]]
    )
    report.note("The environment was restored exactly when the block ended.")
