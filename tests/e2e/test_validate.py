"""An admin pastes phone numbers; the bot answers with a validation card and a markdown
fallback that carry the same rows. Everything goes through the sandbox over HTTP."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from botkit import Chat, RunningBot, block_style
from validatekit import COLOUR, ICON, VALIDATE, Row, card_rows, headline, markdown_rows, sent_numbers

from bot.core import buttons
from sandbox import Sandbox, seed

EVERY_STATE = (f"validate {seed.AVAILABLE_US} {seed.DUPLICATE_IN_USE} {seed.AVAILABLE_US} "
               f"{seed.INVALID_POSSIBLE} {seed.UNAVAILABLE}")
EVERY_STATE_ROWS = [
    Row(seed.AVAILABLE_US, seed.AVAILABLE_US, "Available", "good"),
    Row(seed.DUPLICATE_IN_USE, seed.DUPLICATE_IN_USE, "Duplicate", "warning",
        detail="[Error 8363] DN is in use"),
    Row(seed.AVAILABLE_US, seed.AVAILABLE_US, "Duplicate In List", "warning",
        detail="[Error 8360] Duplicate DN in the request"),
    Row(seed.INVALID_POSSIBLE, seed.INVALID_POSSIBLE, "Invalid", "attention",
        detail="[Error 8362] DN is invalid"),
    Row(seed.UNAVAILABLE, seed.UNAVAILABLE, "Unavailable", "attention",
        detail="[Error 8361] DN is unavailable"),
]


# ---------------------------------------------------------------- every state, card and fallback


def test_every_state_shows_in_the_card_with_its_colour_and_the_error_detail(chat: Chat) -> None:
    reply = chat.say(EVERY_STATE)
    assert card_rows(reply) == EVERY_STATE_ROWS
    assert all(row.colour == COLOUR[row.state] for row in card_rows(reply))


def test_the_markdown_fallback_carries_the_same_rows_with_a_coloured_icon(chat: Chat) -> None:
    reply = chat.say(EVERY_STATE)
    assert markdown_rows(reply.markdown) == EVERY_STATE_ROWS
    for row in EVERY_STATE_ROWS:
        shown = row.written if row.written == row.sent else f"{row.written} → {row.sent}"  # no "X → X"
        assert f"{ICON[COLOUR[row.state]]} {shown}: **{row.state}**" in reply.markdown


def test_errors_headline_and_counts_per_state_when_some_numbers_fail(chat: Chat) -> None:
    reply = chat.say(EVERY_STATE)
    assert headline(reply) == ("Number validation: ERRORS",
                               "1 Available · 1 Duplicate · 1 Duplicate In List · 1 Invalid · 1 Unavailable")
    assert block_style(reply.title())["color"] == "attention"
    assert reply.markdown.startswith("**Number validation: ERRORS**\n1 Available · 1 Duplicate · "
                                     "1 Duplicate In List · 1 Invalid · 1 Unavailable\n")


def test_ok_headline_when_every_number_is_available(chat: Chat) -> None:
    reply = chat.say(f"validate {seed.AVAILABLE_US} {seed.AVAILABLE_UK}")
    assert headline(reply) == ("Number validation: OK", "2 Available")
    assert block_style(reply.title())["color"] == "good"
    assert reply.markdown.startswith("**Number validation: OK**\n2 Available\n")


def test_a_toll_free_number_is_flagged_in_the_card_and_the_fallback(chat: Chat) -> None:
    reply = chat.say(f"validate {seed.AVAILABLE_TOLL_FREE} {seed.AVAILABLE_US}")
    assert card_rows(reply) == [
        Row(seed.AVAILABLE_TOLL_FREE, seed.AVAILABLE_TOLL_FREE, "Available", "good", toll_free=True),
        Row(seed.AVAILABLE_US, seed.AVAILABLE_US, "Available", "good", toll_free=False),
    ]
    assert markdown_rows(reply.markdown) == card_rows(reply)
    assert f"{seed.AVAILABLE_TOLL_FREE}: **Available** · Toll-free" in reply.markdown


def test_a_person_assigned_number_is_a_duplicate_too(chat: Chat) -> None:
    reply = chat.say(f"validate {seed.DUPLICATE_ASSIGNED}")
    assert card_rows(reply) == [Row(seed.DUPLICATE_ASSIGNED, seed.DUPLICATE_ASSIGNED, "Duplicate", "warning",
                                    detail="[Error 8363] DN is in use")]


# ---------------------------------------------------------------- the two response shapes


def test_the_documented_and_the_live_response_shapes_give_the_same_card(chat: Chat, state: Sandbox) -> None:
    state.validate_shape = "doc"  # {"numbers": [{"number", "state", "tollFreeNumber"}]}, no detail
    documented = chat.say(EVERY_STATE + f" {seed.AVAILABLE_TOLL_FREE}")
    state.validate_shape = "live"  # {"phoneNumbers": [{"phoneNumber", ..., "detail"}]}
    live = chat.say(EVERY_STATE + f" {seed.AVAILABLE_TOLL_FREE}")

    assert headline(documented) == headline(live)
    without_detail = [Row(r.written, r.sent, r.state, r.colour, r.toll_free) for r in card_rows(live)]
    assert card_rows(documented) == without_detail
    assert without_detail[-1].toll_free
    # Only the live shape has error details; the documented one has none to show.
    assert [r.detail for r in card_rows(live)] == [r.detail for r in EVERY_STATE_ROWS] + [""]


def test_both_shapes_give_an_identical_card_when_webex_has_no_detail_to_give(chat: Chat, state: Sandbox) -> None:
    # No repeat: the live API details a Duplicate In List ([Error 8360]), the documented shape not.
    text = f"validate {seed.AVAILABLE_US} {seed.AVAILABLE_TOLL_FREE} (214) 555-7862"
    state.validate_shape = "doc"
    documented = chat.say(text)
    state.validate_shape = "live"
    live = chat.say(text)
    assert documented.card == live.card
    assert documented.markdown == live.markdown


def live_answer(*rows: tuple[str, str]) -> dict:
    """A live-shape answer with these (phoneNumber, state) rows, as Webex might send it."""
    return {"status": "ERRORS", "phoneNumbers": [
        {"phoneNumber": number, "state": state, "tollFreeNumber": False, "detail": []} for number, state in rows]}


def test_an_answer_in_another_order_still_puts_each_state_on_its_number(chat: Chat, state: Sandbox) -> None:
    state.inject_fault("POST", VALIDATE, 200, body=live_answer(
        (seed.UNAVAILABLE, "Unavailable"), (seed.AVAILABLE_UK, "Available"), (seed.AVAILABLE_US, "Duplicate")))
    reply = chat.say(f"validate {seed.AVAILABLE_US} {seed.AVAILABLE_UK} {seed.UNAVAILABLE}")
    assert [(row.sent, row.state) for row in card_rows(reply)] == [
        (seed.AVAILABLE_US, "Duplicate"), (seed.AVAILABLE_UK, "Available"), (seed.UNAVAILABLE, "Unavailable")]


def test_an_answer_that_writes_us_numbers_in_national_format_still_matches_them(
        chat: Chat, state: Sandbox) -> None:
    # The doc says US numbers may be written in national format; an answer may echo them so.
    state.inject_fault("POST", VALIDATE, 200, body=live_answer(
        ("+44 20 7183 8750", "Available"), ("(214) 555-7861", "Duplicate"), ("2143040000", "Unavailable")))
    reply = chat.say(f"validate {seed.AVAILABLE_US} {seed.AVAILABLE_UK} {seed.UNAVAILABLE}")
    assert [(row.sent, row.state) for row in card_rows(reply)] == [
        (seed.AVAILABLE_US, "Duplicate"), (seed.AVAILABLE_UK, "Available"), (seed.UNAVAILABLE, "Unavailable")]


def test_a_number_missing_from_the_answer_is_reported_not_guessed(chat: Chat, state: Sandbox) -> None:
    state.inject_fault("POST", VALIDATE, 200, body=live_answer((seed.AVAILABLE_US, "Available")))
    reply = chat.say(f"validate {seed.AVAILABLE_US} {seed.AVAILABLE_UK}")
    [available, missing] = card_rows(reply)
    assert available.state == "Available"
    assert missing.sent == seed.AVAILABLE_UK
    assert "Webex did not return a result for this number." in missing.detail


# ---------------------------------------------------------------- how admins write numbers


@pytest.mark.parametrize("written", ["(214) 555-7862", "214.555.7862", "2145557862", "214-555-7862",
                                     "+1 (214) 555-7862"])
def test_a_us_number_in_national_format_is_sent_as_e164_and_shown_as_written(
        chat: Chat, state: Sandbox, written: str) -> None:
    reply = chat.say(f"validate {written}")
    assert card_rows(reply) == [Row(written, seed.AVAILABLE_US_2, "Available", "good")]
    assert markdown_rows(reply.markdown) == card_rows(reply)
    assert sent_numbers(state) == [[seed.AVAILABLE_US_2]]


def test_the_validate_request_carries_e164_numbers_and_the_org_id(chat: Chat, state: Sandbox) -> None:
    chat.say("validate (214) 555-7862, +44 20 7183 8750 +12145557861")
    [call] = state.calls(VALIDATE)
    assert call.method == "POST"
    assert call.path == "/v1/telephony/config/actions/validateNumbers/invoke"
    assert call.json == {"phoneNumbers": [seed.AVAILABLE_US_2, seed.AVAILABLE_UK, seed.AVAILABLE_US]}
    assert call.query == {"orgId": seed.ORG_ID}
    assert call.identity == "service"  # the service app's token, never the bot's


def test_a_uk_number_in_e164_is_validated_whether_written_with_spaces_or_not(chat: Chat, state: Sandbox) -> None:
    reply = chat.say("validate +44 20 7183 8750 and +442079469001")
    assert card_rows(reply) == [
        Row("+44 20 7183 8750", seed.AVAILABLE_UK, "Available", "good"),
        Row("+442079469001", "+442079469001", "Duplicate", "warning",
            detail="[Error 8363] DN is in use"),
    ]
    assert sent_numbers(state) == [[seed.AVAILABLE_UK, "+442079469001"]]


@pytest.mark.parametrize("pasted", [
    "+12145557861, +12145557862, +442071838750, +18332001234",
    "+12145557861;+12145557862; +442071838750 ;+18332001234",
    "+12145557861 +12145557862  +442071838750\t+18332001234",
    "+12145557861\n+12145557862\n+442071838750\n+18332001234\n",
    "+12145557861, (214) 555-7862;+442071838750\n+18332001234",
], ids=["commas", "semicolons", "spaces", "one per line", "mixed"])
def test_a_pasted_list_with_any_separators_is_validated_in_the_admins_order(
        chat: Chat, state: Sandbox, pasted: str) -> None:
    reply = chat.say(pasted)  # no "validate" word: pasting numbers is enough
    expected = [seed.AVAILABLE_US, seed.AVAILABLE_US_2, seed.AVAILABLE_UK, seed.AVAILABLE_TOLL_FREE]
    assert [row.sent for row in card_rows(reply)] == expected
    assert card_rows(reply)[0].written == seed.AVAILABLE_US
    assert sent_numbers(state) == [expected]
    assert headline(reply) == ("Number validation: OK", "4 Available")


def test_numbers_written_in_groups_side_by_side_are_told_apart(chat: Chat, state: Sandbox) -> None:
    reply = chat.say("214 555 7861 214 555 7862 +44 20 7183 8750 833 200 1234")
    expected = [seed.AVAILABLE_US, seed.AVAILABLE_US_2, seed.AVAILABLE_UK, seed.AVAILABLE_TOLL_FREE]
    assert [row.sent for row in card_rows(reply)] == expected
    assert [row.written for row in card_rows(reply)] == ["214 555 7861", "214 555 7862", "+44 20 7183 8750",
                                                         "833 200 1234"]
    assert sent_numbers(state) == [expected]


def test_the_same_number_written_two_ways_is_a_duplicate_in_list(chat: Chat, state: Sandbox) -> None:
    reply = chat.say("validate (214) 555-7862 and again +1 214 555 7862")
    assert card_rows(reply) == [
        Row("(214) 555-7862", seed.AVAILABLE_US_2, "Available", "good"),
        Row("+1 214 555 7862", seed.AVAILABLE_US_2, "Duplicate In List", "warning",
            detail="[Error 8360] Duplicate DN in the request"),
    ]
    assert sent_numbers(state) == [[seed.AVAILABLE_US_2]]


def test_with_another_default_region_its_national_format_is_understood(
        make_bot: Callable[..., RunningBot], state: Sandbox) -> None:
    make_bot(default_region="GB")  # NUMBOT_DEFAULT_REGION=GB
    reply = Chat(state, seed.ALICE).say("validate 020 7183 8750, +12145557861")
    assert card_rows(reply) == [Row("020 7183 8750", seed.AVAILABLE_UK, "Available", "good"),
                                Row(seed.AVAILABLE_US, seed.AVAILABLE_US, "Available", "good")]
    assert sent_numbers(state) == [[seed.AVAILABLE_UK, seed.AVAILABLE_US]]


# ---------------------------------------------------------------- not numbers, nothing to do, help


def test_junk_tokens_are_listed_as_not_a_phone_number_and_not_sent(chat: Chat, state: Sandbox) -> None:
    # (1-800-FLOWERS is no junk: its letters are converted, see test_admin_experience.py)
    reply = chat.say(f"validate {seed.AVAILABLE_US}, 12345, +999, 42x, 1-800-FLOW")
    assert card_rows(reply) == [Row(seed.AVAILABLE_US, seed.AVAILABLE_US, "Available", "good")]
    assert sent_numbers(state) == [[seed.AVAILABLE_US]]
    assert "Not a phone number (not sent to Webex)" in reply.text
    assert "12345, +999, 42x, 1-800-FLOW" in reply.text
    assert "**Not a phone number** (not sent to Webex): 12345, +999, 42x, 1-800-FLOW" in reply.markdown
    assert headline(reply)[1] == "1 Available · 4 not phone numbers"


def test_only_junk_after_validate_answers_without_calling_webex(chat: Chat, state: Sandbox) -> None:
    reply = chat.say("validate 12345 42x")
    assert headline(reply) == ("No phone numbers to validate", "2 not phone numbers")
    assert "Nothing was sent to Webex" in reply.text
    assert "Nothing was sent to Webex" in reply.markdown
    assert state.calls(VALIDATE) == []


def test_help_gets_the_help_card_with_a_box_to_paste_numbers(chat: Chat, state: Sandbox) -> None:
    reply = chat.say("help")
    assert "Validate" in reply.button_titles()
    assert reply.inputs()  # the box to paste numbers into
    assert reply.markdown
    assert state.calls(VALIDATE) == []


@pytest.mark.parametrize("said", ["hello there", "what can you do", "validate", "validate please"])
def test_a_message_without_numbers_gets_the_help_card(chat: Chat, state: Sandbox, said: str) -> None:
    reply = chat.say(said)
    assert "Validate" in reply.button_titles()
    assert "no phone numbers" in reply.text
    assert "no phone numbers" in reply.markdown
    assert state.calls(VALIDATE) == []


def test_an_empty_message_gets_the_help_card(chat: Chat, state: Sandbox) -> None:
    reply = chat.say("   ")
    assert "Validate" in reply.button_titles()
    assert "empty" in reply.text
    assert state.calls(VALIDATE) == []


def test_validate_again_on_the_card_checks_the_same_numbers_again(chat: Chat, state: Sandbox) -> None:
    first = chat.say(f"validate (214) 555-7862 {seed.AVAILABLE_TOLL_FREE} 214.555.7862 {seed.UNAVAILABLE}")
    again = chat.press(first, "Validate again")
    assert [(r.sent, r.state, r.toll_free) for r in card_rows(again)] == [
        (r.sent, r.state, r.toll_free) for r in card_rows(first)]
    assert sent_numbers(state) == [[seed.AVAILABLE_US_2, seed.AVAILABLE_TOLL_FREE, seed.UNAVAILABLE]] * 2


def test_numbers_pasted_in_the_help_card_box_are_validated(chat: Chat, state: Sandbox) -> None:
    help_card = chat.say("help")
    [box] = help_card.inputs()
    reply = chat.press(help_card, "Validate", **{box: f"(214) 555-7862, {seed.UNAVAILABLE}"})
    assert [(row.written, row.state) for row in card_rows(reply)] == [
        ("(214) 555-7862", "Available"), (seed.UNAVAILABLE, "Unavailable")]
    assert sent_numbers(state) == [[seed.AVAILABLE_US_2, seed.UNAVAILABLE]]


# ---------------------------------------------------------------- group spaces and threads


def test_in_a_group_space_an_at_mention_gets_a_top_level_answer(state: Sandbox, bot) -> None:
    group = Chat(state, seed.ALICE, room="group")
    reply = group.say(f"validate {seed.AVAILABLE_US}")  # "@numbot validate ..."
    assert reply.message["roomId"] == state.group_room_id
    assert reply.parent_id is None
    assert card_rows(reply) == [Row(seed.AVAILABLE_US, seed.AVAILABLE_US, "Available", "good")]


def test_in_a_group_space_a_message_in_a_thread_gets_a_threaded_answer(state: Sandbox, bot) -> None:
    group = Chat(state, seed.ALICE, room="group")
    opening = group.post("Let's check the new DIDs", mention_bot=False)
    reply = group.say(f"{seed.UNAVAILABLE}", parent_id=opening["id"])
    assert reply.parent_id == opening["id"]
    assert card_rows(reply)[0].state == "Unavailable"


def test_in_a_group_space_a_message_without_a_mention_is_not_for_the_bot(state: Sandbox, bot) -> None:
    group = Chat(state, seed.ALICE, room="group")
    group.post(f"validate {seed.AVAILABLE_US}", mention_bot=False)
    reply = group.say("help")  # the next mention is answered; the unmentioned message was not
    assert "Validate" in reply.button_titles()
    assert len(group.bot_messages()) == 1
    assert state.calls(VALIDATE) == []


def test_in_a_group_space_a_bare_mention_gets_the_help_card(state: Sandbox, bot) -> None:
    group = Chat(state, seed.ALICE, room="group")
    reply = group.say("")
    assert "Validate" in reply.button_titles()


def test_in_a_direct_space_a_threaded_message_gets_a_threaded_answer(chat: Chat) -> None:
    first = chat.say(f"validate {seed.AVAILABLE_US}")
    assert first.parent_id is None
    again = chat.say(f"validate {seed.AVAILABLE_UK}", parent_id=chat.said[0])
    assert again.parent_id == chat.said[0]
    assert card_rows(again)[0].sent == seed.AVAILABLE_UK


def bot_calls(state: Sandbox, since: int) -> list[str]:
    return [f"{c.method} {c.path.split('/')[2]}" for c in state.calls()[since:] if c.identity == "bot"]


def test_a_press_reads_only_the_action_the_card_says_where_it_is(chat: Chat, state: Sandbox) -> None:
    """Every button carries the card's place (``buttons.placed``), so a press reads the action and
    who pressed (once: kept a while), validates and answers: no read of the card's message."""
    help_card = chat.say("help")
    [box] = help_card.inputs()
    assert help_card.button("Validate")["data"][buttons.KEY_SPACE] == "direct"
    started = len(state.calls())
    assert "Available" in chat.press(help_card, "Validate", **{box: seed.AVAILABLE_US}).text
    assert bot_calls(state, started) == ["GET attachment", "GET people", "POST messages"]
    started = len(state.calls())
    assert "Available" in chat.press(help_card, "Validate", **{box: seed.AVAILABLE_UK}).text
    assert bot_calls(state, started) == ["GET attachment", "POST messages"]


def test_a_press_on_a_card_without_its_place_reads_the_card_and_the_presser_at_the_same_time(
        chat: Chat, state: Sandbox) -> None:
    """A card posted before buttons said where the card is: its message is read for the space and
    thread. Neither call needs the other's answer, so a slow one does not hold the other back: each
    arrives at Webex before the other has been answered (one round trip fewer per press)."""
    help_card = chat.say("help")
    [box] = help_card.inputs()
    state.inject_fault("GET", r"^/v1/people/", status=None, delay=1.0, who="bot")
    state.inject_fault("GET", r"^/v1/messages/", status=None, delay=1.0, who="bot")
    started = len(state.calls())
    older = {k: v for k, v in help_card.button("Validate")["data"].items() if k != buttons.KEY_SPACE}
    [reply] = chat.submit(help_card, {**older, box: seed.AVAILABLE_US})
    assert "Available" in reply.text
    [person] = [c for c in state.calls()[started:] if c.path.startswith("/v1/people/") and c.identity == "bot"]
    [card] = [c for c in state.calls()[started:] if c.path.startswith("/v1/messages/") and c.identity == "bot"]
    assert abs(person.time - card.time) < 0.9  # both asked before either delayed answer came back
