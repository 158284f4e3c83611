"""Exactly one reply, nothing lost: re-deliveries, several instances, crashes, and Webex trouble.

Webex retries webhooks and sometimes delivers one twice; a bot process can die at any moment;
Webex answers 429 and 5xx. Each test makes one of these happen for real and reads what the admin
got in the space.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from botkit import Chat, RunningBot, acknowledged_then_killed, bot_settings, wait_idle

from bot.queue.store import Store, make_huey
from sandbox import Sandbox, SandboxServer, seed


def bot_replies_after(state: Sandbox, chat: Chat, message_id: str) -> list[dict]:
    return state.messages_from_bot(chat.room_id, message_id)


def delivery_of(state: Sandbox, data_id: str, target: str):
    return next(d for d in state.deliveries if d.data_id == data_id and d.target_url == target)


def test_the_same_event_delivered_again_gets_no_second_reply(state: Sandbox, bot: RunningBot, chat: Chat) -> None:
    reply = chat.say(f"validate {seed.AVAILABLE_US}")
    asked = chat.said[-1]
    again = state.redeliver(delivery_of(state, asked, bot.webhook_url).index)
    assert state.wait_for_deliveries()
    assert again.status_code == 200  # acknowledged, as Webex expects
    wait_idle(bot)
    assert [m["id"] for m in bot_replies_after(state, chat, asked)] == [reply.id]


def test_two_instances_sharing_a_store_answer_a_doubly_delivered_event_once(
    state: Sandbox, make_bot: Callable[..., RunningBot]
) -> None:
    first = make_bot()
    second = make_bot(register=False)  # same store, its own process-worth of workers
    chat = Chat(state, seed.ALICE)
    reply = chat.say(f"validate {seed.AVAILABLE_US}")
    asked = chat.said[-1]
    original = delivery_of(state, asked, first.webhook_url)
    for _ in range(3):  # a burst of copies to both instances
        state.deliver_raw(second.webhook_url, original.body, original.signature)
        state.redeliver(original.index)
    assert state.wait_for_deliveries()
    wait_idle(first)
    wait_idle(second)
    assert [m["id"] for m in bot_replies_after(state, chat, asked)] == [reply.id]


def test_card_presses_are_deduplicated_like_messages(state: Sandbox, bot: RunningBot, chat: Chat) -> None:
    help_card = chat.say("help")
    answer = chat.press(help_card, "Validate", numbers=seed.AVAILABLE_US)
    action = next(d for d in state.deliveries if d.resource == "attachmentActions")
    state.redeliver(action.index)
    assert state.wait_for_deliveries()
    wait_idle(bot)
    assert [m["id"] for m in bot_replies_after(state, chat, help_card.id)] == [answer.id]


def test_an_event_acknowledged_by_a_process_killed_before_its_workers_ran_is_answered_after_restart(
    server: SandboxServer, state: Sandbox, store_path: Path, tmp_path: Path, make_bot: Callable[..., RunningBot]
) -> None:
    chat, asked = acknowledged_then_killed(bot_settings(server, store_path), state, tmp_path / "web.log",
                                           f"validate {seed.AVAILABLE_US}")
    make_bot()  # the restarted bot, same store
    [reply] = chat.wait(asked["id"])
    assert "Available" in reply.text


def test_a_429_is_waited_out_as_retry_after_says_then_the_answer_comes(state: Sandbox, chat: Chat) -> None:
    state.inject_fault("POST", "validateNumbers", 429, retry_after=1)
    reply = chat.say(f"validate {seed.AVAILABLE_US}")
    assert "Available" in reply.text
    calls = state.calls("validateNumbers")
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].time - calls[0].time >= 0.9  # it waited Retry-After, not less


def test_5xx_answers_are_retried_and_then_the_answer_comes(state: Sandbox, chat: Chat) -> None:
    state.inject_fault("POST", "validateNumbers", 503, times=2)
    reply = chat.say(f"validate {seed.AVAILABLE_US}")
    assert "Available" in reply.text
    assert [c.status for c in state.calls("validateNumbers")] == [503, 503, 200]


def test_5xx_until_the_end_gives_an_error_card_with_the_tracking_id(state: Sandbox, bot: RunningBot, chat: Chat) -> None:
    state.inject_fault("POST", "validateNumbers", 500, times=50)
    reply = chat.say(f"validate {seed.AVAILABLE_US}")
    calls = state.calls("validateNumbers")
    assert len(calls) == bot.settings.max_retries + 1
    assert calls[-1].tracking_id in reply.text
    assert calls[-1].tracking_id in reply.markdown
    assert "Traceback" not in reply.text + reply.markdown


def test_webex_failing_to_give_the_message_still_gets_the_admin_an_error_card(state: Sandbox, chat: Chat) -> None:
    state.inject_fault("GET", r"^/v1/messages/", 502, times=50)
    reply = chat.say(f"validate {seed.AVAILABLE_US}")
    assert "error" in reply.text.lower()
    assert reply.card["body"] and "trackingId" not in reply.text  # the id is shown as a value, labelled for people
    assert "Tracking ID" in reply.text


def test_a_rotated_refresh_token_is_kept_and_used_after_a_restart(
    state: Sandbox, make_bot: Callable[..., RunningBot], store_path: Path
) -> None:
    state.rotate_refresh_tokens = True
    first = make_bot()
    chat = Chat(state, seed.ALICE)
    chat.say(f"validate {seed.AVAILABLE_US}")
    assert seed.SERVICE_APP_REFRESH_TOKEN not in state.refresh_tokens  # Webex rotated it
    state.expire_service_tokens()
    assert "Available" in chat.say(f"validate {seed.AVAILABLE_US}").text
    first.stop()
    # A new process, configured with the original (now dead) refresh token, reads the kept one.
    make_bot(register=True)
    state.expire_service_tokens()
    assert "Available" in chat.say(f"validate {seed.AVAILABLE_US}").text
    assert state.token_grants == 3
    stored = Store(make_huey(f"sqlite:///{store_path}")).get_json("service_app_token")
    assert stored is not None and {stored["refresh_token"]} == state.refresh_tokens


def test_instances_sharing_a_store_refresh_the_token_once(
    state: Sandbox, make_bot: Callable[..., RunningBot]
) -> None:
    state.rotate_refresh_tokens = True  # a second grant with a used refresh token would fail
    bots = [make_bot(register=False, workers=4) for _ in range(2)]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        tokens = list(pool.map(lambda i: bots[i % 2].runtime.client.tokens.token(), range(16)))
    assert len(set(tokens)) == 1
    assert state.token_grants == 1


def test_a_failure_notice_goes_to_the_admins_thread_like_any_reply(state: Sandbox, bot: RunningBot) -> None:
    group = Chat(state, seed.ALICE, room="group")
    opening = group.post("Checking the new DIDs", mention_bot=False)
    state.inject_fault("GET", r"^/v1/messages/", 502, times=50)
    notice = group.say(f"validate {seed.AVAILABLE_US}", parent_id=opening["id"])
    assert "Webex answered with an error" in notice.text
    assert notice.parent_id == opening["id"]
