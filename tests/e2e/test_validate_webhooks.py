"""Only Webex, signing with the webhook secret, can make the bot validate numbers, and the bot
never answers itself. Events are real deliveries to the bot's /webhook over HTTP."""
from __future__ import annotations

import pytest
import requests
from botkit import Chat, RunningBot, wait_idle
from validatekit import VALIDATE, card_rows

from sandbox import Sandbox, SandboxServer, seed
from sandbox.delivery import event_body, sign


def event_for(state: Sandbox, message_id: str, actor_email: str, **data: str) -> bytes:
    """The exact bytes Webex would deliver to the bot's messages webhook for this message
    (``data``: fields of the event's ``data`` to change)."""
    [hook] = [h for h in state.webhooks.values() if h.resource == "messages"]
    message = state.messages[message_id]
    return event_body(hook, state.person_by_email(actor_email).id, {**message.event_data(), **data})


def unheard_message(state: Sandbox, text: str) -> str:
    """Alice writes in the group space without @mentioning the bot: Webex tells the bot nothing."""
    return Chat(state, seed.ALICE, room="group").post(text, mention_bot=False)["id"]


@pytest.mark.parametrize("signature", [
    "bad",
    "0" * 40,
    sign(b"another body", seed.WEBHOOK_SECRET),
    None,
], ids=["garbage", "zeros", "signature of other bytes", "missing"])
def test_a_message_event_with_a_wrong_or_missing_signature_gets_401_and_nothing_else(
        state: Sandbox, bot: RunningBot, signature: str) -> None:
    body = event_for(state, unheard_message(state, f"validate {seed.AVAILABLE_US}"), seed.ALICE)
    before = len(state.requests)
    delivery = state.deliver_raw(bot.webhook_url, body, signature=signature)
    assert state.wait_for_deliveries()
    assert delivery.status_code == 401
    wait_idle(bot)
    assert len(state.requests) == before  # the bot did not even fetch the message
    assert state.messages_from_bot(state.group_room_id) == []


def test_the_same_event_signed_with_another_secret_is_refused(state: Sandbox, bot: RunningBot) -> None:
    body = event_for(state, unheard_message(state, f"validate {seed.AVAILABLE_US}"), seed.ALICE)
    delivery = state.deliver_raw(bot.webhook_url, body, signature=sign(body, "not-the-webhook-secret"))
    assert state.wait_for_deliveries()
    assert delivery.status_code == 401
    wait_idle(bot)
    assert state.calls(VALIDATE) == []


def test_the_same_event_correctly_signed_is_answered(state: Sandbox, bot: RunningBot) -> None:
    """The refused events above are real ones: signed with the secret, the bot answers."""
    body = event_for(state, unheard_message(state, f"validate {seed.AVAILABLE_US}"), seed.ALICE)
    delivery = state.deliver_raw(bot.webhook_url, body, signature=sign(body, seed.WEBHOOK_SECRET))
    [reply] = Chat(state, seed.ALICE, room="group").wait(None)
    assert delivery.status_code == 200
    assert card_rows(reply)[0].state == "Available"


def test_the_bots_own_message_that_looks_like_a_command_triggers_nothing(
        state: Sandbox, server: SandboxServer, bot: RunningBot, chat: Chat) -> None:
    posted = requests.post(f"{server.api_url}/messages", timeout=10,
                           headers={"Authorization": f"Bearer {seed.BOT_TOKEN}"},
                           json={"roomId": chat.room_id, "text": f"validate {seed.AVAILABLE_US}"}).json()
    assert state.wait_for_deliveries()
    [delivery] = [d for d in state.deliveries if d.data_id == posted["id"]]
    assert delivery.status_code == 200  # Webex does tell the bot about its own message
    wait_idle(bot)
    assert [m.id for m in chat.bot_messages()] == [posted["id"]]
    assert state.calls(VALIDATE) == []
    assert state.calls(posted["id"]) == []  # not even fetched: the event's personId is the bot's


def test_the_bots_own_message_is_recognised_even_when_the_event_names_someone_else(
        state: Sandbox, server: SandboxServer, bot: RunningBot, chat: Chat) -> None:
    first = chat.say(f"validate {seed.AVAILABLE_US}")
    # A correctly signed event that claims Alice wrote the bot's own answer.
    body = event_for(state, first.id, seed.ALICE, personId=state.person_by_email(seed.ALICE).id)
    delivery = state.deliver_raw(bot.webhook_url, body, signature=sign(body, seed.WEBHOOK_SECRET))
    assert state.wait_for_deliveries()
    assert delivery.status_code == 200
    wait_idle(bot)
    assert [m.id for m in chat.bot_messages()] == [first.id]
    assert len(state.calls(VALIDATE)) == 1  # only for Alice's real message
    assert [c.identity for c in state.calls(first.id)] == ["bot"]  # fetched, seen to be its own, dropped
