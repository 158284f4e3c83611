"""Exactly one reply, also when Webex misbehaves while the bot posts it or tells it to wait.

A 502 or 504 on ``POST /messages`` comes from a gateway whose upstream may well have created the
message; a 503 means it did not get that far; a 429 says wait. The sandbox does each for real
(``stage="after"``: the message is created, then the error is answered) and the tests read what
the admin has in the space."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from botkit import Chat, RunningBot, bot_settings, killed_mid_event, wait_idle

from sandbox import Sandbox, SandboxServer, seed

BOT_POSTS = r"^/v1/messages$"


def bot_messages_after(state: Sandbox, chat: Chat, message_id: str) -> list[dict]:
    return state.messages_from_bot(chat.room_id, message_id)


def test_a_reply_webex_created_before_answering_502_is_not_posted_again(
        state: Sandbox, bot: RunningBot, chat: Chat) -> None:
    fault = state.inject_fault("POST", BOT_POSTS, 502, stage="after", who="bot")
    reply = chat.say(f"validate {seed.AVAILABLE_US}")
    wait_idle(bot)
    assert fault.hits == 1
    assert "Number validation: OK" in reply.text
    assert [m["id"] for m in bot_messages_after(state, chat, chat.said[-1])] == [reply.id]
    # It looked at the room instead of posting blindly again.
    assert state.calls("/v1/messages", identity="bot", method="GET")[-1].query["roomId"] == chat.room_id


def test_a_503_before_webex_created_the_reply_is_posted_once_after_a_look(
        state: Sandbox, bot: RunningBot, chat: Chat) -> None:
    fault = state.inject_fault("POST", BOT_POSTS, 503, who="bot")
    reply = chat.say(f"validate {seed.AVAILABLE_US}")
    wait_idle(bot)
    assert fault.hits == 1
    assert [m["id"] for m in bot_messages_after(state, chat, chat.said[-1])] == [reply.id]
    posts = [c.status for c in state.calls("/v1/messages", identity="bot", method="POST")]
    assert posts == [503, 200]


def test_a_reply_whose_answer_timed_out_after_webex_created_it_is_posted_once(
        state: Sandbox, make_bot: Callable[..., RunningBot]) -> None:
    bot = make_bot(request_timeout=1)
    chat = Chat(state, seed.ALICE)
    state.inject_fault("POST", BOT_POSTS, None, stage="after", delay=2.5, who="bot")
    reply = chat.say(f"validate {seed.AVAILABLE_US}")
    wait_idle(bot)
    time.sleep(1.6)  # the slow answer finishes; nothing else may follow
    assert [m["id"] for m in bot_messages_after(state, chat, chat.said[-1])] == [reply.id]


def test_in_a_group_space_a_502_after_creating_gives_one_reply(state: Sandbox, bot: RunningBot) -> None:
    group = Chat(state, seed.ALICE, room="group")
    state.inject_fault("POST", BOT_POSTS, 502, stage="after", who="bot")
    reply = group.say(f"validate {seed.AVAILABLE_US}")
    wait_idle(bot)
    assert [m["id"] for m in bot_messages_after(state, group, group.said[-1])] == [reply.id]


def test_in_a_group_space_an_unknown_outcome_is_never_posted_twice(
        state: Sandbox, bot: RunningBot, caplog: pytest.LogCaptureFixture) -> None:
    """A bot cannot list a group space's messages that do not mention it, so after an unknown
    outcome it does not post again: at most one reply (the README says so). Here Webex had not
    created it, so there is none, and the log says why."""
    caplog.set_level(logging.INFO)
    group = Chat(state, seed.ALICE, room="group")
    state.inject_fault("POST", BOT_POSTS, 503, times=5, who="bot")
    group.post(f"validate {seed.AVAILABLE_US}")
    assert state.wait_for_deliveries()
    wait_idle(bot)
    assert bot_messages_after(state, group, group.said[-1]) == []
    assert len(state.calls("/v1/messages", identity="bot", method="POST")) == 1
    assert any("not posting again" in r.getMessage() for r in caplog.records)


def test_a_long_retry_after_outlasting_the_lease_is_waited_out_by_one_worker(
        state: Sandbox, make_bot: Callable[..., RunningBot]) -> None:
    """The lease (3 s) is shorter than Webex's Retry-After (5 s): the waiting worker keeps it
    alive, so the second instance's sweeper never hands the event to another worker."""
    first = make_bot(job_lease_seconds=3)
    second = make_bot(register=False, job_lease_seconds=3)
    chat = Chat(state, seed.ALICE)
    state.inject_fault("POST", BOT_POSTS, 429, retry_after=5, who="bot")
    reply = chat.say(f"validate {seed.AVAILABLE_US}")
    wait_idle(first)
    wait_idle(second)
    time.sleep(2)  # a few more sweeps
    assert [m["id"] for m in bot_messages_after(state, chat, chat.said[-1])] == [reply.id]
    assert [c.status for c in state.calls("/v1/messages", identity="bot", method="POST")] == [429, 200]


def test_a_wait_longer_than_an_event_may_wait_tells_the_admin_webex_is_busy(
        state: Sandbox, make_bot: Callable[..., RunningBot]) -> None:
    make_bot(max_wait_seconds=2)
    chat = Chat(state, seed.ALICE)
    state.inject_fault("POST", "validateNumbers", 429, retry_after=150)
    started = time.monotonic()
    reply = chat.say(f"validate {seed.AVAILABLE_US}")
    assert time.monotonic() - started < 10  # it did not sit out the 150 s
    assert "Webex is busy" in reply.text
    assert "again in about 3 minutes" in reply.text
    assert "Webex is busy" in reply.markdown


def test_when_webex_tells_one_worker_to_wait_the_others_pause_too(
        state: Sandbox, make_bot: Callable[..., RunningBot]) -> None:
    """Two instances sharing a store: after instance one's 429, instance two holds its own
    validate call until Retry-After has passed instead of hammering the API."""
    make_bot()
    make_bot(register=False)
    fault = state.inject_fault("POST", "validateNumbers", 429, retry_after=2)
    alice, lou = Chat(state, seed.ALICE), Chat(state, seed.ALICE, room="group")  # two requests, one admin
    alice.post(f"validate {seed.AVAILABLE_US}")
    deadline = time.monotonic() + 10
    while fault.hits == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    lou.post(f"validate {seed.AVAILABLE_UK}")
    alice.wait(alice.said[-1])
    lou.wait(lou.said[-1])
    calls = state.calls("validateNumbers")
    assert [c.status for c in calls] == [429, 200, 200]
    assert all(c.time - calls[0].time >= 1.9 for c in calls[1:])


def test_a_worker_killed_mid_event_is_answered_within_a_minute_of_the_restart(
        server: SandboxServer, state: Sandbox, store_path: Path, tmp_path: Path) -> None:
    """Default lease and sweeper settings: the killed worker's lease lapses in seconds."""
    chat = Chat(state, seed.ALICE)
    stall = state.inject_fault("GET", r"^/v1/messages/", status=None, delay=30, times=1)
    with killed_mid_event(bot_settings(server, store_path), state, tmp_path, stall,
                          lambda: chat.post(f"validate {seed.AVAILABLE_US}")) as restarted:
        chat.timeout = 60
        [reply] = chat.wait(restarted.asked["id"])
        assert time.monotonic() - restarted.restarted_at < 60
        assert "Available" in reply.text
        time.sleep(6)  # further sweeps (every 5 s) must not answer again
        assert len(state.messages_from_bot(chat.room_id)) == 1
