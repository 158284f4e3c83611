"""What an admin sees on each card, and what its buttons send back."""
from __future__ import annotations

import csv
import io
import json

import samples
from cardkit import all_actions, walk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from samples import DALLAS, DUPLICATE_DETAIL, TRACKING_ID
from test_card_rules import text_nodes

import cards
from bot.conversation import registry
from bot.core import buttons
from bot.core.models import (
    ForeignNumber,
    NumberCheck,
    NumberFilters,
    NumberState,
    NumberUse,
    ValidationResult,
    WebexErrorInfo,
)
from cards.limits import CARD_BUDGET_BYTES, MARKDOWN_BUDGET_BYTES
from cards.results_file import safe_cell
from cards.text import card_bytes, escape


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


def rows_of(card: dict) -> list[str]:
    """The left cell of each row: the number as the admin wrote it (and what was sent)."""
    return [block_text(r["columns"][0]["items"][0]) for r in walk(card) if r.get("type") == "ColumnSet"]


def block_text(element: dict) -> str:
    return "".join(i["text"] for i in element["inlines"]) if element["type"] == "RichTextBlock" else element["text"]


def csv_rows(reply) -> list[dict]:
    return list(csv.DictReader(io.StringIO(reply.file.content.decode("utf-8-sig"))))


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
    assert cards.validation_markdown(result).startswith("**Number validation: OK**")


def test_ok_only_when_every_piece_was_checked():
    available = (NumberCheck("+12145557861", "+12145557861", NumberState.AVAILABLE, row=1),)
    for result, said in (
            (ValidationResult(checks=available, not_numbers=("12x",)), "Number validation: 1 piece not checked"),
            (ValidationResult(checks=available, foreign=(ForeignNumber("020 7183 8750", "GB", "+442071838750"),)),
             "Number validation: 1 piece not checked")):
        card = cards.validation_card(result)
        assert texts(card)[0] == said and colour_of(card, said) == {"warning"}
        assert cards.validation_markdown(result).startswith(f"**{said}**")


def test_another_countrys_number_is_one_piece_with_what_to_write():
    result = ValidationResult(checks=(), foreign=(ForeignNumber("020 7183 8750", "GB", "+442071838750"),))
    card = cards.validation_card(result)
    assert "Not checked: another country's national number" in texts(card)
    said = shown(card)
    assert "write it as +44 20 7183 8750, or name the country: validate GB 020 7183 8750" in said
    assert "1 not checked (another country's number)" in said
    assert "+44 20 7183 8750" in cards.validation_markdown(result)


def test_no_x_to_x_when_the_input_already_was_e164():
    result = samples.every_state()
    rows = rows_of(cards.validation_card(result))
    assert rows[0] == "+12145557861"  # typed in E.164: shown once
    assert rows[1] == "(214) 555-7862 → +12145557862"
    assert rows[3] == "+1 800 555 0100"  # spaces only: the same number
    assert "+12145557861 → +12145557861" not in cards.validation_markdown(result)


def test_rows_in_the_admins_order_with_what_each_state_means():
    card = cards.validation_card(samples.every_state())
    assert [r.split(" → ")[0] for r in rows_of(card)] == [c.original for c in samples.every_state().checks]
    said = texts(card)
    assert any(t.startswith("Already in your organisation") for t in said)
    assert "Same number as row 2 of your list: that row has its result." in said
    assert any(t.startswith("Not a valid phone number for Webex Calling") for t in said)
    assert any(t.startswith("Webex cannot use this number") for t in said)


def test_webex_detail_stays_available_without_repeating_the_number():
    card = cards.validation_card(samples.every_state())
    detail = run_with(card, "Webex: [Error 8363] DN is in use")  # exactly as Webex wrote it, less the number
    assert detail["isSubtle"] is True and detail["size"] == "small"
    assert not any(DUPLICATE_DETAIL in t for t in texts(card))
    assert "Toll-free" in texts(card)
    md = cards.validation_markdown(samples.every_state())
    assert "Webex: \\[Error 8363\\] DN is in use" in md and "Toll-free" in md


def test_who_uses_an_in_use_number_is_named_on_its_row():
    check = NumberCheck("+12143029001", "+12143029001", NumberState.DUPLICATE, detail=(DUPLICATE_DETAIL,), row=1,
                        use=NumberUse("Dallas HQ", "PEOPLE", "Dana Diaz", "9001"))
    workspace = NumberCheck("+14693029001", "+14693029001", NumberState.DUPLICATE, row=2,
                            use=NumberUse("Dallas Warehouse", "PLACE", "Lobby Phone"))
    result = ValidationResult(checks=(check, workspace), unlooked=("+19723020012",))
    card = cards.validation_card(result)
    said = texts(card)
    assert "Used by Dana Diaz (user) at Dallas HQ, extension 9001." in said
    assert "Used by Lobby Phone (workspace) at Dallas Warehouse." in said
    assert button(card, "Who uses the other 1?") == buttons.owners_data(["+19723020012"])
    assert "Used by Dana Diaz (user) at Dallas HQ, extension 9001." in cards.validation_markdown(result)


def test_an_extension_and_letters_are_said_not_dropped():
    ext = NumberCheck("+1 214 555 7862 x123", "+12145557862", NumberState.AVAILABLE, row=1, extension="123")
    vanity = NumberCheck("1-800-FLOWERS", "+18003569377", NumberState.AVAILABLE, row=2, vanity=True)
    said = texts(cards.validation_card(ValidationResult(checks=(ext, vanity))))
    assert "Extension 123 ignored: Webex validates the number itself." in said
    assert "Letters converted: 1-800-FLOWERS is +18003569377." in said
    assert "1-800-FLOWERS → +18003569377" in rows_of(cards.validation_card(ValidationResult(checks=(vanity,))))


def test_not_a_number_tokens_listed_apart_as_typed():
    result = samples.every_state()
    card = cards.validation_card(result)
    assert "Not a phone number (not sent to Webex)" in texts(card)
    tokens = run_with(card, "hello, *bold*, [link](x)")  # a TextRun: "*bold*" is not bold
    assert tokens["isSubtle"] is True
    assert not any("*bold*" in n["text"] for n in text_nodes(card) if n["type"] == "TextBlock")
    assert "\\*bold\\*" in cards.validation_markdown(result)  # the markdown escapes it


def test_only_tokens_says_nothing_was_sent():
    result = ValidationResult(checks=(), not_numbers=("hello", "world"))
    card = cards.validation_card(result)
    assert texts(card)[0] == "No phone numbers to validate"
    assert "Nothing was sent to Webex" in shown(card)
    assert button(card, "Validate again") is None and button(card, "Help") is not None
    assert "hello, world" in cards.validation_markdown(result)


def test_validate_again_carries_the_e164_numbers():
    result = samples.every_state()
    data = button(cards.validation_card(result), "Validate again")
    assert data == buttons.validate_data([c.e164 for c in result.checks])
    assert button(cards.validation_card(result), "Help") == buttons.action_data(buttons.HELP)


def test_a_small_answer_has_no_file():
    assert cards.validation_reply(samples.every_state()).file is None


def test_500_numbers_one_card_problems_first_available_summarised_and_the_file():
    result = samples.big_result(500)
    reply = cards.validation_reply(result)
    card = reply.card
    assert card_bytes(card) <= CARD_BUDGET_BYTES
    states = [c["items"][0]["text"] for r in walk(card) if r.get("type") == "ColumnSet" for c in r["columns"][1:]]
    assert states and "Available" not in states  # problem rows only
    problems = sum(c.state is not NumberState.AVAILABLE for c in result.checks)
    assert f"Showing {len(states)} of {problems} problem rows; every number is in the attached file validation.csv." in texts(card)
    summary = next(t for t in texts(card) if "numbers are Available" in t)
    assert summary.startswith("278 numbers are Available: +12145550000, ") and "and 273 more" in summary
    assert button(card, "Validate again") is None  # 500 numbers would not fit in a button
    per_state = [f"{sum(c.state is s for c in result.checks)} {s.value}" for s in NumberState]
    counts = " · ".join(per_state) + " · 2 not phone numbers"
    assert counts in texts(card) and counts in reply.markdown  # card and fallback say the same
    assert len(reply.markdown.encode()) <= MARKDOWN_BUDGET_BYTES
    assert reply.markdown.endswith("Every number is in the attached file validation.csv.")
    rows = csv_rows(reply)
    assert [r["input"] for r in rows[:500]] == [c.original for c in result.checks]  # each once, in order
    assert [r["e164"] for r in rows[:500]] == [c.e164 for c in result.checks]
    assert [r["state"] for r in rows[500:]] == ["not a phone number"] * 2


def test_nothing_lost_with_10000_junk_tokens():
    tokens = samples.junk_tokens(10_000)
    result = ValidationResult(checks=samples.every_state().checks, not_numbers=tokens)
    reply = cards.validation_reply(result)
    assert card_bytes(reply.card) <= CARD_BUDGET_BYTES
    assert len(reply.markdown.encode()) <= MARKDOWN_BUDGET_BYTES
    assert any("more, in the attached file" in t for t in texts(reply.card))
    assert [r["input"] for r in csv_rows(reply) if r["state"] == "not a phone number"] == list(tokens)


def test_a_token_longer_than_a_message_is_kept_whole_in_the_file():
    token = "Q" * 20_000
    reply = cards.validation_reply(ValidationResult(checks=(), not_numbers=(token,)))
    assert len(reply.markdown.encode()) <= MARKDOWN_BUDGET_BYTES
    assert csv_rows(reply)[0]["input"] == token


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
)
def test_any_result_fits_and_loses_nothing(validator, checks, not_numbers):
    result = ValidationResult(checks=checks, not_numbers=not_numbers)
    reply = cards.validation_reply(result)
    card = reply.card
    assert card_bytes(card) <= CARD_BUDGET_BYTES
    assert not list(validator.iter_errors(card))
    assert all(len(row) <= 5 for row in [card.get("actions") or []])
    assert len(reply.markdown.encode()) <= MARKDOWN_BUDGET_BYTES
    if reply.file is None:  # everything is on the card and in the fallback
        assert len(rows_of(card)) == len(checks)
    else:  # else the file has every piece, in order (a piece that starts like a formula, "-x" say,
        # with the quote that keeps a spreadsheet from running it: see the test after this one)
        pieces = [c.original for c in checks] + list(not_numbers)
        assert [r["input"] for r in csv_rows(reply)] == [safe_cell(piece) for piece in pieces]


def test_csv_cells_that_would_run_as_formulas_are_neutralised_and_numbers_stay_readable():
    assert safe_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell("-2+3") == "'-2+3" and safe_cell("+1+1") == "'+1+1"
    assert safe_cell("\t=1") == "'\t=1"
    assert safe_cell("+12145557861") == "+12145557861"  # a phone number runs nothing: as it is
    assert safe_cell("(214) 555-7862") == "(214) 555-7862"


# ---------------------------------------------------------------- alternate numbers


def test_page_rows_states_and_flags_as_control_hub_words_them():
    page = samples.pages()["numbers_first"]
    card = cards.numbers_page_card(page)
    text = shown(card)
    assert texts(card)[0] == "Alternate numbers · Dallas HQ"
    assert "Numbers 1–16 of 40 · page 1 of 3" in text
    for number in page.numbers:
        assert number.phone_number in text
    assert colour_of(card, "Active") == {"good"}
    assert colour_of(card, "Inactive") == {"warning"}
    assert "ACTIVE" not in texts(card) and "INACTIVE" not in texts(card)
    assert "Main number (Location CLID)" in texts(card)
    assert "Toll-free · Service number" in texts(card)
    assert "PSTN" not in text  # every number's type: said only when it is another one
    assert "Mobile" in shown(cards.numbers_page_card(samples.pages()["numbers_mobile"]))


def test_first_page_offers_next_and_last_with_page_numbers():
    page = samples.pages()["numbers_first"]
    card = cards.numbers_page_card(page)
    assert button(card, "Previous") is None and button(card, "First") is None
    assert button(card, "Next") == buttons.alternate_data(DALLAS.id, 2, NumberFilters())
    assert button(card, "Last") == buttons.alternate_data(DALLAS.id, 3, NumberFilters())
    assert button(card, "Other location") == buttons.action_data(buttons.ALTERNATE_PICKER)
    assert button(card, "Apply filters") == buttons.alternate_data(DALLAS.id, 1, NumberFilters(), apply=True)
    assert button(card, "Validate these") is None  # every listed number is in the org: validating says so


def test_middle_page_has_every_move():
    page = samples.pages()["numbers_middle"]
    card = cards.numbers_page_card(page)
    assert [button(card, t)[buttons.KEY_PAGE] for t in ("First", "Previous", "Next", "Last")] == [1, 1, 3, 3]
    assert "Numbers 11–20 of 24 · page 2 of 3" in shown(card)


def test_last_page_has_no_next():
    card = cards.numbers_page_card(samples.pages()["numbers_last"])
    assert button(card, "Next") is None and button(card, "Last") is None
    assert button(card, "Previous")[buttons.KEY_PAGE] == 2
    assert "Numbers 21–24 of 24 · page 3 of 3" in shown(card)


def test_filtered_page_toggles_filter_box_and_filter_words():
    page = samples.pages()["numbers_filtered"]
    card = cards.numbers_page_card(page)
    toggles = {n["id"]: n["value"] for n in walk(card) if n.get("type") == "Input.Toggle"}
    assert toggles == {buttons.INPUT_ONLY_ACTIVE: "true", buttons.INPUT_ONLY_TOLL_FREE: "true", buttons.INPUT_ONLY_SERVICE: "true"}
    box = next(n for n in walk(card) if n.get("id") == buttons.INPUT_FILTER_NUMBERS)
    assert box["value"] == "+12056350001, +12056350002"
    summary = shown(card)
    assert "only active, only toll-free, only service numbers; numbers +12056350001, +12056350002" in summary
    assert "Numbers 51–75 of 120 · page 3 of 5" in summary
    assert texts(card)[0] == "Alternate numbers · Richardson *lab* [x](y)"
    title = run_with(card, "Alternate numbers · Richardson *lab* [x](y)")
    assert title["size"] == "large" and title["weight"] == "bolder"
    nxt = button(card, "Next")
    assert nxt[buttons.KEY_PAGE] == 4 and nxt[buttons.KEY_SHOWN] == buttons.shown_filters(page.filters)
    assert nxt[buttons.KEY_SHOWN].startswith("onlyActive,onlyTollFree,onlyService#")
    assert buttons.KEY_PHONE_NUMBERS not in nxt  # the numbers travel once, in the box


def test_a_hundred_filter_numbers_travel_once_and_the_card_stays_small():
    card = cards.numbers_page_card(samples.pages()["numbers_hundred_filter_numbers"])
    assert json.dumps(card).count("+12056350099") == 1  # in the box only, not in every button
    assert card_bytes(card) <= CARD_BUDGET_BYTES


def test_unfiltered_toggles_are_off():
    card = cards.numbers_page_card(samples.pages()["numbers_first"])
    assert {n["value"] for n in walk(card) if n.get("type") == "Input.Toggle"} == {"false"}


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
    assert button(card, "Clear filters") == buttons.alternate_data(DALLAS.id, 1)
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
    assert button(card, "Show numbers") == buttons.alternate_data(None, 1)
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
    assert "Ask a full administrator of your organisation, or whoever runs this bot, to give you access." in text
    assert all_actions(card) == []
    assert "Ask a full administrator" in cards.access_denied_markdown("x")
    named = cards.access_denied_reply("x", contact="the Voice team (voice@example.com)")
    assert "To get access, ask the Voice team (voice@example.com)." in shown(named.card)
    assert "To get access, ask the Voice team \\(voice@example.com\\)" in named.markdown or \
        "the Voice team (voice@example.com)" in named.markdown


def test_an_answer_to_a_press_in_a_group_says_who_pressed():
    reply = cards.asked_by(cards.error_reply("No locations", "None."), "Bob User")
    assert texts(reply.card)[0] == "Asked by Bob User"
    assert reply.markdown.startswith("_Asked by Bob User_")


def test_webex_busy_says_when_to_try_again():
    reply = cards.busy_reply(150, WebexErrorInfo(429, "Too Many Requests", "ROUTER_1"))
    assert "Webex is busy" in texts(reply.card)
    assert "again in about 3 minutes" in shown(reply.card) and "again in about 3 minutes" in reply.markdown
    assert "ROUTER_1" in shown(reply.card)
