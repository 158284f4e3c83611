"""An admin uses the demo's chat page in a real browser: the bot's cards are drawn by Microsoft's
Adaptive Cards renderer, and what the test checks is what a person reads on them.

Screenshots go to ``test-artifacts/`` (the README's come from here)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox import seed
from sandbox.demo import Demo

pytestmark = pytest.mark.browser

# seed.EXPECTED_STATES: every state and the toll-free flag in one message (12345 is not a phone
# number for the bot: it is listed apart and never sent to Webex).
VALIDATE = (f"validate +12145557861, (214) 555-7862 +442071838750 {seed.DUPLICATE_ASSIGNED} 12345 "
            f"{seed.AVAILABLE_TOLL_FREE} {seed.INVALID_POSSIBLE} {seed.UNAVAILABLE}")
CARDS = ".message.from-bot .card[data-rendered]"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
# The page's host config colours (sandbox/static/chat.js), as the browser computes them.
GOOD, WARNING, ATTENTION = "rgb(20, 129, 61)", "rgb(179, 89, 0)", "rgb(212, 55, 28)"


def open_chat(page: Any, demo: Demo, room: str = "direct") -> None:
    page.goto(f"{demo.chat_url}#person={seed.ALICE}&room={room}")
    page.wait_for_selector("body[data-ready=true]")


def wait_for_card(page: Any, cards_before: int) -> Any:
    """The next card the bot posts, once the renderer has drawn it (and it drew it cleanly)."""
    # The page fixture's default timeout (30 s) applies.
    page.wait_for_function("([selector, n]) => document.querySelectorAll(selector).length > n",
                           arg=[CARDS, cards_before])
    card = page.locator(CARDS).nth(cards_before)
    problems = card.locator(".card-problems")
    assert card.get_attribute("data-rendered") == "true", problems.inner_text()
    page.mouse.move(1, 1)  # no hover highlight in the screenshots
    return card


def say(page: Any, text: str) -> Any:
    before = page.locator(CARDS).count()
    page.fill("#text", text)
    page.press("#text", "Enter")
    return wait_for_card(page, before)


def press(page: Any, card: Any, title: str) -> Any:
    before = page.locator(CARDS).count()
    card.get_by_role("button", name=title, exact=True).click()
    return wait_for_card(page, before)


def row(card: Any, number: str) -> str:
    """The text of the card's row (a ColumnSet) that shows ``number``."""
    return card.locator(".ac-columnSet", has_text=number).first.inner_text()


def colour(card: Any, text: str) -> str:
    return colour_of(card.get_by_text(text, exact=True).first)


def colour_of(node: Any) -> str:
    return node.evaluate("node => getComputedStyle(node).color")


def headline(card: Any) -> Any:
    return card.locator(".ac-textBlock").first


def test_validate_then_page_through_alternate_numbers(page: Any, demo: Demo, artifacts: Path) -> None:
    open_chat(page, demo)

    card = say(page, VALIDATE)
    assert "ERRORS" in headline(card).inner_text()
    assert colour_of(headline(card)) == ATTENTION
    read = card.inner_text()
    for count in ("4 Available", "1 Duplicate", "1 Invalid", "1 Unavailable", "1 not a phone number"):
        assert count in read
    assert "Available" in row(card, "+12145557861")
    assert "Available" in row(card, "(214) 555-7862")
    assert "Available" in row(card, "+442071838750")
    assert "Duplicate" in row(card, seed.DUPLICATE_ASSIGNED)
    # Who uses the in-use number, and what each problem means.
    assert "Used by Dana Diaz (user) at Dallas HQ, extension 9001." in read
    assert "Webex cannot use this number" in read and "Not a valid phone number for Webex Calling" in read
    toll_free = row(card, seed.AVAILABLE_TOLL_FREE)
    assert "Available" in toll_free and "Toll-free" in toll_free
    assert "Toll-free" not in row(card, "+12145557861")
    assert "Invalid" in row(card, seed.INVALID_POSSIBLE)
    assert "Unavailable" in row(card, seed.UNAVAILABLE)
    assert "DN is in use" in read  # Webex's error detail, as the admin reads it (no markdown escapes)
    assert "\\[" not in read
    assert re.search(r"Not a phone number.*\n.*12345", read)
    assert (colour(card, "Available"), colour(card, "Duplicate"), colour(card, "Invalid")) == (GOOD, WARNING, ATTENTION)
    fallback = page.locator(".message.from-bot .fallback").last
    fallback.locator("summary").click()
    assert "ERRORS" in fallback.locator("pre").inner_text()  # the markdown a card-less client shows
    fallback.locator("summary").click()
    page.screenshot(path=str(artifacts / "validate.png"))

    first = say(page, "alternate numbers Dallas HQ")
    read = first.inner_text()
    assert "Alternate numbers · Dallas HQ" in read
    assert "Numbers 1–10" in read
    assert "Active" in row(first, seed.DALLAS_HQ_MAIN_NUMBER) and "Main number" in row(first, seed.DALLAS_HQ_MAIN_NUMBER)
    assert "Numbers 1–10 of 120 · page 1 of 12" in read
    page.screenshot(path=str(artifacts / "alternate.png"))

    second = press(page, first, "Next")
    read = second.inner_text()
    assert "Numbers 11–20" in read
    assert "+12143020011" in read and "+12143020020" in read and "+12143020010" not in read
    assert second.get_by_role("button", name="Previous", exact=True).is_visible()
    # The page sent what a Webex client sends: the button's data merged with the card's inputs.
    action = list(demo.sandbox.state.actions.values())[-1]
    assert action.inputs["onlyActive"] == "false" and len(action.inputs) > 3
    second.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "alternate-next.png"))
    second.screenshot(path=str(artifacts / "alternate-next-card.png"))


def test_in_the_group_space_the_page_mentions_the_bot_and_sends_card_inputs(page: Any, demo: Demo, artifacts: Path) -> None:
    open_chat(page, demo, room="group")
    assert page.locator("#space-title").inner_text() == seed.GROUP_ROOM_TITLE

    help_card = say(page, "help")
    assert "numbot" in help_card.inner_text()
    mine = page.locator(".message:not(.from-bot)").last
    assert mine.locator(".mention").inner_text() == seed.BOT_NAME
    help_card.locator("textarea").fill(f"{seed.AVAILABLE_US}\n{seed.AVAILABLE_US_2_NATIONAL}")
    page.screenshot(path=str(artifacts / "group-help.png"))

    # What the admin typed into the card reaches the bot with the button press.
    result = press(page, help_card, "Validate")
    assert "OK" in headline(result).inner_text() and colour_of(headline(result)) == GOOD
    assert "Available" in row(result, seed.AVAILABLE_US) and "Available" in row(result, "+12145557862")


def test_the_page_flags_a_card_webex_would_not_render(page: Any, demo: Demo) -> None:
    """So a card that renders cleanly above means something: AC 1.4+ and unknown types show up."""
    posted = []
    for card in ({"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "too new"}]},
                 {"type": "AdaptiveCard", "version": "1.3", "body": [{"type": "TextBlock", "text": "hi"}],
                  "actions": [{"type": "Action.Execute", "title": "Go"}]}):
        answer = requests.post(f"{demo.sandbox.api_url}/messages", timeout=10,
                               headers={"Authorization": f"Bearer {seed.PERSON_TOKENS[seed.ALICE]}"},
                               json={"toPersonEmail": seed.BOT_EMAIL, "markdown": "a card",
                                     "attachments": [{"contentType": CARD_TYPE, "content": card}]})
        assert answer.status_code == 200, answer.text
        posted.append(answer.json()["id"])
    open_chat(page, demo)
    too_new, execute = (page.locator(f'.message[data-message-id="{i}"] .card[data-rendered]') for i in posted)
    assert too_new.get_attribute("data-rendered") == "with-problems"
    assert "(1.5) is not supported" in too_new.inner_text()
    assert execute.get_attribute("data-rendered") == "with-problems"
    assert "Action.Execute" in execute.inner_text()


def test_locations_lists_the_calling_locations_and_a_button_opens_one(page: Any, demo: Demo, artifacts: Path) -> None:
    open_chat(page, demo)
    listed = say(page, "locations")
    text = listed.inner_text()
    assert "Calling locations" in text and "6 Webex Calling locations" in text
    assert seed.DALLAS_HQ in text and seed.PARIS not in text
    page.screenshot(path=str(artifacts / "locations.png"), full_page=True)
    # The row of Richardson, and its own button.
    richardson = listed.locator(".ac-columnSet", has_text=seed.RICHARDSON)
    before = page.locator(CARDS).count()
    richardson.get_by_role("button", name="Alternate numbers").click()
    numbers = wait_for_card(page, before)
    assert "Alternate numbers · Richardson" in numbers.inner_text()


def test_a_csv_attached_in_the_page_comes_back_validated_as_a_file_to_download(page: Any, demo: Demo,
                                                                               artifacts: Path) -> None:
    open_chat(page, demo)
    ports = ("Phone Number\n" + "\n".join([seed.AVAILABLE_US, seed.DUPLICATE_ASSIGNED, seed.UNAVAILABLE, "12x"])
             + "\n").encode()
    before = page.locator(CARDS).count()
    with page.expect_file_chooser() as chooser:
        page.click("#attach")
    chooser.value.set_files({"name": "ports.csv", "mimeType": "text/csv", "buffer": ports})
    page.fill("#text", "validate")
    page.click("#send")
    summary = wait_for_card(page, before)
    read = summary.inner_text()
    assert "ports.csv: ERRORS" in read and "1 Available · 1 Duplicate · 1 Unavailable · 1 not a phone number" in read
    progress = page.locator(".message.from-bot", has_text="Validated 3 numbers from ports.csv")
    progress.wait_for()  # the progress message, edited in place
    result = page.locator(".message.from-bot .file", has_text="ports-validated.csv")
    result.wait_for()
    page.wait_for_selector('.message.from-bot .file[data-state="ready"]')
    page.screenshot(path=str(artifacts / "bulk.png"), full_page=True)
    with page.expect_download() as download:
        result.click()
    assert download.value.suggested_filename == "ports-validated.csv"
    with open(download.value.path(), "rb") as saved:
        lines = saved.read().decode("utf-8-sig").splitlines()
    assert lines[0] == "row,input,e164,state,toll_free,detail"
    assert [line.split(",")[3] for line in lines[1:]] == ["Available", "Duplicate", "Unavailable", "not a phone number"]


def test_bob_without_an_admin_role_gets_a_polite_refusal_that_says_whom_to_ask(page: Any, demo: Demo) -> None:
    """The demo runs as deployments do by default: NUMBOT_REQUIRE_ADMIN on."""
    page.goto(f"{demo.chat_url}#person={seed.BOB}&room=direct")
    page.wait_for_selector("body[data-ready=true]")
    refusal = say(page, f"validate {seed.AVAILABLE_US}").inner_text()
    assert "Sorry, you can't use this bot yet" in refusal
    assert "only full administrators" in refusal and "To get access, ask Alice Admin (alice@example.com)." in refusal


def test_add_the_available_numbers_then_assign_an_alternate_number(page: Any, demo: Demo, artifacts: Path) -> None:
    """The demo turns changes on: an admin adds a validated number to a location and assigns an
    alternate number to an auto attendant, each behind its confirmation card."""
    open_chat(page, demo)
    checked = say(page, f"validate {seed.AVAILABLE_US} (214) 555-7862 {seed.DUPLICATE_ASSIGNED}")
    confirm = press(page, checked, "Add to a location…")
    read = confirm.inner_text()
    assert "Add 2 numbers to a location?" in read and "+12145557862" in read
    assert "Nothing changes until you press the button" in read
    confirm.locator("select").first.select_option(label=seed.DALLAS_WAREHOUSE)
    confirm.get_by_text("Inactive: added, activated later").click()
    page.mouse.move(1, 1)
    confirm.screenshot(path=str(artifacts / "add-confirm.png"))
    done = press(page, confirm, "Add 2 numbers")
    read = done.inner_text()
    assert "Added 2 numbers to Dallas Warehouse" in read and "inactive" in read
    assert "Change by Alice" in read
    assert colour(done, "Added 2 numbers to Dallas Warehouse") == GOOD
    done.screenshot(path=str(artifacts / "add-result.png"))

    confirm = say(page, f"assign +12143020003 to {seed.MAIN_MENU} in {seed.DALLAS_HQ}")
    read = confirm.inner_text()
    assert "Assign +12143020003 to an auto attendant?" in read and seed.MAIN_MENU_ALTERNATE in read
    confirm.screenshot(path=str(artifacts / "assign-confirm.png"))
    done = press(page, confirm, "Assign")
    read = done.inner_text()
    assert "Assigned +12143020003 to Main Menu" in read and seed.MAIN_MENU_ALTERNATE in read
    done.screenshot(path=str(artifacts / "assign-result.png"))
