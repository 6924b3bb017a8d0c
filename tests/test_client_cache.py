"""The client cache: one object per ClientKey, made once even under contention."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.config import Config

from boto_session_manager import BotoSesManager
from boto_session_manager.client_cache import ClientCache, ClientKey, repr_client_kwargs

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"


class Maker:
    """A factory that counts its calls and can be made slow or failing."""

    def __init__(self, delay: float = 0.0, fail: int = 0) -> None:
        self.calls: list[ClientKey] = []
        self.delay = delay
        self.fail = fail
        self.lock = threading.Lock()

    def __call__(self, key: ClientKey) -> Any:
        with self.lock:
            self.calls.append(key)
            failing = self.fail > 0
            self.fail -= 1
        time.sleep(self.delay)  # widens the race window; never asserted on
        if failing:
            raise RuntimeError("cannot make it")
        return object()


def test_equal_keys_name_one_object() -> None:
    cache, make = ClientCache(), Maker()

    first = cache.get(ClientKey("s3", region_name="eu-west-1"), make)

    assert cache.get(ClientKey("s3", region_name="eu-west-1"), make) is first
    assert cache.get(ClientKey("s3"), make) is not first
    assert len(make.calls) == 2


def test_equal_configs_make_equal_keys_even_after_botocore_normalises_one() -> None:
    config = Config(retries={"max_attempts": 2})
    key = ClientKey("s3", config=config)
    config.retries = {"total_max_attempts": 3}  # what botocore does to a Config it is given

    assert key == ClientKey("s3", config=Config(retries={"max_attempts": 2}))
    assert hash(key) == hash(ClientKey("s3", config=Config(retries={"max_attempts": 2})))
    assert key != ClientKey("s3", config=Config(retries={"max_attempts": 3}))


def test_clients_and_resources_never_share_an_entry() -> None:
    cache, make = ClientCache(), Maker()

    client = cache.get(ClientKey("dynamodb"), make)
    resource = cache.get(ClientKey("dynamodb", kind="resource"), make)

    assert client is not resource
    assert len(cache) == 2


def test_default_clients_are_indexed_by_name() -> None:
    cache, make = ClientCache(), Maker()

    s3 = cache.get(ClientKey("s3"), make)
    cache.get(ClientKey("s3", region_name="eu-west-1"), make)
    cache.get(ClientKey("sqs", kind="resource"), make)

    assert cache.defaults == {"s3": s3}


def test_exactly_one_object_per_key_with_32_threads() -> None:
    cache, make = ClientCache(), Maker(delay=0.05)
    keys = [ClientKey("s3"), ClientKey("sts"), ClientKey("s3", region_name="eu-west-1")]
    start = threading.Barrier(32)

    def worker(i: int) -> Any:
        start.wait()
        return cache.get(keys[i % len(keys)], make)

    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(worker, range(32)))

    assert len(make.calls) == len(keys)
    assert len({id(r) for r in results}) == len(keys)


def test_a_failed_make_is_not_cached_and_is_tried_again() -> None:
    cache, make = ClientCache(), Maker(fail=1)

    with pytest.raises(RuntimeError):
        cache.get(ClientKey("s3"), make)
    made = cache.get(ClientKey("s3"), make)

    assert cache.get(ClientKey("s3"), make) is made
    assert len(make.calls) == 2


def test_clear_forgets_everything_and_drops_an_object_made_meanwhile() -> None:
    cache = ClientCache()
    old = cache.get(ClientKey("s3"), Maker())
    cleared = threading.Event()

    def make_while_clearing(key: ClientKey) -> Any:
        cache.clear()
        cleared.set()
        return object()

    during = cache.get(ClientKey("sts"), make_while_clearing)

    assert cleared.is_set()
    assert len(cache) == 0  # the object made across the clear was not stored
    assert cache.get(ClientKey("sts"), Maker()) is not during
    assert cache.get(ClientKey("s3"), Maker()) is not old


def test_reset_renews_a_lock_held_at_fork_and_keeps_what_was_made() -> None:
    cache = ClientCache()
    made = cache.get(ClientKey("s3"), Maker())
    held = threading.Event()
    release = threading.Event()

    def stuck_maker(key: ClientKey) -> Any:
        held.set()
        release.wait(5)
        return object()

    worker = threading.Thread(target=cache.get, args=(ClientKey("sts"), stuck_maker))
    worker.start()
    held.wait(5)

    cache.reset()  # as in a forked child: the gate of "sts" belongs to a thread that is gone

    assert cache.get(ClientKey("sts"), Maker()) is not None  # does not wait on the old gate
    assert cache.get(ClientKey("s3"), Maker()) is made
    release.set()
    worker.join()


def test_a_forked_child_gets_clients_without_waiting(bsm: BotoSesManager) -> None:
    from boto_session_manager import _forksafe

    bsm.get_client("sts")

    _forksafe.after_fork_in_child()  # what os.fork runs in the child

    assert bsm.get_client("s3") is bsm.get_client("s3")
    assert bsm.aws_account_id


def test_key_repr_never_shows_the_secret_or_token() -> None:
    key = ClientKey(
        "s3", aws_access_key_id="AKIA", aws_secret_access_key=SECRET, aws_session_token="tok"
    )

    assert SECRET not in repr(key)
    assert "tok" not in repr(key)
    assert SECRET not in repr_client_kwargs({"aws_secret_access_key": SECRET, "region_name": "x"})


def test_client_kwargs_merge_the_defaults_under_the_keys_own() -> None:
    key = ClientKey("s3", region_name="eu-west-1", use_ssl=False, config=Config(read_timeout=5))
    defaults = {
        "endpoint_url": "http://local",
        "region_name": "us-east-1",
        "config": Config(connect_timeout=2),
    }

    kwargs = key.client_kwargs(defaults)

    assert kwargs["endpoint_url"] == "http://local"
    assert kwargs["region_name"] == "eu-west-1"
    assert kwargs["use_ssl"] is False
    assert (kwargs["config"].read_timeout, kwargs["config"].connect_timeout) == (5, 2)


def test_unsigned_keys_add_botocore_unsigned() -> None:
    from botocore import UNSIGNED

    assert (
        ClientKey("s3", unsigned=True).client_kwargs(None)["config"].signature_version is UNSIGNED
    )
    assert (
        ClientKey("s3").client_kwargs(None, unsigned=True)["config"].signature_version is UNSIGNED
    )
    assert "config" not in ClientKey("s3").client_kwargs(None)


def test_the_manager_makes_one_client_per_key_from_many_threads() -> None:
    bsm = BotoSesManager("AKIAEXAMPLE", SECRET, region_name="us-east-1")
    start = threading.Barrier(32)

    def worker(i: int) -> Any:
        start.wait()
        return bsm.get_client("s3") if i % 2 else bsm.get_resource("s3")

    with ThreadPoolExecutor(32) as pool:
        made = list(pool.map(worker, range(32)))

    assert len({id(x) for x in made}) == 2
    assert bsm.s3_client is bsm.get_client("s3")
