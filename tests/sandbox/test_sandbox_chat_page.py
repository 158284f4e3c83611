"""The chat page as a Webex web client: in the group space what a person types becomes the
bot's mention, as Webex clients make it. Headless Chromium against the sandbox alone (no bot).

Skipped without Debian's chromium or Playwright (failing when ``CI`` is set), like tests/browser."""
from __future__ import annotations

import os
import shutil
import time
from typing import Any, Iterator

import pytest

from sandbox import Sandbox, SandboxServer, seed

pytestmark = pytest.mark.browser


def _no_browser(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"the chat page test cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(executable):
        _no_browser("Debian's chromium is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("Playwright's Python package is not installed")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        yield launched
        launched.close()


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
