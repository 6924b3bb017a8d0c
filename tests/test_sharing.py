"""Sessions built by the library share the loader and start from the handler template."""

from __future__ import annotations

import copy
import functools
import gc
import inspect
import io
import itertools
import json
import os
import pickle
import threading
from typing import Any

import boto3
import botocore.config
import botocore.credentials
import botocore.endpoint_provider
import botocore.exceptions
import botocore.hooks
import botocore.regions
import botocore.session
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boto_session_manager import BotoSesManager
from boto_session_manager._botocore import handlers, sharing
from boto_session_manager.testing import LocalAWS

EVENTS = [
    "provide-client-params.s3.PutObject",
    "before-parameter-build.s3.PutObject",
    "before-parameter-build.dynamodb.PutItem",
    "before-call.s3.PutObject",
    "before-sign.s3.PutObject",
    "choose-signer.sts.AssumeRole",
    "request-created.s3.ListObjects",
    "needs-retry.s3.GetObject",
    "after-call.s3.GetBucketLocation",
    "after-call.ec2.DescribeInstances",
    "before-endpoint-resolution.s3",
    "service-data-loaded.s3",
    "creating-client-class.s3",
    "docs.method.s3.PutObject",
]


def handler_names(session: botocore.session.Session, event: str) -> list[str]:
    emitter = session._original_handler
    return [
        f"{getattr(h, '__module__', '')}.{getattr(h, '__qualname__', type(h).__name__)}"
        for h in emitter._handlers.prefix_search(event)
    ]


@pytest.mark.parametrize("event", EVENTS)
def test_template_session_has_exactly_botocores_builtin_handlers(event: str) -> None:
    plain = botocore.session.Session()
    templated = sharing.new_botocore_session()

    assert handler_names(templated, event) == handler_names(plain, event)


def test_template_sessions_do_not_share_registrations() -> None:
    first = sharing.new_botocore_session()
    second = sharing.new_botocore_session()
    seen: list[str] = []

    first.register("bsm-test.ping", lambda **_: seen.append("first"))
    second.get_component("event_emitter").emit("bsm-test.ping")
    sharing.new_botocore_session().get_component("event_emitter").emit("bsm-test.ping")

    assert seen == []
    first.get_component("event_emitter").emit("bsm-test.ping")
    assert seen == ["first"]


def test_each_manager_signs_with_its_own_key(aws: LocalAWS) -> None:
    keys = ["AKIAFIRSTFIRSTFIRST0", "AKIASECONDSECONDSEC0"]
    seen: dict[str, str] = {}

    def recorder(key: str) -> Any:
        def record(request: Any, **_: Any) -> None:
            auth = request.headers["Authorization"]
            seen[key] = auth.decode() if isinstance(auth, bytes) else auth

        return record

    for key in keys:
        client = aws.manager(aws_access_key_id=key, aws_secret_access_key="s").get_client("sts")
        client.meta.events.register("before-send.sts.GetCallerIdentity", recorder(key))
        client.get_caller_identity()

    for key in keys:
        assert f"Credential={key}/" in seen[key]


def test_s3_customisations_and_resources_work(bsm: BotoSesManager) -> None:
    s3 = bsm.get_client("s3")
    s3.create_bucket(Bucket="shared-bucket")
    s3.upload_fileobj(io.BytesIO(b"hello"), "shared-bucket", "k")  # boto3's injected method

    body = bsm.get_resource("s3").Object("shared-bucket", "k").get()["Body"].read()
    table = bsm.get_resource("dynamodb").create_table(
        TableName="shared-table",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    table.put_item(Item={"id": "1", "n": 2})

    assert body == b"hello"
    assert table.get_item(Key={"id": "1"})["Item"]["n"] == 2


def test_managers_share_one_parsed_model_and_search_paths_stay_put(aws: LocalAWS) -> None:
    clients = [aws.manager().get_client("dynamodb") for _ in range(5)]
    descriptions = {id(c.meta.service_model._service_description) for c in clients}

    assert len(descriptions) == 1
    assert len(sharing.shared_loader().search_paths) <= 3


class CountingFileLoader:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.loads: list[str] = []
        self.lock = threading.Lock()

    def exists(self, path: str) -> bool:
        return bool(self.inner.exists(path))

    def load_file(self, path: str) -> Any:
        with self.lock:
            self.loads.append(path)
        return self.inner.load_file(path)


def test_a_cold_loader_parses_each_file_once_under_16_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sharing, "_loaders", {})
    loader = sharing.shared_loader()
    counting = loader.file_loader = CountingFileLoader(loader.file_loader)
    start = threading.Barrier(16)

    def worker() -> None:
        start.wait()
        session = boto3.session.Session(
            botocore_session=sharing.new_botocore_session(),
            aws_access_key_id="k",
            aws_secret_access_key="s",
            region_name="us-east-1",
        )
        session.client("s3")

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(counting.loads) == len(set(counting.loads))
    assert any("s3" in path for path in counting.loads)


def test_prewarm_parses_before_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sharing, "_loaders", {})
    loader = sharing.shared_loader()
    counting = loader.file_loader = CountingFileLoader(loader.file_loader)

    sharing.prewarm(["sts"])
    loaded = len(counting.loads)
    boto3.session.Session(
        botocore_session=sharing.new_botocore_session(),
        aws_access_key_id="k",
        aws_secret_access_key="s",
        region_name="us-east-1",
    ).client("sts")

    assert loaded > 0
    later = [p for p in counting.loads[loaded:] if not p.endswith(".sdk-extras")]
    assert later == []  # only optional extras files are probed again


def test_gc_is_paused_during_client_creation_and_restored_after(aws: LocalAWS) -> None:
    states: list[bool] = []
    bsm = aws.manager()
    bsm.boto_ses._session.register(
        "creating-client-class", lambda **_: states.append(gc.isenabled())
    )

    bsm.get_client("sts")

    assert states == [False]
    assert gc.isenabled()


class _RecordingProvider(botocore.credentials.CredentialProvider):
    """A credential provider (think credential_process) noting the collector's state."""

    METHOD = "bsm-test-recording"

    def __init__(self, seen: list[bool]) -> None:
        self._seen = seen

    def load(self) -> botocore.credentials.Credentials:
        self._seen.append(gc.isenabled())
        return botocore.credentials.Credentials("AKIARECORDING0000000", "s")


def _recording_session(seen: list[bool]) -> boto3.session.Session:
    session = sharing.new_botocore_session()
    resolver = session.get_component("credential_provider")
    resolver.insert_before("env", _RecordingProvider(seen))
    return boto3.session.Session(botocore_session=session, region_name="us-east-1")


def test_credentials_are_resolved_before_the_pause(aws: LocalAWS) -> None:
    # A credential process or IMDS may take seconds: never with the GC off.
    seen: list[bool] = []
    session = _recording_session(seen)

    client = session.client("sts", endpoint_url=aws.endpoint_url)
    session.client("s3", endpoint_url=aws.endpoint_url)

    assert seen == [True]  # resolved once, with the collector on
    assert client.get_caller_identity()["Account"] == "123456789012"


@pytest.mark.parametrize(
    "client_kwargs",
    [
        {"config": botocore.config.Config(signature_version=botocore.UNSIGNED)},
        {"aws_access_key_id": "AKIAEXPLICIT00000000", "aws_secret_access_key": "s"},
    ],
    ids=["unsigned", "explicit-keys"],
)
def test_clients_that_need_no_session_credentials_do_not_resolve_them(
    client_kwargs: dict[str, Any],
) -> None:
    seen: list[bool] = []

    _recording_session(seen).client("sts", **client_kwargs)

    assert seen == []  # as in plain botocore: the chain is not run


def test_a_partial_key_pair_is_refused_as_botocore_refuses_it() -> None:
    seen: list[bool] = []

    with pytest.raises(botocore.exceptions.PartialCredentialsError):
        _recording_session(seen).client("sts", aws_access_key_id="AKIAONLYHALF00000000")
    assert seen == []


@pytest.mark.parametrize("pause", ["clients", "import"])
def test_a_child_forked_during_a_pause_starts_with_the_collector_on(pause: str) -> None:
    # The thread that would turn the collector back on does not exist in the child.
    import boto_session_manager as package

    if pause == "clients":
        context: Any = sharing.gc_paused()
    else:
        context = _ImportPause(package)
    with context:
        assert not gc.isenabled()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child: measured only by its exit status
            os._exit(0 if gc.isenabled() else 1)
    _, status = os.waitpid(pid, 0)

    assert os.waitstatus_to_exitcode(status) == 0
    assert gc.isenabled()


class _ImportPause:
    """The state ``_import_paused`` is in while it imports, without importing."""

    def __init__(self, package: Any) -> None:
        self.package = package

    def __enter__(self) -> None:
        gc.disable()
        self.package._import_holds_collector = True

    def __exit__(self, *_: object) -> None:
        self.package._import_holds_collector = False
        gc.enable()


def test_gc_pause_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with sharing.gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_pauses_never_hold_the_collector_off_for_long(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pause = sharing._GCPause()
    monkeypatch.setattr(pause, "MAX_PAUSE", 0.0)
    with pause():
        with pause():
            assert not gc.isenabled()
        assert gc.isenabled()  # the inner creator left after MAX_PAUSE: back on
    assert gc.isenabled()


# ---------------------------------------------------------------- copy-on-write handler trie

PARTS = ["a", "b", "*"]
KEYS = [".".join(p) for n in (1, 2, 3) for p in itertools.product(PARTS, repeat=n)]


def _outcome(call: Any) -> Any:
    try:
        return ("ok", call())
    except Exception as exc:  # compare whatever botocore raises
        return ("error", type(exc).__name__)


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["append", "remove", "copy"]),
            st.integers(0, 7),  # which trie
            st.sampled_from(KEYS),
            st.integers(0, 3),  # value
            st.sampled_from([0, 1, 2]),  # first / middle / last
        ),
        max_size=40,
    )
)
def test_shared_trie_behaves_as_botocores_trie_with_copies(ops: list[Any]) -> None:
    pairs = [(botocore.hooks._PrefixTrie(), sharing._SharedTrie())]
    for op, index, key, value, section in ops:
        plain, shared = pairs[index % len(pairs)]
        if op == "copy":
            pairs.append((copy.copy(plain), copy.copy(shared)))
        elif op == "append":
            plain.append_item(key, value, section)
            shared.append_item(key, value, section)
        else:
            expected = _outcome(lambda: plain.remove_item(key, value))  # noqa: B023
            assert _outcome(lambda: shared.remove_item(key, value)) == expected  # noqa: B023
    for plain, shared in pairs:
        for key in KEYS:
            assert list(shared.prefix_search(key)) == list(plain.prefix_search(key))


def test_a_client_registration_reaches_neither_its_session_nor_its_siblings(
    bsm: BotoSesManager,
) -> None:
    seen: list[str] = []
    first, second = bsm.get_client("sts"), bsm.get_client("s3")
    first.meta.events.register("bsm-test.ping", lambda **_: seen.append("first"))

    second.meta.events.emit("bsm-test.ping")
    bsm.boto_ses.events.emit("bsm-test.ping")
    assert seen == []
    first.meta.events.emit("bsm-test.ping")
    assert seen == ["first"]


def test_a_client_shares_its_sessions_handler_nodes_until_it_writes(aws: LocalAWS) -> None:
    bsm = aws.manager()
    session_trie = bsm.boto_ses._session._original_handler._handlers
    client_trie = bsm.get_client("dynamodb").meta.events._emitter._handlers
    session_children = session_trie._root["children"]
    client_children = client_trie._root["children"]

    shared = [k for k in session_children if client_children.get(k) is session_children[k]]
    assert isinstance(client_trie, sharing._SharedTrie)
    assert len(shared) > len(session_children) // 2  # only the written paths were copied


# ---------------------------------------------------------------- endpoint providers


class _Sent(Exception):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def _raise_sent(request: Any, **_: Any) -> None:
    raise _Sent(request.url)


def _url_of(client: Any, method: str, **params: Any) -> str:
    """The URL the call would be sent to, or botocore's refusal to resolve one."""
    client.meta.events.register("before-send", _raise_sent)
    try:
        getattr(client, method)(**params)
    except _Sent as sent:
        return sent.url
    except botocore.exceptions.BotoCoreError as exc:
        return f"{type(exc).__name__}: {exc}"
    raise AssertionError("the request was sent")  # pragma: no cover


ENDPOINT_CASES = [
    ("s3", "us-east-1", {}, "get_object", {"Bucket": "b", "Key": "k"}),
    ("s3", "eu-west-3", {}, "list_objects_v2", {"Bucket": "my.dotted.bucket"}),
    ("s3", "us-west-2", {"s3": {"addressing_style": "path"}}, "head_bucket", {"Bucket": "b"}),
    ("s3", "us-west-2", {"use_dualstack_endpoint": True}, "head_bucket", {"Bucket": "b"}),
    ("s3", "us-gov-west-1", {"use_fips_endpoint": True}, "head_bucket", {"Bucket": "b"}),
    ("s3", "cn-north-1", {}, "list_buckets", {}),
    (
        "s3",
        "us-east-1",
        {"s3": {"use_accelerate_endpoint": True}},
        "head_bucket",
        {"Bucket": "bk1"},
    ),
    ("s3", "us-east-1", {"s3": {"use_accelerate_endpoint": True}}, "head_bucket", {"Bucket": "b"}),
    ("sts", "us-east-1", {}, "get_caller_identity", {}),
    ("sts", "eu-central-1", {}, "get_caller_identity", {}),
    ("dynamodb", "ap-southeast-2", {}, "list_tables", {}),
    ("dynamodb", "us-east-1", {"use_fips_endpoint": True}, "list_tables", {}),
]


ENDPOINT_KEYS = {"aws_access_key_id": "AKIAEXAMPLEEXAMPLE00", "aws_secret_access_key": "s"}


@pytest.fixture(scope="module")
def plain_boto3() -> boto3.session.Session:
    """A plain boto3 session for the reference clients (its loader parses each model once)."""
    return boto3.session.Session(**ENDPOINT_KEYS)


@pytest.mark.parametrize(("service", "region", "config", "method", "params"), ENDPOINT_CASES)
def test_shared_endpoint_providers_resolve_exactly_as_botocore(
    plain_boto3: boto3.session.Session,
    service: str,
    region: str,
    config: dict[str, Any],
    method: str,
    params: dict[str, Any],
) -> None:
    from botocore.config import Config

    keys = ENDPOINT_KEYS
    plain = plain_boto3.client(service, region_name=region, config=Config(**config))
    managers = [BotoSesManager(region_name=region, **keys) for _ in range(2)]
    shared = [m.get_client(service, config=Config(**config)) for m in managers]

    expected = _url_of(plain, method, **params)
    assert [_url_of(c, method, **params) for c in shared] == [expected, expected]
    provider = shared[0]._ruleset_resolver._provider
    assert shared[1]._ruleset_resolver._provider is provider
    assert plain._ruleset_resolver._provider is not provider


def test_plain_boto3_sessions_keep_their_own_providers() -> None:
    keys = {"aws_access_key_id": "k", "aws_secret_access_key": "s", "region_name": "us-east-1"}
    BotoSesManager(**keys).get_client("sts")  # sharing installed in this process
    first, second = (boto3.session.Session(**keys).client("sts") for _ in range(2))

    assert first._ruleset_resolver._provider is not second._ruleset_resolver._provider
    assert isinstance(
        first._ruleset_resolver._provider, botocore.endpoint_provider.EndpointProvider
    )


def test_a_provider_built_with_arguments_botocore_does_not_pass_today_is_not_shared() -> None:
    loader = sharing.shared_loader()
    ruleset = loader.load_service_model("sts", sharing._RULESET)
    partitions = loader.load_data("partitions")
    provider_cls = botocore.regions.EndpointProvider

    positional = [provider_cls(ruleset, partitions) for _ in range(2)]
    shared = [provider_cls(ruleset_data=ruleset, partition_data=partitions) for _ in range(2)]

    assert positional[0] is not positional[1]
    assert shared[0] is shared[1]
    assert sharing._providers.key((), {"ruleset_data": ruleset, "future_option": 1}) is None


def test_a_providers_subclass_is_neither_shared_nor_handed_a_shared_one() -> None:
    BotoSesManager(aws_access_key_id="k", aws_secret_access_key="s").get_client("sts")
    loader = sharing.shared_loader()
    kwargs = {
        "ruleset_data": loader.load_service_model("sqs", sharing._RULESET),
        "partition_data": loader.load_data("partitions"),
    }
    shared = botocore.regions.EndpointProvider(**kwargs)

    class Redirecting(botocore.regions.EndpointProvider):
        pass

    mine = Redirecting(**kwargs)

    assert type(mine) is Redirecting
    assert botocore.regions.EndpointProvider(**kwargs) is shared
    assert Redirecting(**kwargs) is not mine


# ---------------------------------------------------------------- client methods


def test_managers_share_generated_methods_but_not_classes(aws: LocalAWS) -> None:
    first, second = (aws.manager().get_client("dynamodb") for _ in range(2))
    plain = boto3.session.Session(
        aws_access_key_id="k", aws_secret_access_key="s", region_name="us-east-1"
    ).client("dynamodb")

    assert type(first) is not type(second)
    assert type(first).put_item is type(second).put_item
    assert type(plain).put_item is not type(first).put_item
    assert "Creates a new item" in str(type(second).put_item.__doc__)


def test_a_method_replaced_by_a_handler_is_kept_and_stays_in_its_session(aws: LocalAWS) -> None:
    calls: list[str] = []

    def audit(class_attributes: dict[str, Any], **_: Any) -> None:
        original = class_attributes["list_tables"]

        def list_tables(self: Any, **kwargs: Any) -> Any:
            calls.append("audited")
            return original(self, **kwargs)

        class_attributes["list_tables"] = list_tables

    audited = aws.manager()
    audited.boto_ses.events.register("creating-client-class.dynamodb", audit)
    client = audited.get_client("dynamodb")
    other = aws.manager().get_client("dynamodb")

    assert client.list_tables()["TableNames"] == []
    assert other.list_tables()["TableNames"] == []
    assert calls == ["audited"]


def test_methods_call_through_each_clients_own_credentials(aws: LocalAWS) -> None:
    keys = ["AKIAMETHODSFIRST0000", "AKIAMETHODSSECOND000"]
    seen = []
    for key in keys:
        client = aws.manager(aws_access_key_id=key).get_client("sts")
        client.meta.events.register(
            "before-send.sts.GetCallerIdentity",
            lambda request, **_: seen.append(str(request.headers["Authorization"])),
        )
        client.get_caller_identity()

    assert [f"Credential={k}/" in s for k, s in zip(keys, seen, strict=True)] == [True, True]


# ---------------------------------------------------------------- what is left per account


def _tracked_objects() -> int:
    gc.collect()
    return len(gc.get_objects())


@pytest.mark.slow
def test_an_extra_account_of_three_clients_keeps_under_2000_container_objects() -> None:
    def account(i: int) -> BotoSesManager:
        bsm = BotoSesManager(
            aws_access_key_id=f"AKIA{i:016d}", aws_secret_access_key="s", region_name="us-east-1"
        )
        for service in ("sts", "s3", "dynamodb"):
            bsm.get_client(service)
        return bsm

    kept = [account(i) for i in range(3)]
    before = _tracked_objects()
    kept += [account(i) for i in range(3, 23)]
    per_account = (_tracked_objects() - before) / 20

    assert per_account < 2000  # plain botocore through this library kept ~6,100


def _key_of(credentials: Any) -> Any:
    """The access key id, read without triggering a refresh."""
    state = vars(credentials)
    return state.get("_access_key", state.get("access_key"))


@pytest.mark.parametrize("first_of_its_service", [None, "base", "role"])
def test_a_dropped_managers_credentials_are_freed(
    aws: LocalAWS, monkeypatch: pytest.MonkeyPatch, first_of_its_service: str | None
) -> None:
    if first_of_its_service:  # its methods are the first of their services
        monkeypatch.setattr(sharing._client_methods, "_by_model", {})
    key = "AKIADROPPEDDROPPED00"
    bsm = aws.manager(aws_access_key_id=key)
    role = bsm.assume_role(
        "arn:aws:iam::123456789012:role/dropped", duration_seconds=900, auto_refresh=True
    )
    for manager in (role, bsm) if first_of_its_service == "role" else (bsm, role):
        for service in ("sts", "s3", "dynamodb"):
            manager.get_client(service)
    role_key = role.current_credentials().access_key_id
    del bsm, role, manager

    gc.collect()
    alive = [
        o
        for o in gc.get_objects()
        if isinstance(o, botocore.credentials.Credentials) and _key_of(o) in (key, role_key)
    ]
    assert alive == []


# ---------------------------------------------------------------- registration shortcuts


def test_handlers_without_kwargs_are_refused_as_botocore_refuses_them(
    bsm: BotoSesManager,
) -> None:
    def no_kwargs(params: Any) -> None: ...

    class Handler:
        def __call__(self, **kwargs: Any) -> None: ...

    def positional_only(*args: Any) -> None: ...

    events = bsm.get_client("sts").meta.events
    for handler in (no_kwargs, positional_only):
        with pytest.raises(ValueError, match="must accept keyword arguments"):
            events.register("bsm-test.ping", handler)
    events.register("bsm-test.ping", Handler())
    events.register("bsm-test.ping", functools.partial(lambda x, **kw: None, 1))
    events.register("bsm-test.ping", Handler().__call__)
    assert len(events.emit("bsm-test.ping")) == 3


def test_a_functions_own_signature_is_what_counts() -> None:
    def handler(**kwargs: Any) -> None: ...

    handler.__signature__ = inspect.signature(lambda params: None)  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="must accept keyword arguments"):
        sharing.new_botocore_session().register("bsm-test.ping", handler)


def test_sessions_share_aliased_names_and_old_names_still_reach_handlers(aws: LocalAWS) -> None:
    bsm = aws.manager()
    seen: list[str] = []
    events = bsm.boto_ses.events
    events.register("bsm-test.apigateway", lambda **_: seen.append("old name"))

    bsm.get_client("sts").meta.events.emit("bsm-test.api-gateway")
    other = aws.manager().get_client("dynamodb")
    first, second = (c.meta.events for c in (bsm.get_client("s3"), other))

    assert seen == ["old name"]
    assert isinstance(first, sharing._SharedAliaser)
    assert first._alias_name_cache is second._alias_name_cache
    assert first._alias_name_cache["bsm-test.apigateway"] == "bsm-test.api-gateway"


def test_an_aliaser_with_its_own_aliases_keeps_its_own_cache() -> None:
    custom = sharing._SharedAliaser(sharing._SharedEmitter(), {"old": "new"})
    default = sharing._SharedAliaser(sharing._SharedEmitter())

    assert custom._alias_name_cache is not default._alias_name_cache
    assert custom._alias_event_name("x.old") == "x.new"
    assert default._alias_event_name("x.old") == "x.old"


# ------------------------------------------ docs, late registrations, races


def test_methods_of_another_model_keep_that_models_docs(
    aws: LocalAWS, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    aws.manager().get_client("sts")  # the stock model's methods are shared first
    model = sharing.shared_loader().load_service_model("sts", "service-2")
    custom = copy.deepcopy(model)
    custom["operations"]["GetCallerIdentity"]["documentation"] = "<p>CUSTOM-MODEL-DOC</p>"
    version_dir = tmp_path / "sts" / model["metadata"]["apiVersion"]
    version_dir.mkdir(parents=True)
    (version_dir / "service-2.json").write_text(json.dumps(custom))
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))

    client = aws.manager().get_client("sts")

    assert "CUSTOM-MODEL-DOC" in str(type(client).get_caller_identity.__doc__)
    assert client.get_caller_identity()["Account"] == "123456789012"


def test_a_handler_registered_last_changes_only_its_own_clients(aws: LocalAWS) -> None:
    # It runs after every other creating-client-class handler; what it changes
    # in place must be its class's own functions, never the shared set.
    def tag(class_attributes: dict[str, Any], **_: Any) -> None:
        if "list_tables" in class_attributes:  # on every service: runs after the rest
            class_attributes["list_tables"].tenant = "A"
            class_attributes["describe_table"].__doc__ = "Tenant A's words."

    aws.manager().get_client("dynamodb")  # the first class: the set is shared from here on
    existing = aws.manager().get_client("dynamodb")
    tagged = aws.manager()
    tagged.boto_ses.events.register_last("creating-client-class", tag)
    mine = type(tagged.get_client("dynamodb"))
    later = type(aws.manager().get_client("dynamodb"))

    assert mine.list_tables.tenant == "A"
    assert mine.describe_table.__doc__ == "Tenant A's words."
    for other in (type(existing), later):
        assert not hasattr(other.list_tables, "tenant")
        assert "Tenant A" not in str(other.describe_table.__doc__)
        assert other.put_item is mine.put_item  # the untouched methods are still shared


def test_a_docstring_set_by_a_handler_stays_in_its_session(aws: LocalAWS) -> None:
    def document(class_attributes: dict[str, Any], **_: Any) -> None:
        class_attributes["list_tables"].__doc__ = "Audited."

    for _ in range(2):  # first of its service, then once the methods are shared
        audited = aws.manager()
        audited.boto_ses.events.register("creating-client-class.dynamodb", document)
        assert type(audited.get_client("dynamodb")).list_tables.__doc__ == "Audited."
        other = aws.manager().get_client("dynamodb")
        assert "Audited." not in str(type(other).list_tables.__doc__)


def test_a_sessions_docs_handlers_reach_its_docstrings_and_no_others(aws: LocalAWS) -> None:
    def mark(section: Any, **_: Any) -> None:
        section.write("DOCS-HANDLER-MARK")

    aws.manager().get_client("sts")  # methods shared before the customised session
    custom = aws.manager()
    custom.boto_ses.events.register("docs.request-params.sts.GetCallerIdentity.*", mark)
    custom.boto_ses.events.register("docs.response-params.sts.GetCallerIdentity.*", mark)
    other = aws.manager()

    assert "DOCS-HANDLER-MARK" in str(type(custom.get_client("sts")).get_caller_identity.__doc__)
    assert "DOCS-HANDLER-MARK" not in str(type(other.get_client("sts")).get_caller_identity.__doc__)


def test_a_registration_racing_a_first_write_is_not_lost(bsm: BotoSesManager) -> None:
    root = bsm.get_client("s3").meta.events._emitter._handlers._root
    copying, fast_done = threading.Event(), threading.Event()

    class PausingTrie(sharing._SharedTrie):
        def _own(self, node: dict[str, Any]) -> dict[str, Any]:
            owned = super()._own(node)
            if node is root and threading.current_thread().name == "slow":
                copying.set()
                fast_done.wait(0.2)  # unserialised, "fast" registers in this gap
            return owned

    trie = PausingTrie(root)  # owns no node yet: a first write copies the root

    def fast() -> None:
        trie.append_item("bsm-test.fast", _noop)
        fast_done.set()

    slow = threading.Thread(target=trie.append_item, args=("bsm-test.slow", _noop), name="slow")
    slow.start()
    copying.wait(5)
    other = threading.Thread(target=fast)
    other.start()
    slow.join()
    other.join()

    assert [len(trie.prefix_search(f"bsm-test.{name}")) for name in ("slow", "fast")] == [1, 1]


def _noop(*_: Any, **__: Any) -> None: ...


def test_plain_boto3_endpoint_providers_still_pickle(aws: LocalAWS) -> None:
    aws.manager().get_client("s3")  # the shared provider class is installed by now
    client = boto3.session.Session(
        aws_access_key_id="k", aws_secret_access_key="s", region_name="eu-west-1"
    ).client("s3")
    provider = client._ruleset_resolver._provider

    copied = pickle.loads(pickle.dumps(provider))  # noqa: S301 - our own bytes

    params = {"Region": "eu-west-1", "Bucket": "b", "UseFIPS": False, "UseDualStack": False}
    assert type(copied) is type(provider)
    assert copied.resolve_endpoint(**params).url == provider.resolve_endpoint(**params).url


def test_the_shared_aliased_name_cache_stops_growing_at_its_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = handlers._AliasedNames()
    monkeypatch.setattr(handlers, "_ALIASED_NAMES", cache)
    monkeypatch.setattr(cache, "CAP", 3)
    aliaser = sharing._SharedAliaser(sharing._SharedEmitter())

    names = [aliaser._alias_event_name(f"bsm-test.apigateway.n{i}") for i in range(10)]

    assert names == [f"bsm-test.api-gateway.n{i}" for i in range(10)]
    assert len(cache) == 3
