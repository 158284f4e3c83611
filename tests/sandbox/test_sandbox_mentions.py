"""Group messages that @mention the bot, as each Webex client writes them.

Sources: Cisco's notes in howdyai/botkit issue #749 and PR #940, CiscoDevNet/node-sparkbot issue #1.
"""
from __future__ import annotations

import json

import pytest
from sandbox_testkit import assert_webex_error, bot_webhooks

from sandbox import seed
from sandbox.ids import decode_id


def pill(person_id: str, shown: str) -> str:
    return f'<spark-mention data-object-type="person" data-object-id="{person_id}">{shown}</spark-mention>'


def test_by_default_a_desktop_client_mentions_the_full_name_first(state):
    message = state.say(seed.ALICE, "validate +12145557861", room="group")
    bot = state.bot.id
    assert message["text"] == "Numbot 2000 validate +12145557861"
    assert message["html"] == f"<p>{pill(bot, 'Numbot 2000')} validate +12145557861</p>"
    assert message["mentionedPeople"] == [bot]


def test_the_web_client_writes_the_base64_id_without_a_paragraph(state):
    message = state.say(seed.ALICE, "help", room="group", client="web")
    assert message["html"] == f"{pill(state.bot.id, 'Numbot 2000')} help"
    assert message["mentionedPeople"] == [state.bot.id]


def test_the_iphone_client_writes_the_raw_uuid_id_first_without_a_paragraph(state):
    message = state.say(seed.LOU, "help", room="group", client="mobile", mention_as="Numbot")
    uuid = decode_id(state.bot.id).rsplit("/", 1)[-1]
    assert decode_id(state.bot.id) == f"ciscospark://us/PEOPLE/{uuid}"
    assert message["html"] == (f'<spark-mention data-object-id="{uuid}" data-object-type="person">Numbot'
                               f"</spark-mention> help")
    # mentionedPeople always carries the base64 id, whatever the client wrote in the html.
    assert message["mentionedPeople"] == [state.bot.id]
    assert message["text"] == "Numbot help"


def test_a_client_that_sends_no_html(state):
    message = state.say(seed.BOB, "validate +12145557861", room="group", client="plain", mention_as="Numbot")
    assert "html" not in message
    assert message["text"] == "Numbot validate +12145557861"
    assert message["mentionedPeople"] == [state.bot.id]


def test_without_the_header_the_api_renders_markdown_mentions_in_a_paragraph(api, state):
    bot = state.bot
    body = {"roomId": state.group_room_id, "markdown": f"<@personId:{bot.id}|{bot.display_name}> help"}
    message = api.post("messages", who=seed.ALICE, json=body).json()
    assert message["html"] == f"<p>{pill(bot.id, 'Numbot 2000')} help</p>"
    api_style = api.post("messages", who=seed.ALICE, json=body, headers={"X-Sandbox-Client": "api"}).json()
    assert api_style["html"] == message["html"]
    assert_webex_error(api.post("messages", who=seed.ALICE, json=body, headers={"X-Sandbox-Client": "fax"}), 400)


def test_the_sender_may_shorten_the_name_to_its_first_word(state):
    message = state.say(seed.ALICE, "alternate numbers", room="group", mention_as="Numbot")
    assert message["text"] == "Numbot alternate numbers"
    assert pill(state.bot.id, "Numbot") in message["html"]


def test_the_mention_can_stand_at_the_end_or_anywhere(state):
    at_end = state.say(seed.ALICE, "validate +12145557861", room="group", mention_at="end")
    assert at_end["text"] == "validate +12145557861 Numbot 2000"
    assert at_end["html"] == f"<p>validate +12145557861 {pill(state.bot.id, 'Numbot 2000')}</p>"
    middle = state.say(seed.ALICE, "hey @bot, validate +12145557861 please", room="group", mention_as="Numbot",
                       client="web")
    assert middle["text"] == "hey Numbot, validate +12145557861 please"
    assert middle["html"] == f"hey {pill(state.bot.id, 'Numbot')}, validate +12145557861 please"
    assert middle["mentionedPeople"] == [state.bot.id]


def test_say_refuses_a_mention_place_it_does_not_know(state):
    with pytest.raises(ValueError):
        state.say(seed.ALICE, "help", room="group", mention_at="middle")
    with pytest.raises(ValueError):
        state.say(seed.ALICE, "@bot help", room="group", mention_at="end")


def test_without_a_mention_a_group_message_has_no_mentioned_people(state):
    message = state.say(seed.ALICE, "talking to @bob", room="group", mention_bot=False)
    assert message["text"] == "talking to @bob" and "mentionedPeople" not in message


def test_every_client_style_reaches_the_bot_with_mentioned_people(api, state, receiver):
    bot_webhooks(api, receiver.url)
    sent = [state.say(seed.ALICE, f"help {client}", room="group", client=client, mention_as="Numbot",
                      mention_at="end")
            for client in ("desktop", "web", "mobile", "api", "plain")]
    assert state.wait_for_deliveries(5)
    data = [json.loads(r.body)["data"] for r in receiver.received]
    assert [d["id"] for d in data] == [m["id"] for m in sent]
    assert all(d["mentionedPeople"] == [state.bot.id] for d in data)
    # The bot may list each of them with mentionedPeople=me, and reads what the client wrote.
    items = api.get("messages", params={"roomId": state.group_room_id, "mentionedPeople": "me"}).json()["items"]
    assert [m["id"] for m in items] == [m["id"] for m in reversed(sent)]
    assert [m.get("html", "").startswith("<p>") for m in reversed(items)] == [True, False, False, True, False]
