"""Nothing dropped in silence, a next step on every problem, and who uses an in-use number: the
inputs admins really paste, and what they read back."""
from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable

from botkit import BotReply, Chat, RunningBot, block_style, block_text, wait_idle

from sandbox import Sandbox, seed


def rows_written(reply: BotReply) -> list[str]:
    """The left cell of each row: the number as written (and what was sent, when it differs)."""
    return [block_text(n["columns"][0]["items"][0]) for n in reply.nodes() if n.get("type") == "ColumnSet"]


# -- another country's national numbers, extensions, letters -----------------------------------


def test_a_london_number_in_national_format_is_one_piece_with_what_to_write(chat: Chat, state: Sandbox) -> None:
    reply = chat.say(f"validate 020 7183 8750 {seed.AVAILABLE_US}")
    assert block_style(reply.title())["color"] == "warning"
    assert "Number validation: 1 piece not checked" in reply.text  # never OK with a piece unchecked
    assert "1 Available · 1 not checked (another country's number)" in reply.text
    assert "write it as +44 20 7183 8750, or name the country: validate GB 020 7183 8750" in reply.text
    assert "Not a phone number" not in reply.text  # not three pieces "020", "7183", "8750"
    assert state.calls("validateNumbers")[-1].json["phoneNumbers"] == [seed.AVAILABLE_US]


def test_berlin_and_paris_numbers_are_recognised_and_paris_is_not_read_as_american(chat: Chat,
                                                                                   state: Sandbox) -> None:
    reply = chat.say("validate 030 12345678\n01 42 68 53 00")
    assert "(DE): write it as +49 30 12345678" in reply.text
    assert "(FR): write it as +33 1 42 68 53 00" in reply.text
    assert state.calls("validateNumbers") == []  # nothing sent: neither is a US number


def test_naming_the_country_validates_its_national_numbers(chat: Chat, state: Sandbox) -> None:
    for said in ("validate GB 020 7183 8750", "validate country:GB 020 7183 8750"):
        reply = chat.say(said)
        assert "Number validation: OK" in reply.text, said
        assert "020 7183 8750 → +442071838750" in rows_written(reply)
    assert "GB 020 7183 8750" in chat.say("help").text  # help says how


def test_an_extension_is_validated_without_it_and_the_answer_says_so(chat: Chat, state: Sandbox) -> None:
    reply = chat.say("validate +1 214 555 7862 x123")
    assert "Extension 123 ignored: Webex validates the number itself." in reply.text
    assert state.calls("validateNumbers")[-1].json["phoneNumbers"] == [seed.AVAILABLE_US_2]


def test_letters_of_a_vanity_number_are_converted_and_both_forms_shown(chat: Chat, state: Sandbox) -> None:
    reply = chat.say("validate 1-800-FLOWERS")
    assert "1-800-FLOWERS → +18003569377" in rows_written(reply)
    assert state.calls("validateNumbers")[-1].json["phoneNumbers"] == ["+18003569377"]


def test_no_x_to_x_for_a_number_already_in_e164(chat: Chat) -> None:
    reply = chat.say(f"validate {seed.AVAILABLE_US} (214) 555-7862")
    assert rows_written(reply) == [seed.AVAILABLE_US, f"(214) 555-7862 → {seed.AVAILABLE_US_2}"]


# -- a next step on every problem, and who uses a number --------------------------------------------


def test_each_problem_says_what_it_means_and_who_uses_an_in_use_number(chat: Chat, state: Sandbox) -> None:
    reply = chat.say(f"validate {seed.DUPLICATE_ASSIGNED} {seed.LOBBY_PHONE_NUMBER} {seed.MAIN_MENU_NUMBER} "
                     f"{seed.UNAVAILABLE} {seed.INVALID_POSSIBLE} {seed.DUPLICATE_ASSIGNED}")
    text = reply.text
    assert "Used by Dana Diaz (user) at Dallas HQ, extension 9001." in text
    assert "Used by Lobby Phone (workspace) at Dallas Warehouse" in text
    assert "Used by Main Menu (auto attendant) at Dallas HQ" in text
    assert "Webex cannot use this number" in text and "Not a valid phone number for Webex Calling" in text
    assert "Same number as row 1 of your list: that row has its result." in text
    assert "Webex: [Error 8363] DN is in use" in text and f"DN is in use : {seed.DUPLICATE_ASSIGNED}" not in text
    lookups = state.calls("/v1/telephony/config/numbers")
    assert {c.query["phoneNumber"] for c in lookups} == {seed.DUPLICATE_ASSIGNED, seed.LOBBY_PHONE_NUMBER,
                                                          seed.MAIN_MENU_NUMBER}
    assert {c.identity for c in lookups} == {"service"}


def test_a_bounded_number_of_users_are_looked_up_and_a_button_gives_the_rest(chat: Chat, state: Sandbox) -> None:
    in_use = [n.phone_number for n in state.location_named(seed.DALLAS_HQ).numbers[:14]]
    reply = chat.say("validate " + " ".join(in_use))
    assert len(state.calls("/v1/telephony/config/numbers")) == 10
    assert "Who uses the other 4?" in reply.button_titles()
    rest = chat.press(reply, "Who uses the other 4?")
    assert "Who uses these numbers" in rest.text
    for number in in_use[10:]:
        assert number in rest.text
    assert "In the numbers of Dallas HQ, assigned to nobody." in rest.text


def test_who_uses_can_be_asked_directly(chat: Chat) -> None:
    reply = chat.say(f"who uses {seed.SALES_NUMBER} {seed.AVAILABLE_US}")
    assert "Used by Sales (hunt group) at Richardson" in reply.text
    assert "Not in your organisation's numbers." in reply.text


# -- large answers: one card, and the complete list as a file ---------------------------------------


def test_a_long_answer_is_one_card_and_a_csv_file_with_every_number(chat: Chat, state: Sandbox) -> None:
    numbers = [f"+1214555{i:04d}" for i in range(150)] + [seed.UNAVAILABLE, "12x"]
    card, attached = chat.say_all("validate " + " ".join(numbers), count=2)
    assert "Every number is in the attached file validation.csv." in card.markdown
    assert any(t.startswith("150 numbers are Available") for t in card.text.splitlines())
    counts = "150 Available · 1 Unavailable · 1 not a phone number"
    assert counts in card.text and counts in card.markdown
    assert attached.parent_id == card.id and attached.message.get("files")
    name, content, content_type = state.file_of(attached.id)
    assert name == "validation.csv" and content_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [r["input"] for r in rows] == numbers[:-1] + ["12x"]
    assert rows[150]["state"] == "Unavailable" and rows[-1]["state"] == "not a phone number"
    assert len(chat.bot_messages()) == 2  # no more messages than the card and its file


# -- one answer per press; who pressed ----------------------------------------------------------------


def test_a_double_click_on_a_button_gets_one_answer(state: Sandbox, bot: RunningBot, chat: Chat) -> None:
    page = chat.say("alternate numbers Dallas HQ")
    data = {**page.button("Next")["data"], **page.input_values()}
    for _ in range(3):  # a triple click: three presses within a second
        state.press(seed.ALICE, page.id, data)
    assert state.wait_for_deliveries()
    wait_idle(bot)
    time.sleep(0.3)
    answers = state.messages_from_bot(chat.room_id, page.id)
    assert len(answers) == 1 and "page 2 of 12" in answers[0]["text"]


def test_the_same_button_pressed_again_later_is_answered_again(make_bot: Callable[..., RunningBot],
                                                                state: Sandbox) -> None:
    make_bot(press_window_seconds=1)
    chat = Chat(state, seed.ALICE)
    page = chat.say("alternate numbers Dallas HQ")
    chat.press(page, "Next")
    time.sleep(1.1)
    assert "page 2 of 12" in chat.press(page, "Next").text
