"""The chat page as a Webex web client: in the group space what a person types becomes the
bot's mention, as Webex clients make it; files are attached (paperclip or drop), shown with their
name and size and downloaded with the person's token; edited messages are drawn again. Headless
Chromium against the sandbox alone (no bot).

Skipped without Debian's chromium or Playwright (failing when ``CI`` is set), like tests/browser."""
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sandbox import Sandbox, SandboxServer, seed

pytestmark = pytest.mark.browser


@pytest.fixture
def group_page(browser: Any, server: SandboxServer) -> Iterator[Any]:
    context = browser.new_context()
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server.url}/#person={seed.ALICE}&room=group")
    page.wait_for_selector("body[data-ready=true]")
    yield page
    context.close()
    assert not errors, errors


def type_and_send(page: Any, state: Sandbox, text: str) -> Any:
    """What the page posted when the person typed ``text`` and pressed Enter (the stored message)."""
    before = len(state.messages)
    page.fill("#text", text)
    page.press("#text", "Enter")
    deadline = time.monotonic() + 10
    while len(state.messages) == before:
        assert time.monotonic() < deadline, "the page posted nothing"
        time.sleep(0.02)
    return list(state.messages.values())[-1]


def pill(person_id: str, shown: str) -> str:
    return f'<spark-mention data-object-type="person" data-object-id="{person_id}">{shown}</spark-mention>'


def test_a_typed_first_word_mention_stays_where_it_was_typed(group_page, state):
    message = type_and_send(group_page, state, "please @numbot validate +12145557861")
    bot = state.bot.id
    assert message.markdown == f"please <@personId:{bot}|numbot> validate +12145557861"
    assert message.text == "please numbot validate +12145557861"
    assert message.html == f"please {pill(bot, 'numbot')} validate +12145557861"  # the web client's html
    assert message.mentioned_people == [bot]
    shown = group_page.locator(f'.message[data-message-id="{message.id}"] .mention')
    assert shown.inner_text() == "numbot"


def test_the_full_name_typed_at_the_end_is_the_mention(group_page, state):
    message = type_and_send(group_page, state, "validate +12145557861 @Numbot 2000")
    assert message.text == "validate +12145557861 Numbot 2000"
    assert message.html == f"validate +12145557861 {pill(state.bot.id, 'Numbot 2000')}"


def test_without_a_typed_mention_the_page_mentions_the_full_name_first(group_page, state):
    message = type_and_send(group_page, state, "help")
    assert message.text == "Numbot 2000 help"
    assert message.html == f"{pill(state.bot.id, 'Numbot 2000')} help"
    assert message.mentioned_people == [state.bot.id]
    # An address is not a mention.
    message = type_and_send(group_page, state, "ask x@numbot.example")
    assert message.text == "Numbot 2000 ask x@numbot.example"


def test_a_desktop_clients_message_shows_its_mention_on_the_page(group_page, state):
    sent = state.say(seed.BOB, "validate +12145557861", room="group", mention_as="Numbot")
    shown = group_page.locator(f'.message[data-message-id="{sent["id"]}"] .message-text')
    assert shown.inner_text() == "Numbot validate +12145557861"
    assert shown.locator(".mention").inner_text() == "Numbot"


CSV = b"+12145557861\n+12145557862\n"


def wait_for(condition: Any, what: str, timeout: float = 10) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, what
        time.sleep(0.02)
    return found


def test_the_paperclip_attaches_a_file_that_send_posts_with_the_text(group_page, state):
    with group_page.expect_file_chooser() as chooser:
        group_page.click("#attach")
    chooser.value.set_files({"name": "numbers.csv", "mimeType": "text/csv", "buffer": CSV})
    assert group_page.locator("#attachment").is_visible()
    assert group_page.inner_text("#attachment-name") == "numbers.csv"
    assert group_page.inner_text("#attachment-size") == f"{len(CSV)} B"
    message = type_and_send(group_page, state, "validate these")
    assert state.file_of(message.id) == ("numbers.csv", CSV, "text/csv")
    assert message.markdown == f"<@personId:{state.bot.id}|Numbot 2000> validate these"  # the group's mention
    assert message.mentioned_people == [state.bot.id]
    assert group_page.locator("#attachment").is_hidden()
    (post,) = state.calls("/v1/messages", method="POST")
    assert post.json["files"] == [{"filename": "numbers.csv", "contentType": "text/csv", "size": len(CSV)}]


def test_a_file_dropped_on_the_composer_is_sent_alone(browser, server, state):
    context = browser.new_context()
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{server.url}/#person={seed.BOB}&room=direct")
    page.wait_for_selector("body[data-ready=true]")
    transfer = page.evaluate_handle("""() => {
        const transfer = new DataTransfer();
        transfer.items.add(new File(["+12145557861\\n"], "dropped.csv", { type: "text/csv" }));
        return transfer;
    }""")
    page.dispatch_event(".composer", "dragover", {"dataTransfer": transfer})
    page.dispatch_event(".composer", "drop", {"dataTransfer": transfer})
    assert page.inner_text("#attachment-name") == "dropped.csv"
    page.click("#send")
    message = wait_for(lambda: next((m for m in state.messages.values() if m.files), None), "nothing posted")
    assert message.person_email == seed.BOB and message.text == "" and message.markdown is None
    assert state.file_of(message.id) == ("dropped.csv", b"+12145557861\n", "text/csv")
    context.close()


def test_a_messages_file_shows_its_name_and_size_and_downloads(group_page, state):
    sent = state.upload(seed.BOB, "group", "numbers.csv", CSV, "text/csv", text="the list", mention_bot=False)
    button = group_page.locator(f'.message[data-message-id="{sent["id"]}"] .file')
    group_page.wait_for_selector(f'.message[data-message-id="{sent["id"]}"] .file[data-state="ready"]')
    assert button.locator(".file-name").inner_text() == "numbers.csv"
    assert button.locator(".file-size").inner_text() == f"{len(CSV)} B"
    with group_page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename == "numbers.csv"
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == CSV
    reads = [(c.method, c.identity, c.status) for c in state.calls("/v1/contents/")]
    assert reads == [("HEAD", f"person:{seed.ALICE}", 200), ("GET", f"person:{seed.ALICE}", 200)]


def test_a_file_being_scanned_shows_so_then_its_name(group_page, state):
    state.file_scan_seconds = 1.5
    sent = state.upload(seed.BOB, "group", "numbers.csv", CSV, "text/csv", mention_bot=False)
    selector = f'.message[data-message-id="{sent["id"]}"] .file'
    group_page.wait_for_selector(f'{selector}[data-state="scanning"]')
    assert "scanning" in group_page.inner_text(f"{selector} .file-size")
    group_page.wait_for_selector(f'{selector}[data-state="ready"]')
    assert group_page.inner_text(f"{selector} .file-name") == "numbers.csv"
    assert 423 in [c.status for c in state.calls("/v1/contents/", method="HEAD")]


def test_an_unscannable_file_downloads_with_allow_unscannable(group_page, state):
    sent = state.upload(seed.BOB, "group", "archive.zip", b"PK\x03\x04", "application/zip", mention_bot=False)
    state.mark_unscannable(sent["id"])
    selector = f'.message[data-message-id="{sent["id"]}"] .file[data-state="unscannable"]'
    group_page.wait_for_selector(selector)
    with group_page.expect_download() as download:
        group_page.click(selector)
    assert download.value.suggested_filename == "archive.zip"
    assert state.calls("/v1/contents/", method="GET")[-1].query == {"allow": "unscannable"}


def test_an_edited_message_is_drawn_again_and_says_edited(group_page, server, state):
    headers = {"Authorization": f"Bearer {seed.BOT_TOKEN}"}
    sent = requests.post(f"{server.api_url}/messages", headers=headers, timeout=10,
                         json={"roomId": state.group_room_id, "markdown": "Checking **0** of 300"}).json()
    selector = f'.message[data-message-id="{sent["id"]}"]'
    group_page.wait_for_selector(selector)
    assert group_page.locator(f"{selector} .edited").count() == 0
    edited = requests.put(f"{server.api_url}/messages/{sent['id']}", headers=headers, timeout=10,
                          json={"roomId": state.group_room_id, "markdown": "Checking **300** of 300"})
    assert edited.status_code == 200
    group_page.wait_for_selector(f"{selector} .edited")
    assert group_page.inner_text(f"{selector} .message-text") == "Checking 300 of 300"
    assert group_page.locator(f"{selector} strong", has_text="300").count() == 1
    assert group_page.locator(selector).count() == 1
