"""Message text and card submissions -> commands for the flows."""
import pytest

from bot.commands import AlternateNumbers, Help, UnknownCard, Validate, parse_card_action, parse_message
from bot.models import NumberFilters
from cards import actions


@pytest.mark.parametrize("text", ["help", "Help", "?", "hello", " help\n"])
def test_help(text):
    assert parse_message(text, "US") == Help()


def test_empty_message_gets_help_with_a_note():
    command = parse_message("   ", "US")
    assert isinstance(command, Help) and command.note


def test_no_numbers_gets_help_with_a_note():
    command = parse_message("what can you do", "US")
    assert isinstance(command, Help) and "no phone numbers" in command.note


def test_validate_with_and_without_the_keyword():
    assert parse_message("validate +12145557861", "US") == Validate("+12145557861")
    assert parse_message("+12145557861\n+12145557862", "US") == Validate("+12145557861\n+12145557862")


@pytest.mark.parametrize("word", ["alternate numbers", "available", "aa numbers", "Alternate Numbers"])
def test_alternate_without_location(word):
    assert parse_message(word, "US") == AlternateNumbers()


def test_alternate_with_location_and_filter_numbers():
    command = parse_message("alternate numbers Dallas HQ +12143020001 (214) 302-0002", "US")
    assert command == AlternateNumbers(
        location="Dallas HQ", filters=NumberFilters(phone_numbers=("+12143020001", "+12143020002"))
    )


def test_card_from_another_bot():
    assert isinstance(parse_card_action({"foo": "bar"}, "US"), UnknownCard)
    assert isinstance(parse_card_action({actions.KEY_ACTION: "explode"}, "US"), UnknownCard)
    assert isinstance(parse_card_action(["not", "a", "dict"], "US"), UnknownCard)


def test_page_button_with_changed_toggle_starts_over():
    data = actions.alternate_data("LOC", 20, NumberFilters(), back=(0, 10))
    command = parse_card_action({**data, actions.INPUT_ONLY_ACTIVE: "true"}, "US")
    assert command.start == 0 and command.back == () and command.filters.only_active


def test_page_button_keeps_offsets_when_toggles_unchanged():
    filters = NumberFilters(only_toll_free=True)
    data = actions.alternate_data("LOC", 20, filters, back=(0, 7))
    inputs = {**data, actions.INPUT_ONLY_TOLL_FREE: "true", actions.INPUT_ONLY_ACTIVE: "false"}
    command = parse_card_action(inputs, "US")
    assert (command.location, command.start, command.back) == ("LOC", 20, (0, 7))


@pytest.mark.parametrize(
    "inputs",
    [
        {actions.KEY_ACTION: actions.ALTERNATE, actions.KEY_START: "lots", actions.KEY_BACK: "x"},
        {actions.KEY_ACTION: actions.ALTERNATE, actions.KEY_START: -5, actions.KEY_BACK: [None, {}, "3"]},
        {actions.KEY_ACTION: actions.ALTERNATE, actions.INPUT_LOCATION: 42},
        {actions.KEY_ACTION: actions.VALIDATE, actions.INPUT_NUMBERS: ["+1"]},
    ],
)
def test_odd_card_inputs_never_raise(inputs):
    parse_card_action(inputs, "US")
