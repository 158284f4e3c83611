"""The shortest conversation: an admin asks for help, the bot answers with a card."""
from __future__ import annotations

from botkit import Chat

from sandbox import seed


def test_help_gets_a_help_card(chat: Chat) -> None:
    reply = chat.say("help")
    assert "numbot" in reply.text
    assert reply.markdown
    assert "Validate" in reply.button_titles()


def test_validate_one_available_number(chat: Chat) -> None:
    reply = chat.say(f"validate {seed.AVAILABLE_US}")
    assert "OK" in reply.text
    assert "Available" in reply.text
