"""The demo without a browser: the bot wired to the sandbox answers, the chat page and its files
are served from the sandbox alone, and ``python -m sandbox.demo`` prints its URL and stops on Ctrl-C."""
from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from sandbox import seed
from sandbox.demo import Demo

ROOT = Path(__file__).resolve().parents[2]
CARD = "application/vnd.microsoft.card.adaptive"


def test_the_demo_bot_answers_alice_with_a_card(demo: Demo) -> None:
    state = demo.sandbox.state
    posted = state.say(seed.ALICE, f"validate {seed.AVAILABLE_US}")  # over HTTP, with Alice's token
    reply = state.wait_for_reply(state.direct_room(seed.ALICE), posted["id"], timeout=30)[0]
    assert reply["markdown"]
    assert [a["contentType"] for a in reply["attachments"]] == [CARD]
    assert "Available" in reply["markdown"]


def test_the_chat_page_and_its_files_are_served_from_the_sandbox(demo: Demo) -> None:
    page = requests.get(demo.chat_url, timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    links = re.findall(r'(?:src|href)="([^"]*)"', page.text)
    assert links, "the page links no scripts or styles"
    outside = [link for link in links if not (link.startswith("/") and not link.startswith("//"))
               and not link.startswith("data:")]
    assert outside == [], "the chat page must not load anything from outside the sandbox"
    kinds = {".js": "javascript", ".css": "text/css"}
    for link in links:
        if link.startswith("data:"):
            continue
        served = requests.get(demo.sandbox.url + link, timeout=10)
        assert served.status_code == 200, link
        assert kinds[Path(link).suffix] in served.headers["Content-Type"], (link, served.headers["Content-Type"])
        if "/vendor/" not in link:
            assert not re.search(r"(https?:)?//[a-z]", served.text), link


def test_the_chat_page_learns_people_rooms_and_the_bot(demo: Demo) -> None:
    config = requests.get(demo.sandbox.url + "/_sandbox/chat", timeout=10).json()
    state = demo.sandbox.state
    assert config["bot"] == {"id": state.bot.id, "displayName": seed.BOT_NAME}
    alice = next(p for p in config["people"] if p["email"] == seed.ALICE)
    assert alice["token"] == seed.PERSON_TOKENS[seed.ALICE]
    assert alice["role"] == "full administrator"
    assert {(r["type"], r["id"]) for r in alice["rooms"]} == {("direct", state.direct_room(seed.ALICE)),
                                                             ("group", state.group_room_id)}
    assert config["everyone"][state.bot.id] == seed.BOT_NAME


def test_python_m_sandbox_demo_prints_the_url_and_stops_on_ctrl_c() -> None:
    process = subprocess.Popen([sys.executable, "-m", "sandbox.demo", "--port", "0"], cwd=ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            assert line or process.poll() is None, "the demo exited before printing its URL"
            found = re.search(r"open (http://127\.0\.0\.1:\d+/)", line)
            url = found.group(1) if found else None
        assert url, "the demo printed no URL to open"
        assert requests.get(url, timeout=10).status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
