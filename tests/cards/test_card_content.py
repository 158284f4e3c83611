"""What an admin sees on each card, and what its buttons send back."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cards
from bot import buttons, registry
from bot.models import (
    AvailableNumbersPage,
    NumberCheck,
    NumberFilters,
    NumberState,
    ValidationResult,
    WebexErrorInfo,
)
from cards.limits import CARD_BUDGET_BYTES, MARKDOWN_BUDGET_BYTES
from cards.text import card_bytes, clip, escape
from cards.validation import ORIGINAL_CHARS
import samples
from samples import DALLAS, DUPLICATE_DETAIL, TRACKING_ID
from cardkit import all_actions, walk
from test_card_rules import text_nodes


def texts(card: dict) -> list[str]:
    """Every piece of text an admin reads, in order."""
    return [node["text"] for node in text_nodes(card)]


def run_with(card: dict, text: str) -> dict:
    """The one TextRun whose text is ``text``: never markdown, so shown exactly as Webex or the
    admin wrote it."""
    found = [n for n in walk(card) if n.get("type") == "TextRun" and n["text"] == text]
    assert len(found) == 1, (text, texts(card))
    return found[0]


def unescape(s: str) -> str:
    """What a markdown renderer shows for our escaped text."""
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append(s[i + 1])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def shown(card: dict) -> str:
    """What an admin reads: TextBlocks as a markdown renderer shows them, TextRuns as they are."""
    return "\n".join(unescape(n["text"]) if n["type"] == "TextBlock" else n["text"] for n in text_nodes(card))


def button(card: dict, title: str) -> dict | None:
    found = [a for a in all_actions(card) if a["title"] == title]
    assert len(found) <= 1
    return found[0]["data"] if found else None


def colour_of(card: dict, label: str) -> set[str]:
    return {n.get("color", "default") for n in text_nodes(card) if n["text"] == label}


# ---------------------------------------------------------------- help


def test_help_says_what_to_type_and_has_a_box_for_numbers():
    card = cards.help_card("US", registry.help_entries())
    text = shown(card)
    assert "validate +12145557861, (214) 555-7862 +442071838750" in text
    assert "alternate numbers" in text and "available" in text and "aa numbers" in text
    assert "US numbers" in text
    box = [n for n in walk(card) if n.get("type") == "Input.Text"]
    assert [b["id"] for b in box] == [buttons.INPUT_NUMBERS] and box[0]["isMultiline"] is True
    assert button(card, "Validate") == buttons.validate_data()
    assert button(card, "Alternate numbers") == buttons.action_data(buttons.ALTERNATE_PICKER)
    markdown = cards.help_markdown("US", registry.help_entries())
    assert "US numbers" in markdown and "validate" in markdown


def test_help_lists_every_command_of_the_registry_with_its_example():
    entries = registry.help_entries()
    text = shown(cards.help_card("US", entries))
    for entry in entries:
        assert entry.title in text and entry.example in text


def test_help_with_a_note_says_why_first():
    card = cards.help_card("US", registry.help_entries(), "I found no phone numbers in that message.")
    assert texts(card)[0] == "I found no phone numbers in that message."
    assert cards.help_markdown("US", (), "I found no phone numbers in that message.").startswith(
        "**I found no phone numbers in that message.**")


# ---------------------------------------------------------------- validation


def test_validation_headline_counts_and_colours():
    card = cards.validation_card(samples.every_state())
    assert texts(card)[0] == "Number validation: ERRORS"
    assert colour_of(card, "Number validation: ERRORS") == {"attention"}
    assert "2 Available · 1 Duplicate · 1 Duplicate In List · 1 Invalid · 1 Unavailable · 3 not phone numbers" in texts(card)
    assert colour_of(card, "Available") == {"good"}
    assert colour_of(card, "Duplicate") == {"warning"}
    assert colour_of(card, "Duplicate In List") == {"warning"}
    assert colour_of(card, "Invalid") == {"attention"}
    assert colour_of(card, "Unavailable") == {"attention"}


def test_all_available_is_ok_in_green():
    result = ValidationResult(checks=(NumberCheck("+12145557861", "+12145557861", NumberState.AVAILABLE),))
    card = cards.validation_card(result)
    assert colour_of(card, "Number validation: OK") == {"good"}
    assert "1 Available" in texts(card)
    assert "Number validation: OK" in cards.validation_markdown(result)[0]


def test_duplicate_row_shows_typed_text_e164_and_the_webex_detail():
    card = cards.validation_card(samples.every_state())
    text = shown(card)
    assert "(214) 555-7862 → +12145557862" in texts(card)  # as typed: no backslash anywhere
    assert DUPLICATE_DETAIL in text  # "[Error 8363] DN is in use : +1..."
    detail = run_with(card, DUPLICATE_DETAIL)  # exactly as Webex sent it, never "\[Error 8363\]"
    assert detail["isSubtle"] is True and detail["size"] == "small"
    block = next(n for n in walk(card) if n.get("type") == "RichTextBlock" and detail in n["inlines"])
    assert block["spacing"] == "none"  # a RichTextBlock always wraps
    assert "Toll-free" in texts(card)
    md = cards.validation_markdown(samples.every_state())
    assert len(md) == 1 and DUPLICATE_DETAIL in unescape(md[0]) and "Toll-free" in md[0]


def test_rows_in_the_admins_order():
    card = cards.validation_card(samples.every_state())
    rows = [t for t in texts(card) if "→" in t]
    assert [r.split(" → ")[0] for r in rows] == [c.original for c in samples.every_state().checks]


def test_not_a_number_tokens_listed_apart_as_typed():
    result = samples.every_state()
    card = cards.validation_card(result)
    assert "Not a phone number (not sent to Webex)" in texts(card)
    tokens = run_with(card, "hello, *bold*, [link](x)")  # a TextRun: "*bold*" is not bold
    assert tokens["isSubtle"] is True
    assert not any("*bold*" in n["text"] for n in text_nodes(card) if n["type"] == "TextBlock")
    assert "\\*bold\\*" in cards.validation_markdown(result)[0]  # the markdown escapes it


def test_only_tokens_says_nothing_was_sent():
    result = ValidationResult(checks=(), not_numbers=("hello", "world"))
    card = cards.validation_card(result)
    assert texts(card)[0] == "No phone numbers to validate"
    assert "Nothing was sent to Webex" in shown(card)
    assert button(card, "Validate again") is None and button(card, "Help") is not None
    assert "hello, world" in cards.validation_markdown(result)[0]


def test_validate_again_carries_the_e164_numbers():
    result = samples.every_state()
    data = button(cards.validation_card(result), "Validate again")
    assert data == buttons.validate_data([c.e164 for c in result.checks])
    assert button(cards.validation_card(result), "Help") == buttons.action_data(buttons.HELP)


def test_500_numbers_card_shows_problems_first_and_says_more_follow():
    result = samples.big_result(500)
    card = cards.validation_card(result)
    assert card_bytes(card) <= CARD_BUDGET_BYTES
    rows = [n for n in walk(card) if n.get("type") == "ColumnSet"]
    assert 25 <= len(rows) <= 40  # RichTextBlock rows cost more bytes: still a screenful
    states = [c["items"][0]["text"] for r in rows for c in r["columns"][1:]]
    assert "Available" not in states  # 222 problems: the first 40 rows are all problems
    note = next(t for t in texts(card) if t.startswith("Showing"))
    assert note == f"Showing {len(rows)} of 500 numbers (problems first); the full list follows below."
    assert button(card, "Validate again") is None  # 500 numbers would not fit in a button


def test_problem_rows_first_then_available_in_input_order():
    checks = tuple(
        NumberCheck(f"+1214555{i:04d}", f"+1214555{i:04d}",
                    NumberState.INVALID if i in (5, 7) else NumberState.AVAILABLE)
        for i in range(10)
    )
    card = cards.validation_card(ValidationResult(checks=checks), max_rows=4)
    rows = [t.split(" → ")[0] for t in texts(card) if "→" in t]
    assert rows == ["+12145550005", "+12145550007", "+12145550000", "+12145550001"]
    assert "Showing 4 of 10 numbers (problems first); the full list follows below." in texts(card)
    md = cards.validation_markdown(ValidationResult(checks=checks), max_rows=4)
    assert len(md) > 1  # the card said the full list follows


def everything_in(messages: list[str]) -> str:
    return unescape("\n".join(messages))


def test_nothing_lost_in_the_500_number_markdown():
    result = samples.big_result(500)
    messages = cards.validation_markdown(result)
    assert len(messages) > 1
    assert all(len(m.encode()) <= MARKDOWN_BUDGET_BYTES for m in messages)
    continuation = everything_in(messages[1:])
    for check in result.checks:
        line = f"{check.original} → {check.e164}: **{check.state.value}**"
        assert line in continuation, line
        for detail in check.detail:
            assert detail in continuation
    lines = [line for line in continuation.splitlines() if "→" in line]
    assert len(lines) == 500  # each once, in the admin's order
    assert [line.split(" ")[2] for line in lines[:3]] == ["(214)", "(214)", "(214)"]
    assert sum("Toll-free" in line for line in lines) == sum(c.toll_free for c in result.checks)
    assert "foo" in continuation and "bar" in continuation
    assert "Showing" in messages[0] and "full list follows" in messages[0]


def test_nothing_lost_with_10000_junk_tokens():
    tokens = samples.junk_tokens(10_000)
    result = ValidationResult(checks=samples.every_state().checks, not_numbers=tokens)
    messages = cards.validation_markdown(result)
    assert all(len(m.encode()) <= MARKDOWN_BUDGET_BYTES for m in messages)
    found = []
    for message in messages[1:]:
        for line in message.splitlines():
            if line and not line.startswith("**") and "→" not in line:
                found += [unescape(t) for t in line.split(", ")]
    assert found == list(tokens)
    card = cards.validation_card(result)
    assert card_bytes(card) <= CARD_BUDGET_BYTES
    assert any("more, listed below" in t for t in texts(card))


def test_a_token_longer_than_a_message_is_split_not_lost():
    token = "Q" * 20_000
    messages = cards.validation_markdown(ValidationResult(checks=(), not_numbers=(token,)))
    assert all(len(m.encode()) <= MARKDOWN_BUDGET_BYTES for m in messages)
    assert "".join(messages[1:]).count("Q") == 20_000


checks_strategy = st.builds(
    NumberCheck,
    original=st.text(min_size=1, max_size=40),
    e164=st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True),
    state=st.sampled_from(list(NumberState)),
    toll_free=st.booleans(),
    detail=st.lists(st.text(max_size=300), max_size=2).map(tuple),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    checks=st.lists(checks_strategy, max_size=150).map(tuple),
    not_numbers=st.lists(st.text(min_size=1, max_size=60), max_size=200).map(tuple),
    max_rows=st.integers(1, 60),
)
def test_any_result_fits_and_loses_nothing(validator, checks, not_numbers, max_rows):
    result = ValidationResult(checks=checks, not_numbers=not_numbers)
    card = cards.validation_card(result, max_rows=max_rows)
    assert card_bytes(card) <= CARD_BUDGET_BYTES
    assert not list(validator.iter_errors(card))
    assert len(all_actions(card)) <= 5
    messages = cards.validation_markdown(result, max_rows=max_rows)
    assert all(len(m.encode()) <= MARKDOWN_BUDGET_BYTES for m in messages)
    text = everything_in(messages if len(messages) == 1 else messages[1:])
    typed = {" ".join(f"{clip(c.original, ORIGINAL_CHARS)} → {c.e164}".split()) for c in checks}
    for row in (n for n in walk(card) if n.get("type") == "ColumnSet"):
        assert row["columns"][0]["items"][0]["inlines"][0]["text"] in typed  # as typed, unescaped
    for check in checks:
        assert escape(check.original) in "\n".join(messages)
        assert check.e164 in text
    if any("full list follows below" in t for t in texts(card)):
        assert len(messages) > 1


# ---------------------------------------------------------------- alternate numbers


def test_page_rows_states_and_flags():
    page = samples.pages()["numbers_first"]
    card = cards.numbers_page_card(page)
    text = shown(card)
    assert texts(card)[0] == "Alternate numbers · Dallas HQ"
    assert "Numbers 1–16 · more available" in text
    for number in page.numbers:
        assert number.phone_number in text
    assert colour_of(card, "ACTIVE") == {"good"}
    assert colour_of(card, "INACTIVE") == {"warning"}
    flags = [t for t in texts(card) if "PSTN" in t]
    assert "Main number (location CLID) · PSTN" in flags
    assert "Toll-free · Service number · PSTN" in flags
    assert "PSTN_NUMBER" not in text


def test_first_page_next_carries_the_next_offset_and_back():
    page = samples.pages()["numbers_first"]
    card = cards.numbers_page_card(page)
    assert button(card, "Previous") is None
    nxt = button(card, "Next")
    assert nxt[buttons.KEY_START] == 16 and nxt[buttons.KEY_BACK] == [0]
    assert nxt[buttons.INPUT_LOCATION] == DALLAS.id
    assert button(card, "Validate these")[buttons.INPUT_NUMBERS] == ", ".join(n.phone_number for n in page.numbers)
    assert button(card, "Other location") == buttons.action_data(buttons.ALTERNATE_PICKER)
    assert button(card, "Apply filters") == buttons.alternate_data(DALLAS.id, 0, NumberFilters())


def test_middle_page_has_previous_and_next():
    page = samples.pages()["numbers_middle"]
    card = cards.numbers_page_card(page)
    assert button(card, "Previous") == buttons.alternate_data(DALLAS.id, 0, NumberFilters(), ())
    nxt = button(card, "Next")
    assert nxt[buttons.KEY_START] == 20 and nxt[buttons.KEY_BACK] == [0, 10]
    assert "Numbers 11–20 · more available" in shown(card)
    assert len(all_actions(card)) == 5


def test_last_page_has_no_next():
    page = samples.pages()["numbers_last"]
    card = cards.numbers_page_card(page)
    assert button(card, "Next") is None
    prev = button(card, "Previous")
    assert prev[buttons.KEY_START] == 10 and prev[buttons.KEY_BACK] == [0]
    assert "Numbers 21–24 · last page" in shown(card)


def test_filtered_page_toggles_and_filter_words():
    page = samples.pages()["numbers_filtered"]
    card = cards.numbers_page_card(page)
    toggles = {n["id"]: n["value"] for n in walk(card) if n.get("type") == "Input.Toggle"}
    assert toggles == {buttons.INPUT_ONLY_ACTIVE: "true", buttons.INPUT_ONLY_TOLL_FREE: "true", buttons.INPUT_ONLY_SERVICE: "true"}
    summary = shown(card)
    assert "only active, only toll-free, only service numbers; numbers +12056350001, +12056350002" in summary
    assert "Numbers 51–75" in summary  # third page of 25 matching rows
    assert texts(card)[0] == "Alternate numbers · Richardson *lab* [x](y)"
    title = run_with(card, "Alternate numbers · Richardson *lab* [x](y)")
    assert title["size"] == "large" and title["weight"] == "bolder"
    nxt = button(card, "Next")
    assert nxt[buttons.KEY_START] == 88 and nxt[buttons.KEY_BACK] == [0, 12, 37]
    assert nxt[buttons.KEY_PHONE_NUMBERS] == "+12056350001,+12056350002"
    assert nxt[buttons.KEY_SHOWN] == "onlyActive,onlyTollFree,onlyService"
    prev = button(card, "Previous")
    assert prev[buttons.KEY_START] == 12 and prev[buttons.KEY_BACK] == [0]
    assert button(card, "Apply filters") == buttons.alternate_data(page.location.id, 0, page.filters)


def test_unfiltered_toggles_are_off():
    card = cards.numbers_page_card(samples.pages()["numbers_first"])
    assert {n["value"] for n in walk(card) if n.get("type") == "Input.Toggle"} == {"false"}


def test_page_without_numbers_has_no_validate_button():
    page = AvailableNumbersPage(DALLAS, (), start=0, page_size=10)
    card = cards.numbers_page_card(page)
    assert button(card, "Validate these") is None


def test_empty_filtered_page_with_more_to_read_offers_next():
    page = AvailableNumbersPage(DALLAS, (), start=0, page_size=10, next_start=5000,
                                filters=NumberFilters(only_toll_free=True))
    card = cards.numbers_page_card(page)
    assert "No match among the numbers read so far · more available · filters: only toll-free" in texts(card)
    assert "Press Next to read on" in shown(card)
    assert button(card, "Next")[buttons.KEY_START] == 5000


def test_notes_about_the_request_are_on_the_card_and_in_the_markdown():
    note = "Not phone numbers, left out of the filter: 12345 *x*"
    page = samples.pages()["numbers_first"]
    assert run_with(cards.numbers_page_card(page, (note,)), note)["color"] == "warning"
    assert escape(note) in cards.numbers_page_markdown(page, (note,))
    assert run_with(cards.empty_numbers_card(DALLAS, NumberFilters(), (note,)), note)["color"] == "warning"
    assert escape(note) in cards.empty_numbers_markdown(DALLAS, NumberFilters(), (note,))


def test_page_markdown_lists_every_number():
    page = samples.pages()["numbers_filtered"]
    md = cards.numbers_page_markdown(page)
    for number in page.numbers:
        assert number.phone_number in md
    assert "Mobile" in cards.numbers_page_markdown(samples.pages()["numbers_mobile"])


def test_empty_result_says_which_filters_and_offers_to_clear_them():
    filters = NumberFilters(only_active=True, only_toll_free=True)
    card = cards.empty_numbers_card(DALLAS, filters)
    assert "No alternate available numbers at Dallas HQ" in texts(card)
    assert "only active, only toll-free" in shown(card)
    assert button(card, "Clear filters") == buttons.alternate_data(DALLAS.id, 0, NumberFilters())
    assert button(card, "Other location") == buttons.action_data(buttons.ALTERNATE_PICKER)
    plain = cards.empty_numbers_card(DALLAS, NumberFilters())
    assert button(plain, "Clear filters") is None
    assert "only active" in cards.empty_numbers_markdown(DALLAS, filters)


# ---------------------------------------------------------------- location picker


def choice_set(card: dict) -> dict:
    return next(n for n in walk(card) if n.get("type") == "Input.ChoiceSet")


def test_picker_lists_every_location():
    locations = [DALLAS, samples.location(2, "Richardson"), samples.location(3, "London *Soho*")]
    card = cards.location_picker_card(locations)
    choices = choice_set(card)
    assert choices["id"] == buttons.INPUT_LOCATION and choices["style"] == "compact"
    assert choices["isRequired"] is True and choices["errorMessage"] and choices["label"] == "Location"
    assert [(c["title"], c["value"]) for c in choices["choices"]] == [(l.name, l.id) for l in locations]
    assert button(card, "Show numbers") == buttons.alternate_data(None, 0, NumberFilters())
    assert button(card, "Search") is None
    ids = {n["id"] for n in walk(card) if str(n.get("type", "")).startswith("Input.")}
    assert buttons.INPUT_FILTER_NUMBERS in ids and buttons.INPUT_NUMBERS not in ids
    md = cards.location_picker_markdown(locations)
    assert "Dallas HQ" in md and "London \\*Soho\\*" in md


def test_picker_shows_the_message_as_it_is():
    card = cards.location_picker_card([DALLAS], message="No location called “*x*”.")
    assert run_with(card, "No location called “*x*”.")
    assert "No location called “\\*x\\*”." in cards.location_picker_markdown([DALLAS], message="No location called “*x*”.")


def test_picker_with_many_locations_offers_a_search():
    many = samples.many_locations(250)
    card = cards.location_picker_card(many, query="site")
    choices = choice_set(card)["choices"]
    assert 0 < len(choices) <= 100
    assert [c["value"] for c in choices] == [l.id for l in many[: len(choices)]]
    assert f"There are 250 locations; the list shows the first {len(choices)}." in shown(card)
    query = next(n for n in walk(card) if n.get("id") == buttons.INPUT_LOCATION_QUERY)
    assert query["placeholder"] == "Type part of a location name" and query["value"] == "site"
    assert button(card, "Search") == buttons.action_data(buttons.ALTERNATE_SEARCH)
    assert "isRequired" not in choice_set(card)  # else Search could not be pressed
    assert card_bytes(card) <= CARD_BUDGET_BYTES


def test_picker_of_only_some_of_the_orgs_locations_does_not_count_them():
    some = samples.many_locations(20)
    card = cards.location_picker_card(some, more=True)
    assert "There are more than 20 locations; the list shows the first 20." in shown(card)
    assert button(card, "Search") is not None
    md = cards.location_picker_markdown(some, more=True)
    assert "these locations (there are more than 20)" in md and md.endswith("… and more; write part of a name to narrow the list.")


def test_picker_max_choices():
    locations = samples.many_locations(12)
    card = cards.location_picker_card(locations, max_choices=5)
    assert len(choice_set(card)["choices"]) == 5
    assert button(card, "Search") is not None
    assert len(choice_set(cards.location_picker_card(locations, max_choices=12))["choices"]) == 12


# ---------------------------------------------------------------- errors, access, notices


def test_error_with_tracking_id():
    err = WebexErrorInfo(404, "Location not found", TRACKING_ID)
    card = cards.error_card("Webex said no", "Could not list the numbers.", err)
    assert colour_of(card, "Webex said no") == {"attention"}
    text = "".join(texts(card))
    assert "Webex answered 404: Location not found" in text
    assert f"Tracking ID: {TRACKING_ID}" in text  # a TextRun: exactly as Webex sent it
    assert button(card, "Help") == buttons.action_data(buttons.HELP)
    md = cards.error_markdown("Webex said no", "Could not list the numbers.", err)
    assert TRACKING_ID in md and "404" in md


def test_error_without_tracking_id_and_without_error():
    card = cards.error_card("Webex did not answer", "Try again.", WebexErrorInfo(None, "timeout"))
    assert "Tracking ID" not in json.dumps(card)
    assert "Webex answered no status: timeout" in texts(card)
    bare = cards.error_card("Unknown button", "That button is from a card this bot does not know.")
    assert texts(bare) == ["Unknown button", "That button is from a card this bot does not know."]


def test_error_message_from_webex_cannot_inject_markdown():
    err = WebexErrorInfo(400, "bad [click](http://evil) **now** <@all>", "ROUTER_X")
    card = cards.error_card("Failed", "x", err)
    said = run_with(card, "Webex answered 400: bad [click](http://evil) **now** <@all>")  # a TextRun: inert
    assert said["isSubtle"] is True
    assert "\\[click\\]" in cards.error_markdown("Failed", "x", err)


def test_access_denied_is_polite_and_says_who_to_ask():
    card = cards.access_denied_card("alice@example.com is not on the allowed list.")
    text = shown(card)
    assert "alice@example.com is not on the allowed list." in text
    assert "Ask the person who runs this bot to add you" in text
    assert all_actions(card) == []
    assert "Ask the person who runs this bot" in cards.access_denied_markdown("x")


def test_webex_busy_says_when_to_try_again():
    reply = cards.busy_reply(150, WebexErrorInfo(429, "Too Many Requests", "ROUTER_1"))
    assert "Webex is busy" in texts(reply.card)
    assert "again in about 3 minutes" in shown(reply.card) and "again in about 3 minutes" in reply.markdown
    assert "ROUTER_1" in shown(reply.card)
