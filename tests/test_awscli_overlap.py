"""awscli() blocks that overlap and exit in any order restore the environment exactly."""

from __future__ import annotations

import asyncio
import os
import random
import threading
from collections.abc import Mapping

import pytest

from boto_session_manager import BotoSesManager
from boto_session_manager.awscli import patched_environ

SECRET_A = "SecretOfBlockA/0000000000000000000000001"
SECRET_B = "SecretOfBlockB/0000000000000000000000002"


def manager(key: str, secret: str, region: str) -> BotoSesManager:
    return BotoSesManager(aws_access_key_id=key, aws_secret_access_key=secret, region_name=region)


@pytest.fixture
def user_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The user's own settings, which every block hides and every exit must bring back."""
    monkeypatch.setenv("AWS_PROFILE", "my-own-profile")
    monkeypatch.setenv("AWS_REGION", "eu-north-1")
    return _aws(os.environ)


def _aws(env: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k.startswith("AWS_")}


def test_asyncio_tasks_exiting_out_of_order_restore_the_users_environment(
    user_env: dict[str, str],
) -> None:
    a = manager("AKIAAAAAAAAAAAAAAAAA", SECRET_A, "us-east-1")
    b = manager("AKIABBBBBBBBBBBBBBBB", SECRET_B, "us-west-2")
    seen: dict[str, str | None] = {}

    async def main() -> None:
        a_entered, b_entered, a_left = asyncio.Event(), asyncio.Event(), asyncio.Event()

        async def first() -> None:
            with a.awscli():
                a_entered.set()
                await b_entered.wait()
            a_left.set()  # leaves while b is still inside

        async def second() -> None:
            await a_entered.wait()
            with b.awscli():
                b_entered.set()
                await a_left.wait()
                seen["inside_b_after_a_left"] = os.environ.get("AWS_SECRET_ACCESS_KEY")
                seen["region"] = os.environ.get("AWS_REGION")

        await asyncio.gather(first(), second())

    asyncio.run(main())
    assert seen == {"inside_b_after_a_left": SECRET_B, "region": "us-west-2"}
    assert _aws(os.environ) == user_env
    assert SECRET_A not in os.environ.values()


def test_threads_exiting_out_of_order_restore_the_users_environment(
    user_env: dict[str, str],
) -> None:
    a = manager("AKIAAAAAAAAAAAAAAAAA", SECRET_A, "us-east-1")
    b = manager("AKIABBBBBBBBBBBBBBBB", SECRET_B, "us-west-2")
    a_entered, b_entered, a_left = threading.Event(), threading.Event(), threading.Event()
    seen: list[str | None] = []

    def first() -> None:
        with a.awscli():
            a_entered.set()
            assert b_entered.wait(10)
            seen.append(os.environ.get("AWS_SECRET_ACCESS_KEY"))  # the newer block wins
        a_left.set()

    def second() -> None:
        assert a_entered.wait(10)
        with b.awscli():
            b_entered.set()
            assert a_left.wait(10)
            seen.append(os.environ.get("AWS_SECRET_ACCESS_KEY"))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == [SECRET_B, SECRET_B]
    assert _aws(os.environ) == user_env


def test_the_older_block_wins_again_when_the_newer_one_exits_first(
    user_env: dict[str, str],
) -> None:
    a = manager("AKIAAAAAAAAAAAAAAAAA", SECRET_A, "us-east-1")
    b = BotoSesManager(
        aws_access_key_id="AKIABBBBBBBBBBBBBBBB",
        aws_secret_access_key=SECRET_B,
        aws_session_token="token-of-b",
        region_name="us-west-2",
    )
    outer, inner = a.awscli(), b.awscli()
    outer.__enter__()
    inner.__enter__()
    assert os.environ["AWS_SESSION_TOKEN"] == "token-of-b"
    inner.__exit__(None, None, None)
    assert os.environ["AWS_SECRET_ACCESS_KEY"] == SECRET_A
    assert "AWS_SESSION_TOKEN" not in os.environ  # a's absence, not b's token
    assert "AWS_PROFILE" not in os.environ
    outer.__exit__(None, None, None)
    assert _aws(os.environ) == user_env


def test_many_threads_in_random_order_leave_nothing_behind(user_env: dict[str, str]) -> None:
    rng = random.Random(7)
    count = 24
    barrier = threading.Barrier(count)
    delays = [rng.random() / 200 for _ in range(count)]
    errors: list[BaseException] = []

    def block(index: int) -> None:
        try:
            barrier.wait(10)
            with patched_environ({"AWS_SECRET_ACCESS_KEY": f"s{index}", "AWS_PROFILE": None}):
                threading.Event().wait(delays[index])
                assert os.environ["AWS_SECRET_ACCESS_KEY"].startswith("s")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=block, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert _aws(os.environ) == user_env


def test_blocks_setting_equal_values_are_told_apart() -> None:
    env: dict[str, str] = {"X": "user"}
    first = patched_environ({"X": "same"}, env)
    middle = patched_environ({"X": "other"}, env)
    last = patched_environ({"X": "same"}, env)
    for block in (first, middle, last):
        block.__enter__()
    last.__exit__(None, None, None)
    assert env == {"X": "other"}  # the middle block is now the newest
    first.__exit__(None, None, None)
    middle.__exit__(None, None, None)
    assert env == {"X": "user"}
