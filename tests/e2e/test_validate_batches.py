"""An admin pastes hundreds of numbers: the bot sends them in batches of NUMBOT_VALIDATE_BATCH,
merges the answers as one request would give them (repeats across batches are Duplicate In
List), and its card plus the file attached under it list every number."""
from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable

from botkit import BotReply, Chat, RunningBot
from validatekit import COLOUR, VALIDATE, Row, assert_safe_to_show, card_rows, headline, said_by_webex, sent_numbers

from sandbox import Sandbox, seed
from sandbox.numbers import judge

# Positions of repeats: each repeats a number first written in an earlier batch of 100.
REPEATS = {150: 3, 260: 21, 320: 33, 410: 3, 499: 7}  # 3 is written three times


def pasted_numbers(count: int = 500) -> list[str]:
    """A realistic paste: mostly free numbers, some in use, unavailable, invalid, toll-free,
    and repeats far apart (see REPEATS)."""
    numbers = []
    for i in range(count):
        kind = i % 50
        if kind == 7:
            numbers.append(f"+1469300{i:04d}")  # Big Campus: in use
        elif kind == 13:
            numbers.append(sorted(seed.UNAVAILABLE_NUMBERS)[i // 50 % 2])
        elif kind == 21:
            numbers.append(f"+1123456{i:04d}")  # area code 123: invalid
        elif kind == 33:
            numbers.append(f"+1833200{i:04d}")  # toll-free
        else:
            numbers.append(f"+1214555{i:04d}")
    for at, original in REPEATS.items():
        if at < count:
            numbers[at] = numbers[original]
    return numbers


def one_request_rows(state: Sandbox, numbers: list[str], shown: bool = True) -> list[Row]:
    """What a single validate request with the whole list answers, as rows; ``shown``: Webex's
    detail as a card shows it (without the number it repeats), else as Webex wrote it."""
    return [Row(number, v.phone_number, v.state, COLOUR[v.state], v.toll_free,
                said_by_webex("; ".join(v.detail)) if shown else "; ".join(v.detail))
            for number, v in zip(numbers, judge(numbers, state.numbers_in_use(), state.unavailable))]


def file_rows(state: Sandbox, attached: BotReply) -> list[Row]:
    """The rows of the CSV file the bot attached, with Webex's detail as Webex wrote it."""
    name, content, _ = state.file_of(attached.id)
    assert name == "validation.csv"
    return [Row(r["input"], r["e164"], r["state"], COLOUR.get(r["state"], ""), r["toll_free"] == "true",
                "; ".join(d for d in r["detail"].split("; ") if d.startswith("[Error")))
            for r in csv.DictReader(io.StringIO(content.decode("utf-8-sig")))]


def test_500_numbers_go_to_webex_in_batches_of_100_each_number_once(chat: Chat, state: Sandbox) -> None:
    numbers = pasted_numbers()
    chat.say("validate\n" + "\n".join(numbers))
    unique = list(dict.fromkeys(numbers))
    batches = sent_numbers(state)
    assert len(batches) == math.ceil(len(unique) / 100) == 5
    assert all(len(batch) <= 100 for batch in batches)
    assert [n for batch in batches for n in batch] == unique
    assert {call.query["orgId"] for call in state.calls(VALIDATE)} == {seed.ORG_ID}


def test_500_numbers_answer_exactly_as_one_request_would(chat: Chat, state: Sandbox) -> None:
    numbers = pasted_numbers()
    card, attached = chat.say_all("validate\n" + "\n".join(numbers), count=2)
    listed = file_rows(state, attached)
    expected = one_request_rows(state, numbers, shown=False)
    assert listed == expected
    # Repeats across batches: the first occurrence keeps its own state, later ones are Duplicate In List.
    for at, first in REPEATS.items():
        assert listed[at].state == "Duplicate In List"
        assert listed[first].state == expected[first].state != "Duplicate In List"
    assert {row.state for row in listed} == set(COLOUR)


def test_500_numbers_get_one_card_with_the_problems_first_and_the_complete_list_as_a_file(
        chat: Chat, state: Sandbox) -> None:
    numbers = pasted_numbers()
    card, attached = chat.say_all("validate\n" + "\n".join(numbers), count=2)
    assert attached.parent_id == card.id  # threaded under the card, nothing top level
    assert [m.id for m in chat.bot_messages()] == [card.id, attached.id]
    expected = one_request_rows(state, numbers)
    states = [row.state for row in expected]
    counts = " · ".join(f"{states.count(s)} {s}" for s in COLOUR if s in states)
    assert headline(card) == ("Number validation: ERRORS", counts)
    assert counts in card.markdown  # card and fallback state the same counts
    shown = card_rows(card)
    problems = [row for row in expected if row.state != "Available"]
    assert 0 < len(shown) <= len(problems)
    assert shown == problems[:len(shown)]  # problem rows only, first, in the admin's order
    assert f"Showing {len(shown)} of {len(problems)} problem rows" in card.text
    assert f"{states.count('Available')} numbers are Available: " in card.text
    assert card.markdown.endswith("Every number is in the attached file validation.csv.")
    assert [row.written for row in file_rows(state, attached)] == numbers
    for message in (card, attached):
        assert len(message.markdown.encode()) <= 7439  # Webex's limit for one message
        assert_safe_to_show(message)


def test_500_numbers_written_in_a_thread_are_answered_entirely_in_that_thread(chat: Chat) -> None:
    numbers = pasted_numbers()
    chat.say(f"validate {seed.AVAILABLE_US}")  # the admin's first message opens the thread
    opening = chat.said[0]
    card, attached = chat.say_all("\n".join(numbers), parent_id=opening, count=2)
    # Webex threads are one level deep: the file joins the admin's thread, under the same parent.
    assert card.parent_id == opening and attached.parent_id == opening
    assert [m.id for m in chat.bot_messages()[1:]] == [card.id, attached.id]


def test_a_small_batch_size_sends_more_requests_and_gives_the_same_answer(
        make_bot: Callable[..., RunningBot], state: Sandbox) -> None:
    numbers = pasted_numbers(40)
    numbers[35] = numbers[3]  # a repeat in another batch of 7
    text = "validate " + ", ".join(numbers)
    small_batches = make_bot(validate_batch=7)
    small = Chat(state, seed.ALICE).say(text)
    unique = list(dict.fromkeys(numbers))
    assert [len(batch) for batch in sent_numbers(state)] == [7] * (len(unique) // 7) + [len(unique) % 7]

    small_batches.stop()  # the same admin, the same message, to a bot with the default batch of 100
    make_bot()
    one = Chat(state, seed.ALICE).say(text)
    assert len(sent_numbers(state)) == math.ceil(len(unique) / 7) + 1

    assert small.card == one.card
    assert small.markdown == one.markdown
    assert card_rows(small) == one_request_rows(state, numbers)
    assert card_rows(small)[35].state == "Duplicate In List"


def test_more_than_1000_numbers_in_one_go_are_refused_with_a_clear_card_and_none_is_sent(
        chat: Chat, state: Sandbox) -> None:
    help_card = chat.say("help")  # the card's box takes more than one message can carry
    [box] = help_card.inputs()
    numbers = [f"+1214555{i:04d}" for i in range(1001)]
    reply = chat.press(help_card, "Validate", **{box: "\n".join(numbers)})
    assert "Too many numbers" in reply.text
    assert "1001 phone numbers" in reply.readable and "at most 1000" in reply.readable
    assert state.calls(VALIDATE) == []


def test_when_webex_refuses_a_batch_as_too_large_the_admin_gets_a_clear_error_card(
        chat: Chat, state: Sandbox) -> None:
    state.validate_max_numbers = 50  # the API's own limit is undocumented; here it is below the batch
    numbers = pasted_numbers(60)
    reply = chat.say("validate " + " ".join(numbers))
    [call] = state.calls(VALIDATE)
    assert call.status == 400
    assert "Too many phone numbers" in reply.text
    assert "NUMBOT_VALIDATE_BATCH" in reply.text  # what the operator can change, unescaped
    assert call.tracking_id in reply.text
    assert call.tracking_id in reply.markdown
    assert_safe_to_show(reply)
