"""An instance that dies loses nothing and answers nothing twice (``bot.queue.eventqueue``'s invariant),
proven with real processes, real kills and a real Redis:

- two instances share a store (SQLite file, or one ``redis-server``); each admin message is
  delivered to instance A and delivered again, same bytes and signature, to instance B, as Webex
  does when it retries; A is killed with ``SIGKILL`` at one step of an event's path
  (``bot.core.faults``: after the acknowledgement, after the take, after the first Webex call, after
  the reply, before the finish) and the rest arrive at B only. Every message gets exactly one reply
  within a minute of the kill. The admin is in a 1:1 space, where a retried event can look for a
  reply the dead worker posted in the instant before it died;
- Redis is restarted mid-run (append-only file on): the webhook answers 503 while it is down, so
  that Webex sends again, ``/readyz`` says the store is unavailable, no worker thread dies, and
  every event is answered once when Redis is back;
- gunicorn gets SIGTERM, as at every deploy, in the middle of a 2,000-row file: the next process
  finishes it, and the admin gets one summary and one file.

``NUMBOT_KILL_ROUNDS`` (default 1) runs each kill case that many times with different kill
points; ``./run test tests/e2e/test_kills.py`` with ``NUMBOT_KILL_ROUNDS=20`` is the long proof.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Optional

import pytest
import requests
from botkit import BotProcess, BotReply, Chat, bot_settings, free_port, settings_env, wait_for
from rediskit import REDIS, RedisServer

from bot.core import faults
from bot.core.config import Settings
from bot.web.webhooks import register_webhooks
from sandbox import Sandbox, SandboxServer, seed

ROUNDS = int(os.environ.get("NUMBOT_KILL_ROUNDS", "1"))
EVENTS = 20
LEASE_SECONDS = 3
NUMBERS = [f"+121455578{n:02d}" for n in range(100)]  # Available in the sandbox, one per message
ANSWER_WITHIN = 60.0  # seconds after the kill

needs_redis = pytest.mark.skipif(REDIS is None and not os.environ.get("CI"),
                                 reason="redis-server is not installed (./run test installs it)")


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=needs_redis)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'numbot.db'}"
        return
    redis_dir = tmp_path / "redis"
    redis_dir.mkdir()
    server = RedisServer(redis_dir)
    try:
        yield server.url
    finally:
        server.stop()


def settings_for(server: SandboxServer, tmp_path: Path, store_url: str, **overrides: object) -> Settings:
    return bot_settings(server, tmp_path / "unused.db", store_url=store_url, job_lease_seconds=LEASE_SECONDS,
                        **overrides)


def deliver_twice(state: Sandbox, chat: Chat, text: str, second: str) -> dict:
    """The admin says ``text``: Webex delivers it to the registered instance, and the test delivers
    the same bytes to ``second`` (a re-delivery)."""
    posted = chat.post(text)
    original = wait_for(lambda: next((d for d in list(state.deliveries) if d.data_id == posted["id"]), None),
                        10, "the delivery")
    state.deliver_raw(second, original.body, original.signature)  # type: ignore[union-attr]
    return posted


def replies_per_number(state: Sandbox, chat: Chat, since: str, numbers: list[str]) -> dict[str, int]:
    """How many of the bot's messages (after ``since``) answer each number."""
    texts = [BotReply(m).text for m in state.messages_from_bot(chat.room_id, since)]
    return {number: sum(1 for text in texts if number in text) for number in numbers}


def answered_once(state: Sandbox, chat: Chat, since: str, numbers: list[str], after: float,
                  logs: Callable[[], str]) -> None:
    """Every number answered within ``ANSWER_WITHIN`` of ``after``, and no second answer comes
    while a lease could still lapse."""
    deadline = after + ANSWER_WITHIN
    while time.monotonic() < deadline:
        if all(replies_per_number(state, chat, since, numbers).values()):
            break
        time.sleep(0.2)
    time.sleep(LEASE_SECONDS + 1.5)  # a double would come within a lease (and a poll)
    counts = replies_per_number(state, chat, since, numbers)
    wrong = {number: count for number, count in counts.items() if count != 1}
    assert not wrong, f"replies per number (want 1 each): {wrong}\n{logs()}"


def kill_round(state: Sandbox, settings: Settings, tmp_path: Path, step: str, kill_on: int, name: str) -> None:
    chat = Chat(state, seed.ALICE)
    numbers = random.sample(NUMBERS, EVENTS)
    a = BotProcess(settings, tmp_path / f"{name}-a.log", **{faults.VARIABLE: f"{step}:{kill_on}"})
    b = BotProcess(settings, tmp_path / f"{name}-b.log")

    def logs() -> str:
        return f"--- A ({step}:{kill_on}) ---\n{a.log()}\n--- B ---\n{b.log()}"

    try:
        register_webhooks(settings, a.url)
        asked = [deliver_twice(state, chat, f"validate {numbers[0]}", b.webhook_url)]
        died_at: Optional[float] = None
        for number in numbers[1:]:
            if died_at is None and a.process.poll() is not None:
                died_at = time.monotonic()
                register_webhooks(settings, b.url)  # the rest arrive at B only (and twice: B again)
            asked.append(deliver_twice(state, chat, f"validate {number}", b.webhook_url))
            time.sleep(0.02)
        wait_for(lambda: a.process.poll() is not None, 20, f"A to be killed at {step}:{kill_on}\n{logs()}")
        assert a.process.returncode == -signal.SIGKILL, logs()
        died_at = died_at or time.monotonic()
        assert state.wait_for_deliveries(30)
        answered_once(state, chat, _before(chat, asked), numbers, died_at, logs)
    finally:
        a.stop()
        b.stop()


def _before(chat: Chat, asked: list[dict]) -> str:
    """The message just before this round's first (replies are counted after it)."""
    first = chat.said.index(asked[0]["id"])
    return chat.said[first - 1] if first else asked[0]["id"]


@pytest.mark.parametrize("step", faults.STEPS)
def test_an_instance_killed_at_any_step_loses_nothing_and_answers_nothing_twice(
        server: SandboxServer, state: Sandbox, tmp_path: Path, store_url: str, step: str) -> None:
    settings = settings_for(server, tmp_path, store_url)
    chances = random.Random(f"{step}{store_url[:6]}{time.time()}")
    for n in range(ROUNDS):
        # A worker of A passes most steps for some of the events only (B's workers take the others).
        kill_on = chances.randint(1, 4) if step != "acknowledged" else chances.randint(2, 12)
        kill_round(state, settings, tmp_path, step, kill_on, f"round{n}")


@needs_redis
def test_a_redis_restart_mid_run_loses_nothing_and_no_worker_dies(
        server: SandboxServer, state: Sandbox, tmp_path: Path) -> None:
    # The test sends again what was refused, as Webex's retry would; a webhook disabled after
    # failures in a row (the sandbox's default, README "Operations") is another matter.
    state.webhook_failures_to_disable = None
    redis_dir = tmp_path / "redis"
    redis_dir.mkdir()
    redis_server = RedisServer(redis_dir, persistent=True)
    settings = settings_for(server, tmp_path, redis_server.url)
    a, b = BotProcess(settings, tmp_path / "a.log"), BotProcess(settings, tmp_path / "b.log")
    chat = Chat(state, seed.ALICE)
    numbers = random.sample(NUMBERS, 30)

    def logs() -> str:
        return f"--- A ---\n{a.log()}\n--- B ---\n{b.log()}"

    try:
        register_webhooks(settings, a.url)
        asked = [deliver_twice(state, chat, f"validate {number}", b.webhook_url) for number in numbers[:10]]
        # These are acknowledged before the outage (some are still being answered when it starts).
        assert state.wait_for_deliveries(60)
        assert {d.status_code for d in state.deliveries} == {200}, [(d.status_code, d.error) for d in state.deliveries]
        redis_server.stop()
        down = requests.get(a.url + "/readyz", timeout=15)
        assert down.status_code == 503 and down.json()["checks"]["store"].startswith("store unavailable"), down.text
        assert state.wait_for_deliveries(60)
        first_during = len(state.deliveries)
        during = [deliver_twice(state, chat, f"validate {number}", b.webhook_url) for number in numbers[10:20]]
        assert state.wait_for_deliveries(60)
        # Not acknowledged, so that Webex sends them again: to A and to B, each a 503 (and so is
        # the delivery of any reply a worker posted in the outage, the bot's own message).
        during_outage = state.deliveries[first_during:]
        assert len(during_outage) >= 20 and {d.status_code for d in during_outage} == {503}, \
            [(d.status_code, d.error) for d in during_outage]
        refused = [d for d in state.deliveries if d.status_code != 200]
        time.sleep(2)  # workers meet the outage: they wait and try again, none dies
        redis_server.start()
        back_at = time.monotonic()
        # Webex sends again what was not acknowledged.
        for delivery in refused:
            state.deliver_raw(delivery.target_url, delivery.body, delivery.signature)
        asked += during
        asked += [deliver_twice(state, chat, f"validate {number}", b.webhook_url) for number in numbers[20:]]
        assert state.wait_for_deliveries(60)
        answered_once(state, chat, _before(chat, asked), numbers, back_at, logs)
        for bot in (a, b):
            ready = requests.get(bot.url + "/readyz", timeout=10).json()
            assert ready["checks"]["store"] == "ok" and ready["checks"]["workers"] == "ok", ready
    finally:
        a.stop()
        b.stop()
        redis_server.stop()


ROOT = Path(__file__).resolve().parents[2]


def gunicorn(settings: Settings, port: int, log: Path, **extra: str) -> subprocess.Popen:
    """The Procfile's web line, as a deploy starts it."""
    from test_deploy import clean_env, procfile_web_command, wait_healthy

    env = clean_env(PORT=str(port), WEB_CONCURRENCY="1", **settings_env(settings), **extra)
    with open(log, "ab") as out:
        web = subprocess.Popen(["bash", "-c", f"exec {procfile_web_command()}"], cwd=ROOT, env=env,
                               stdout=out, stderr=subprocess.STDOUT)
    wait_healthy(f"http://127.0.0.1:{port}", web, log)
    return web


def test_a_deploy_restarting_gunicorn_mid_bulk_file_finishes_it_once(
        server: SandboxServer, state: Sandbox, tmp_path: Path) -> None:
    settings = bot_settings(server, tmp_path / "numbot.db", job_lease_seconds=LEASE_SECONDS, validate_batch=100,
                            bulk_concurrency=1, drain_seconds=1)
    # Each batch of 100 takes half a second, one at a time: the file takes about ten, time for a
    # deploy mid-way.
    state.inject_fault("POST", "validateNumbers", None, delay=0.5, times=10_000)
    chat = Chat(state, seed.ALICE)
    rows = [f"+1214555{i:04d}" for i in range(2000)]
    data = ("Phone Number\n" + "\n".join(rows) + "\n").encode()
    log = tmp_path / "gunicorn.log"
    port = free_port()
    old = gunicorn(settings, port, log, NUMBOT_BULK_CONCURRENCY="1", NUMBOT_VALIDATE_BATCH="100")
    new: Optional[subprocess.Popen] = None
    try:
        register_webhooks(settings, f"http://127.0.0.1:{port}")
        asked = state.upload(seed.ALICE, "direct", "ports.csv", data, "text/csv")
        wait_for(lambda: len(state.calls("validateNumbers")) >= 3, 30, "the file to be half-way")
        old.send_signal(signal.SIGTERM)  # the deploy
        old.wait(timeout=40)
        assert "handed back 1 event(s)" in log.read_text(), log.read_text()
        assert len(state.messages_from_bot(chat.room_id, asked["id"])) == 1  # the progress message only
        new = gunicorn(settings, port, log, NUMBOT_BULK_CONCURRENCY="1", NUMBOT_VALIDATE_BATCH="100")
        replies = [BotReply(m) for m in state.wait_for_reply(chat.room_id, asked["id"], timeout=90, count=3)]
        time.sleep(LEASE_SECONDS + 1.5)
        replies = [BotReply(m) for m in state.messages_from_bot(chat.room_id, asked["id"])]
        assert len(replies) == 3, [r.text[:80] for r in replies]  # progress (taken over), summary, file
        progress, summary, attached = replies
        assert progress.markdown.startswith("Validated 2,000 numbers"), progress.markdown  # edited to the end
        assert "2,000" in summary.text, summary.text
        assert state.file_of(attached.id)[1].decode("utf-8-sig").count("\n") >= 2000
    finally:
        for web in (old, new):
            if web is not None and web.poll() is None:
                web.terminate()
                web.wait(timeout=30)
    assert "Traceback" not in log.read_text()
