"""Bad input anywhere gets a clear answer (or a clear log line when nobody can be answered), never
a stack trace to the user and never a dead worker. Every test ends by checking that the bot
still answers a plain request."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable

import pytest
import requests
from botkit import Chat, RunningBot, wait_idle

from bot.core.logs import JsonFormatter
from bot.web.signature import sign
from sandbox import Sandbox, seed


def post_webhook(bot: RunningBot, raw: bytes, content_type: str = "application/json",
                 signed: bool = True) -> requests.Response:
    headers = {"Content-Type": content_type}
    if signed:
        headers["X-Spark-Signature"] = sign(raw, seed.WEBHOOK_SECRET)
    return requests.post(bot.webhook_url, data=raw, headers=headers, timeout=10)


def still_answers(chat: Chat) -> None:
    assert "Available" in chat.say(f"validate {seed.AVAILABLE_US}").text


def no_trace(*texts: str) -> None:
    for text in texts:
        assert "Traceback" not in text and 'File "' not in text


@pytest.mark.parametrize(
    "raw, content_type, status",
    [
        (b"{not json", "application/json", 400),
        (b"\xff\xfe\x00garbage", "application/json", 400),
        (b'{"resource": "messages"}', "text/plain", 415),
        (b"[1, 2, 3]", "application/json", 200),
        (b'{"resource": "memberships", "event": "created", "data": {"id": "x"}}', "application/json", 200),
        (b'{"resource": "messages", "event": "deleted", "data": {"id": "x"}}', "application/json", 200),
        (b'{"resource": "messages", "event": "created", "data": {}}', "application/json", 200),
        (b'{"resource": "messages", "event": "created", "data": "x"}', "application/json", 200),
        (b'{"resource": "messages", "event": "created", "data": {"id": 7}}', "application/json", 200),
    ],
    ids=["broken json", "not utf-8", "wrong content type", "a list", "unknown resource", "unknown event",
         "no data id", "data not an object", "id not a string"],
)
def test_a_webhook_body_the_bot_cannot_use_is_answered_clearly_and_queues_nothing(
    bot: RunningBot, chat: Chat, raw: bytes, content_type: str, status: int
) -> None:
    response = post_webhook(bot, raw, content_type)
    assert response.status_code == status
    body = response.json()
    assert ("error" in body) if status != 200 else ("ignored" in body)
    no_trace(response.text)
    assert bot.runtime.jobs.pending() == 0
    still_answers(chat)


def test_an_oversized_body_is_refused_with_413(make_bot: Callable[..., RunningBot], state: Sandbox) -> None:
    bot = make_bot(max_body_bytes=4096)
    raw = json.dumps({"resource": "messages", "event": "created", "data": {"id": "x" * 5000}}).encode()
    response = post_webhook(bot, raw)
    assert response.status_code == 413
    assert "4096" in response.json()["error"]
    still_answers(Chat(state, seed.ALICE))


def unicode_digits(number: str, zero: str) -> str:
    return "".join(chr(ord(zero) + int(c)) if c.isdigit() else c for c in number)


@pytest.mark.parametrize(
    "text",
    [
        unicode_digits(seed.AVAILABLE_US, "\u0660"),  # Arabic-Indic digits
        unicode_digits(seed.AVAILABLE_US, "\uff10"),  # full-width digits
        "\u200f" + seed.AVAILABLE_US + "\u200e",  # RTL and LTR marks around it
        "\u202b" + seed.AVAILABLE_US + "\u202c",  # an RTL embedding
        "+1\u200b214\u200b555\u200b7861",  # zero-width spaces inside
    ],
    ids=["arabic-indic digits", "full-width digits", "rtl marks", "rtl embedding", "zero-width spaces"],
)
def test_numbers_written_with_unicode_digits_or_direction_marks_are_read(chat: Chat, state: Sandbox,
                                                                        text: str) -> None:
    reply = chat.say(f"validate {text}")
    assert "Available" in reply.text
    assert state.calls("validateNumbers")[-1].json["phoneNumbers"] == [seed.AVAILABLE_US]


def test_markdown_and_html_in_the_text_are_shown_as_typed_and_change_nothing(chat: Chat) -> None:
    reply = chat.say(f"validate {seed.AVAILABLE_US} **bold** <b>x</b> [link](https://evil.test) <@all> 12x")
    card = json.dumps(reply.card)
    assert "<b>" not in card and "](https://evil.test)" not in card
    assert "<@all>" not in reply.markdown and "<b>" not in reply.markdown
    assert "Available" in reply.text


def test_ten_thousand_tokens_in_one_request_get_a_clear_bounded_answer(state: Sandbox, bot: RunningBot,
                                                                        chat: Chat) -> None:
    help_card = chat.say("help")
    tokens = " ".join(f"+1214555{i:04d}" for i in range(10_000))
    reply = chat.press(help_card, "Validate", numbers=tokens)
    assert "at most" in reply.readable or "Too many" in reply.readable
    no_trace(reply.text, reply.markdown)
    assert state.calls("validateNumbers") == []
    still_answers(chat)


def test_ten_thousand_junk_tokens_get_a_clear_bounded_answer(bot: RunningBot, chat: Chat) -> None:
    help_card = chat.say("help")
    replies = chat.press_all(help_card, "Validate", numbers=" ".join(["12x"] * 10_000))
    no_trace(*(r.markdown for r in replies))
    wait_idle(bot)
    assert len(chat.bot_messages()) <= 12  # never a flood of messages
    still_answers(chat)


@pytest.mark.parametrize(
    "inputs",
    [
        {"numbot": "alternate", "v": 1, "start": "abc", "locationId": 5, "back": "x", "onlyActive": {"a": 1}},
        {"numbot": "alternate", "v": 1, "start": -5, "locationId": None, "phoneNumbers": ["+1"]},
        {"numbot": "alternate", "v": 1, "start": 10**30, "locationId": "Dallas HQ", "back": [1, "x", None]},
        {"numbot": "validate", "v": 1, "numbers": ["+12145557861"]},
        {"numbot": "validate", "v": 99, "numbers": 12145557861},
        {"numbot": ["validate"], "v": 1},
        {"numbot": "no-such-action", "v": 1},
        {"numbot": "alternate_search", "v": 1, "locationQuery": {"$gt": ""}},
        {"unexpected": "x" * 10_000},
        {},
    ],
    ids=["wrong types", "negative start", "huge start", "numbers as list", "numbers as int", "action as list",
         "unknown action", "query as object", "only foreign keys", "empty"],
)
def test_card_inputs_with_unexpected_keys_or_types_get_a_clear_answer(chat: Chat, inputs: dict) -> None:
    help_card = chat.say("help")
    [reply] = chat.submit(help_card, inputs)
    assert reply.has_card
    no_trace(reply.text, reply.markdown)
    still_answers(chat)


def test_a_card_from_another_integration_on_the_bot_account_gets_a_clear_answer(
    server, state: Sandbox, bot: RunningBot, chat: Chat
) -> None:
    # Another program using the same bot account posted this card: its data is not numbot's.
    foreign = {"type": "AdaptiveCard", "version": "1.3", "body": [{"type": "TextBlock", "text": "Lunch?"}],
               "actions": [{"type": "Action.Submit", "title": "Pizza", "data": {"choice": "pizza"}}]}
    posted = requests.post(f"{server.api_url}/messages", timeout=10,
                           headers={"Authorization": f"Bearer {seed.BOT_TOKEN}"},
                           json={"roomId": chat.room_id, "markdown": "Lunch?", "attachments": [
                               {"contentType": "application/vnd.microsoft.card.adaptive", "content": foreign}]}).json()
    from botkit import BotReply

    [reply] = chat.press_all(BotReply(posted), "Pizza")
    assert "not sent by this bot" in reply.readable or "not one this bot knows" in reply.readable
    still_answers(chat)


def test_an_action_on_a_card_the_bot_cannot_see_is_only_logged(
    state: Sandbox, bot: RunningBot, chat: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    body = {"resource": "attachmentActions", "event": "created",
            "data": {"id": "Y2lzY29zcGFyazovL3VzL0FUVEFDSE1FTlRfQUNUSU9OL25vbmU", "roomId": chat.room_id,
                     "personId": state.person_by_email(seed.ALICE).id}}
    assert post_webhook(bot, json.dumps(body).encode()).status_code == 200
    wait_idle(bot)
    assert chat.bot_messages() == []
    assert any("not an action on a card of this bot" in JsonFormatter().format(r) for r in caplog.records)
    still_answers(chat)
