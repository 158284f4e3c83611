"""Group spaces, with mentions as Webex clients really send them: the bot is "Numbot 2000" (a
display name with a space and a digit word), senders shorten the pill to "Numbot", put it at the
end or in the middle, and mobile clients write the bot's raw uuid in the html."""
from __future__ import annotations

import pytest
from botkit import Chat, RunningBot

from sandbox import Sandbox, seed


@pytest.fixture
def group(state: Sandbox, bot: RunningBot) -> Chat:
    return Chat(state, seed.ALICE, room="group")


def test_the_bot_has_a_real_world_name(state: Sandbox) -> None:
    assert state.bot.display_name == "Numbot 2000"


def test_a_shortened_mention_first_asks_for_alternate_numbers(group: Chat) -> None:
    reply = group.say("alternate numbers Dallas HQ", mention_as="Numbot")
    assert "Alternate numbers · Dallas HQ" in reply.text
    assert "Number validation" not in reply.text


def test_the_full_name_at_the_end_leaves_nothing_that_looks_like_a_number(group: Chat) -> None:
    reply = group.say(f"validate {seed.AVAILABLE_US}", mention_at="end")
    assert "Number validation: OK" in reply.text
    assert "Not a phone number" not in reply.text and "2000" not in reply.text


def test_a_location_named_before_a_mention_at_the_end_is_found(group: Chat) -> None:
    reply = group.say("alternate numbers Dallas HQ", mention_at="end")
    assert "Alternate numbers · Dallas HQ" in reply.text


@pytest.mark.parametrize("client", ["desktop", "web", "mobile", "api", "plain"])
def test_every_client_style_is_understood(group: Chat, client: str) -> None:
    """Desktop and web clients write the REST id, mobile clients the raw uuid, the API a <p>,
    and a message without html leaves only the display name to go by."""
    reply = group.say(f"validate {seed.AVAILABLE_US} @bot please", client=client, mention_as="Numbot")
    assert "Number validation: OK" in reply.text, reply.text
    assert "Not a phone number" not in reply.text


def test_in_a_direct_space_nothing_is_stripped(state: Sandbox, bot: RunningBot) -> None:
    """No mention in 1:1: a word that happens to be the bot's first name stays part of the request."""
    reply = Chat(state, seed.ALICE).say("alternate numbers Numbot")
    assert "No location is called “Numbot”" in reply.text
