"""The command registry: one table, checked at import; message text and card presses become
each command's request, parsed once."""
import dataclasses

import pytest

from bot.conversation import registry
from bot.conversation.flows.alternate import AlternateNumbers
from bot.conversation.flows.help import Help
from bot.conversation.flows.validate import Validate
from bot.conversation.registry import Command, RegistryError, UnknownCard, check, parse_card_action, parse_message
from bot.core import buttons
from bot.core.models import NumberFilters, ParsedNumber, ParsedText


@pytest.mark.parametrize("text", ["help", "Help", "?", "hello", " help\n"])
def test_help(text):
    assert parse_message(text, "US") == Help()


def test_empty_message_gets_help_with_a_note():
    command = parse_message("   ", "US")
    assert isinstance(command, Help) and command.note == "That message was empty."


def test_no_numbers_gets_help_with_a_note():
    command = parse_message("what can you do", "US")
    assert isinstance(command, Help) and "no phone numbers" in command.note


def test_a_message_is_parsed_once_into_numbers():
    """The request carries the numbers; the flow never reads the text again."""
    one = ParsedNumber("+12145557861", "+12145557861")
    assert parse_message("validate +12145557861", "US") == Validate(ParsedText(numbers=(one,)))
    pasted = parse_message("+12145557861\n(214) 555-7862", "US")
    assert pasted == Validate(ParsedText(numbers=(one, ParsedNumber("(214) 555-7862", "+12145557862"))))
    assert parse_message("validate 12345", "US") == Validate(ParsedText(not_numbers=("12345",)))


def test_help_words_followed_by_more_are_not_help():
    assert isinstance(parse_message("hi +12145557861", "US"), Validate)


def test_a_word_counts_only_as_a_whole_word():
    assert isinstance(parse_message("availableness of +12145557861", "US"), Validate)


@pytest.mark.parametrize("word", ["alternate numbers", "available", "aa numbers", "Alternate Numbers", "aa:"])
def test_alternate_without_location(word):
    assert parse_message(word, "US") == AlternateNumbers()


def test_alternate_with_location_and_filter_numbers():
    command = parse_message("alternate numbers Dallas HQ +12143020001 (214) 302-0002", "US")
    assert command == AlternateNumbers(
        location="Dallas HQ", filters=NumberFilters(phone_numbers=("+12143020001", "+12143020002"))
    )


def test_card_from_another_bot():
    assert isinstance(parse_card_action({"foo": "bar"}, "US"), UnknownCard)
    assert isinstance(parse_card_action({buttons.KEY_ACTION: "explode"}, "US"), UnknownCard)
    assert isinstance(parse_card_action(["not", "a", "dict"], "US"), UnknownCard)
    assert isinstance(parse_card_action({buttons.KEY_ACTION: ["validate"]}, "US"), UnknownCard)


def test_a_paging_button_after_the_filters_changed_starts_over_and_says_so():
    data = buttons.alternate_data("LOC", 4, NumberFilters())
    request = parse_card_action({**data, buttons.INPUT_ONLY_ACTIVE: "true"}, "US")
    assert request.page == 1 and request.filters.only_active and request.filters_changed
    typed = parse_card_action({**data, buttons.INPUT_FILTER_NUMBERS: "+12143020001"}, "US")
    assert typed.page == 1 and typed.filters_changed and typed.filters.phone_numbers == ("+12143020001",)


def test_apply_filters_starts_over_without_a_note():
    data = buttons.alternate_data("LOC", 1, NumberFilters(), apply=True)
    request = parse_card_action({**data, buttons.INPUT_ONLY_ACTIVE: "true"}, "US")
    assert request.page == 1 and request.filters.only_active and not request.filters_changed


def test_page_button_keeps_its_page_when_the_filters_are_the_same():
    filters = NumberFilters(only_toll_free=True, phone_numbers=("+12143020001",))
    data = buttons.alternate_data("LOC", 3, filters)
    inputs = {**data, buttons.INPUT_ONLY_TOLL_FREE: "true", buttons.INPUT_ONLY_ACTIVE: "false",
              buttons.INPUT_FILTER_NUMBERS: "+12143020001"}
    request = parse_card_action(inputs, "US")
    assert (request.location, request.page, request.filters, request.filters_changed) == ("LOC", 3, filters, False)


def test_typed_page_numbers():
    assert parse_message("alternate numbers Dallas HQ page 5", "US") == AlternateNumbers(location="Dallas HQ", page=5)


def test_a_card_from_before_page_numbers_still_opens_its_page():
    old = {buttons.KEY_ACTION: buttons.ALTERNATE, buttons.INPUT_LOCATION: "LOC", buttons.KEY_START: 20,
           buttons.KEY_PHONE_NUMBERS: "+12143020001,+12143020002", "back": [0, 10], buttons.KEY_SHOWN: ""}
    request = parse_card_action(old, "US")
    assert request.start == 20 and request.filters.phone_numbers == ("+12143020001", "+12143020002")


@pytest.mark.parametrize(
    "inputs, expected",
    [
        ({buttons.KEY_ACTION: buttons.ALTERNATE, buttons.KEY_PAGE: "lots"}, AlternateNumbers()),
        ({buttons.KEY_ACTION: buttons.ALTERNATE, buttons.KEY_PAGE: -5}, AlternateNumbers(page=1)),
        ({buttons.KEY_ACTION: buttons.ALTERNATE, buttons.INPUT_LOCATION: 42}, AlternateNumbers()),
        ({buttons.KEY_ACTION: buttons.VALIDATE, buttons.INPUT_NUMBERS: ["+1"]},
         Help(note="Type or paste some phone numbers first, then press Validate.")),
    ],
)
def test_odd_card_inputs_read_as_the_nearest_sensible_request(inputs, expected):
    assert parse_card_action(inputs, "US") == expected


# -- the table itself ---------------------------------------------------------------------------


def test_every_request_type_has_one_command_and_every_action_one_reader():
    for command in registry.COMMANDS:
        assert registry.command_for(command.request.__new__(command.request)) is command
    for action in (buttons.VALIDATE, buttons.ALTERNATE, buttons.ALTERNATE_SEARCH, buttons.ALTERNATE_PICKER,
                   buttons.HELP, buttons.OWNERS):
        assert not isinstance(parse_card_action({buttons.KEY_ACTION: action}, "US"), UnknownCard)


def test_every_typed_command_is_on_the_help_card():
    titles = [entry.title for entry in registry.help_entries()]
    assert "Validate numbers" in titles and "Auto attendant alternate numbers" in titles


def _with(**changes) -> tuple[Command, ...]:
    """The real table with its validate command changed."""
    return tuple(dataclasses.replace(c, **changes) if c.name == "validate" else c for c in registry.COMMANDS)


@pytest.mark.parametrize("mistake, message", [
    (dict(words=("help",)), "share the word 'help'"),
    (dict(words=("VALIDATE", "validate")), "share the word 'validate'"),
    (dict(actions=(buttons.HELP,)), "share the action 'help'"),
    (dict(name="help"), "share the name 'help'"),
    (dict(from_text=None), "has words but no from_text"),
    (dict(from_card=None), "answers buttons but has no from_card"),
    (dict(help=None), "not on the help card"),
    (dict(words=(" validate",)), "empty or padded word"),
])
def test_a_mistake_in_the_table_is_refused(mistake, message):
    with pytest.raises(RegistryError, match=message):
        check(_with(**mistake))
