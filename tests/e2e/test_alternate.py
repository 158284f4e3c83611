"""Auto attendant alternate available numbers, as an admin lives it (issue 3).

The admin asks for a location's numbers, picks a location, pages through them, filters them,
and acts on a page. Every answer comes from the real bot over HTTP, against the sandbox.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import product
from typing import Optional

import pytest
from botkit import BotReply, Chat, RunningBot, block_text

from bot.core import buttons
from bot.core.models import NumberFilters
from cards.limits import CARD_BUDGET_BYTES, MARKDOWN_BUDGET_BYTES, MAX_ACTIONS
from cards.text import card_bytes
from sandbox import Sandbox, SandboxServer, seed
from sandbox.api.telephony import ROWS_PER_RESPONSE
from sandbox.models import AvailableNumber

PAGE = 10  # the bot's default page size


@pytest.fixture
def bot(make_bot: Callable[..., RunningBot]) -> RunningBot:
    """These tests press the same button of an old card again on purpose, at once: no double-click
    window (NUMBOT_PRESS_WINDOW_SECONDS=0); test_admin_experience.py tests the window."""
    return make_bot(press_window_seconds=0)
AVAILABLE = "/autoAttendants/alternate/availableNumbers"


@dataclass(frozen=True)
class Row:
    """One number as the card shows it."""

    number: str
    flags: str
    state: str


def rows(reply: BotReply) -> list[Row]:
    """The numbers on an alternate-numbers card, top to bottom."""
    found = []
    for element in reply.card["body"]:
        if element.get("type") != "ColumnSet":
            continue
        left, right = element["columns"]
        flags = block_text(left["items"][1]) if len(left["items"]) > 1 else ""
        found.append(Row(block_text(left["items"][0]), flags, block_text(right["items"][0])))
    return found


def numbers(reply: BotReply) -> list[str]:
    return [row.number for row in rows(reply)]


def summary(reply: BotReply) -> str:
    """The line under the title: "Numbers 1–10 · more available"."""
    return block_text(reply.block_after(reply.title()))


def numbers_of(state: Sandbox, name: str, keep: Callable[[AvailableNumber], bool] = lambda n: True) -> list[str]:
    """What the sandbox holds for a location, in the API's order."""
    return [n.phone_number for n in state.location_named(name).numbers if keep(n)]


def checked_card(reply: BotReply) -> BotReply:
    """Every card the bot sends stays within our limits: five buttons a row, the byte budget (and
    the place its buttons carry, ``buttons.placed``)."""
    rows_of_buttons = [reply.card.get("actions") or []] + [n["actions"] for n in reply.nodes()
                                                           if n.get("type") == "ActionSet"]
    assert all(len(row) <= MAX_ACTIONS for row in rows_of_buttons), reply.button_titles()
    assert card_bytes(reply.card) <= CARD_BUDGET_BYTES + buttons.PLACE_BUDGET_BYTES
    return reply


def walk(chat: Chat, first: BotReply, button: str) -> list[BotReply]:
    """Press ``button`` from card to card until it is gone; every card, ``first`` included."""
    cards_seen = [checked_card(first)]
    while button in cards_seen[-1].button_titles():
        cards_seen.append(checked_card(chat.press(cards_seen[-1], button)))
        assert len(cards_seen) < 400, "paging does not end"
    return cards_seen


def alternate_requests(state: Sandbox) -> list[dict]:
    """The query of every alternate-available-numbers request the bot made, oldest first."""
    return [call.query for call in state.calls(path_contains=AVAILABLE)]


def query_value(query: dict, name: str) -> Optional[str]:
    value = query.get(name)
    if isinstance(value, list):
        assert len(value) == 1, value
        return value[0]
    return value


# -- without a location: the picker -------------------------------------------------------------

# The picker offers the locations with Webex Calling (Paris Office has none), by name.
CALLING_NAMES = sorted(name for name in seed.LOCATION_NAMES if name != seed.PARIS)


@pytest.mark.parametrize("words", ["alternate numbers", "available", "aa numbers", "Alternate Numbers"])
def test_asking_without_a_location_offers_a_picker_of_the_orgs_locations(chat: Chat, state: Sandbox,
                                                                        words: str) -> None:
    picker = checked_card(chat.say(words))
    assert "which location" in picker.text
    assert [c["title"] for c in picker.choices(buttons.INPUT_LOCATION)] == CALLING_NAMES
    assert [c["value"] for c in picker.choices(buttons.INPUT_LOCATION)] == [
        seed.location_id(name) for name in CALLING_NAMES]
    assert picker.inputs()[buttons.INPUT_LOCATION]["type"] == "Input.ChoiceSet"
    assert picker.button_titles() == ["Show numbers"]
    # Filled from the calling locations (GET /telephony/config/locations) with the service app's
    # token, for the configured org.
    listing = state.calls(path_contains="/locations", method="GET")[-1]
    assert listing.path.endswith("/telephony/config/locations") and listing.identity == "service"
    assert query_value(listing.query, "orgId") == seed.ORG_ID


def test_admin_picks_a_location_then_pages_to_the_end_and_back(chat: Chat, state: Sandbox) -> None:
    expected = numbers_of(state, seed.DALLAS_HQ)
    assert len(expected) == 120
    picker = chat.say("alternate numbers")
    first = chat.press(picker, "Show numbers", locationId=seed.location_id(seed.DALLAS_HQ))
    assert "Alternate numbers · Dallas HQ" in first.text
    assert summary(first) == "Numbers 1–10 of 120 · page 1 of 12"
    assert "Previous" not in first.button_titles() and "First" not in first.button_titles()

    forward = walk(chat, first, "Next")
    assert len(forward) == 12
    for index, page in enumerate(forward):
        assert numbers(page) == expected[index * PAGE:(index + 1) * PAGE]
        assert summary(page) == f"Numbers {index * PAGE + 1}–{(index + 1) * PAGE} of 120 · page {index + 1} of 12"
    for page in forward[1:-1]:
        assert {"First", "Previous", "Next", "Last"} <= set(page.button_titles())
    last = forward[-1]
    assert "Next" not in last.button_titles() and "Last" not in last.button_titles()

    backward = walk(chat, last, "Previous")
    assert [numbers(page) for page in backward] == [numbers(page) for page in reversed(forward)]
    assert summary(chat.press(forward[5], "Last")) == "Numbers 111–120 of 120 · page 12 of 12"
    assert summary(chat.press(forward[5], "First")) == "Numbers 1–10 of 120 · page 1 of 12"
    # Every press came back as an attachmentActions webhook that the bot read with its own token.
    reads = state.calls(path_contains="/attachment/actions/", method="GET")
    assert len(reads) == 1 + 11 + 11 + 2 and {r.identity for r in reads} == {"bot"}


def test_each_row_shows_the_state_and_flags_as_control_hub_words_them(chat: Chat, state: Sandbox) -> None:
    by_number = {n.phone_number: n for n in state.location_named(seed.DALLAS_HQ).numbers}
    first = chat.say("alternate numbers Dallas HQ")
    assert rows(first)[:2] == [
        Row("+12143020001", "Main number (Location CLID)", "Active"),
        Row("+12143020002", "Main number (Location CLID) · Service number", "Active"),
    ]
    seen = [row for page in walk(chat, first, "Next") for row in rows(page)]
    assert len(seen) == len(by_number)
    for row in seen:
        number = by_number[row.number]
        assert row.state == {"ACTIVE": "Active", "INACTIVE": "Inactive"}[number.state]
        assert ("Main number (Location CLID)" in row.flags) == number.is_main_number
        assert ("Toll-free" in row.flags) == number.toll_free_number
        assert ("Service number" in row.flags) == number.is_service_number
        assert "PSTN" not in row.flags  # every number here is PSTN: said of none
    assert any("Toll-free" in row.flags and "Service number" in row.flags and row.state == "Inactive"
               for row in seen)


# -- the toggles -----------------------------------------------------------------------------------

TOGGLES = {
    buttons.INPUT_ONLY_ACTIVE: lambda n: n.state == "ACTIVE",
    buttons.INPUT_ONLY_TOLL_FREE: lambda n: n.toll_free_number,
    buttons.INPUT_ONLY_SERVICE: lambda n: n.is_service_number,
}
COMBINATIONS = [tuple(name for name, on in zip(TOGGLES, flags) if on)
                for flags in product((False, True), repeat=3) if any(flags)]


def toggles_on(names: tuple[str, ...]) -> dict[str, str]:
    """The toggle inputs as the Webex client sends them when the admin ticked ``names``."""
    return {name: "true" if name in names else "false" for name in TOGGLES}


def row_matches(row: Row, names: tuple[str, ...]) -> bool:
    checks = {
        buttons.INPUT_ONLY_ACTIVE: row.state == "Active",
        buttons.INPUT_ONLY_TOLL_FREE: "Toll-free" in row.flags,
        buttons.INPUT_ONLY_SERVICE: "Service number" in row.flags,
    }
    return all(checks[name] for name in names)


@pytest.mark.parametrize("names", COMBINATIONS, ids=["+".join(c) for c in COMBINATIONS])
def test_toggles_show_only_matching_numbers_and_page_both_ways(chat: Chat, state: Sandbox,
                                                              names: tuple[str, ...]) -> None:
    expected = numbers_of(state, seed.DALLAS_HQ, lambda n: all(TOGGLES[name](n) for name in names))
    assert expected, "the seed has a number for every combination"
    unfiltered = chat.say("alternate numbers Dallas HQ")
    first = chat.press(unfiltered, "Apply filters", **toggles_on(names))
    for name in TOGGLES:
        assert first.inputs()[name]["value"] == ("true" if name in names else "false")

    forward = walk(chat, first, "Next")
    for page in forward:
        assert all(row_matches(row, names) for row in rows(page)), rows(page)
        assert "filters: " in summary(page)
    assert [n for page in forward for n in numbers(page)] == expected
    assert all(len(numbers(page)) == PAGE for page in forward[:-1])
    pages = -(-len(expected) // PAGE)
    assert len(forward) == pages
    assert summary(forward[0]).startswith(f"Numbers 1–{min(PAGE, len(expected))} of {len(expected)} · page 1 of {pages}")
    assert summary(forward[-1]).startswith(
        f"Numbers {(pages - 1) * PAGE + 1}–{len(expected)} of {len(expected)} · page {pages} of {pages}")

    backward = walk(chat, forward[-1], "Previous")
    assert [numbers(page) for page in backward] == [numbers(page) for page in reversed(forward)]
    assert [summary(page) for page in backward] == [summary(page) for page in reversed(forward)]


def test_ticking_a_toggle_and_pressing_next_filters_from_the_first_page_and_says_so(chat: Chat, state: Sandbox) -> None:
    """Not Apply but Next after changing a toggle: the pages the card counted mean nothing with
    other filters, so the bot starts over, and says that it did."""
    first = chat.press(chat.say("alternate numbers Dallas HQ"), "Next", onlyActive="true")
    active = numbers_of(state, seed.DALLAS_HQ, lambda n: n.state == "ACTIVE")
    assert numbers(first) == active[:PAGE]
    assert "The filters changed, so this is the first page with the new filters." in first.text
    assert summary(first).startswith(f"Numbers 1–10 of {len(active)} · page 1 of")
    assert summary(first).endswith("filters: only active")
    second = chat.press(first, "Next")
    assert numbers(second) == active[PAGE:2 * PAGE] and "The filters changed" not in second.text
    assert numbers(chat.press(second, "Previous")) == active[:PAGE]


def test_changing_a_filter_restarts_at_the_first_page(chat: Chat, state: Sandbox) -> None:
    third = chat.press(chat.press(chat.say("alternate numbers Dallas HQ"), "Next"), "Next")
    assert summary(third).startswith("Numbers 21–30")
    service = numbers_of(state, seed.DALLAS_HQ, lambda n: n.is_service_number)
    for button in ("Next", "Previous", "First", "Last", "Apply filters"):
        restarted = chat.press(third, button, onlyService="true")
        assert numbers(restarted) == service[:PAGE], button
        assert summary(restarted).startswith("Numbers 1–")
        assert "Previous" not in restarted.button_titles()
        assert ("The filters changed" in restarted.text) == (button != "Apply filters"), button
    # A number typed into the box is a change of filters too.
    boxed = chat.press(third, "Next", filterNumbers="+12143020005")
    assert numbers(boxed) == ["+12143020005"] and "The filters changed" in boxed.text
    # Untoggling on a filtered page also starts over, unfiltered.
    filtered_second = chat.press(chat.press(third, "Apply filters", onlyActive="true"), "Next")
    cleared = chat.press(filtered_second, "Next", onlyActive="false")
    assert numbers(cleared) == numbers_of(state, seed.DALLAS_HQ)[:PAGE]


def test_the_markdown_fallback_lists_the_same_page(chat: Chat) -> None:
    page = chat.press(chat.say("alternate numbers Dallas HQ"), "Next")
    assert "**Alternate numbers · Dallas HQ**" in page.markdown
    assert "Numbers 11–20 of 120 · page 2 of 12" in page.markdown
    assert "alternate numbers Dallas HQ page N" in page.markdown
    assert re.findall(r"^- (\+\d+) · \*\*(\w+)\*\*", page.markdown, re.M) == [
        (row.number, row.state) for row in rows(page)]


def test_in_a_group_space_the_bot_answers_in_the_thread_and_says_who_pressed(state: Sandbox, bot: RunningBot) -> None:
    alice = Chat(state, seed.ALICE, room="group")
    thread = state.say(seed.LOU, "numbers for the new auto attendant?", room="group", mention_bot=False)
    page = alice.say("alternate numbers Richardson", parent_id=thread["id"])
    assert page.parent_id == thread["id"] and "Alternate numbers · Richardson" in page.text
    assert "Asked by" not in page.text  # a message says who wrote it; a press does not
    asked = len(state.calls())
    nxt = alice.press(chat_page := page, "Apply filters", onlyService="true")
    assert nxt.parent_id == thread["id"] and chat_page.id != nxt.id
    assert nxt.text.startswith("Asked by Alice Admin") and nxt.markdown.startswith("_Asked by Alice Admin_")
    # The card's buttons said where it is: the press did not read the card's message back.
    assert not [c for c in state.calls()[asked:] if c.method == "GET" and c.path.startswith("/v1/messages/")]


# -- naming the location ---------------------------------------------------------------------------


def first_page_of(state: Sandbox, name: str) -> list[str]:
    return numbers_of(state, name)[:PAGE]


def test_a_location_named_in_any_case_shows_its_first_page(chat: Chat, state: Sandbox) -> None:
    for words in ("alternate numbers dallas hq", "available DALLAS HQ", "aa numbers Dallas HQ"):
        page = chat.say(words)
        assert "Alternate numbers · Dallas HQ" in page.text, words
        assert numbers(page) == first_page_of(state, seed.DALLAS_HQ)


def test_a_location_given_by_its_exact_id_shows_its_first_page(chat: Chat, state: Sandbox) -> None:
    london = seed.location_id(seed.LONDON)
    page = chat.say(f"alternate numbers {london}")
    assert "Alternate numbers · London" in page.text
    assert numbers(page) == first_page_of(state, seed.LONDON)
    assert state.calls(path_contains=f"/locations/{london}{AVAILABLE}")


def test_part_of_a_single_name_is_enough(chat: Chat, state: Sandbox) -> None:
    page = chat.say("alternate numbers warehouse")
    assert "Alternate numbers · Dallas Warehouse" in page.text
    assert numbers(page) == first_page_of(state, seed.DALLAS_WAREHOUSE)


def test_typed_and_picked_locations_get_the_same_card(chat: Chat) -> None:
    """Typed commands and card submissions go through the same flow."""
    typed = chat.say("alternate numbers Richardson")
    picked = chat.press(chat.say("alternate numbers"), "Show numbers",
                        locationId=seed.location_id(seed.RICHARDSON))
    assert picked.card == typed.card and picked.markdown == typed.markdown


def test_a_name_with_several_matches_asks_which_one(chat: Chat, state: Sandbox) -> None:
    picker = checked_card(chat.say("alternate numbers Dallas"))
    assert "Several locations match “Dallas”" in picker.text
    assert [c["title"] for c in picker.choices(buttons.INPUT_LOCATION)] == [seed.DALLAS_HQ, seed.DALLAS_WAREHOUSE]
    page = chat.press(picker, "Show numbers", locationId=seed.location_id(seed.DALLAS_WAREHOUSE))
    assert "Alternate numbers · Dallas Warehouse" in page.text
    assert numbers(page) == first_page_of(state, seed.DALLAS_WAREHOUSE)


def test_an_unknown_location_is_named_and_the_picker_offered(chat: Chat) -> None:
    picker = checked_card(chat.say("alternate numbers Atlantis"))
    assert "No location is called “Atlantis”" in picker.text
    assert "Atlantis" in picker.markdown
    assert [c["title"] for c in picker.choices(buttons.INPUT_LOCATION)] == CALLING_NAMES
    assert "Show numbers" in picker.button_titles()


def test_an_unknown_location_id_is_named_and_the_picker_offered(chat: Chat) -> None:
    unknown = seed.location_id("Nowhere at all")
    picker = chat.say(f"alternate numbers {unknown}")
    assert unknown in picker.text
    assert [c["title"] for c in picker.choices(buttons.INPUT_LOCATION)] == CALLING_NAMES


def test_a_location_without_webex_calling_gets_a_clear_card(chat: Chat) -> None:
    for ask in (lambda: chat.say("alternate numbers Paris Office"),
                lambda: chat.press(chat.say("alternate numbers"), "Show numbers",
                                   locationId=seed.location_id(seed.PARIS))):
        reply = checked_card(ask())
        assert "No Webex Calling at this location" in reply.text
        assert "“Paris Office” is not a Webex Calling location" in reply.text
        assert "Traceback" not in reply.text + reply.markdown


def test_a_location_without_numbers_says_so(chat: Chat) -> None:
    reply = checked_card(chat.say("alternate numbers Empty Site"))
    assert "No alternate available numbers at Empty Site" in reply.text
    assert "Webex lists no unassigned number" in reply.text
    assert "Other location" in reply.button_titles()
    assert "Alternate numbers: which location?" in chat.press(reply, "Other location").text


def test_many_locations_keep_the_picker_small_and_a_search_narrows_it(chat: Chat, state: Sandbox) -> None:
    state.add_locations(150, "Branch")
    picker = checked_card(chat.say("alternate numbers"))
    choices = picker.choices(buttons.INPUT_LOCATION)
    assert 0 < len(choices) <= 100
    every = sorted(CALLING_NAMES + [f"Branch {i:03d}" for i in range(1, 151)])
    assert [c["title"] for c in choices] == every[:len(choices)]
    assert "There are 156 locations" in picker.text
    assert set(picker.button_titles()) == {"Search", "Show numbers"}

    narrowed = checked_card(chat.press(picker, "Search", locationQuery="branch 14"))
    assert [c["title"] for c in narrowed.choices(buttons.INPUT_LOCATION)] == [f"Branch {i}" for i in range(140, 150)]
    branch = state.location_named("Branch 142")
    page = chat.press(narrowed, "Show numbers", locationId=branch.id)
    assert "Alternate numbers · Branch 142" in page.text
    assert numbers(page) == [n.phone_number for n in branch.numbers]
    assert summary(page) == "Numbers 1–3 of 3 · page 1 of 1"


def test_more_locations_than_the_bot_reads_are_not_miscounted(chat: Chat, state: Sandbox) -> None:
    state.add_locations(1100, "Branch")
    picker = checked_card(chat.say("alternate numbers"))
    assert "There are more than 1000 locations; the list shows the first 100." in picker.text
    assert "and more" in picker.markdown
    assert len(picker.choices(buttons.INPUT_LOCATION)) == 100
    narrowed = chat.press(picker, "Search", locationQuery="Branch 107")
    assert [c["title"] for c in narrowed.choices(buttons.INPUT_LOCATION)] == [
        "Branch 107", *(f"Branch {i}" for i in range(1070, 1080))]


def test_show_numbers_without_a_location_asks_again(chat: Chat, state: Sandbox) -> None:
    state.add_locations(150, "Branch")
    picker = chat.say("alternate numbers")
    assert not picker.inputs()[buttons.INPUT_LOCATION].get("isRequired")  # so that Search works
    again = checked_card(chat.press(picker, "Show numbers"))
    assert "which location" in again.text and "Show numbers" in again.button_titles()
    assert not state.calls(path_contains=AVAILABLE)


def test_a_search_that_finds_nothing_says_so_and_lists_everything(chat: Chat, state: Sandbox) -> None:
    state.add_locations(150, "Branch")
    picker = chat.press(chat.say("alternate numbers"), "Search", locationQuery="Zanzibar")
    assert "No location name contains “Zanzibar”" in picker.text
    assert len(picker.choices(buttons.INPUT_LOCATION)) <= 100


# -- only some numbers -----------------------------------------------------------------------------


def test_numbers_after_the_location_filter_the_list_in_e164(chat: Chat, state: Sandbox) -> None:
    page = chat.say("alternate numbers Dallas HQ +12143020001 (214) 302-0002")
    assert numbers(page) == ["+12143020001", "+12143020002"]
    assert summary(page) == "Numbers 1–2 of 2 · page 1 of 1 · filters: numbers +12143020001, +12143020002"
    assert query_value(alternate_requests(state)[-1], "phoneNumber") == "+12143020001,+12143020002"
    assert page.inputs()[buttons.INPUT_FILTER_NUMBERS]["value"] == "+12143020001, +12143020002"


def test_numbers_filter_survives_paging_and_toggles(chat: Chat, state: Sandbox) -> None:
    wanted = numbers_of(state, seed.DALLAS_HQ)[:25]
    first = chat.say("alternate numbers Dallas HQ " + " ".join(wanted))
    second = chat.press(first, "Next")
    third = chat.press(second, "Next")
    assert [numbers(p) for p in (first, second, third)] == [wanted[:10], wanted[10:20], wanted[20:]]
    assert {query_value(q, "phoneNumber") for q in alternate_requests(state)} == {",".join(wanted)}
    inactive = chat.press(third, "Apply filters", onlyActive="false", onlyService="true",
                          filterNumbers=", ".join(wanted))
    assert numbers(inactive) == [n for n in numbers_of(state, seed.DALLAS_HQ, lambda n: n.is_service_number)
                                 if n in wanted]
    assert query_value(alternate_requests(state)[-1], "phoneNumber") == ",".join(wanted)


def test_numbers_the_location_does_not_have_get_a_clear_card(chat: Chat) -> None:
    reply = checked_card(chat.say(f"alternate numbers Dallas HQ {seed.AVAILABLE_US}"))
    assert "No alternate available numbers at Dallas HQ" in reply.text
    assert f"None match these filters: numbers {seed.AVAILABLE_US}" in reply.text
    cleared = chat.press(reply, "Clear filters")
    assert summary(cleared) == "Numbers 1–10 of 120 · page 1 of 12"


def test_a_filter_number_not_at_the_location_is_named_beside_those_that_are(chat: Chat) -> None:
    page = chat.say(f"alternate numbers Dallas HQ +12143020001 {seed.AVAILABLE_US}")
    assert numbers(page) == ["+12143020001"]
    assert (f"Not available at Dallas HQ (not among its alternate available numbers): {seed.AVAILABLE_US}"
            in page.text)


def test_the_picker_takes_numbers_too(chat: Chat, state: Sandbox) -> None:
    picker = chat.say("alternate numbers")
    page = chat.press(picker, "Show numbers", locationId=seed.location_id(seed.LONDON),
                      filterNumbers="+44 20 7946 0003, 12x")
    assert numbers(page) == ["+442079460003"]
    assert "Not phone numbers, left out of the filter: 12x" in page.text
    assert query_value(alternate_requests(state)[-1], "phoneNumber") == "+442079460003"
    assert "The filters changed" not in page.text


def test_numbers_typed_with_a_missing_or_ambiguous_location_survive_the_picker(chat: Chat, state: Sandbox) -> None:
    for asked in ("alternate numbers +12143020001 +12143020002", "alternate numbers Dallas +12143020001 +12143020002"):
        picker = chat.say(asked)
        assert "which location" in picker.text
        assert picker.inputs()[buttons.INPUT_FILTER_NUMBERS]["value"] == "+12143020001, +12143020002"
        page = chat.press(picker, "Show numbers", locationId=seed.location_id(seed.DALLAS_HQ))
        assert numbers(page) == ["+12143020001", "+12143020002"], asked


def test_words_that_are_not_phone_numbers_are_named_not_dropped(chat: Chat, state: Sandbox) -> None:
    page = chat.say("alternate numbers Dallas HQ +12143020001 12345")
    assert numbers(page) == ["+12143020001"]
    assert "Not phone numbers, left out of the filter: 12345" in page.text
    assert "12345" in page.markdown
    picked = chat.press(chat.say("alternate numbers"), "Show numbers", locationId=seed.location_id(seed.LONDON),
                        filterNumbers="+442079460003 12345")
    assert numbers(picked) == ["+442079460003"] and "left out of the filter: 12345" in picked.text


def test_only_the_first_hundred_filter_numbers_are_looked_up_and_the_card_says_so(chat: Chat,
                                                                                  state: Sandbox) -> None:
    wanted = numbers_of(state, seed.BIG_CAMPUS)[:150]
    first = checked_card(chat.say("alternate numbers Big Campus " + " ".join(wanted)))
    assert "Only the first 100 of the 150 numbers you gave are looked up." in first.text
    assert "and 95 more" in summary(first)
    sent = query_value(alternate_requests(state)[-1], "phoneNumber").split(",")
    assert sent == wanted[:100]
    pages = walk(chat, first, "Next")
    assert [n for page in pages for n in numbers(page)] == wanted[:100]
    assert {query_value(q, "phoneNumber") for q in alternate_requests(state)} == {",".join(wanted[:100])}


# -- acting on a page --------------------------------------------------------------------------------


def test_a_page_offers_no_validate_button(chat: Chat) -> None:
    """Every number it lists is in the organisation already: validating them would only say so."""
    page = chat.say("alternate numbers Dallas HQ")
    assert "Validate these" not in page.button_titles()


# -- when Webex fails --------------------------------------------------------------------------------


def tracking_ids(reply: BotReply) -> list[str]:
    return re.findall(r"ROUTER_[0-9A-F-]+", reply.text)


@pytest.mark.parametrize("status", [500, 503])
def test_a_persistent_server_error_gets_an_error_card_with_the_tracking_id(chat: Chat, state: Sandbox,
                                                                           status: int) -> None:
    state.inject_fault("GET", re.escape(AVAILABLE), status=status, times=100)
    reply = checked_card(chat.say("alternate numbers Dallas HQ"))
    failed = state.calls(path_contains=AVAILABLE)
    assert len(failed) == 4 and {c.status for c in failed} == {status}  # the first try and three retries
    assert "Webex could not list the numbers" in reply.text
    assert f"Webex answered {status}" in reply.text
    assert tracking_ids(reply) == [failed[-1].tracking_id]
    assert failed[-1].tracking_id in reply.markdown
    assert "Traceback" not in reply.text + reply.markdown and "File \"" not in reply.markdown


def test_a_bad_request_gets_an_error_card_with_the_tracking_id_and_no_retry(chat: Chat, state: Sandbox) -> None:
    state.inject_fault("GET", re.escape(AVAILABLE), status=400, message="Invalid value for max.")
    reply = checked_card(chat.say("alternate numbers Dallas HQ"))
    failed = state.calls(path_contains=AVAILABLE)
    assert len(failed) == 1 and failed[0].status == 400
    assert "Webex answered 400: Invalid value for max." in reply.text
    assert tracking_ids(reply) == [failed[0].tracking_id]
    # The fault is gone: the same question now gets the numbers.
    assert numbers(chat.say("alternate numbers Dallas HQ")) == first_page_of(state, seed.DALLAS_HQ)


def test_an_error_while_paging_gets_an_error_card_and_the_old_card_still_works(chat: Chat, state: Sandbox) -> None:
    first = chat.say("alternate numbers Dallas HQ")
    state.inject_fault("GET", re.escape(AVAILABLE), status=500, times=4)
    failed = chat.press(first, "Next")
    state.clear_faults()
    assert "Webex could not list the numbers" in failed.text and tracking_ids(failed)
    assert numbers(chat.press(first, "Next")) == numbers_of(state, seed.DALLAS_HQ)[PAGE:2 * PAGE]


def test_a_failing_location_list_gets_an_error_card_with_the_tracking_id(chat: Chat, state: Sandbox) -> None:
    state.inject_fault("GET", r"/v1/telephony/config/locations$", status=500, times=100)
    reply = checked_card(chat.say("alternate numbers"))
    failed = state.calls(path_contains="/locations", method="GET")
    assert tracking_ids(reply) == [failed[-1].tracking_id]
    assert "Traceback" not in reply.text + reply.markdown


def test_a_rate_limit_is_waited_out(chat: Chat, state: Sandbox) -> None:
    state.inject_fault("GET", re.escape(AVAILABLE), status=429, retry_after=1)
    page = chat.say("alternate numbers Dallas HQ")
    assert numbers(page) == first_page_of(state, seed.DALLAS_HQ)
    assert [c.status for c in state.calls(path_contains=AVAILABLE)] == [429, 200]


def test_a_location_deleted_after_the_picker_was_sent_gets_the_picker_again(chat: Chat, state: Sandbox) -> None:
    picker = chat.say("alternate numbers")
    state.remove_location(seed.LONDON)
    again = checked_card(chat.press(picker, "Show numbers", locationId=seed.location_id(seed.LONDON)))
    assert "which location" in again.text
    assert seed.LONDON not in [c["title"] for c in again.choices(buttons.INPUT_LOCATION)]


# -- buttons carry their own state -------------------------------------------------------------------


def test_a_press_on_a_card_from_an_earlier_page_still_works(chat: Chat, state: Sandbox) -> None:
    first = chat.say("alternate numbers Dallas HQ")
    third = chat.press(chat.press(first, "Next"), "Next")
    assert summary(third).startswith("Numbers 21–30")
    again = chat.press(first, "Next")
    assert numbers(again) == numbers_of(state, seed.DALLAS_HQ)[PAGE:2 * PAGE]
    assert summary(again) == "Numbers 11–20 of 120 · page 2 of 12"


def test_a_press_on_an_old_filtered_card_still_works(chat: Chat, state: Sandbox) -> None:
    active = numbers_of(state, seed.DALLAS_HQ, lambda n: n.state == "ACTIVE")
    first = chat.press(chat.say("alternate numbers Dallas HQ"), "Apply filters", onlyActive="true")
    second = chat.press(first, "Next")
    chat.press(chat.press(second, "Next"), "Next")
    assert numbers(chat.press(second, "Next")) == active[2 * PAGE:3 * PAGE]
    assert numbers(chat.press(second, "Previous")) == active[:PAGE]


def test_button_data_that_makes_no_sense_still_gets_a_sensible_answer(chat: Chat, state: Sandbox) -> None:
    first = chat.say("alternate numbers Dallas HQ")
    data = first.button("Next")["data"]
    for broken, expect in (({buttons.KEY_PAGE: "abc"}, "Numbers 1–10"),
                           ({buttons.KEY_PAGE: -30}, "Numbers 1–10"),
                           ({buttons.KEY_SHOWN: 7}, "Numbers 11–20")):  # unreadable: as if unchanged
        reply = chat.submit(first, {**data, **broken})[0]
        assert summary(reply).startswith(expect), broken
    beyond = chat.submit(first, {**data, buttons.KEY_PAGE: 5000})[0]
    assert summary(beyond) == "Numbers 111–120 of 120 · page 12 of 12"
    assert "There are only 12 pages; this is the last." in beyond.text
    picker = chat.submit(first, {**data, buttons.INPUT_LOCATION: ""})[0]
    assert "which location" in picker.text
    unknown = chat.submit(first, {"numbot": "no-such-action"})[0]
    assert "not one this bot knows" in unknown.text


def test_a_press_on_a_card_from_before_page_numbers_still_opens_its_page(chat: Chat, state: Sandbox) -> None:
    first = chat.say("alternate numbers Dallas HQ")
    old = {buttons.KEY_ACTION: buttons.ALTERNATE, buttons.INPUT_LOCATION: seed.location_id(seed.DALLAS_HQ),
           buttons.KEY_START: 20, "back": [0, 10], buttons.KEY_SHOWN: ""}
    [page] = chat.submit(first, old)
    assert numbers(page) == numbers_of(state, seed.DALLAS_HQ)[20:30]


def test_a_page_typed_with_its_number(chat: Chat, state: Sandbox) -> None:
    page = chat.say("alternate numbers Dallas HQ page 5")
    assert numbers(page) == numbers_of(state, seed.DALLAS_HQ)[40:50]
    assert summary(page) == "Numbers 41–50 of 120 · page 5 of 12"
    assert "There are only 12 pages" in chat.say("alternate numbers Dallas HQ page 99").text


def test_page_buttons_carry_the_location_the_page_and_the_filters_they_were_built_with(chat: Chat) -> None:
    hq = seed.location_id(seed.DALLAS_HQ)
    page = chat.say("alternate numbers Dallas HQ +12143020001 +12143020002 +12143020003")
    filters = NumberFilters(phone_numbers=("+12143020001", "+12143020002", "+12143020003"))
    here = {buttons.KEY_SPACE: "direct"}  # and where the card is (``buttons.placed``)
    assert page.button("Apply filters")["data"] == {**buttons.alternate_data(hq, 1, filters, apply=True), **here}
    second = chat.press(chat.press(chat.say("alternate numbers Dallas HQ"), "Apply filters", onlyActive="true"),
                        "Next")
    data = second.button("Next")["data"]
    assert data == {**buttons.alternate_data(hq, 3, NumberFilters(only_active=True)), **here}
    assert second.inputs()[buttons.INPUT_ONLY_ACTIVE]["value"] == "true"


def test_the_largest_pages_stay_within_the_card_limits(make_bot: Callable[..., RunningBot], state: Sandbox) -> None:
    """25 rows (the most NUMBOT_PAGE_SIZE allows), every flag, 100 filter numbers."""
    make_bot(page_size=25)
    flagged = state.add_location(seed.flagged_location("Flag Street", 100))
    wanted = [n.phone_number for n in flagged.numbers]
    chat = Chat(state, seed.ALICE)
    first = chat.say("alternate numbers Flag Street " + " ".join(wanted))
    pages = walk(chat, first, "Next")
    for page in pages + walk(chat, chat.press(first, "Apply filters", onlyActive="false",
                                              filterNumbers=" ".join(wanted)), "Next"):
        assert len(page.markdown.encode("utf-8")) <= MARKDOWN_BUDGET_BYTES
        assert len(rows(page)) <= 25
    assert [n for page in pages for n in numbers(page)] == wanted  # every number, on full pages


def test_any_bot_instance_serves_a_press(make_bot: Callable[..., RunningBot], state: Sandbox) -> None:
    """A new instance (the webhooks now point at it) shares nothing in memory with the one that
    sent the card: the button's data is enough."""
    first_bot = make_bot()
    chat = Chat(state, seed.ALICE)
    page = chat.press(chat.say("alternate numbers Dallas HQ"), "Apply filters", onlyActive="true")
    second_bot = make_bot()
    first_bot.stop()
    second = chat.press(page, "Next")
    assert state.deliveries[-1].target_url == second_bot.webhook_url
    assert numbers(second) == numbers_of(state, seed.DALLAS_HQ, lambda n: n.state == "ACTIVE")[PAGE:2 * PAGE]


# -- a location with more than 2,000 numbers ---------------------------------------------------------


def test_big_campus_pages_past_two_thousand_to_its_last_number(make_bot: Callable[..., RunningBot],
                                                              state: Sandbox) -> None:
    make_bot(page_size=25)
    chat = Chat(state, seed.ALICE)
    expected = numbers_of(state, seed.BIG_CAMPUS)
    assert len(expected) == seed.BIG_CAMPUS_COUNT > 2000
    first = chat.say("alternate numbers Big Campus")
    assert summary(first) == "Numbers 1–25 of 2,345 · page 1 of 94"
    last = chat.press(first, "Last")
    assert numbers(last) == expected[2325:] and summary(last) == "Numbers 2326–2345 of 2,345 · page 94 of 94"
    forward = walk(chat, first, "Next")
    assert [n for page in forward for n in numbers(page)] == expected
    # Each answer reads the whole list: two requests of at most 2,000 (the API's default max).
    pairs = [(query_value(q, "start"), query_value(q, "max")) for q in alternate_requests(state)]
    assert set(pairs) == {("0", "2000"), ("2000", "2000")} and len(pairs) == 2 * (2 + 93)


def test_big_campus_is_navigable_by_typed_pages_and_presses(chat: Chat, state: Sandbox) -> None:
    expected = numbers_of(state, seed.BIG_CAMPUS)
    near_end = chat.say("alternate numbers Big Campus page 233")
    assert numbers(near_end) == expected[2320:2330]
    assert summary(near_end) == "Numbers 2321–2330 of 2,345 · page 233 of 235"
    pages = walk(chat, near_end, "Next")
    assert [numbers(p) for p in pages[1:]] == [expected[2330:2340], expected[2340:]]
    assert summary(pages[-1]) == "Numbers 2341–2345 of 2,345 · page 235 of 235"
    back = chat.press(pages[-1], "Previous")
    assert numbers(back) == expected[2330:2340]
    assert numbers(chat.press(back, "First")) == expected[:PAGE]


def test_toggles_on_a_big_location_count_what_matches(chat: Chat, state: Sandbox) -> None:
    """Big Campus: every number is active and none is toll-free."""
    active = chat.press(chat.say("alternate numbers Big Campus"), "Apply filters", onlyActive="true")
    assert summary(active) == "Numbers 1–10 of 2,345 · page 1 of 235 · filters: only active"
    second = chat.press(active, "Next")
    assert numbers(second) == numbers_of(state, seed.BIG_CAMPUS)[PAGE:2 * PAGE]
    none = chat.press(second, "Apply filters", onlyActive="false", onlyTollFree="true")
    assert "No alternate available numbers at Big Campus" in none.text
    assert "None match these filters: only toll-free" in none.text


def test_when_webex_answers_fewer_rows_than_asked_the_bot_follows_on(server: SandboxServer, chat: Chat,
                                                                      state: Sandbox) -> None:
    """Webex may answer fewer rows than ``max`` with a Link to the rest: the bot reads on from
    where the answer ended, so the count and the pages are right."""
    server.app.config[ROWS_PER_RESPONSE] = 40
    expected = numbers_of(state, seed.DALLAS_HQ)
    pages = walk(chat, chat.say("alternate numbers Dallas HQ"), "Next")
    assert [numbers(page) for page in pages] == [expected[i:i + PAGE] for i in range(0, 120, PAGE)]
    first_page = alternate_requests(state)[:3]
    assert [query_value(q, "start") for q in first_page] == ["0", "40", "80"]
    active = numbers_of(state, seed.DALLAS_HQ, lambda n: n.state == "ACTIVE")
    filtered = walk(chat, chat.press(pages[0], "Apply filters", onlyActive="true"), "Next")
    assert [n for page in filtered for n in numbers(page)] == active


def test_a_filter_that_matches_two_rows_among_thousands_finds_them_at_once(chat: Chat, state: Sandbox) -> None:
    sparse = state.add_location(seed.sparse_location("Sparse Yard", 7000, toll_free=(6500, 6990)))
    found = chat.press(chat.say("alternate numbers Sparse Yard"), "Apply filters", onlyTollFree="true")
    assert numbers(found) == [sparse.numbers[6500].phone_number, sparse.numbers[6990].phone_number]
    assert summary(found) == "Numbers 1–2 of 2 · page 1 of 1 · filters: only toll-free"


