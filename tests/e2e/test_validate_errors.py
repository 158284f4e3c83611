"""When Webex fails a validate request, the admin gets an error card that says what Webex said
and the trackingId to quote to Cisco: never a stack trace, never a token."""
from __future__ import annotations

from botkit import BotReply, Chat, RunningBot, block_style
from validatekit import VALIDATE, assert_safe_to_show

from sandbox import Sandbox, seed


def assert_error_card_with_tracking_id(reply: BotReply, tracking_id: str) -> None:
    assert block_style(reply.title())["color"] == "attention"
    assert tracking_id in reply.text
    assert f"Tracking ID: `{tracking_id}`" in reply.markdown
    assert "Help" in reply.button_titles()
    assert_safe_to_show(reply)


def test_a_400_on_validate_gets_an_error_card_with_webex_message_and_tracking_id(chat: Chat, state: Sandbox) -> None:
    state.inject_fault("POST", VALIDATE, 400, message="[Error 25008] Invalid phone number format.")
    reply = chat.say(f"validate {seed.AVAILABLE_US} {seed.AVAILABLE_UK}")
    [call] = state.calls(VALIDATE)
    assert call.status == 400
    assert "Webex answered 400: [Error 25008] Invalid phone number format." in reply.text  # no backslash
    assert "Webex answered 400: \\[Error 25008\\] Invalid phone number format." in reply.markdown
    assert_error_card_with_tracking_id(reply, call.tracking_id)


def test_a_persistent_500_on_validate_gets_an_error_card_with_the_last_tracking_id(
        chat: Chat, state: Sandbox, bot: RunningBot) -> None:
    state.inject_fault("POST", VALIDATE, 500, times=10)
    reply = chat.say(f"validate {seed.AVAILABLE_US}")
    calls = state.calls(VALIDATE)
    assert [c.status for c in calls] == [500] * (bot.settings.max_retries + 1)
    assert "Webex answered 500" in reply.readable
    assert_error_card_with_tracking_id(reply, calls[-1].tracking_id)
    assert len(chat.bot_messages()) == 1  # one answer, not one per attempt


def test_an_answer_without_a_list_of_numbers_gets_an_error_card_with_its_tracking_id(
        chat: Chat, state: Sandbox) -> None:
    state.inject_fault("POST", VALIDATE, 200, body={"status": "OK"})  # 200, but no numbers in it
    reply = chat.say(f"validate {seed.AVAILABLE_US}")
    [call] = state.calls(VALIDATE)
    assert "no list of numbers" in reply.readable
    assert_error_card_with_tracking_id(reply, call.tracking_id)


def test_after_an_error_the_next_message_is_answered_normally(chat: Chat, state: Sandbox) -> None:
    state.inject_fault("POST", VALIDATE, 500, times=10)
    chat.say(f"validate {seed.AVAILABLE_US}")
    state.clear_faults()
    assert "Number validation: OK" in chat.say(f"validate {seed.AVAILABLE_US}").text
