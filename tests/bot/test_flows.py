"""Each flow on its own: a request in, a reply out, Webex being the sandbox. The words are the
ones the admin reads; the conversations around them are in tests/e2e."""
from __future__ import annotations

import json

from cardkit import button

from bot.conversation.flows import FlowContext, alternate, help, locations, validate
from bot.conversation.flows.alternate import AlternateNumbers
from bot.conversation.flows.help import Help
from bot.conversation.flows.locations import Locations
from bot.conversation.registry import parse_message
from bot.core import buttons
from bot.core.models import NumberFilters
from sandbox import Sandbox, seed


def texts(reply) -> str:
    return json.dumps(reply.card, ensure_ascii=False)


def test_validate_answers_each_number_and_sends_each_once(ctx: FlowContext, state: Sandbox) -> None:
    request = parse_message(f"validate {seed.AVAILABLE_US} {seed.DUPLICATE_IN_USE} {seed.AVAILABLE_US} 12x", "US")
    reply = validate.answer(request, ctx)
    assert "Number validation: ERRORS" in reply.markdown
    assert "1 Available · 1 Duplicate · 1 Duplicate In List · 1 not a phone number" in reply.markdown
    assert [c.json["phoneNumbers"] for c in state.calls("validateNumbers")] == [[seed.AVAILABLE_US, seed.DUPLICATE_IN_USE]]


def test_validate_with_only_words_that_are_not_numbers_asks_webex_nothing(ctx: FlowContext, state: Sandbox) -> None:
    reply = validate.answer(parse_message("validate 12x 34y", "US"), ctx)
    assert "Nothing was sent to Webex" in reply.markdown
    assert state.calls("validateNumbers") == []


def test_too_many_numbers_are_refused_before_anything_is_sent(ctx: FlowContext, state: Sandbox) -> None:
    numbers = " ".join(f"+1214555{n:04d}" for n in range(validate.MAX_NUMBERS_PER_MESSAGE + 1))
    reply = validate.answer(parse_message(numbers, "US"), ctx)
    assert "Too many numbers" in reply.markdown
    assert state.calls("validateNumbers") == []


def test_alternate_without_a_location_offers_the_calling_locations(ctx: FlowContext) -> None:
    reply = alternate.answer(AlternateNumbers(), ctx)
    assert "which location?" in reply.markdown
    assert seed.DALLAS_HQ in texts(reply) and seed.PARIS not in texts(reply)


def test_alternate_shows_a_page_and_where_the_next_starts(ctx: FlowContext) -> None:
    reply = alternate.answer(AlternateNumbers(location=seed.DALLAS_HQ), ctx)
    assert "Alternate numbers · Dallas HQ" in reply.markdown
    assert "Numbers 1–10 of 120 · page 1 of 12" in reply.markdown
    assert button(reply.card, "Next")["data"][buttons.KEY_PAGE] == 2


def test_alternate_filtered_by_numbers_not_at_the_location_says_none(ctx: FlowContext) -> None:
    request = AlternateNumbers(location=seed.DALLAS_HQ, filters=NumberFilters(phone_numbers=(seed.AVAILABLE_US,)))
    reply = alternate.answer(request, ctx)
    assert "No alternate available numbers at Dallas HQ" in reply.markdown


def test_a_location_without_calling_is_said_to_be_one(ctx: FlowContext) -> None:
    reply = alternate.answer(AlternateNumbers(location=seed.PARIS), ctx)
    assert "not a Webex Calling location" in reply.markdown


def test_help_lists_the_commands_and_the_note(ctx: FlowContext) -> None:
    reply = help.answer(Help(note="That message was empty."), ctx)
    assert reply.markdown.startswith("**That message was empty.**")
    for entry in ctx.commands:
        assert entry.title in reply.markdown


def test_locations_lists_the_calling_locations_each_with_its_button(ctx: FlowContext) -> None:
    reply = locations.answer(Locations(name="dallas"), ctx)
    assert "2 Webex Calling locations named like “dallas”" in reply.markdown
    assert button(reply.card, "Alternate numbers")["data"][buttons.INPUT_LOCATION] == seed.location_id(seed.DALLAS_HQ)
