"""Editing messages: PUT /v1/messages/{id} (Edit a Message)."""
from __future__ import annotations

import re

from sandbox_testkit import assert_webex_error
from webexpythonsdk import WebexAPI

from sandbox import seed

CARD = {"type": "AdaptiveCard", "version": "1.3", "body": [{"type": "TextBlock", "text": "working…"}]}
DONE = {"type": "AdaptiveCard", "version": "1.3", "body": [{"type": "TextBlock", "text": "done"}]}


def card(content=CARD):
    return [{"contentType": "application/vnd.microsoft.card.adaptive", "content": content}]


def post(api, state, **body):
    response = api.post("messages", json={"roomId": state.direct_room(seed.ALICE), **body})
    assert response.status_code == 200, response.text
    return response.json()


def test_the_bot_edits_its_progress_message(api, state):
    sent = post(api, state, markdown="Checking **0** of 300 numbers")
    edited = api.put(f"messages/{sent['id']}", json={"roomId": sent["roomId"], "markdown": "Checking **100** of 300"})
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert body["id"] == sent["id"] and body["created"] == sent["created"]
    assert body["markdown"] == "Checking **100** of 300" and body["text"] == "Checking 100 of 300"
    assert body["html"] == "<p>Checking **100** of 300</p>"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["updated"])
    assert list(body)[-2:] == ["created", "updated"]
    assert api.get(f"messages/{sent['id']}").json() == body
    assert state.messages[sent["id"]].edits == 1
    assert "updated" not in post(api, state, text="never edited")


def test_a_text_edit_drops_the_markdown(api, state):
    sent = post(api, state, markdown="**bold**")
    body = api.put(f"messages/{sent['id']}", json={"roomId": sent["roomId"], "text": "plain"}).json()
    assert body["text"] == "plain" and "markdown" not in body and "html" not in body


def test_an_edit_may_mention_people_again(api, state):
    group = state.group_room_id
    sent = api.post("messages", who=seed.ALICE, json={"roomId": group, "text": "hello"}).json()
    edited = api.put(f"messages/{sent['id']}", who=seed.ALICE,
                     json={"roomId": group, "markdown": f"<@personId:{state.bot.id}|Numbot> help"}).json()
    assert edited["mentionedPeople"] == [state.bot.id] and edited["text"] == "Numbot help"


def test_only_the_author_edits_and_only_in_the_messages_room(api, state):
    sent = post(api, state, text="the bot's")
    room = sent["roomId"]
    assert_webex_error(api.put(f"messages/{sent['id']}", who=seed.ALICE, json={"roomId": room, "text": "x"}), 403)
    assert_webex_error(api.put(f"messages/{sent['id']}", who=seed.BOB, json={"roomId": room, "text": "x"}), 404)
    assert_webex_error(api.put(f"messages/{sent['id']}", json={"text": "x"}), 400)
    assert_webex_error(api.put(f"messages/{sent['id']}", json={"roomId": state.group_room_id, "text": "x"}), 400)
    assert_webex_error(api.put(f"messages/{sent['id']}", json={"roomId": room}), 400)
    assert_webex_error(api.put(f"messages/{sent['id']}", json={"roomId": room, "text": "x" * 7440}), 400)
    assert_webex_error(api.put(f"messages/{sent['id']}", json={"roomId": room, "markdown": "x", "html": "<p>x</p>"}),
                       400)
    assert_webex_error(api.put("messages/nope", json={"roomId": room, "text": "x"}), 404)
    assert_webex_error(api.put(f"messages/{sent['id']}", who=None, json={"roomId": room, "text": "x"}), 401)
    assert api.put(f"messages/{sent['id']}", json={"roomId": room, "text": "x" * 7439}).status_code == 200
    assert state.messages[sent["id"]].edits == 1


def test_at_most_ten_edits(api, state):
    sent = post(api, state, text="0")
    for n in range(1, 11):
        assert api.put(f"messages/{sent['id']}", json={"roomId": sent["roomId"], "text": str(n)}).status_code == 200
    body = assert_webex_error(api.put(f"messages/{sent['id']}", json={"roomId": sent["roomId"], "text": "11"}), 400)
    assert "edit limit" in body["message"]
    assert state.messages[sent["id"]].edits == 10 and state.messages[sent["id"]].text == "10"
    state.max_message_edits = None
    assert api.put(f"messages/{sent['id']}", json={"roomId": sent["roomId"], "text": "11"}).status_code == 200


def test_live_rules_a_card_message_keeps_its_card_or_gets_a_new_one(api, state):
    sent = post(api, state, markdown="working", attachments=card())
    kept = api.put(f"messages/{sent['id']}", json={"roomId": sent["roomId"], "markdown": "still working"}).json()
    assert state.last_card(kept) == CARD and kept["markdown"] == "still working"
    replaced = api.put(f"messages/{sent['id']}", json={"roomId": sent["roomId"], "markdown": "done",
                                                       "attachments": card(DONE)}).json()
    assert state.last_card(replaced) == DONE
    assert_webex_error(api.put(f"messages/{sent['id']}", json={"roomId": sent["roomId"], "markdown": "x",
                                                                "attachments": card() * 2}), 400)


def test_doc_rules_refuse_editing_a_card_message(api, state):
    state.edit_rules = "doc"
    sent = post(api, state, markdown="working", attachments=card())
    body = assert_webex_error(api.put(f"messages/{sent['id']}", json={"roomId": sent["roomId"], "text": "x"}), 400)
    assert "unsupported" in body["message"]
    plain = post(api, state, text="plain")
    assert_webex_error(api.put(f"messages/{plain['id']}", json={"roomId": plain["roomId"], "text": "x",
                                                                 "attachments": card()}), 400)
    assert api.put(f"messages/{plain['id']}", json={"roomId": plain["roomId"], "text": "x"}).status_code == 200


def test_a_message_with_a_file_cannot_be_edited(api, state):
    sent = state.upload(seed.ALICE, "direct", "numbers.csv", b"+12145557861", "text/csv", text="file")
    body = assert_webex_error(api.put(f"messages/{sent['id']}", who=seed.ALICE,
                                      json={"roomId": sent["roomId"], "text": "x"}), 400)
    assert "files" in body["message"]
    assert state.messages[sent["id"]].edits == 0


def test_edits_are_logged_as_put_calls(api, state):
    sent = post(api, state, text="0")
    api.put(f"messages/{sent['id']}", json={"roomId": sent["roomId"], "text": "1"})
    api.put(f"messages/{sent['id']}", who=seed.ALICE, json={"roomId": sent["roomId"], "text": "1"})
    calls = state.calls(f"/v1/messages/{sent['id']}", method="PUT")
    assert [(c.identity, c.status) for c in calls] == [("bot", 200), (f"person:{seed.ALICE}", 403)]
    assert calls[0].json == {"roomId": sent["roomId"], "text": "1"}


def test_webexpythonsdk_updates_a_message(server, state):
    webex = WebexAPI(access_token=seed.BOT_TOKEN, base_url=server.api_url + "/")
    room = state.direct_room(seed.ALICE)
    sent = webex.messages.create(roomId=room, markdown="**1** of 3")
    edited = webex.messages.update(sent.id, roomId=room, markdown="**3** of 3")
    assert edited.text == "3 of 3" and edited.updated is not None
