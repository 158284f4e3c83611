"""Fuzzing what comes from outside: message text, card inputs and webhook bodies become commands or
a clear refusal, never an exception."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.conversation import registry
from bot.conversation.events import BadEvent, parse_event
from bot.conversation.flows.alternate import AlternateNumbers
from bot.conversation.flows.help import Help
from bot.conversation.flows.owners import Owners
from bot.conversation.flows.validate import Validate
from bot.conversation.registry import UnknownCard, parse_card_action, parse_message
from bot.core import buttons
from bot.reading.mentions import strip_bot_mention

BOT_ID = "Y2lzY29zcGFyazovL3VzL1BFT1BMRS81ZjlhYmQ4ZS0yZTJiLTQ5MTYtOGJlZC0wMDMyZjRiYTU3YTM"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
# Keys the bot reads, so that the fuzzer reaches past the first check.
known_keys = st.sampled_from([
    buttons.KEY_ACTION, buttons.INPUT_NUMBERS, buttons.INPUT_LOCATION,
    buttons.INPUT_LOCATION_QUERY, buttons.INPUT_FILTER_NUMBERS, buttons.INPUT_ONLY_ACTIVE,
    buttons.INPUT_ONLY_TOLL_FREE, buttons.INPUT_ONLY_SERVICE, buttons.KEY_START, buttons.KEY_PHONE_NUMBERS,
    buttons.KEY_PAGE, buttons.KEY_SHOWN, buttons.KEY_APPLY,
])
action_names = st.sampled_from([buttons.VALIDATE, buttons.ALTERNATE, buttons.ALTERNATE_SEARCH,
                                buttons.ALTERNATE_PICKER, buttons.HELP, buttons.OWNERS, "nope"])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400), st.sampled_from(["US", "GB", "DE"]), st.text(max_size=20), st.none() | st.text(max_size=400))
def test_any_group_message_becomes_a_command(text: str, region: str, bot_name: str, html) -> None:
    """Whatever a group message's text and html hold, the mention comes out and a command results."""
    command = parse_message(strip_bot_mention(text, html, BOT_ID, bot_name), region)
    assert type(command) in {c.request for c in registry.COMMANDS}


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(known_keys | st.text(max_size=10), json_values, max_size=8), action_names)
def test_any_card_submission_becomes_a_command_or_an_unknown_card(inputs: dict, action: str) -> None:
    command = parse_card_action({**inputs, buttons.KEY_ACTION: action}, "US")
    assert isinstance(command, (Help, Validate, AlternateNumbers, Owners, UnknownCard))
    if isinstance(command, AlternateNumbers):
        assert command.page >= 1 and (command.start is None or command.start >= 0)


@settings(max_examples=300, deadline=None)
@given(json_values | st.dictionaries(st.sampled_from(["resource", "event", "data", "id"]), json_values))
def test_any_webhook_body_is_an_event_or_a_clear_refusal(body) -> None:
    try:
        event = parse_event(body)
    except BadEvent as refusal:
        assert str(refusal)
    else:
        assert event.key.startswith(event.resource + ":")
