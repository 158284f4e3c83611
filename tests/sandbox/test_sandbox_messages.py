"""Messages as Webex stores and shows them."""
from __future__ import annotations

import re

from sandbox_testkit import assert_webex_error

from sandbox import seed

CARD = {"type": "AdaptiveCard", "version": "1.3", "body": [{"type": "TextBlock", "text": "hi"}]}


def card(content=CARD, content_type="application/vnd.microsoft.card.adaptive"):
    return [{"contentType": content_type, "content": content}]


def test_person_says_something_in_a_direct_room(state):
    message = state.say(seed.ALICE, "validate +12145557861")
    assert message["roomId"] == state.direct_room(seed.ALICE)
    assert message["roomType"] == "direct"
    assert message["text"] == "validate +12145557861"
    assert message["personEmail"] == seed.ALICE
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", message["created"])
    assert "mentionedPeople" not in message


def test_group_message_mentions_the_bot(state):
    message = state.say(seed.LOU, "validate +12145557861", room="group")
    assert message["roomType"] == "group"
    assert message["text"] == "Numbot 2000 validate +12145557861"
    assert message["mentionedPeople"] == [state.bot.id]
    assert (f'<spark-mention data-object-type="person" data-object-id="{state.bot.id}">Numbot 2000</spark-mention>'
            in message["html"])


def test_markdown_gets_a_plain_text_rendering(api, state):
    body = {"roomId": state.direct_room(seed.ALICE), "markdown": "**3** numbers are `Available`"}
    message = api.post("messages", json=body).json()
    assert message["text"] == "3 numbers are Available"
    assert message["markdown"] == body["markdown"]
    assert message["personEmail"] == seed.BOT_EMAIL


def test_to_person_email_uses_the_direct_room(api, state):
    message = api.post("messages", json={"toPersonEmail": seed.BOB, "text": "hello"}).json()
    assert message["roomId"] == state.direct_room(seed.BOB)


def test_get_and_delete(api, state):
    message = state.say(seed.ALICE, "help")
    assert api.get(f"messages/{message['id']}").json() == message
    assert_webex_error(api.get(f"messages/{message['id']}", who=seed.BOB), 404)
    assert_webex_error(api.get("messages/nope"), 404)
    assert_webex_error(api.delete(f"messages/{message['id']}"), 403)
    assert api.delete(f"messages/{message['id']}", who=seed.ALICE).status_code == 204
    assert_webex_error(api.get(f"messages/{message['id']}"), 404)


def test_threads(api, state):
    room = state.direct_room(seed.ALICE)
    top = state.say(seed.ALICE, "validate 1")
    reply = api.post("messages", json={"roomId": room, "parentId": top["id"], "text": "answer"}).json()
    assert reply["parentId"] == top["id"]
    other = state.say(seed.BOB, "elsewhere")
    assert_webex_error(api.post("messages", json={"roomId": room, "parentId": other["id"], "text": "x"}), 400)
    assert_webex_error(api.post("messages", json={"roomId": room, "parentId": reply["id"], "text": "x"}), 400)


def test_list_is_newest_first_with_link_paging(api, state):
    room = state.direct_room(seed.BOB)
    sent = [state.say(seed.BOB, f"message {i}")["id"] for i in range(5)]
    first = api.get("messages", params={"roomId": room, "max": 2})
    assert [m["id"] for m in first.json()["items"]] == sent[::-1][:2]
    second = api.get(first.links["next"]["url"])
    assert [m["id"] for m in second.json()["items"]] == sent[::-1][2:4]
    third = api.get(second.links["next"]["url"])
    assert [m["id"] for m in third.json()["items"]] == sent[:1]
    assert "next" not in third.links
    assert_webex_error(api.get("messages"), 400)


def test_bots_list_group_messages_only_with_mentioned_people_me(api, state):
    state.say(seed.ALICE, "not for the bot", room="group", mention_bot=False)
    mention = state.say(seed.ALICE, "help", room="group")
    assert_webex_error(api.get("messages", params={"roomId": state.group_room_id}), 403)
    items = api.get("messages", params={"roomId": state.group_room_id, "mentionedPeople": "me"}).json()["items"]
    assert [m["id"] for m in items] == [mention["id"]]


def test_text_limit_and_empty_messages(api, state):
    room = state.direct_room(seed.ALICE)
    assert api.post("messages", json={"roomId": room, "text": "x" * 7439}).status_code == 200
    assert_webex_error(api.post("messages", json={"roomId": room, "text": "x" * 7440}), 400)
    assert_webex_error(api.post("messages", json={"roomId": room, "markdown": "é" * 4000}), 400)
    assert_webex_error(api.post("messages", json={"roomId": room}), 400)
    assert_webex_error(api.post("messages", json={"text": "nowhere"}), 400)
    assert_webex_error(api.post("messages", json={"roomId": "nope", "text": "x"}), 404)


def test_cards(api, state):
    room = state.direct_room(seed.ALICE)
    ok = api.post("messages", json={"roomId": room, "markdown": "fallback", "attachments": card()})
    assert ok.status_code == 200
    assert state.last_card(ok.json()) == CARD
    assert state.messages[ok.json()["id"]].card_bytes > 0
    assert_webex_error(api.post("messages", json={"roomId": room, "attachments": card()}), 400)
    assert_webex_error(api.post("messages", json={"roomId": room, "text": "x", "attachments": card() * 2}), 400)
    assert_webex_error(api.post("messages", json={"roomId": room, "text": "x",
                                                  "attachments": card(content_type="text/html")}), 400)
    big = {**CARD, "body": [{"type": "TextBlock", "text": "y" * 30_000}]}
    assert_webex_error(api.post("messages", json={"roomId": room, "text": "x", "attachments": card(big)}), 400)
    state.max_card_bytes = 50
    assert_webex_error(api.post("messages", json={"roomId": room, "text": "x", "attachments": card()}), 400)


def test_card_actions(api, state):
    room = state.direct_room(seed.ALICE)
    posted = api.post("messages", json={"roomId": room, "text": "card", "attachments": card()}).json()
    action = state.press(seed.ALICE, posted["id"], {"numbers": "+12145557861"})
    assert action["type"] == "submit" and action["messageId"] == posted["id"]
    assert action["inputs"] == {"numbers": "+12145557861"} and action["roomId"] == room
    assert action["personId"] == state.person_by_email(seed.ALICE).id
    assert api.get(f"attachment/actions/{action['id']}").json() == action
    plain = state.say(seed.ALICE, "no card")
    assert_webex_error(api.post("attachment/actions", who=seed.ALICE,
                                json={"type": "submit", "messageId": plain["id"], "inputs": {}}), 400)
    assert_webex_error(api.post("attachment/actions", who=seed.ALICE,
                                json={"type": "submit", "messageId": "nope", "inputs": {}}), 400)
    # An action on someone else's card is not the bot's to read.
    bobs = api.post("messages", who=seed.BOB, json={"roomId": state.group_room_id, "text": "card",
                                                     "attachments": card()}).json()
    other = state.press(seed.ALICE, bobs["id"], {})
    assert_webex_error(api.get(f"attachment/actions/{other['id']}"), 404)


def test_wait_for_reply_and_timeout_report(api, state):
    room = state.direct_room(seed.ALICE)
    asked = state.say(seed.ALICE, "help")
    api.post("messages", json={"roomId": room, "markdown": "one", "attachments": card()})
    (reply,) = state.wait_for_reply(room, after_message_id=asked["id"], timeout=1)
    assert reply["markdown"] == "one"
    try:
        state.wait_for_reply(room, after_message_id=asked["id"], timeout=0.1, count=2)
    except AssertionError as error:
        assert "got 1" in str(error) and "alice@example.com" in str(error)
    else:
        raise AssertionError("expected a timeout")
