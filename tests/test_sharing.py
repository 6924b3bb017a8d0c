"""Sessions built by the library share the loader and start from the handler template."""

from __future__ import annotations

import gc
import io
import threading
from typing import Any

import boto3
import botocore.session
import pytest

from boto_session_manager import BotoSesManager, sharing
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

    expected = handler_names(plain, event)
    if event.startswith("creating-client-class"):  # plus the method sharing, run last
        expected.append("boto_session_manager.sharing._ClientMethods")
    assert handler_names(templated, event) == expected


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
        TableName="t",
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
