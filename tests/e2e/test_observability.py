"""What an operator sees: one JSON log line per event, health and readiness endpoints, and no
secret anywhere in the logs, whatever happens."""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

import pytest
import requests
from botkit import BotProcess, Chat, RunningBot, bot_settings, wait_idle

from bot.core.logs import JsonFormatter
from sandbox import Sandbox, seed


def event_lines(caplog: pytest.LogCaptureFixture) -> list[dict]:
    """The "event handled" lines, as the JSON formatter writes them for an operator."""
    return [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.getMessage() == "event handled"]


def logged(caplog: pytest.LogCaptureFixture, outcome: str, timeout: float = 10.0) -> None:
    """Until an "event handled" line with ``outcome`` is there. A worker logs its line after the
    event's journal entry is gone, and the bot's own reply comes back as a webhook delivery of its
    own a moment later: an idle bot may not have written that line yet."""
    deadline = time.monotonic() + timeout
    while not any(entry["outcome"] == outcome for entry in event_lines(caplog)):
        assert time.monotonic() < deadline, f"no event was logged as {outcome!r}"
        time.sleep(0.02)


def test_each_event_handled_logs_one_json_line_with_its_calls_and_tracking_ids(
    state: Sandbox, bot: RunningBot, chat: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    chat.say(f"validate {seed.AVAILABLE_US}")
    wait_idle(bot)
    # The bot's own reply comes back as an event too, and is logged as ignored.
    logged(caplog, "ignored: the bot's own event")
    logged(caplog, "replied")
    asked = chat.said[-1]
    [line] = [entry for entry in event_lines(caplog) if entry["event"] == f"messages:{asked}"]
    assert line["outcome"] == "replied"
    assert line["flow"] == "validate"
    assert line["person"] == state.person_by_email(seed.ALICE).id
    assert isinstance(line["ms"], int)
    validate = [c for c in line["calls"] if "validateNumbers" in c["call"]]
    assert validate and validate[0]["status"] == 200
    assert validate[0]["trackingId"] == state.calls("validateNumbers")[-1].tracking_id


def test_healthz_and_readyz_report_the_process_the_store_the_workers_and_the_token(bot: RunningBot) -> None:
    health = requests.get(bot.url + "/healthz", timeout=5)
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    ready = requests.get(bot.url + "/readyz", timeout=5)
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"store": "ok", "workers": "ok", "service_app_token": "ok"}


def test_no_secret_reaches_a_log_line_through_refreshes_errors_and_refusals(
    state: Sandbox, make_bot: Callable[..., RunningBot], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    state.rotate_refresh_tokens = True
    bot = make_bot(allowed_domains=(), allowed_users=(seed.ALICE,))
    alice, bob = Chat(state, seed.ALICE), Chat(state, seed.BOB)
    alice.say(f"validate {seed.AVAILABLE_US}")
    state.expire_service_tokens()
    alice.say(f"validate {seed.AVAILABLE_US}")
    state.inject_fault("POST", "validateNumbers", 500, times=10)
    alice.say(f"validate {seed.AVAILABLE_US}")
    bob.say("help")
    state.inject_fault("POST", "access_token", 400, times=1)
    state.expire_service_tokens()
    alice.say(f"validate {seed.AVAILABLE_US}")
    wait_idle(bot)
    secrets = {seed.BOT_TOKEN, seed.WEBHOOK_SECRET, seed.SERVICE_APP_CLIENT_SECRET, seed.SERVICE_APP_REFRESH_TOKEN,
               seed.SERVICE_APP_TOKEN, *state.refresh_tokens}
    with state.lock:
        secrets |= set(state._service_tokens)  # every access token ever issued
    logged = "\n".join(JsonFormatter().format(record) for record in caplog.records)
    assert logged
    for secret in secrets:
        assert secret not in logged
    for message in state.messages.values():  # nor in anything the bot posted
        if message.person_id == state.bot.id:
            posted = json.dumps(message.to_json())
            assert not any(secret in posted for secret in secrets)


def test_a_bot_process_writes_every_log_line_as_json(server, state: Sandbox, tmp_path) -> None:
    settings = bot_settings(server, tmp_path / "numbot.db")
    process = BotProcess(settings, tmp_path / "bot.log")
    try:
        from bot.web.webhooks import register_webhooks

        register_webhooks(settings, process.url)
        asked = Chat(state, seed.ALICE)
        asked.say(f"validate {seed.AVAILABLE_US}")
        state.inject_fault("POST", "validateNumbers", 500, times=10)
        asked.say(f"validate {seed.AVAILABLE_US}")

        def handled() -> list[dict]:
            # The worker logs its line just after posting the reply.
            records = [json.loads(line) for line in process.log_path.read_text().splitlines() if line.strip()]
            assert all({"ts", "level", "logger"} <= set(r) for r in records)  # every line is JSON
            return [r for r in records if r.get("msg") == "event handled" and r.get("flow") == "validate"]

        deadline = time.monotonic() + 20
        while len(handled()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        process.stop()
    handled = handled()
    assert [r["outcome"] for r in handled] == ["replied", "replied"]
    assert handled[1]["webex_error"] and handled[1]["calls"][-1]["trackingId"]
