"""check_credentials, use_as_default, anonymous clients, the identity cache and masking."""

from __future__ import annotations

import sys
from pathlib import Path

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from boto_session_manager import BotoSesManager
from boto_session_manager.exceptions import InvalidCredentialsError
from boto_session_manager.identity import CallerIdentity, Identity, mask, mask_arn, mask_user_id
from boto_session_manager.testing import DEFAULT_ACCOUNT_ID, LocalAWS

from .helpers import OTHER_ACCOUNT, create_role, error_answer


def answer_with(bsm: BotoSesManager, code: str, status: int = 403) -> None:
    bsm.get_client("sts").meta.events.register(
        "before-send.sts.GetCallerIdentity",
        lambda **kw: error_answer(code, status),
    )


def test_check_credentials_valid(bsm: BotoSesManager) -> None:
    identity = bsm.check_credentials()
    assert identity == CallerIdentity(
        account=DEFAULT_ACCOUNT_ID, user_id=bsm.aws_account_user_id, arn=bsm.principal_arn
    )
    with pytest.raises(AttributeError):
        identity.account = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("code", "reason", "advice"),
    [
        ("ExpiredToken", "expired", "expired"),
        ("RequestExpired", "expired", "expired"),
        ("InvalidClientTokenId", "invalid-key", "does not know this access key"),
        ("SignatureDoesNotMatch", "bad-signature", "secret access key does not match"),
    ],
)
def test_check_credentials_names_the_case(
    bsm: BotoSesManager, code: str, reason: str, advice: str
) -> None:
    answer_with(bsm, code)
    with pytest.raises(InvalidCredentialsError) as info:
        bsm.check_credentials()
    assert info.value.reason == reason
    assert code in str(info.value)
    assert advice in str(info.value)
    assert bsm.aws_secret_access_key not in str(info.value)


def test_check_credentials_without_credentials() -> None:
    bsm = BotoSesManager(
        region_name="us-east-1", default_client_kwargs={"endpoint_url": "http://127.0.0.1:9"}
    )
    with pytest.raises(InvalidCredentialsError) as info:
        bsm.check_credentials()
    assert info.value.reason == "no-credentials"


def test_check_credentials_other_errors_pass_through(bsm: BotoSesManager) -> None:
    from botocore.exceptions import ClientError

    answer_with(bsm, "AccessDenied")
    with pytest.raises(ClientError, match="AccessDenied"):
        bsm.check_credentials()


def test_mask_user_id_keeps_role_session_readable() -> None:
    assert mask_user_id("AROA3X42LBCD9YMAC0UBA:nightly") == "AROA*************0UBA:nightly"
    assert mask_user_id("AB") == "AB"


# --------------------------------------------------------------- use_as_default


def test_use_as_default_context_manager(
    bsm: BotoSesManager, aws: LocalAWS, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint_url)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    role = bsm.assume_role(create_role(bsm, account_id=OTHER_ACCOUNT), auto_refresh=True)
    with role.use_as_default() as inside:
        assert inside is role
        assert boto3.client("sts").get_caller_identity()["Account"] == OTHER_ACCOUNT
    assert boto3.DEFAULT_SESSION is None


def test_use_as_default_restores_after_exception(
    bsm: BotoSesManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    sentinel = boto3.session.Session(region_name="eu-west-1")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", sentinel)
    with pytest.raises(RuntimeError), bsm.use_as_default():
        raise RuntimeError("x")
    assert boto3.DEFAULT_SESSION is sentinel


def test_use_as_default_plain_call_switches_for_good(
    bsm: BotoSesManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    bsm.use_as_default()
    assert boto3.DEFAULT_SESSION is bsm.boto_ses


# -------------------------------------------------------------------- anonymous


def _public_bucket(bsm: BotoSesManager) -> None:
    s3 = bsm.get_client("s3")
    s3.create_bucket(Bucket="public-data")
    s3.put_object(Bucket="public-data", Key="readme.txt", Body=b"hello", ACL="public-read")


def _capture_auth(client) -> list[str | None]:
    seen: list[str | None] = []
    client.meta.events.register(
        "before-send.s3.*", lambda request, **kw: seen.append(request.headers.get("Authorization"))
    )
    return seen


def test_unsigned_client_lists_a_public_bucket(bsm: BotoSesManager) -> None:
    _public_bucket(bsm)
    anonymous = bsm.get_client("s3", unsigned=True)
    assert anonymous is bsm.get_client("s3", unsigned=True)
    assert anonymous is not bsm.get_client("s3")
    auth = _capture_auth(anonymous)
    keys = [o["Key"] for o in anonymous.list_objects_v2(Bucket="public-data")["Contents"]]
    assert keys == ["readme.txt"]
    assert auth == [None]


def test_unsigned_manager_never_looks_for_credentials(
    aws: LocalAWS, bsm: BotoSesManager, monkeypatch
) -> None:
    _public_bucket(bsm)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIASHOULDNOTBEUSED")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "nope")
    anonymous = BotoSesManager(
        unsigned=True,
        region_name="us-east-1",
        default_client_kwargs={"endpoint_url": aws.endpoint_url},
    )
    assert anonymous.boto_ses.get_credentials() is None
    s3 = anonymous.get_client("s3")
    auth = _capture_auth(s3)
    assert s3.get_object(Bucket="public-data", Key="readme.txt")["Body"].read() == b"hello"
    assert auth == [None]
    assert anonymous.credential_source == "unsigned"


def test_failing_credential_process_is_an_invalid_credentials_error(
    aws: LocalAWS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    config.write_text(f"[profile broken]\ncredential_process = {sys.executable} -c 'exit(1)'\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    bsm = BotoSesManager(
        profile_name="broken",
        region_name="us-east-1",
        default_client_kwargs={"endpoint_url": aws.endpoint_url},
    )
    with pytest.raises(InvalidCredentialsError) as info:
        bsm.check_credentials()
    assert info.value.reason == "no-credentials"


def deny_alias(bsm: BotoSesManager) -> list[str]:
    """Make ListAccountAliases answer AccessDenied; return the list of calls made."""
    calls: list[str] = []

    def refuse(**_: object) -> AWSResponse:
        calls.append("ListAccountAliases")
        return error_answer("AccessDenied", 403, url="https://iam/")

    bsm.iam_client.meta.events.register("before-send.iam.ListAccountAliases", refuse)
    return calls


def test_an_unreadable_alias_raises_and_is_asked_again(bsm: BotoSesManager) -> None:
    calls = deny_alias(bsm)

    for _ in range(2):
        with pytest.raises(ClientError) as info:
            _ = bsm.aws_account_alias
        assert info.value.response["Error"]["Code"] == "AccessDenied"

    assert len(calls) == 2  # a refusal is never cached


def test_print_who_am_i_says_why_the_alias_is_missing(bsm: BotoSesManager, capsys) -> None:
    deny_alias(bsm)

    bsm.print_who_am_i()

    assert "AWS Account Alias = <unavailable: AccessDenied>" in capsys.readouterr().out


def test_print_who_am_i_says_not_set_for_an_account_without_alias(
    bsm: BotoSesManager, capsys
) -> None:
    assert bsm.aws_account_alias is None

    bsm.print_who_am_i()

    assert "AWS Account Alias = <not set>" in capsys.readouterr().out


def test_the_alias_is_cached_once_read(bsm: BotoSesManager) -> None:
    bsm.iam_client.create_account_alias(AccountAlias="my-company")
    assert bsm.aws_account_alias == "my-company"
    bsm.iam_client.delete_account_alias(AccountAlias="my-company")

    assert bsm.aws_account_alias == "my-company"
    bsm.clear_cache()
    assert bsm.aws_account_alias is None


def test_one_masking_rule_for_ids_and_arns() -> None:
    assert mask("123456789012") == "12********12"
    assert mask("1234") == "****"
    assert mask("AIDAJQABLZS4A3QDU576Q", keep=4) == "AIDA*************576Q"
    assert mask_arn("arn:aws:iam::123456789012:role/r") == "arn:aws:iam::12********12:role/r"
    assert mask_arn("arn:aws:s3:::bucket-123456789012") == "arn:aws:s3:::bucket-123456789012"


def test_identity_known_up_front_makes_no_call() -> None:
    known = CallerIdentity(account=OTHER_ACCOUNT, user_id="AROAEXAMPLE:s", arn="arn:aws:sts::1:x")

    def no_client(_name: str) -> object:
        raise AssertionError("no STS call expected")

    assert Identity(known=known).caller(no_client) is known


def test_identity_asks_once_for_many_threads(bsm: BotoSesManager) -> None:
    from concurrent.futures import ThreadPoolExecutor

    identity = Identity()
    calls: list[str] = []
    sts = bsm.get_client("sts")
    sts.meta.events.register(
        "before-call.sts.GetCallerIdentity", lambda **_: calls.append("GetCallerIdentity")
    )
    with ThreadPoolExecutor(16) as pool:
        answers = set(pool.map(lambda _: identity.caller(lambda _name: sts), range(32)))

    assert [a.account for a in answers] == [DEFAULT_ACCOUNT_ID]
    assert calls == ["GetCallerIdentity"]
