"""The bot, for real, against the sandbox: helpers shared by the end-to-end tests.

``start_bot`` builds numbot with ``create_app`` (the factory gunicorn calls), serves it on a
free loopback port and points the bot's webhooks at it through the sandbox's own webhooks API,
exactly as ``python -m bot register-webhooks`` does in production. Nothing of the bot's HTTP
layer is replaced: every Webex call goes over HTTP to the sandbox.

``Chat`` reads like a conversation: an admin says something (or presses a button) with their own
token, the sandbox delivers the signed webhook, and the test reads the bot's reply.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from bot.core.config import Settings
from bot.runtime import Runtime
from bot.web.app import create_app, runtime_of
from bot.web.webhooks import register_webhooks
from sandbox import Sandbox, SandboxServer, seed
from sandbox.demo import operator_settings
from sandbox.models import Fault

CARD = "application/vnd.microsoft.card.adaptive"


def bot_settings(server: SandboxServer, store_path: Path, **overrides: Any) -> Settings:
    """Settings as an operator would set them for this sandbox (``sandbox.demo.operator_settings``),
    with a test's store and a shorter request timeout."""
    store_url = overrides.pop("store_url", f"sqlite:///{store_path}")
    return operator_settings(server.api_url, store_url, **{"request_timeout": 10, **overrides})


@dataclass
class RunningBot:
    """One bot process's worth of numbot: the Flask app, its runtime, and its HTTP server."""

    app: Flask
    settings: Settings
    http: BaseWSGIServer
    thread: threading.Thread
    url: str

    @property
    def runtime(self) -> Runtime:
        return runtime_of(self.app)

    @property
    def webhook_url(self) -> str:
        return self.url + "/webhook"

    def stop(self, *, graceful: bool = True) -> None:
        """Stop serving and stop the queue workers (``graceful``: let running jobs finish for the
        bot's drain time; else hand them back at once)."""
        self.http.shutdown()
        self.http.server_close()
        self.thread.join(timeout=5)
        self.runtime.jobs.stop_workers(None if graceful else 0.0)


def serve(app: Flask) -> tuple[BaseWSGIServer, threading.Thread, str]:
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True,
                              name="numbot-http")
    thread.start()
    return http, thread, f"http://127.0.0.1:{http.server_port}"


def start_bot(settings: Settings, *, register: bool = True, start_workers: bool = True,
              retry_backoff: float = 0.01) -> RunningBot:
    app = create_app(settings, start_workers=start_workers, retry_backoff=retry_backoff)
    http, thread, url = serve(app)
    bot = RunningBot(app, settings, http, thread, url)
    if register:
        register_webhooks(settings, url)
    return bot


@dataclass
class BotReply:
    """One message the bot posted, as the sandbox stored it."""

    message: dict

    @property
    def id(self) -> str:
        return self.message["id"]

    @property
    def markdown(self) -> str:
        return self.message.get("markdown") or ""

    @property
    def parent_id(self) -> Optional[str]:
        return self.message.get("parentId")

    @property
    def card(self) -> dict:
        for attachment in self.message.get("attachments") or []:
            if attachment.get("contentType") == CARD:
                return attachment["content"]
        raise AssertionError(f"the reply has no card: {self.markdown[:300]!r}")

    @property
    def has_card(self) -> bool:
        return any(a.get("contentType") == CARD for a in self.message.get("attachments") or [])

    def nodes(self) -> Iterator[dict]:
        """Every element of the card, depth first."""
        stack: list[Any] = [self.card]
        while stack:
            node = stack.pop(0)
            if isinstance(node, dict):
                yield node
                stack[:0] = list(node.values())
            elif isinstance(node, list):
                stack[:0] = node

    def _texts(self) -> Iterator[tuple[str, str]]:
        """(type, text) of every TextBlock / TextRun / toggle's title, top to bottom."""
        for node in self.nodes():
            kind = node.get("type")
            if kind in ("TextBlock", "TextRun") and isinstance(node.get("text"), str):
                yield kind, node["text"]
            elif kind == "Input.Toggle":
                yield kind, node.get("title", "")

    @property
    def text(self) -> str:
        """All the text a person reads on the card, one line per TextBlock / TextRun / choice."""
        return "\n".join(text for _, text in self._texts())

    @property
    def readable(self) -> str:
        """``text`` as the card shows it: a TextBlock's backslash escapes resolved (it is
        markdown), a TextRun as it is (never markdown)."""
        import re

        return "\n".join(re.sub(r"\\(.)", r"\1", text) if kind == "TextBlock" else text
                         for kind, text in self._texts())

    def blocks(self) -> list[dict]:
        """The card's text elements (TextBlock, RichTextBlock), top to bottom."""
        return [n for n in self.nodes() if n.get("type") in ("TextBlock", "RichTextBlock")]

    def block(self, starting: str) -> dict:
        """The first text element whose text starts with ``starting``: found by what it says."""
        for element in self.blocks():
            if block_text(element).startswith(starting):
                return element
        raise AssertionError(f"no text starting {starting!r} on the card: {self.text[:500]!r}")

    def block_after(self, element: dict) -> dict:
        """The text element that follows ``element``."""
        blocks = self.blocks()
        return blocks[next(i for i, b in enumerate(blocks) if b is element) + 1]

    def title(self) -> dict:
        """The card's title: its one large text."""
        return next(b for b in self.blocks() if str(block_style(b).get("size", "")).lower() == "large")

    def buttons(self) -> list[dict]:
        return [n for n in self.nodes() if n.get("type") == "Action.Submit"]

    def button_titles(self) -> list[str]:
        return [b.get("title", "") for b in self.buttons()]

    def button(self, title: str) -> dict:
        for action in self.buttons():
            if action.get("title") == title:
                return action
        raise AssertionError(f"no button {title!r} on the card; buttons: {self.button_titles()}")

    def inputs(self) -> dict[str, dict]:
        """The card's inputs by id."""
        return {n["id"]: n for n in self.nodes() if str(n.get("type", "")).startswith("Input.") and "id" in n}

    def input_values(self) -> dict[str, Any]:
        """What the Webex client sends for untouched inputs: each input's current value."""
        values: dict[str, Any] = {}
        for input_id, node in self.inputs().items():
            if "value" in node:
                values[input_id] = node["value"]
            elif node.get("type") == "Input.Toggle":
                values[input_id] = node.get("valueOff", "false")
            else:
                values[input_id] = ""
        return values

    def choices(self, input_id: str) -> list[dict]:
        return list(self.inputs()[input_id].get("choices") or [])


@dataclass
class Chat:
    """One admin talking to the bot in one room."""

    state: Sandbox
    email: str = seed.ALICE
    room: str = "direct"
    timeout: float = 20.0
    said: list[str] = field(default_factory=list)

    @property
    def room_id(self) -> str:
        return self.state.room_id_for(self.email, self.room)

    def _last_message_id(self) -> Optional[str]:
        with self.state.lock:
            ids = [m.id for m in self.state.messages.values() if m.room_id == self.room_id]
        return ids[-1] if ids else None

    def say(self, text: str, *, count: int = 1, **how: Any) -> BotReply:
        """Post ``text`` and wait for the bot's reply (``count``: messages to wait for). ``how``:
        ``Sandbox.say``'s options (parent_id, mention_bot, mention_as, mention_at, client)."""
        return self.say_all(text, count=count, **how)[0]

    def say_all(self, text: str, *, count: int = 1, **how: Any) -> list[BotReply]:
        posted = self.state.say(self.email, text, room=self.room, **how)
        self.said.append(posted["id"])
        return self.wait(posted["id"], count)

    def post(self, text: str, **kwargs: Any) -> dict:
        """Post without waiting (for tests that check nothing comes back)."""
        posted = self.state.say(self.email, text, room=self.room, **kwargs)
        self.said.append(posted["id"])
        return posted

    def press(self, reply: BotReply, title: str, *, count: int = 1, **inputs: Any) -> BotReply:
        """Press ``title`` on the card of ``reply``, with the card's inputs as they are unless
        given: Webex sends the button's ``data`` merged with the inputs' values."""
        return self.press_all(reply, title, count=count, **inputs)[0]

    def press_all(self, reply: BotReply, title: str, *, count: int = 1, **inputs: Any) -> list[BotReply]:
        action = reply.button(title)
        values = {**(action.get("data") or {}), **reply.input_values(), **inputs}
        return self.submit(reply, values, count=count)

    def submit(self, reply: BotReply, inputs: dict, *, count: int = 1) -> list[BotReply]:
        """Submit raw ``inputs`` on the card of ``reply`` (what a Webex client sends)."""
        before = self._last_message_id()
        self.state.press(self.email, reply.id, inputs)
        return self.wait(before, count)

    def wait(self, after_message_id: Optional[str], count: int = 1) -> list[BotReply]:
        messages = self.state.wait_for_reply(self.room_id, after_message_id, timeout=self.timeout, count=count)
        return [BotReply(m) for m in messages]

    def bot_messages(self) -> list[BotReply]:
        return [BotReply(m) for m in self.state.messages_from_bot(self.room_id)]


def block_text(element: dict) -> str:
    """What one text element of a card shows: a TextBlock's text, or the TextRuns of a
    RichTextBlock (the cards put text from outside there, never markdown) joined."""
    if element.get("type") == "RichTextBlock":
        return "".join(run["text"] for run in element["inlines"])
    return element["text"]


def block_style(element: dict) -> dict:
    """Where a text element's size, weight, colour and subtlety are: a TextBlock itself, or
    the first TextRun of a RichTextBlock."""
    return element["inlines"][0] if element.get("type") == "RichTextBlock" else element


def card_json(reply: BotReply) -> str:
    return json.dumps(reply.card, ensure_ascii=False)


def settings_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment an operator would set for ``settings`` (the names the README documents)."""
    env = {
        "WEBEX_BOT_TOKEN": settings.bot_token,
        "WEBEX_API_URL": settings.api_url,
        "NUMBOT_STORE_URL": settings.store_url,
        "NUMBOT_ALLOWED_USERS": ",".join(settings.allowed_users),
        "NUMBOT_ALLOWED_DOMAINS": ",".join(settings.allowed_domains),
        "NUMBOT_REQUIRE_ADMIN": str(settings.require_admin).lower(),
        "NUMBOT_ADMIN_ROLES": ",".join(settings.admin_roles),
        "NUMBOT_MAX_WAIT_SECONDS": str(settings.max_wait_seconds),
        "NUMBOT_REQUEST_TIMEOUT": str(settings.request_timeout),
        "NUMBOT_JOB_LEASE_SECONDS": str(settings.job_lease_seconds),
        "NUMBOT_DRAIN_SECONDS": str(settings.drain_seconds),
        "NUMBOT_MAX_ATTEMPTS": str(settings.max_attempts),
        "NUMBOT_EMBEDDED_WORKERS": str(settings.embedded_workers).lower(),
        "NUMBOT_LOG_LEVEL": "INFO",
        "NUMBOT_ALLOW_CHANGES": str(settings.allow_changes).lower(),
        "NUMBOT_CONFIRM_SECONDS": str(settings.confirm_seconds),
    }
    optional = {
        "WEBEX_WEBHOOK_SECRET": settings.webhook_secret,
        "WEBEX_ORG_ID": settings.org_id,
        "WEBEX_SERVICE_APP_TOKEN": settings.service_app.access_token,
        "WEBEX_SERVICE_APP_CLIENT_ID": settings.service_app.client_id,
        "WEBEX_SERVICE_APP_CLIENT_SECRET": settings.service_app.client_secret,
        "WEBEX_SERVICE_APP_REFRESH_TOKEN": settings.service_app.refresh_token,
        "NUMBOT_PUBLIC_URL": settings.public_url,
    }
    env.update({name: value for name, value in optional.items() if value})
    env.update(extra)
    return env


def operator_env(settings: Settings, **extra: str) -> dict[str, str]:
    """This process's environment less any WEBEX_/NUMBOT_ setting, plus ``settings`` as an operator sets them."""
    import os

    env = {key: value for key, value in os.environ.items() if not key.startswith(("WEBEX_", "NUMBOT_"))}
    env.update(settings_env(settings, **extra))
    return env


def run_cli(settings: Settings, *args: str, stdin: str = "", **extra_env: str):
    """``python -m bot ARGS`` as an operator runs it, with ``settings`` in the environment and
    ``stdin`` typed on the terminal."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=root, env=operator_env(settings, **extra_env),
                          capture_output=True, text=True, timeout=120, input=stdin)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BotProcess:
    """numbot as its own OS process (``python -m bot serve``), to be killed for real."""

    def __init__(self, settings: Settings, log_path: Path, port: Optional[int] = None, **extra_env: str) -> None:
        import subprocess
        import sys

        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = operator_env(settings, **extra_env)
        self.log_path = log_path
        self._log = open(log_path, "ab")
        root = Path(__file__).resolve().parents[2]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(self.port)],
            cwd=root, env=env, stdout=self._log, stderr=subprocess.STDOUT,
        )
        self._wait_up()

    @property
    def webhook_url(self) -> str:
        return self.url + "/webhook"

    def _wait_up(self, timeout: float = 30.0) -> None:
        import time

        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the bot process exited with {self.process.returncode}: {self.log()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise AssertionError(f"the bot process did not come up: {self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-4000:]

    def kill(self) -> None:
        """SIGKILL: no clean-up, no graceful stop, as in a crash."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except Exception:
                self.process.kill()
        self._log.close()


def wait_for(check: Callable[[], object], timeout: float, what: str) -> object:
    """What ``check`` found, once it finds something; fails the test after ``timeout`` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def wait_idle(bot: RunningBot, timeout: float = 20.0) -> None:
    """Until the bot has no queued job and no event in flight."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if bot.runtime.jobs.unfinished() == 0:
            return
        time.sleep(0.05)
    raise AssertionError("the bot did not finish its jobs in time")


def acknowledged_then_killed(settings: Settings, state: Sandbox, log_path: Path, text: str) -> tuple[Chat, dict]:
    """Alice says ``text`` to a bot process that acknowledges webhooks but has no workers (so the
    job waits in the store), and that process is then killed; the chat and her message."""
    from bot.web.webhooks import register_webhooks

    web_only = BotProcess(settings, log_path, NUMBOT_EMBEDDED_WORKERS="false")
    try:
        register_webhooks(settings, web_only.url)
        chat = Chat(state, seed.ALICE)
        asked = chat.post(text)
        assert state.wait_for_deliveries()
        delivery = next(d for d in state.deliveries if d.data_id == asked["id"])
        assert delivery.target_url == web_only.webhook_url and delivery.status_code == 200
        web_only.kill()
    finally:
        web_only.stop()
    assert state.messages_from_bot(chat.room_id) == []
    return chat, asked


@dataclass
class Restarted:
    """What ``killed_mid_event`` leaves: the admin's message and the process that took over."""

    asked: dict
    process: BotProcess
    restarted_at: float


@contextmanager
def killed_mid_event(settings: Settings, state: Sandbox, tmp_path: Path, stall: Fault,
                     ask: Any) -> Iterator[Restarted]:
    """A bot process (real ``SIGKILL``) dies while its worker is inside an event: ``stall`` is an
    injected slow Webex call the worker waits on; ``ask()`` sends the admin's request. A second
    process on the same store is started and the webhooks pointed at it; the caller reads what
    the admin gets."""
    import time

    first = BotProcess(settings, tmp_path / "first.log")
    second = None
    try:
        register_webhooks(settings, first.url)
        asked = ask()
        deadline = time.monotonic() + 20
        while stall.hits == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stall.hits == 1, first.log()
        first.kill()
        state.clear_faults()
        second = BotProcess(settings, tmp_path / "second.log")
        restarted_at = time.monotonic()
        register_webhooks(settings, second.url)
        yield Restarted(asked, second, restarted_at)
    finally:
        first.stop()
        if second is not None:
            second.stop()
