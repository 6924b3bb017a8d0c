"""The manager: sessions, the client/resource cache, identity, expiry, repr."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import boto3
import botocore.session
import pytest
from botocore.config import Config

from boto_session_manager import BotoSesManager, SessionManager
from boto_session_manager.exceptions import NoCredentialsError
from boto_session_manager.identity import mask_account_id
from boto_session_manager.testing import DEFAULT_ACCOUNT_ID, LocalAWS

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
TOKEN = "FwoGZXIvYXdzEXAMPLE-SESSION-TOKEN"


def test_session_manager_is_the_same_class() -> None:
    assert SessionManager is BotoSesManager


def test_positional_arguments_follow_the_upstream_order() -> None:
    expiry = datetime(2030, 1, 1, tzinfo=timezone.utc)
    core = botocore.session.get_session()

    bsm = BotoSesManager(
        "AKIAEXAMPLE", SECRET, TOKEN, "eu-west-1", core, "dev", {"verify": False}, expiry
    )

    assert (bsm.aws_access_key_id, bsm.aws_secret_access_key) == ("AKIAEXAMPLE", SECRET)
    assert (bsm.aws_session_token, bsm.region_name) == (TOKEN, "eu-west-1")
    assert (bsm.botocore_session, bsm.profile_name) == (core, "dev")
    assert (bsm.default_client_kwargs, bsm.expiration_time) == ({"verify": False}, expiry)


def test_options_beyond_upstream_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        BotoSesManager(None, None, None, None, None, None, None, None, True)  # type: ignore[misc]


def test_repr_and_str_never_show_secret_or_token() -> None:
    bsm = BotoSesManager(
        aws_access_key_id="AKIAEXAMPLE",
        aws_secret_access_key=SECRET,
        aws_session_token=TOKEN,
        default_client_kwargs={"aws_secret_access_key": SECRET, "endpoint_url": "http://x"},
    )
    for text in (repr(bsm), str(bsm)):
        assert SECRET not in text
        assert TOKEN not in text
        assert "AKIAEXAMPLE" in text


def test_boto_ses_is_cached_and_create_boto_ses_is_new(bsm: BotoSesManager) -> None:
    assert bsm.boto_ses is bsm.boto_ses
    assert isinstance(bsm.boto_ses, boto3.session.Session)
    assert bsm.create_boto_ses() is not bsm.boto_ses


def test_session_uses_given_keys_and_region(bsm: BotoSesManager) -> None:
    creds = bsm.boto_ses.get_credentials().get_frozen_credentials()
    assert creds.access_key == bsm.aws_access_key_id
    assert bsm.aws_region == "us-east-1"


def test_session_from_profile(tmp_path, monkeypatch, aws: LocalAWS) -> None:
    (tmp_path / "credentials").write_text(
        "[dev]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = profile-secret\n"
    )
    (tmp_path / "config").write_text("[profile dev]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    bsm = BotoSesManager(
        profile_name="dev", default_client_kwargs={"endpoint_url": aws.endpoint_url}
    )
    assert bsm.get_frozen_credentials().access_key == "AKIAPROFILE"
    assert bsm.aws_region == "eu-west-1"
    assert bsm.aws_account_id == DEFAULT_ACCOUNT_ID


def test_session_from_default_chain_environment(monkeypatch, aws: LocalAWS) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFROMENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-2")
    bsm = BotoSesManager(default_client_kwargs={"endpoint_url": aws.endpoint_url})
    assert bsm.get_frozen_credentials().access_key == "AKIAFROMENV"
    assert bsm.aws_region == "ap-southeast-2"
    assert bsm.aws_account_id == DEFAULT_ACCOUNT_ID


def test_session_from_botocore_session(aws: LocalAWS) -> None:
    core = botocore.session.Session()
    core.set_credentials("AKIACORE", "core-secret")
    bsm = BotoSesManager(
        botocore_session=core,
        region_name="us-west-2",
        default_client_kwargs={"endpoint_url": aws.endpoint_url},
    )
    assert bsm.boto_ses._session is core
    assert bsm.get_frozen_credentials().access_key == "AKIACORE"
    assert bsm.aws_account_id == DEFAULT_ACCOUNT_ID


def test_no_credentials_is_a_typed_error() -> None:
    bsm = BotoSesManager(region_name="us-east-1")
    with pytest.raises(NoCredentialsError, match="no AWS credentials"):
        bsm.get_frozen_credentials()


# ------------------------------------------------------------------ client cache


def test_same_arguments_same_client(bsm: BotoSesManager) -> None:
    assert bsm.get_client("s3") is bsm.get_client("s3")
    assert bsm.get_resource("s3") is bsm.get_resource("s3")


def test_other_region_or_endpoint_gets_its_own_client(bsm: BotoSesManager, aws: LocalAWS) -> None:
    default = bsm.get_client("s3")
    eu = bsm.get_client("s3", region_name="eu-west-1")
    other_endpoint = bsm.get_client("s3", endpoint_url=aws.endpoint_url + "/")
    assert len({id(default), id(eu), id(other_endpoint)}) == 3
    assert eu.meta.region_name == "eu-west-1"
    assert default.meta.region_name == "us-east-1"


def test_default_client_kwargs_apply_and_call_arguments_win(
    bsm: BotoSesManager, aws: LocalAWS
) -> None:
    assert bsm.get_client("sqs").meta.endpoint_url == aws.endpoint_url
    client = bsm.get_client("sqs", endpoint_url="http://127.0.0.1:1")
    assert client.meta.endpoint_url == "http://127.0.0.1:1"


def test_equal_configs_share_a_client(bsm: BotoSesManager) -> None:
    first = bsm.get_client("s3", config=Config(retries={"max_attempts": 2}))
    second = bsm.get_client("s3", config=Config(retries={"max_attempts": 2}))
    third = bsm.get_client("s3", config=Config(retries={"max_attempts": 3}))
    assert first is second
    assert third is not first


def test_default_config_is_merged_under_call_config(aws: LocalAWS) -> None:
    bsm = aws.manager(default_client_kwargs={"config": Config(connect_timeout=7)})
    client = bsm.get_client("s3", config=Config(read_timeout=9))
    assert client.meta.config.connect_timeout == 7
    assert client.meta.config.read_timeout == 9


def test_sixteen_threads_eight_services_make_exactly_eight_clients(aws: LocalAWS) -> None:
    bsm = aws.manager()
    services = ["s3", "sts", "iam", "sqs", "sns", "dynamodb", "ssm", "secretsmanager"]
    created: list[str] = []
    original = bsm.boto_ses.client
    lock = threading.Lock()

    def counting_client(name, **kwargs):
        with lock:
            created.append(name)
        return original(name, **kwargs)

    bsm.boto_ses.client = counting_client  # type: ignore[method-assign]
    barrier = threading.Barrier(16)

    def worker(i: int) -> list[int]:
        barrier.wait()
        return [id(bsm.get_client(services[(i + j) % 8])) for j in range(8)]

    with ThreadPoolExecutor(16) as pool:
        ids = [x for result in pool.map(worker, range(16)) for x in result]
    assert sorted(created) == sorted(services)
    assert len(set(ids)) == 8


def test_clients_from_threads_work(bsm: BotoSesManager) -> None:
    def call(_: int) -> str:
        return bsm.get_client("sts").get_caller_identity()["Account"]

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(call, range(32))) == {DEFAULT_ACCOUNT_ID}


def test_unknown_service_names_the_service(bsm: BotoSesManager) -> None:
    from botocore.exceptions import UnknownServiceError

    with pytest.raises(UnknownServiceError, match="not-a-service"):
        bsm.get_client("not-a-service")


def test_clear_cache_forgets_everything(bsm: BotoSesManager) -> None:
    session, client, account = bsm.boto_ses, bsm.get_client("s3"), bsm.aws_account_id
    bsm.clear_cache()
    assert bsm.boto_ses is not session
    assert bsm.get_client("s3") is not client
    assert bsm.aws_account_id == account


# ---------------------------------------------------------------------- identity


def test_identity_is_one_cached_call(bsm: BotoSesManager) -> None:
    calls: list[str] = []
    bsm.get_client("sts").meta.events.register(
        "before-call.sts.GetCallerIdentity", lambda **kw: calls.append("x")
    )
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: bsm.aws_account_id, range(16)))
    assert bsm.aws_account_user_id
    assert bsm.principal_arn.startswith("arn:aws:")
    assert calls == ["x"]


def test_masked_forms_hide_the_account_digits(bsm: BotoSesManager) -> None:
    assert bsm.aws_account_id == "123456789012"
    assert bsm.masked_aws_account_id == "12********12"
    assert "3456789" not in bsm.masked_principal_arn
    assert bsm.masked_principal_arn.startswith("arn:aws:sts::12********12:")
    masked_user = bsm.masked_aws_account_user_id
    assert len(masked_user) == len(bsm.aws_account_user_id)
    assert masked_user != bsm.aws_account_user_id


def test_mask_account_id_short_values() -> None:
    assert mask_account_id("1234") == "****"
    assert mask_account_id("123456789012") == "12********12"


def test_account_alias_first_or_none(bsm: BotoSesManager) -> None:
    assert bsm.aws_account_alias is None
    bsm.get_client("iam").create_account_alias(AccountAlias="my-company-dev")
    bsm.clear_cache()
    assert bsm.aws_account_alias == "my-company-dev"


def test_print_who_am_i_masked_by_default(bsm: BotoSesManager, capsys) -> None:
    bsm.print_who_am_i()
    out = capsys.readouterr().out
    assert "12********12" in out
    assert "123456789012" not in out
    bsm.print_who_am_i(masked=False)
    assert "123456789012" in capsys.readouterr().out


# ------------------------------------------------------------------------ expiry


def test_keys_without_expiry_never_expire(bsm: BotoSesManager) -> None:
    assert bsm.is_expired() is False
    assert bsm.is_expired(10**9) is False


def test_is_expired_with_aware_expiry(aws: LocalAWS) -> None:
    soon = datetime.now(timezone.utc) + timedelta(seconds=600)
    bsm = aws.manager(expiration_time=soon)
    assert bsm.is_expired() is False
    assert bsm.is_expired(delta=300) is False
    assert bsm.is_expired(delta=900) is True


def test_naive_expiry_is_taken_as_utc(aws: LocalAWS) -> None:
    naive = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(seconds=5)
    bsm = aws.manager(expiration_time=naive)
    assert bsm.expiration_time is not None
    assert bsm.expiration_time.tzinfo is not None
    assert bsm.is_expired() is True


def test_expiry_in_other_timezone_is_compared_correctly(aws: LocalAWS) -> None:
    tokyo = timezone(timedelta(hours=9))
    later = datetime.now(tokyo) + timedelta(hours=1)
    assert aws.manager(expiration_time=later).is_expired(delta=3000) is False
    assert aws.manager(expiration_time=later).is_expired(delta=4000) is True


def test_explicit_keys_ignore_a_foreign_aws_profile(
    aws: LocalAWS, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "profile-of-another-machine")
    bsm = aws.manager()
    assert bsm.aws_account_id == DEFAULT_ACCOUNT_ID
    assert bsm.credential_source == "explicit-keys"


def test_current_credentials_is_one_consistent_value(aws: LocalAWS) -> None:
    expiry = datetime.now(timezone.utc) + timedelta(hours=1)
    bsm = aws.manager(aws_session_token=TOKEN, expiration_time=expiry)
    creds = bsm.current_credentials()
    assert (creds.access_key_id, creds.secret_access_key, creds.session_token) == (
        bsm.aws_access_key_id,
        bsm.aws_secret_access_key,
        TOKEN,
    )
    assert creds.expiration == expiry
    assert TOKEN not in repr(creds)
