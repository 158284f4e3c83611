"""Several instances on one Redis (``REDIS_URL``): the queue, the journal, re-delivery marks and the
service app token are shared, so the instances behave as one bot.

A real ``redis-server`` (Debian's, installed by ``./run test``) runs on a free loopback port for
each test. In CI it must be there; elsewhere the tests skip without it."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest
import redis

from bot.store import Store, make_huey
from botkit import Chat, RunningBot, acknowledged_then_killed, bot_settings, free_port, wait_idle
from sandbox import Sandbox, SandboxServer, seed
from storekit import check_start_and_finish

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


def test_a_worker_starts_and_finishes_an_event_in_one_script_each_on_redis(redis_url: str) -> None:
    check_start_and_finish(lambda: Store(make_huey(redis_url)))


def test_claims_and_locks_expire_on_redis(redis_url: str) -> None:
    store = Store(make_huey(redis_url))
    assert store.claim("k", ttl_seconds=1)
    assert not store.claim("k", ttl_seconds=1)
    time.sleep(1.2)
    assert store.claim("k", ttl_seconds=60)
    token = store.lease("job", 60)
    assert token is not None and store.lease("job", 60) is None
    store.release("job", token)
    assert store.lease("job", 60) is not None


def test_the_journal_on_redis_is_listed_from_its_index_not_by_a_scan_of_every_key(redis_url: str) -> None:
    """The sweeper lists the journal every few seconds in each process, and a week of claims
    shares the database: a SCAN walks them all. Entries an older version wrote without the index
    are looked for by a process's first listing and again every ``INDEX_SCAN_SECONDS``."""
    store = Store(make_huey(redis_url))
    storage = store.huey.storage
    conn, index = storage.conn, storage.result_key("kv:inflight-index")
    for n in range(20):
        assert store.claim(f"messages:C{n}")
    store.put_inflight("messages:OLD", {"data": {"id": "OLD"}})
    conn.srem(index, "kv:inflight:messages:OLD")  # as a version without the index wrote it
    store = Store(make_huey(redis_url))  # a process started since
    assert store.journal_and_queue("messages:A", {"data": {"id": "A"}}, b"job")
    store.put_inflight("messages:B", {"data": {"id": "B"}})
    assert [entry.key for entry in store.inflight()] == ["messages:A", "messages:B", "messages:OLD"]

    conn.config_resetstat()
    assert [entry.key for entry in store.inflight()] == ["messages:A", "messages:B", "messages:OLD"]
    assert "cmdstat_scan" not in conn.info("commandstats")  # from the index: no walk over the claims
    store.put_inflight("messages:LATE", {"data": {"id": "LATE"}})
    conn.srem(index, "kv:inflight:messages:LATE")  # an older instance still running beside this one
    store._indexed_at -= Store.INDEX_SCAN_SECONDS  # a while on: looked for again
    assert "messages:LATE" in [entry.key for entry in store.inflight()]
    store.drop_inflight("messages:LATE")

    token = store.start("messages:A", 60)
    assert isinstance(token, bytes)
    store.finish("messages:A", token, {"data": {"id": "A"}})
    store.drop_inflight("messages:B")
    storage.delete_data("kv:inflight:messages:OLD")  # an older instance's finish: the index not told
    assert store.inflight() == []
    assert conn.smembers(index) == set()  # nothing left behind in the index either
