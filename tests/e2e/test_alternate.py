"""Auto attendant alternate available numbers, as an admin lives it (issue 3).

The admin asks for a location's numbers, picks a location, pages through them, filters them,
and acts on a page. Every answer comes from the real bot over HTTP, against the sandbox.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product
from typing import Callable, Optional

import pytest

from botkit import BotReply, Chat, RunningBot, block_text
from bot import buttons
from cards.limits import CARD_BUDGET_BYTES, MARKDOWN_BUDGET_BYTES, MAX_ACTIONS
from cards.text import card_bytes
from sandbox import Sandbox, SandboxServer, seed
from sandbox.api.telephony import ROWS_PER_RESPONSE
from sandbox.models import AvailableNumber

PAGE = 10  # the bot's default page size
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
        found.append(Row(block_text(left["items"][0]), block_text(left["items"][1]), block_text(right["items"][0])))
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
    """Every card the bot sends stays within our limits: five actions, the byte budget."""
    assert len(reply.buttons()) <= MAX_ACTIONS, reply.button_titles()
    assert card_bytes(reply.card) <= CARD_BUDGET_BYTES
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
    assert summary(first) == "Numbers 1–10 · more available"
    assert "Previous" not in first.button_titles()

    forward = walk(chat, first, "Next")
    assert len(forward) == 12
    for index, page in enumerate(forward):
        assert numbers(page) == expected[index * PAGE:(index + 1) * PAGE]
    for page in forward[1:-1]:
        assert {"Previous", "Next"} <= set(page.button_titles())
        assert summary(page).endswith("· more available")
    last = forward[-1]
    assert summary(last) == "Numbers 111–120 · last page"
    assert "Next" not in last.button_titles()

    backward = walk(chat, last, "Previous")
    assert [numbers(page) for page in backward] == [numbers(page) for page in reversed(forward)]
    assert summary(backward[-1]) == "Numbers 1–10 · more available"
    # Every press came back as an attachmentActions webhook that the bot read with its own token.
    reads = state.calls(path_contains="/attachment/actions/", method="GET")
    assert len(reads) == 1 + 11 + 11 and {r.identity for r in reads} == {"bot"}


def test_each_row_shows_the_state_and_flags_webex_gave(chat: Chat, state: Sandbox) -> None:
    by_number = {n.phone_number: n for n in state.location_named(seed.DALLAS_HQ).numbers}
    first = chat.say("alternate numbers Dallas HQ")
    assert rows(first)[:2] == [
        Row("+12143020001", "Main number (location CLID) · PSTN", "ACTIVE"),
        Row("+12143020002", "Main number (location CLID) · Service number · PSTN", "ACTIVE"),
    ]
    seen = [row for page in walk(chat, first, "Next") for row in rows(page)]
    assert len(seen) == len(by_number)
    for row in seen:
        number = by_number[row.number]
        assert row.state == number.state in ("ACTIVE", "INACTIVE")
        assert ("Main number (location CLID)" in row.flags) == number.is_main_number
        assert ("Toll-free" in row.flags) == number.toll_free_number
        assert ("Service number" in row.flags) == number.is_service_number
        assert row.flags.endswith("PSTN")
    assert any("Toll-free" in row.flags and "Service number" in row.flags and row.state == "INACTIVE"
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
        buttons.INPUT_ONLY_ACTIVE: row.state == "ACTIVE",
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
    assert len(forward) == -(-len(expected) // PAGE)
    assert summary(forward[0]).startswith(f"Numbers 1–{min(PAGE, len(expected))} ·")
    assert summary(forward[-1]).startswith(f"Numbers {(len(forward) - 1) * PAGE + 1}–{len(expected)} · last page")

    backward = walk(chat, forward[-1], "Previous")
    assert [numbers(page) for page in backward] == [numbers(page) for page in reversed(forward)]
    assert [summary(page) for page in backward] == [summary(page) for page in reversed(forward)]


def test_only_active_pages_through_dallas_hq_with_the_next_button_state(chat: Chat, state: Sandbox) -> None:
    """Ticking a toggle and pressing Next (not Apply) also filters, from the first page."""
    first = chat.press(chat.say("alternate numbers Dallas HQ"), "Next", onlyActive="true")
    active = numbers_of(state, seed.DALLAS_HQ, lambda n: n.state == "ACTIVE")
    assert numbers(first) == active[:PAGE]
    assert summary(first).startswith("Numbers 1–10 · more available · filters: only active")
    second = chat.press(first, "Next")
    assert numbers(second) == active[PAGE:2 * PAGE]
    assert numbers(chat.press(second, "Previous")) == active[:PAGE]


def test_changing_a_toggle_restarts_at_the_first_page(chat: Chat, state: Sandbox) -> None:
    third = chat.press(chat.press(chat.say("alternate numbers Dallas HQ"), "Next"), "Next")
    assert summary(third).startswith("Numbers 21–30")
    service = numbers_of(state, seed.DALLAS_HQ, lambda n: n.is_service_number)
    for button in ("Next", "Previous", "Apply filters"):
        restarted = chat.press(third, button, onlyService="true")
        assert numbers(restarted) == service[:PAGE], button
        assert summary(restarted).startswith("Numbers 1–")
        assert "Previous" not in restarted.button_titles()
    # Untoggling on a filtered page also starts over, unfiltered.
    filtered_second = chat.press(chat.press(third, "Apply filters", onlyActive="true"), "Next")
    cleared = chat.press(filtered_second, "Next", onlyActive="false")
    assert numbers(cleared) == numbers_of(state, seed.DALLAS_HQ)[:PAGE]


def test_the_markdown_fallback_lists_the_same_page(chat: Chat) -> None:
    page = chat.press(chat.say("alternate numbers Dallas HQ"), "Next")
    assert "**Alternate numbers · Dallas HQ**" in page.markdown
    assert "Numbers 11–20 · more available" in page.markdown
    assert re.findall(r"^- (\+\d+) · \*\*(\w+)\*\*", page.markdown, re.M) == [
        (row.number, row.state) for row in rows(page)]


def test_in_a_group_space_the_bot_answers_when_mentioned_and_in_the_thread(state: Sandbox, bot: RunningBot) -> None:
    lou = Chat(state, seed.LOU, room="group")
    thread = state.say(seed.ALICE, "numbers for the new auto attendant?", room="group", mention_bot=False)
    page = lou.say("alternate numbers Richardson", parent_id=thread["id"])
    assert page.parent_id == thread["id"] and "Alternate numbers · Richardson" in page.text
    alice = Chat(state, seed.ALICE, room="group")
    validated = alice.press(page, "Validate these")
    assert validated.parent_id == thread["id"] and "Number validation" in validated.text


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
    assert summary(page) == "Numbers 1–3 · last page"


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
    assert summary(page) == "Numbers 1–2 · last page · filters: numbers +12143020001, +12143020002"
    assert query_value(alternate_requests(state)[-1], "phoneNumber") == "+12143020001,+12143020002"


def test_numbers_filter_survives_paging_and_toggles(chat: Chat, state: Sandbox) -> None:
    wanted = numbers_of(state, seed.DALLAS_HQ)[:25]
    first = chat.say("alternate numbers Dallas HQ " + " ".join(wanted))
    second = chat.press(first, "Next")
    third = chat.press(second, "Next")
    assert [numbers(p) for p in (first, second, third)] == [wanted[:10], wanted[10:20], wanted[20:]]
    assert {query_value(q, "phoneNumber") for q in alternate_requests(state)} == {",".join(wanted)}
    inactive = chat.press(third, "Apply filters", onlyActive="false", onlyService="true")
    assert numbers(inactive) == [n for n in numbers_of(state, seed.DALLAS_HQ, lambda n: n.is_service_number)
                                 if n in wanted]
    assert query_value(alternate_requests(state)[-1], "phoneNumber") == ",".join(wanted)


def test_numbers_the_location_does_not_have_get_a_clear_card(chat: Chat) -> None:
    reply = checked_card(chat.say(f"alternate numbers Dallas HQ {seed.AVAILABLE_US}"))
    assert "No alternate available numbers at Dallas HQ" in reply.text
    assert f"None match these filters: numbers {seed.AVAILABLE_US}" in reply.text
    cleared = chat.press(reply, "Clear filters")
    assert summary(cleared) == "Numbers 1–10 · more available"


def test_the_picker_takes_numbers_too(chat: Chat, state: Sandbox) -> None:
    picker = chat.say("alternate numbers")
    page = chat.press(picker, "Show numbers", locationId=seed.location_id(seed.LONDON),
                      filterNumbers="+44 20 7946 0003, 020 7946 0021")
    # A UK number in national format needs the region; the default region is the US.
    assert numbers(page) == ["+442079460003"]
    assert "Not phone numbers, left out of the filter: 020, 7946, 0021" in page.text
    assert query_value(alternate_requests(state)[-1], "phoneNumber") == "+442079460003"


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


def test_validate_these_sends_the_page_through_the_validate_flow(chat: Chat, state: Sandbox) -> None:
    second = chat.press(chat.say("alternate numbers Dallas HQ"), "Next")
    shown = numbers(second)
    result = checked_card(chat.press(second, "Validate these"))
    assert "Number validation" in result.text
    sent = state.calls(path_contains="validateNumbers", method="POST")
    assert [call.json["phoneNumbers"] for call in sent] == [shown]
    listed = re.findall(r"\+\d{11}", result.text)
    assert sorted(set(listed)) == sorted(shown)
    # Every number of a location is already in use, so Webex calls each a duplicate.
    assert f"{len(shown)} Duplicate" in result.text


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
    assert summary(again) == "Numbers 11–20 · more available"


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
    for broken, expect in (({buttons.KEY_START: "abc"}, "Numbers 1–10"),
                           ({buttons.KEY_START: -30}, "Numbers 1–10"),
                           ({buttons.KEY_BACK: "x"}, "Numbers 11–20")):
        reply = chat.submit(first, {**data, **broken})[0]
        assert summary(reply).startswith(expect), broken
    beyond = chat.submit(first, {**data, buttons.KEY_START: 5000})[0]
    assert numbers(beyond) == [] and "Previous" in beyond.button_titles()
    picker = chat.submit(first, {**data, buttons.INPUT_LOCATION: ""})[0]
    assert "which location" in picker.text
    unknown = chat.submit(first, {"numbot": "no-such-action"})[0]
    assert "not one this bot knows" in unknown.text


def test_page_buttons_carry_the_location_the_offset_and_the_filters(chat: Chat) -> None:
    hq = seed.location_id(seed.DALLAS_HQ)
    page = chat.say("alternate numbers Dallas HQ +12143020001 +12143020002 +12143020003")
    assert page.button("Apply filters")["data"] == {
        buttons.KEY_ACTION: buttons.ALTERNATE, buttons.INPUT_LOCATION: hq, buttons.KEY_START: 0,
        buttons.KEY_PHONE_NUMBERS: "+12143020001,+12143020002,+12143020003", buttons.KEY_SHOWN: ""}
    second = chat.press(chat.press(chat.say("alternate numbers Dallas HQ"), "Apply filters", onlyActive="true"),
                        "Next")
    data = second.button("Next")["data"]
    assert data[buttons.INPUT_LOCATION] == hq and data[buttons.KEY_SHOWN] == buttons.INPUT_ONLY_ACTIVE
    assert data[buttons.KEY_START] > 2 * PAGE and len(data[buttons.KEY_BACK]) == 2
    assert second.inputs()[buttons.INPUT_ONLY_ACTIVE]["value"] == "true"


def test_the_largest_pages_stay_within_the_card_limits(make_bot: Callable[..., RunningBot], state: Sandbox) -> None:
    """25 rows (the most NUMBOT_PAGE_SIZE allows), every flag, 100 filter numbers in each button."""
    make_bot(page_size=25)
    chat = Chat(state, seed.ALICE)
    wanted = numbers_of(state, seed.DALLAS_HQ)[:100]
    first = chat.say("alternate numbers Dallas HQ " + " ".join(wanted))
    for page in walk(chat, first, "Next") + walk(chat, chat.press(first, "Apply filters", onlyActive="true"), "Next"):
        assert len(page.markdown.encode("utf-8")) <= MARKDOWN_BUDGET_BYTES
        assert len(rows(page)) <= 25 and "Validate these" in page.button_titles()


def test_a_page_too_big_for_a_card_shows_fewer_rows_and_paging_loses_none(
        make_bot: Callable[..., RunningBot], state: Sandbox) -> None:
    """25 rows that all carry every flag, and 100 filter numbers in every button, would not fit
    the card budget: the bot shows fewer rows, and Next and Previous still cover every number."""
    make_bot(page_size=25)
    flagged = state.add_location(seed.flagged_location("Flag Street", 100))
    wanted = [n.phone_number for n in flagged.numbers]
    chat = Chat(state, seed.ALICE)
    pages = walk(chat, chat.say("alternate numbers Flag Street " + " ".join(wanted)), "Next")
    for page in pages:
        assert card_bytes(page.card) <= CARD_BUDGET_BYTES
        assert 1 <= len(rows(page)) <= 25
    assert any(len(rows(page)) < 25 for page in pages[:-1])  # a middle page had to show fewer
    assert [n for page in pages for n in numbers(page)] == wanted
    back = walk(chat, pages[-1], "Previous")
    assert [numbers(p) for p in back] == [numbers(p) for p in reversed(pages)]


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
    forward = walk(chat, chat.say("alternate numbers Big Campus"), "Next")
    assert [n for page in forward for n in numbers(page)] == expected
    assert summary(forward[-1]) == "Numbers 2326–2345 · last page"
    # Each page asked for one page and one row more, never more.
    queries = alternate_requests(state)
    assert len(queries) == len(forward) == 94
    assert [(query_value(q, "start"), query_value(q, "max")) for q in queries] == [
        (str(start), "26") for start in range(0, 2345, 25)]


def test_big_campus_jumps_near_the_end_and_real_presses_reach_the_last_page(chat: Chat, state: Sandbox) -> None:
    expected = numbers_of(state, seed.BIG_CAMPUS)
    first = chat.say("alternate numbers Big Campus")
    second = chat.press(first, "Next")
    third = chat.press(second, "Next")
    assert numbers(third) == expected[20:30]
    # What a card from page 232 carries in its Next button.
    near_end = chat.submit(third, {**third.button("Next")["data"], buttons.KEY_START: 2320})[0]
    assert numbers(near_end) == expected[2320:2330]
    assert summary(near_end) == "Numbers 2321–2330 · more available"
    pages = walk(chat, near_end, "Next")
    assert [numbers(p) for p in pages[1:]] == [expected[2330:2340], expected[2340:]]
    assert summary(pages[-1]) == "Numbers 2341–2345 · last page"
    back = chat.press(pages[-1], "Previous")
    assert numbers(back) == expected[2330:2340]
    assert {query_value(q, "max") for q in alternate_requests(state)} == {str(PAGE + 1)}


def test_toggles_on_a_big_location_read_only_what_the_page_needs(chat: Chat, state: Sandbox) -> None:
    """Big Campus: every number is active and none is toll-free."""
    active = chat.press(chat.say("alternate numbers Big Campus"), "Apply filters", onlyActive="true")
    second = chat.press(active, "Next")
    assert numbers(second) == numbers_of(state, seed.BIG_CAMPUS)[PAGE:2 * PAGE]
    # When every row matches, a filtered page costs what an unfiltered one does.
    assert [query_value(q, "max") for q in alternate_requests(state)[1:]] == [str(PAGE + 1)] * 2

    before = len(alternate_requests(state))
    none = chat.press(second, "Apply filters", onlyActive="false", onlyTollFree="true")
    assert "No alternate available numbers at Big Campus" in none.text
    assert "None match these filters: only toll-free" in none.text
    scans = alternate_requests(state)[before:]
    sizes = [int(query_value(q, "max")) for q in scans]
    assert sizes[0] == PAGE + 1 and max(sizes) <= 200
    assert [int(query_value(q, "start")) for q in scans] == [sum(sizes[:i]) for i in range(len(scans))]
    assert sum(sizes) < seed.BIG_CAMPUS_COUNT + 200


def test_when_webex_answers_fewer_rows_than_asked_the_bot_follows_on(server: SandboxServer, chat: Chat,
                                                                      state: Sandbox) -> None:
    """Webex may answer fewer rows than ``max`` with a Link to the rest: a page is still full,
    and the bot still asks only for the rows it lacks."""
    server.app.config[ROWS_PER_RESPONSE] = 4
    expected = numbers_of(state, seed.DALLAS_HQ)
    pages = walk(chat, chat.say("alternate numbers Dallas HQ"), "Next")
    assert [numbers(page) for page in pages] == [expected[i:i + PAGE] for i in range(0, 120, PAGE)]
    first_page = alternate_requests(state)[:3]
    assert [(query_value(q, "start"), query_value(q, "max")) for q in first_page] == [
        ("0", "11"), ("4", "7"), ("8", "3")]
    active = numbers_of(state, seed.DALLAS_HQ, lambda n: n.state == "ACTIVE")
    filtered = walk(chat, chat.press(pages[0], "Apply filters", onlyActive="true"), "Next")
    assert [n for page in filtered for n in numbers(page)] == active


def test_a_filter_that_matches_nothing_for_thousands_of_rows_offers_to_read_on(chat: Chat,
                                                                              state: Sandbox) -> None:
    """The bot reads a bounded number of rows per page; when those hold no match it must not
    claim that nothing matches."""
    sparse = state.add_location(seed.sparse_location("Sparse Yard", 7000, toll_free=(6500, 6990)))
    first = chat.press(chat.say("alternate numbers Sparse Yard"), "Apply filters", onlyTollFree="true")
    assert "None match" not in first.text
    assert numbers(first) == [] and "Next" in first.button_titles()
    assert "more available" in summary(first)
    read = sum(int(query_value(q, "max")) for q in alternate_requests(state)[1:])
    assert read < 7000
    found = chat.press(first, "Next")
    assert numbers(found) == [sparse.numbers[6500].phone_number, sparse.numbers[6990].phone_number]
    assert summary(found).endswith("last page · filters: only toll-free")
