"""Several instances on one Redis (``REDIS_URL``): the queue, the journal, re-delivery marks and the
service app token are shared, so the instances behave as one bot.

A real ``redis-server`` (Debian's, installed by ``./run test``) runs on a free loopback port for
each test. In CI it must be there; elsewhere the tests skip without it."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from botkit import Chat, RunningBot, acknowledged_then_killed, bot_settings, free_port, wait_idle
from storekit import check_legacy_adoption, check_queue_contract

from bot.queue.store import LockTimeout, Store, make_huey
from sandbox import Sandbox, SandboxServer, seed

REDIS = shutil.which("redis-server")
if REDIS is None and os.environ.get("CI"):
    raise RuntimeError("redis-server is missing: ./run test installs Debian's redis-server")
pytestmark = pytest.mark.skipif(REDIS is None, reason="redis-server is not installed (./run test installs it)")


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen([REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                               "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 20
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def on_redis(make_bot: Callable[..., RunningBot], redis_url: str) -> Callable[..., RunningBot]:
    def make(**overrides) -> RunningBot:
        return make_bot(store_url=redis_url, **overrides)
    return make


def test_a_bot_on_redis_answers(state: Sandbox, on_redis: Callable[..., RunningBot]) -> None:
    on_redis()
    assert "Available" in Chat(state, seed.ALICE).say(f"validate {seed.AVAILABLE_US}").text


def test_two_instances_on_one_redis_answer_a_doubly_delivered_event_once(
    state: Sandbox, on_redis: Callable[..., RunningBot]
) -> None:
    first, second = on_redis(), on_redis(register=False)
    chat = Chat(state, seed.ALICE)
    reply = chat.say(f"validate {seed.AVAILABLE_US}")
    asked = chat.said[-1]
    original = next(d for d in state.deliveries if d.data_id == asked)
    for _ in range(3):
        state.deliver_raw(second.webhook_url, original.body, original.signature)
        state.redeliver(original.index)
    assert state.wait_for_deliveries()
    wait_idle(first)
    wait_idle(second)
    assert [m["id"] for m in state.messages_from_bot(chat.room_id, asked)] == [reply.id]


def test_an_event_acknowledged_on_redis_by_a_killed_process_is_answered_by_another(
    server: SandboxServer, state: Sandbox, redis_url: str, tmp_path: Path, on_redis: Callable[..., RunningBot]
) -> None:
    settings = bot_settings(server, tmp_path / "unused.db", store_url=redis_url)
    chat, asked = acknowledged_then_killed(settings, state, tmp_path / "web.log", f"validate {seed.AVAILABLE_US}")
    on_redis()
    [reply] = chat.wait(asked["id"])
    assert "Available" in reply.text


def test_instances_on_redis_refresh_the_rotating_token_once_and_keep_it(
    state: Sandbox, on_redis: Callable[..., RunningBot], redis_url: str
) -> None:
    state.rotate_refresh_tokens = True
    bots = [on_redis(register=False, workers=4) for _ in range(2)]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        tokens = set(pool.map(lambda i: bots[i % 2].runtime.client.tokens.token(), range(16)))
    assert len(tokens) == 1 and state.token_grants == 1
    stored = Store(make_huey(redis_url)).get_json("service_app_token")
    assert stored is not None and {stored["refresh_token"]} == state.refresh_tokens


def test_the_event_queue_keeps_its_promises_on_redis(redis_url: str) -> None:
    check_queue_contract(lambda: Store(make_huey(redis_url)))


def test_what_an_older_version_left_unfinished_is_taken_over_on_redis(redis_url: str) -> None:
    check_legacy_adoption(lambda: Store(make_huey(redis_url)))


def test_claims_and_locks_expire_on_redis(redis_url: str) -> None:
    store = Store(make_huey(redis_url))
    assert store.claim("k", ttl_seconds=1)
    assert not store.claim("k", ttl_seconds=1)
    time.sleep(1.2)
    assert store.claim("k", ttl_seconds=60)
    with store.lock("job", ttl_seconds=1), pytest.raises(LockTimeout), store.lock("job", wait_seconds=0.1):
        pass
    time.sleep(1.1)
    with store.lock("job", wait_seconds=0.1):  # its holder's TTL ran out
        pass
