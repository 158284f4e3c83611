"""What Prometheus sees: ``GET /metrics`` of the bot as the Procfile runs it (gunicorn, two web
processes) adds up every process's counters after an admin's validate request, with Webex's
endpoints as templates, never an id; the queue's gauges are read from the store (SQLite and
Redis); a token, when set, is asked for; and no secret or id reaches the text."""
from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from botkit import Chat, RunningBot, bot_settings, free_port, settings_env, wait_for
from prometheus_client.parser import text_string_to_metric_families

from sandbox import Sandbox, SandboxServer, seed

ROOT = Path(__file__).resolve().parents[2]
VALIDATE = "telephony/config/actions/validateNumbers/invoke"

Samples = list[tuple[str, dict[str, str], float]]


def scrape(url: str, **headers: str) -> str:
    answer = requests.get(url + "/metrics", headers=headers, timeout=5)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/plain")
    return answer.text


def samples(text: str) -> Samples:
    """Every sample, parsed as Prometheus parses the text."""
    return [(sample.name, dict(sample.labels), sample.value)
            for family in text_string_to_metric_families(text) for sample in family.samples]


def total(scraped: Samples, name: str, /, **labels: str) -> float:
    """The sum of ``name``'s samples that have ``labels``."""
    return sum(value for sample, have, value in scraped if sample == name and labels.items() <= have.items())


@pytest.fixture
def web(server: SandboxServer, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen, Path]]:
    """The Procfile's web line under gunicorn with two workers, as a deploy starts it, with no
    PROMETHEUS_MULTIPROC_DIR: the bot picks its own (in TMPDIR, here the test's folder)."""
    from test_deploy import clean_env, procfile_web

    temp = tmp_path / "tmp"
    temp.mkdir()
    env = clean_env(PORT=str(free_port()), WEB_CONCURRENCY="2", TMPDIR=str(temp),
                    **settings_env(bot_settings(server, tmp_path / "numbot.db")))
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with procfile_web(env, tmp_path / "gunicorn.log") as (url, process, _):
        yield url, process, temp


def test_validate_requests_move_the_counters_every_gunicorn_worker_shows(
    state: Sandbox, web: tuple[str, subprocess.Popen, Path]
) -> None:
    url, process, temp = web
    before = samples(scrape(url))
    assert total(before, "numbot_events_handled_total") == 0
    chat = Chat(state, seed.ALICE)
    asked = 3
    for _ in range(asked):
        assert "Available" in chat.say(f"validate {seed.AVAILABLE_US}").text

    def validated(found: Samples) -> float:
        return total(found, "numbot_events_handled_total", outcome="replied", flow="validate")

    # The worker counts an event just after it posts the reply; the bot's own replies come back
    # as events too, ignored.
    wait_for(lambda: validated(samples(scrape(url))) == asked, 20.0, "the validate events to be counted")
    wait_for(lambda: total(samples(scrape(url)), "numbot_events_handled_total", outcome="ignored") == asked, 20.0,
             "the bot's own replies to be counted as ignored")
    # A delivery's answer is counted as it leaves, which may be just after its event was handled.
    wait_for(lambda: total(samples(scrape(url)), "numbot_webhook_requests_total") == 2 * asked, 20.0,
             "the webhook's answers to be counted")
    # Two processes serve the scrapes, whichever takes the connection: each adds up both.
    for _ in range(6):
        found = samples(scrape(url))
        assert validated(found) == asked
        assert total(found, "numbot_events_received_total", resource="messages") == 2 * asked
        assert total(found, "numbot_events_acknowledged_total", resource="messages") == 2 * asked
        assert total(found, "numbot_webhook_requests_total", status="200") == 2 * asked
        assert total(found, "numbot_webex_calls_total", method="POST", endpoint=VALIDATE, status="200") == asked
        # The admin's message is read; the bot's own comes back with its sender, and is not.
        assert total(found, "numbot_webex_calls_total", method="GET", endpoint="messages/{id}", status="200") == asked
        assert total(found, "numbot_webex_calls_total", method="POST", endpoint="messages") == asked
        assert total(found, "numbot_webex_call_seconds_count", method="POST", endpoint=VALIDATE) == asked
        assert total(found, "numbot_store_up") == 1
        assert {"numbot_queue_ready_events", "numbot_queue_unfinished_events",
                "numbot_queue_oldest_ready_age_seconds"} <= {name for name, _, _ in found}
        assert total(found, "numbot_queue_unfinished_events") == 0
    endpoints = {labels["endpoint"] for name, labels, _ in found if name == "numbot_webex_calls_total"}
    assert all(set(e) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_/{}") for e in endpoints), endpoints
    # The counters are in one private directory of this gunicorn start: its master's pid names it.
    [directory] = [p for p in temp.iterdir() if p.name.startswith(f"numbot-metrics-{os.getuid()}-{process.pid}-")]
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert list(directory.glob("counter_*.db"))


def test_no_secret_and_no_id_reaches_the_metrics(state: Sandbox, bot: RunningBot, chat: Chat) -> None:
    chat.say(f"validate {seed.AVAILABLE_US}")
    help_card = chat.say("help")
    chat.press(help_card, "Validate", numbers=seed.AVAILABLE_UK)
    text = scrape(bot.url)
    secrets = {seed.BOT_TOKEN, seed.WEBHOOK_SECRET, seed.SERVICE_APP_CLIENT_SECRET, seed.SERVICE_APP_REFRESH_TOKEN,
               seed.SERVICE_APP_TOKEN, *state.refresh_tokens}
    with state.lock:
        secrets |= set(state._service_tokens)
        ids = {m.id for m in state.messages.values()} | {m.room_id for m in state.messages.values()}
    ids |= {state.person_by_email(seed.ALICE).id, state.bot.id, seed.AVAILABLE_US, seed.AVAILABLE_UK}
    for value in secrets | ids:
        assert value not in text
    assert 'endpoint="attachment/actions/{id}"' in text
    assert 'numbot_events_received_total{resource="attachmentActions"}' in text


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_the_queue_gauges_are_read_from_the_store(
    backend: str, state: Sandbox, make_bot: Callable[..., RunningBot], tmp_path: Path
) -> None:
    redis_server = None
    if backend == "redis":
        from rediskit import REDIS, RedisServer

        if REDIS is None:
            if os.environ.get("CI"):
                pytest.fail("redis-server is missing: ./run test installs it")
            pytest.skip("redis-server is not installed (./run test installs it)")
        redis_server = RedisServer(tmp_path)
    try:
        overrides = {"store_url": redis_server.url} if redis_server else {}
        bot = make_bot(start_workers=False, **overrides)  # acknowledges; nobody takes the events
        before = samples(scrape(bot.url))
        assert total(before, "numbot_queue_ready_events") == 0
        assert total(before, "numbot_queue_oldest_ready_age_seconds") == 0
        chat = Chat(state, seed.ALICE)
        asked = chat.post(f"validate {seed.AVAILABLE_US}")
        chat.post(f"validate {seed.AVAILABLE_UK}")
        assert state.wait_for_deliveries()
        state.redeliver(next(d for d in state.deliveries if d.data_id == asked["id"]).index)  # Webex again
        assert state.wait_for_deliveries()
        found = samples(scrape(bot.url))

        def more(name: str, **labels: str) -> float:  # this process counts for every test in it
            return total(found, name, **labels) - total(before, name, **labels)

        assert more("numbot_events_received_total", resource="messages") == 3
        assert more("numbot_events_acknowledged_total", resource="messages") == 2
        assert more("numbot_redeliveries_dropped_total", resource="messages", found="pending") == 1
        assert total(found, "numbot_store_up") == 1
        assert total(found, "numbot_queue_ready_events") == 2
        assert total(found, "numbot_queue_unfinished_events") == 2
        assert total(found, "numbot_queue_oldest_ready_age_seconds") >= 0
        assert "numbot_queue_oldest_ready_age_seconds" in {name for name, _, _ in found}
        bot.stop()
    finally:
        if redis_server is not None:
            redis_server.stop()


def test_metrics_ask_for_the_token_when_one_is_set(
    make_bot: Callable[..., RunningBot]
) -> None:
    bot = make_bot(metrics_token="scrape-me")
    refused = requests.get(bot.url + "/metrics", timeout=5)
    assert refused.status_code == 401 and "scrape-me" not in refused.text
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert requests.get(bot.url + "/metrics", headers={"Authorization": "Bearer wrong"}, timeout=5).status_code == 401
    assert "numbot_store_up" in scrape(bot.url, Authorization="Bearer scrape-me")


def test_metrics_off_serves_no_metrics(make_bot: Callable[..., RunningBot]) -> None:
    bot = make_bot(metrics=False)
    assert requests.get(bot.url + "/metrics", timeout=5).status_code == 404
    assert requests.get(bot.url + "/healthz", timeout=5).status_code == 200
