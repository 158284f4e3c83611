"""Changes in Webex behind a confirmation, as an admin lives them (issue 27).

Add Available numbers to a location and assign (or remove) an auto attendant's alternate number,
from text and from the cards' buttons; the refusals Webex gives; and the safety rules: full
administrators only (checked at the press), changes off unless the operator turns them on, a
confirmation works once and not after it expires, a lost answer is read back before anything is
sent again. Every answer comes from the real bot over HTTP, against the sandbox.
"""
from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from botkit import BotReply, Chat, RunningBot, bot_settings, run_cli

from bot.conversation import changes
from bot.core import buttons
from bot.core.logs import record_fields
from sandbox import Sandbox, SandboxServer, seed

NEW = seed.AVAILABLE_US  # validates Available: the org does not have it
NEW_2 = "+12145557862"
CHECKERS = ("id_full_admin", "id_readonly_admin")
ADD_PATH = r"/telephony/config/locations/[^/]+/numbers$"
AA_PATH = r"/telephony/config/locations/[^/]+/autoAttendants/[^/]+$"


@pytest.fixture
def bot(make_bot: Callable[..., RunningBot]) -> RunningBot:
    """Changes on; read-only administrators may use the bot (NUMBOT_ADMIN_ROLES), so that its
    check of who may change is what answers them; no double-click window, so that a second press
    is the confirmation's own test (test_admin_experience.py tests the window)."""
    return make_bot(allow_changes=True, press_window_seconds=0, admin_roles=CHECKERS)


def numbers_at(state: Sandbox, location: str) -> dict[str, str]:
    """The location's numbers in the sandbox, number -> state."""
    return {n.phone_number: getattr(n, "state", "ACTIVE") for n in state.location_numbers(location)}


def alternates(state: Sandbox, attendant: str) -> list[str]:
    return [a.phone_number for a in state.auto_attendant_named(attendant).alternate_numbers]


def writes(state: Sandbox, method: str, path: str) -> int:
    """How many write requests of the service app reached the sandbox."""
    return sum(1 for call in state.calls(identity="service") if call.method == method and re.search(path, call.path))


def audit_line(reply: BotReply) -> str:
    return next(line for line in reply.readable.splitlines() if line.startswith("Change by "))


# ------------------------------------------------------------------------------ add numbers


def test_add_from_text_then_validate_again(state: Sandbox, chat: Chat, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="numbot.changes")
    confirm = chat.say(f"add {NEW} {NEW_2} to {seed.DALLAS_HQ}")
    assert "Add 2 numbers to a location?" in confirm.readable
    assert NEW in confirm.readable and NEW_2 in confirm.readable
    assert confirm.input_values()[buttons.INPUT_LOCATION] == state.location_named(seed.DALLAS_HQ).id
    assert {c["value"] for c in confirm.choices(buttons.INPUT_NUMBER_STATE)} == {"ACTIVE", "INACTIVE"}
    assert NEW not in numbers_at(state, seed.DALLAS_HQ), "nothing changes before the confirmation"

    done = chat.press(confirm, "Add 2 numbers")
    assert "Added 2 numbers to Dallas HQ" in done.readable
    assert numbers_at(state, seed.DALLAS_HQ).get(NEW) == "ACTIVE"
    line = audit_line(done)
    assert "Alice" in line and "added 2 numbers to Dallas HQ" in line and "trackingId" in line
    logged = [record_fields(r) for r in caplog.records if r.name == "numbot.changes"]
    assert [f["email"] for f in logged if f.get("audit")] == [seed.ALICE]
    assert logged[0]["trackingIds"] and NEW in logged[0]["what"]

    again = chat.press(done, "Validate again")
    assert "Duplicate" in again.readable and "Available" not in again.title()["text"]


def test_add_from_the_validation_card_inactive(state: Sandbox, chat: Chat) -> None:
    checked = chat.say(f"{NEW} {seed.DUPLICATE_IN_USE}")
    confirm = chat.press(checked, "Add to a location…")
    assert "Add 1 number to a location?" in confirm.readable
    assert seed.DUPLICATE_IN_USE not in confirm.readable, "the button carries the Available numbers only"
    assert confirm.input_values()[buttons.INPUT_LOCATION] in ("", None), "no location is chosen for the admin"
    warehouse = state.location_named(seed.DALLAS_WAREHOUSE).id
    assert warehouse in {c["value"] for c in confirm.choices(buttons.INPUT_LOCATION)}

    done = chat.press(confirm, "Add 1 number", locationId=warehouse, numberState="INACTIVE")
    assert "Added 1 number to Dallas Warehouse" in done.readable and "inactive" in done.readable
    assert numbers_at(state, seed.DALLAS_WAREHOUSE).get(NEW) == "INACTIVE"
    assert seed.DUPLICATE_IN_USE not in numbers_at(state, seed.DALLAS_WAREHOUSE)


def test_nothing_available_offers_nothing_to_add(state: Sandbox, chat: Chat) -> None:
    reply = chat.say(f"add {seed.DUPLICATE_IN_USE} to {seed.DALLAS_HQ}")
    assert "No numbers to add" in reply.readable and "Duplicate" in reply.readable
    assert writes(state, "POST", ADD_PATH) == 0


def test_a_calling_plan_location_is_refused_with_what_to_do(state: Sandbox, chat: Chat) -> None:
    confirm = chat.say(f"add {NEW} to {seed.LONDON}")
    done = chat.press(confirm, "Add 1 number")
    assert "No numbers added to London" in done.readable
    assert "Control Hub" in done.readable, "the admin is told where such numbers are added"
    assert re.search(r"Tracking ID: \S+", done.readable)
    assert NEW not in numbers_at(state, seed.LONDON)


def test_a_number_taken_meanwhile_is_refused_by_name_and_the_others_are_added(state: Sandbox, chat: Chat) -> None:
    confirm = chat.say(f"add {NEW} {NEW_2} to {seed.DALLAS_HQ}")
    state.add_numbers(state.location_named(seed.DALLAS_WAREHOUSE).id, {"phoneNumbers": [NEW_2]})
    done = chat.press(confirm, "Add 2 numbers")
    assert "Added 1 number to Dallas HQ; some were refused" in done.readable
    refusal = next(line for line in done.readable.splitlines() if line.startswith(NEW_2))
    assert "in use" in refusal.lower()
    assert "Validate again shows who uses it" in done.readable
    assert NEW in numbers_at(state, seed.DALLAS_HQ) and NEW_2 not in numbers_at(state, seed.DALLAS_HQ)


def test_a_409_conflict_adds_nothing_and_says_which_number(state: Sandbox, chat: Chat) -> None:
    state.add_numbers_failure = "conflict"
    confirm = chat.say(f"add {NEW} {NEW_2} to {seed.DALLAS_HQ}")
    state.add_numbers(state.location_named(seed.DALLAS_WAREHOUSE).id, {"phoneNumbers": [NEW_2]})
    done = chat.press(confirm, "Add 2 numbers")
    assert "No numbers added to Dallas HQ" in done.readable
    assert f"DN is in use : {NEW_2}" in done.readable, "Webex's own words name the number"
    assert "Validate again" in done.readable and "Validate again" in done.button_titles()
    assert NEW not in numbers_at(state, seed.DALLAS_HQ)


def test_a_502_after_the_write_is_read_back_not_sent_twice(state: Sandbox, chat: Chat) -> None:
    confirm = chat.say(f"add {NEW} to {seed.DALLAS_HQ}")
    fault = state.inject_fault("POST", ADD_PATH, status=502, stage="after")
    done = chat.press(confirm, "Add 1 number")
    assert fault.hits == 1
    assert "Added 1 number to Dallas HQ" in done.readable
    assert writes(state, "POST", ADD_PATH) == 1, "the number was there on reading back: no second add"


def test_a_double_press_changes_webex_once_and_answers_once(state: Sandbox, chat: Chat) -> None:
    confirm = chat.say(f"add {NEW} to {seed.DALLAS_HQ}")
    action = confirm.button("Add 1 number")
    values = {**action["data"], **confirm.input_values()}
    state.press(chat.email, confirm.id, values)
    replies = chat.submit(confirm, values)
    assert any("Added 1 number" in r.readable for r in replies)
    chat.say("help")  # a marker: anything the second press said would come before its answer
    bot_said = [m.readable for m in chat.bot_messages()]
    assert sum("Added" in text or "used already" in text or "No change" in text for text in bot_said) == 1
    assert writes(state, "POST", ADD_PATH) == 1


def test_a_redelivered_press_answers_once(state: Sandbox, chat: Chat, bot: RunningBot) -> None:
    confirm = chat.say(f"add {NEW} to {seed.DALLAS_HQ}")
    done = chat.press(confirm, "Add 1 number")
    assert "Added 1 number" in done.readable
    pressed = next(d for d in reversed(state.deliveries) if d.resource == "attachmentActions")
    state.redeliver(pressed.index)
    chat.say("help")
    assert sum("Added 1 number" in m.readable for m in chat.bot_messages()) == 1
    assert writes(state, "POST", ADD_PATH) == 1


def test_cancel_uses_the_confirmation_up(state: Sandbox, chat: Chat) -> None:
    confirm = chat.say(f"add {NEW} to {seed.DALLAS_HQ}")
    cancelled = chat.press(confirm, "Cancel")
    assert "Cancelled: nothing was changed" in cancelled.readable
    values = {**confirm.button("Add 1 number")["data"], **confirm.input_values()}
    state.press(chat.email, confirm.id, values)  # a late press: Cancel answered it already
    chat.say("help")
    assert not any("Added" in m.readable for m in chat.bot_messages())
    assert NEW not in numbers_at(state, seed.DALLAS_HQ)
    assert writes(state, "POST", ADD_PATH) == 0


def test_an_expired_confirmation_changes_nothing(state: Sandbox, chat: Chat, monkeypatch: pytest.MonkeyPatch) -> None:
    confirm = chat.say(f"add {NEW} to {seed.DALLAS_HQ}")
    assert "works once and for 10 minutes" in confirm.readable
    # Eleven minutes later, by the bot's clock of confirmations (the sandbox's time is not moved).
    monkeypatch.setattr(changes, "now", lambda: time.time() + 660)
    answer = chat.press(confirm, "Add 1 number")
    assert "No change made" in answer.readable and "has expired" in answer.readable
    assert NEW not in numbers_at(state, seed.DALLAS_HQ) and writes(state, "POST", ADD_PATH) == 0
    monkeypatch.undo()
    again = chat.press(chat.say(f"add {NEW} to {seed.DALLAS_HQ}"), "Add 1 number")
    assert "Added 1 number" in again.readable, "a new confirmation works"


def test_a_confirmation_whose_expiry_was_moved_is_refused(state: Sandbox, chat: Chat) -> None:
    confirm = chat.say(f"add {NEW} to {seed.DALLAS_HQ}")
    data = {**confirm.button("Add 1 number")["data"], **confirm.input_values()}
    answer = chat.submit(confirm, {**data, "expires": str(int(data["expires"]) + 86400)})[0]
    assert "No change made" in answer.readable and "not made by this bot, or was changed" in answer.readable
    assert writes(state, "POST", ADD_PATH) == 0


def test_a_tampered_confirmation_is_refused(state: Sandbox, chat: Chat) -> None:
    confirm = chat.say(f"add {NEW} to {seed.DALLAS_HQ}")
    data = {**confirm.button("Add 1 number")["data"], **confirm.input_values()}
    data["subject"] = json.dumps({"numbers": [NEW, NEW_2]})
    answer = chat.submit(confirm, data)[0]
    assert "No change made" in answer.readable
    assert writes(state, "POST", ADD_PATH) == 0


# ------------------------------------------------------------------------------ who may change


def test_a_read_only_admin_is_told_why(state: Sandbox, bot: RunningBot) -> None:
    lou = Chat(state, seed.LOU)
    checked = lou.say(NEW)
    assert "Add to a location…" in checked.button_titles(), "the button is there (AC 1.3 cannot disable it)"
    answer = lou.press(checked, "Add to a location…")
    assert "Only full administrators" in answer.readable
    answer = lou.say(f"add {NEW} to {seed.DALLAS_HQ}")
    assert "Only full administrators" in answer.readable
    assert writes(state, "POST", ADD_PATH) == 0


def test_roles_are_checked_again_at_the_press(state: Sandbox, chat: Chat) -> None:
    confirm = chat.say(f"add {NEW} to {seed.DALLAS_HQ}")
    alice = state.person_by_email(seed.ALICE)
    alice.roles[:] = [seed.READONLY_ADMIN_ROLE_ID]
    answer = chat.press(confirm, "Add 1 number")
    assert "Only full administrators" in answer.readable
    assert NEW not in numbers_at(state, seed.DALLAS_HQ)


def test_changes_are_off_unless_the_operator_turns_them_on(state: Sandbox,
                                                           make_bot: Callable[..., RunningBot]) -> None:
    make_bot()
    chat = Chat(state, seed.ALICE)
    checked = chat.say(NEW)
    assert "Add to a location…" not in checked.button_titles()
    answer = chat.say(f"add {NEW} to {seed.DALLAS_HQ}")
    assert "turned off" in answer.readable and "NUMBOT_ALLOW_CHANGES" in answer.readable
    helped = chat.say("help")
    assert "add numbers" not in helped.readable.lower()
    assert writes(state, "POST", ADD_PATH) == 0


# ------------------------------------------------------------------------------ assign an alternate number


def free_number(state: Sandbox, location: str) -> str:
    """An alternate available number of the location (unassigned, PSTN)."""
    return next(n.phone_number for n in state.location_named(location).numbers
                if n.telephony_type == "PSTN_NUMBER" and not n.is_main_number)


def test_assign_from_text_keeps_the_existing_alternate(state: Sandbox, chat: Chat) -> None:
    number = free_number(state, seed.DALLAS_HQ)
    confirm = chat.say(f"assign {number} to {seed.MAIN_MENU} in {seed.DALLAS_HQ}")
    assert f"Assign {number} to an auto attendant?" in confirm.readable
    assert seed.MAIN_MENU_ALTERNATE in confirm.readable, "its current alternate numbers are shown"
    main_menu = state.auto_attendant_named(seed.MAIN_MENU).id
    assert confirm.input_values()[buttons.INPUT_AUTO_ATTENDANT] == main_menu
    assert {c["value"] for c in confirm.choices(buttons.INPUT_RING_PATTERN)} >= {"NORMAL", "LONG_LONG"}

    done = chat.press(confirm, "Assign", ringPattern="LONG_LONG")
    assert f"Assigned {number} to Main Menu" in done.readable
    assert alternates(state, seed.MAIN_MENU) == [seed.MAIN_MENU_ALTERNATE, number]
    ring = {a.phone_number: a.ring_pattern for a in state.auto_attendant_named(seed.MAIN_MENU).alternate_numbers}
    assert ring[number] == "LONG_LONG"
    assert "assigned" in audit_line(done) and "Alice" in audit_line(done)


def test_assign_from_the_alternate_numbers_card_and_remove(state: Sandbox, chat: Chat) -> None:
    page = chat.say(f"alternate numbers {seed.DALLAS_HQ}")
    number = page.choices(buttons.INPUT_NUMBER)[0]["value"]
    confirm = chat.press(page, "Assign to an auto attendant…", number=number)
    main_menu = state.auto_attendant_named(seed.MAIN_MENU).id
    done = chat.press(confirm, "Assign", autoAttendant=main_menu)
    assert number in alternates(state, seed.MAIN_MENU)

    again = chat.say(f"assign {free_number(state, seed.DALLAS_HQ)} to {seed.MAIN_MENU} in {seed.DALLAS_HQ}")
    removal = next(b for b in again.buttons() if b["title"] == "Remove"
                   and json.loads(b["data"]["subject"])["number"] == number)
    values = {**removal["data"], **again.input_values()}
    removed = chat.submit(again, values)[0]
    assert f"Removed {number} from Main Menu" in removed.readable
    assert alternates(state, seed.MAIN_MENU) == [seed.MAIN_MENU_ALTERNATE]
    assert "Alternate numbers" in done.button_titles()


def test_a_full_auto_attendant_is_refused(state: Sandbox, chat: Chat) -> None:
    location = state.location_named(seed.DALLAS_HQ)
    free = [n.phone_number for n in location.numbers if n.telephony_type == "PSTN_NUMBER" and not n.is_main_number]
    state.add_auto_attendant("Full Menu", seed.DALLAS_HQ, extension="7010", alternate_numbers=tuple(free[:10]))
    confirm = chat.say(f"assign {free[10]} to Full Menu in {seed.DALLAS_HQ}")
    assert "full (10 of 10)" in confirm.readable
    answer = chat.press(confirm, "Assign")
    assert "Remove one first" in answer.readable
    assert free[10] not in alternates(state, "Full Menu")


def test_assign_after_a_502_is_read_back_not_sent_twice(state: Sandbox, chat: Chat) -> None:
    number = free_number(state, seed.DALLAS_HQ)
    confirm = chat.say(f"assign {number} to {seed.MAIN_MENU} in {seed.DALLAS_HQ}")
    state.inject_fault("PUT", AA_PATH, status=502, stage="after")
    done = chat.press(confirm, "Assign")
    assert f"Assigned {number} to Main Menu" in done.readable
    assert writes(state, "PUT", AA_PATH) == 1
    assert alternates(state, seed.MAIN_MENU) == [seed.MAIN_MENU_ALTERNATE, number]


def test_assign_pressed_twice_assigns_once(state: Sandbox, chat: Chat) -> None:
    number = free_number(state, seed.DALLAS_HQ)
    confirm = chat.say(f"assign {number} to {seed.MAIN_MENU} in {seed.DALLAS_HQ}")
    values = {**confirm.button("Assign")["data"], **confirm.input_values()}
    state.press(chat.email, confirm.id, values)
    chat.submit(confirm, values)
    chat.say("help")
    assert sum(f"Assigned {number}" in m.readable for m in chat.bot_messages()) == 1
    assert writes(state, "PUT", AA_PATH) == 1


def test_two_instances_pressed_at_once_change_webex_once(state: Sandbox, chat: Chat,
                                                          make_bot: Callable[..., RunningBot]) -> None:
    """Two instances on one store, each with its own webhook: every press reaches both."""
    make_bot(allow_changes=True, press_window_seconds=0, admin_roles=CHECKERS)
    confirm = chat.say(f"add {NEW} to {seed.DALLAS_HQ}", count=1)
    values = {**confirm.button("Add 1 number")["data"], **confirm.input_values()}
    state.press(chat.email, confirm.id, values)
    answer = chat.submit(confirm, values)[0]
    assert "Added 1 number" in answer.readable
    chat.say("help")
    assert sum("Added 1 number" in m.readable for m in chat.bot_messages()) == 1
    assert writes(state, "POST", ADD_PATH) == 1


# ------------------------------------------------------------------------------ from a terminal


def test_add_and_assign_from_a_terminal(state: Sandbox, server: SandboxServer, tmp_path: Path) -> None:
    settings = bot_settings(server, tmp_path / "numbot.db", allow_changes=True)
    asked = run_cli(settings, "add", NEW, seed.DUPLICATE_IN_USE, "--location", seed.DALLAS_HQ, stdin="n\n")
    assert asked.returncode == 1 and "[y/N]" in asked.stdout and "Nothing was changed" in asked.stdout
    assert f"not added: {seed.DUPLICATE_IN_USE} is Duplicate" in asked.stdout
    assert NEW not in numbers_at(state, seed.DALLAS_HQ)

    done = run_cli(settings, "add", NEW, "--location", seed.DALLAS_HQ, "--inactive", stdin="y\n")
    assert done.returncode == 0, done.stderr
    assert f"added: {NEW} (inactive)" in done.stdout and "Change by " in done.stdout
    assert numbers_at(state, seed.DALLAS_HQ).get(NEW) == "INACTIVE"

    number = free_number(state, seed.DALLAS_HQ)
    assigned = run_cli(settings, "assign", number, "--auto-attendant", seed.MAIN_MENU, "--location", seed.DALLAS_HQ,
                       "--ring-pattern", "short_short_long", "--yes")
    assert assigned.returncode == 0, assigned.stderr
    assert f"assigned: {number} to Main Menu" in assigned.stdout
    assert alternates(state, seed.MAIN_MENU) == [seed.MAIN_MENU_ALTERNATE, number]


def test_a_terminal_changes_nothing_unless_changes_are_on(state: Sandbox, server: SandboxServer,
                                                          tmp_path: Path) -> None:
    settings = bot_settings(server, tmp_path / "numbot.db")
    refused = run_cli(settings, "add", NEW, "--location", seed.DALLAS_HQ, "--yes")
    assert refused.returncode == 1 and "NUMBOT_ALLOW_CHANGES" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert writes(state, "POST", ADD_PATH) == 0


def test_numbers_added_inactive_are_activated_from_the_result_once(state: Sandbox, chat: Chat) -> None:
    confirm = chat.say(f"add {NEW} {NEW_2} to {seed.DALLAS_HQ}")
    added = chat.press(confirm, "Add 2 numbers", numberState="INACTIVE")
    assert "Added, inactive (2)" in added.readable and "take no calls" in added.readable
    assert numbers_at(state, seed.DALLAS_HQ)[NEW] == "INACTIVE"
    activated = chat.press(added, "Activate 2 numbers now")
    assert "Activated 2 numbers at Dallas HQ" in activated.readable
    assert "activated 2 numbers" in audit_line(activated)
    assert {numbers_at(state, seed.DALLAS_HQ)[n] for n in (NEW, NEW_2)} == {"ACTIVE"}
    values = {**added.button("Activate 2 numbers now")["data"], **added.input_values()}
    state.press(chat.email, added.id, values)  # pressed again: the first press answered
    chat.say("help")
    assert sum("Activated" in m.readable for m in chat.bot_messages()) == 1
    assert writes(state, "PUT", ADD_PATH) == 1
