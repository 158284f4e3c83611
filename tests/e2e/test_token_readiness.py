"""The service app token and readiness: a refused grant is remembered (no storm of grants), and
``/readyz`` names the setting to fix; a refresh token near its end makes the bot degraded, with
a warning in the log and in ``/readyz``, from 14 days before it expires."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable

import pytest
import requests
from botkit import Chat, RunningBot

from bot.core.config import ServiceAppCredentials
from sandbox import Sandbox, seed

WRONG_REFRESH = ServiceAppCredentials(client_id=seed.SERVICE_APP_CLIENT_ID,
                                      client_secret=seed.SERVICE_APP_CLIENT_SECRET,
                                      refresh_token="a-refresh-token-webex-never-issued")


def grants(state: Sandbox) -> int:
    return len(state.calls("/v1/access_token"))


def test_a_refused_refresh_token_is_asked_for_once_per_retry_period(
        state: Sandbox, make_bot: Callable[..., RunningBot]) -> None:
    bot = make_bot(service_app=WRONG_REFRESH, token_retry_seconds=60)
    for _ in range(5):
        ready = requests.get(bot.url + "/readyz", timeout=10)
        assert ready.status_code == 503
        assert "WEBEX_SERVICE_APP_REFRESH_TOKEN" in ready.json()["checks"]["service_app_token"]
    replies = [Chat(state, seed.ALICE).say(f"validate {seed.AVAILABLE_US}") for _ in range(2)]
    assert all("WEBEX_SERVICE_APP_REFRESH_TOKEN" in r.text for r in replies)
    assert grants(state) == 1  # five probes and two events: Webex was asked once
    assert "a-refresh-token-webex-never-issued" not in ready.text + "".join(r.text + r.markdown for r in replies)


def test_the_refused_grant_is_tried_again_after_the_retry_period(
        state: Sandbox, make_bot: Callable[..., RunningBot]) -> None:
    bot = make_bot(service_app=WRONG_REFRESH, token_retry_seconds=1)
    assert requests.get(bot.url + "/readyz", timeout=10).status_code == 503
    assert requests.get(bot.url + "/readyz", timeout=10).status_code == 503
    assert grants(state) == 1
    time.sleep(1.1)
    assert requests.get(bot.url + "/readyz", timeout=10).status_code == 503
    assert grants(state) == 2


def test_wrong_client_credentials_name_the_client_settings(make_bot: Callable[..., RunningBot]) -> None:
    bad = ServiceAppCredentials(client_id=seed.SERVICE_APP_CLIENT_ID, client_secret="wrong-secret-value",
                                refresh_token=seed.SERVICE_APP_REFRESH_TOKEN)
    bot = make_bot(service_app=bad, register=False)
    ready = requests.get(bot.url + "/readyz", timeout=10)
    assert ready.status_code == 503
    reason = ready.json()["checks"]["service_app_token"]
    assert "WEBEX_SERVICE_APP_CLIENT_ID" in reason and "WEBEX_SERVICE_APP_CLIENT_SECRET" in reason
    assert "wrong-secret-value" not in ready.text


def test_a_refresh_token_near_its_end_makes_the_bot_degraded_and_says_what_to_do(
        state: Sandbox, make_bot: Callable[..., RunningBot], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    state.expire_refresh_token_in(10 * 86400)
    bot = make_bot()
    assert "Available" in Chat(state, seed.ALICE).say(f"validate {seed.AVAILABLE_US}").text  # it still works
    ready = requests.get(bot.url + "/readyz", timeout=10)
    assert ready.status_code == 200
    body = ready.json()
    assert body["ready"] is True and body["status"] == "degraded"
    [warning] = body["warnings"]
    assert "expires in 9 day(s)" in warning or "expires in 10 day(s)" in warning
    assert "WEBEX_SERVICE_APP_REFRESH_TOKEN" in warning and "Control Hub" in warning
    assert any("refresh token expires in" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


def test_a_refresh_token_with_a_long_life_left_is_simply_ready(bot: RunningBot) -> None:
    body = requests.get(bot.url + "/readyz", timeout=10).json()
    assert body["status"] == "ready" and body["warnings"] == []
