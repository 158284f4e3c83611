"""The bot's @mention comes out of a group message wherever the sender put it and however their
Webex client wrote it (html with the REST id or the raw uuid, a shortened name, or no html)."""
from __future__ import annotations

import base64

import pytest

from bot.conversation.flows.alternate import AlternateNumbers
from bot.conversation.flows.validate import Validate
from bot.conversation.registry import parse_message
from bot.reading.mentions import id_forms, strip_bot_mention

UUID = "5f9abd8e-2e2b-4916-8bed-0032f4ba57a3"
BOT_ID = base64.urlsafe_b64encode(f"ciscospark://us/PEOPLE/{UUID}".encode()).decode().rstrip("=")
ALICE_ID = base64.urlsafe_b64encode(b"ciscospark://us/PEOPLE/0a0a0a0a-1111-2222-3333-444444444444").decode().rstrip("=")
NAME = "Numbot 2000"


def mention(shown: str, person_id: str = BOT_ID, mobile: bool = False) -> str:
    """A spark-mention as desktop/web clients (REST id) or mobile clients (raw uuid, attributes
    the other way round) write it: howdyai/botkit #749."""
    if mobile:
        raw = base64.urlsafe_b64decode(person_id + "=" * (-len(person_id) % 4)).decode().rsplit("/", 1)[-1]
        return f'<spark-mention data-object-id="{raw}" data-object-type="person">{shown}</spark-mention>'
    return f'<spark-mention data-object-type="person" data-object-id="{person_id}">{shown}</spark-mention>'


def test_the_id_forms_are_the_rest_id_and_its_uuid() -> None:
    assert {BOT_ID.lower(), UUID} <= id_forms(BOT_ID)
    assert UUID in id_forms(BOT_ID + "==")


@pytest.mark.parametrize("text,html,expected", [
    # A shortened mention first: the alternate-numbers command, not a validate.
    ("Numbot alternate numbers Dallas HQ", f"<p>{mention('Numbot')} alternate numbers Dallas HQ</p>",
     "alternate numbers Dallas HQ"),
    # The full name, with its digit word, last: nothing of it is left to read as a number.
    ("validate +12145557861 Numbot 2000", f"validate +12145557861 {mention(NAME)}", "validate +12145557861"),
    ("alternate numbers Dallas HQ Numbot 2000", f"<p>alternate numbers Dallas HQ {mention(NAME)}</p>",
     "alternate numbers Dallas HQ"),
    # A mobile client writes the raw uuid.
    ("Numbot 2000 help", f"{mention(NAME, mobile=True)} help", "help"),
    # In the middle, and another person mentioned too: only the bot's mention goes.
    ("validate Numbot +12145557861 for Alice Admin",
     f"validate {mention('Numbot')} +12145557861 for {mention('Alice Admin', ALICE_ID)}",
     "validate +12145557861 for Alice Admin"),
    # The bot's name also appears as plain text before the mention: the mention is the one removed.
    ("ask Numbot: Numbot help", f"ask Numbot: {mention('Numbot')} help", "ask Numbot: help"),
    ("Numbot, help", f"{mention('Numbot')}, help", "help"),
])
def test_the_mention_is_found_in_html(text: str, html: str, expected: str) -> None:
    assert strip_bot_mention(text, html, BOT_ID, NAME) == expected


@pytest.mark.parametrize("text,expected", [
    ("Numbot 2000 validate +12145557861", "validate +12145557861"),
    ("validate +12145557861 Numbot 2000", "validate +12145557861"),
    ("Numbot alternate numbers Dallas HQ", "alternate numbers Dallas HQ"),
    ("@numbot help", "help"),
    ("help", "help"),
])
def test_without_html_the_display_name_then_its_first_word_is_removed(text: str, expected: str) -> None:
    assert strip_bot_mention(text, None, BOT_ID, NAME) == expected


def test_a_new_user_gets_the_command_they_meant() -> None:
    """The issue's three messages, as parsed commands."""
    alternate = parse_message(strip_bot_mention(
        "Numbot alternate numbers Dallas HQ", f"{mention('Numbot')} alternate numbers Dallas HQ", BOT_ID, NAME), "US")
    assert alternate == AlternateNumbers(location="Dallas HQ")
    validate = parse_message(strip_bot_mention(
        "validate +12145557861 Numbot 2000", f"validate +12145557861 {mention(NAME)}", BOT_ID, NAME), "US")
    assert isinstance(validate, Validate)
    assert [n.e164 for n in validate.parsed.numbers] == ["+12145557861"] and not validate.parsed.not_numbers
    at_end = parse_message(strip_bot_mention(
        "alternate numbers Dallas HQ Numbot 2000", f"alternate numbers Dallas HQ {mention(NAME)}", BOT_ID, NAME), "US")
    assert isinstance(at_end, AlternateNumbers) and at_end.location == "Dallas HQ"


def test_html_that_does_not_parse_falls_back_to_the_name() -> None:
    assert strip_bot_mention("Numbot help", "<spark-mention <<<", BOT_ID, NAME) == "help"
