"""The load bench's Webex: the sandbox in its own process, with a few bench-only helpers.

``gunicorn --workers 1 --threads N "bench.loadhost:create_app()"`` (``BENCH_LATENCY``: seconds
per call) serves the real sandbox app (every ``/v1`` call waits ``Sandbox.latency`` first) plus
``/_bench/…``:

- ``POST /_bench/events`` creates admins' messages and card presses in the sandbox's state
  without delivering anything (no webhook is registered: the bench posts the signed deliveries
  itself, on its own schedule) and returns each event's webhook body and signature, in the
  envelope ``sandbox.delivery.event_body`` writes;
- ``GET /_bench/answers`` says when (``time.monotonic()``, comparable across processes on one
  machine) each event's answer was stored: every event asks about its own phone number, and a
  bot message that names a tracked number answers that event. It also counts the calls.

The sandbox runs in its own process so that the bot, the sandbox and the load generator do not
share one interpreter lock, and under gunicorn rather than werkzeug's development server, which
closes every connection ("Always close the connection. This disables HTTP/1.1 keep-alive", its
serving.py): webexapis.com keeps connections alive, and a new connection per call would cost both
patterns work that Webex does not ask of them. The request log is not kept (a long run would fill
memory with it).

The sandbox keeps every message it was sent, so its heap only grows, and each of Python's full
collections walks all of it: timed with ``gc.callbacks`` over a run, they took 12, 23, 36, then
57 ms, and every call in flight waited meanwhile (at 100 events a second, a p99 of 66 ms where
the calls take 5). That pause is the look-alike's, not Webex's, and it grows faster for a bot that
posts cards (nested dicts, which the collector tracks) than for one that posts markdown (strings,
which it does not). So before each rate the bench's ``POST /_bench/events`` collects once and
freezes what is left (``gc.freeze``: the state only grows, nothing in it becomes garbage), as
numbot freezes its own start-up objects (``bot/runtime.py``): the rate's collections then walk
only what the rate itself creates.
"""
from __future__ import annotations

import gc
import json
import os
import re
import time
from collections import Counter
from typing import Any, Optional

from flask import Blueprint, Flask, Response, request

from bot.core import buttons
from sandbox import seed
from sandbox.api import create_app as create_sandbox_app
from sandbox.delivery import event_body, sign
from sandbox.ids import seeded_id
from sandbox.markup import DEFAULT_CLIENT
from sandbox.models import FileUpload, LoggedRequest, Message, Webhook, iso_now
from sandbox.state import CARD_CONTENT_TYPE, Identity, Sandbox

# Who asks: people of the seeded org with example.com addresses, each in their 1:1 space with the bot.
ASKERS = (seed.ALICE, seed.LOU, seed.BOB)
# Valid US numbers that no one in the seeded org uses: every event asks about one of its own.
AREA_CODES = ("214", "469", "972", "817", "682", "940", "903", "430")
NUMBER = re.compile(r"\+1\d{3}555\d{4}")
# The card a press is on, as numbot posts it in a 1:1 space: its button says where it is.
PRESS_CARD = buttons.placed({
    "type": "AdaptiveCard", "version": "1.3",
    "body": [{"type": "TextBlock", "text": "Paste numbers to validate"},
             {"type": "Input.Text", "id": buttons.INPUT_NUMBERS, "isMultiline": True}],
    "actions": [{"type": "Action.Submit", "title": "Validate", "data": buttons.validate_data()}],
}, "direct", None)
PRESS_DATA = PRESS_CARD["actions"][0]["data"]


def event_number(index: int) -> str:
    """The phone number event ``index`` asks about (80,000 distinct ones)."""
    return f"+1{AREA_CODES[index // 10_000 % len(AREA_CODES)]}555{index % 10_000:04d}"


class BenchSandbox(Sandbox):
    """The sandbox, remembering when each tracked number was first named by the bot."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: dict[str, list[float]] = {}  # event key -> when each answer was stored
        self._key_of: dict[str, str] = {}  # phone number -> event key
        self.call_counts: Counter[str] = Counter()
        self._next = 0
        self._in_use: Optional[set[str]] = None

    def numbers_in_use(self) -> set[str]:
        # The bench never changes the org's numbers: work the set out once, not at every validate call.
        if self._in_use is None:
            self._in_use = super().numbers_in_use()
        return self._in_use

    def log_request(self, entry: LoggedRequest) -> None:
        self.call_counts[f"{entry.identity} {entry.method}"] += 1

    def create_message(self, identity: Identity, body: dict[str, Any], client: str = DEFAULT_CLIENT,
                       upload: Optional[FileUpload] = None) -> Message:
        message = super().create_message(identity, body, client, upload)
        stored = time.monotonic()
        if message.person_id == self.bot.id:
            with self.lock:
                for number in set(NUMBER.findall(f"{message.text}\n{message.markdown or ''}")):
                    key = self._key_of.get(number)
                    if key is not None:
                        self.answers[key].append(stored)
        return message

    def make_events(self, count: int, card_share: float, target_url: str) -> list[dict[str, str]]:
        """``count`` new events (messages, and card presses for ``card_share`` of them), as
        webhook deliveries: ``{"key", "body", "signature"}``."""
        hooks = {resource: Webhook(seeded_id("WEBHOOK", f"bench-{resource}"), f"numbot {resource}", target_url,
                                   resource, "created", self.org_id, self.bot.id, seed.APP_ID, iso_now(),
                                   secret=seed.WEBHOOK_SECRET)
                 for resource in ("messages", "attachmentActions")}
        bot = Identity("bot", self.bot)
        made = []
        for _ in range(count):
            index, self._next = self._next, self._next + 1
            number = event_number(index)
            person = self.person_by_email(ASKERS[index % len(ASKERS)])
            asker = Identity("person", person)
            room = self.direct_room(person.email)
            # Spread the presses evenly: event i is a press when the share crosses an integer.
            if int((index + 1) * card_share) > int(index * card_share):
                card = super().create_message(bot, {"roomId": room, "markdown": "Paste numbers to validate",
                                                    "attachments": [{"contentType": CARD_CONTENT_TYPE,
                                                                     "content": PRESS_CARD}]})
                action = self.create_action(asker, {"type": "submit", "messageId": card.id,
                                                    "inputs": {**PRESS_DATA, buttons.INPUT_NUMBERS: number}})
                resource, data = "attachmentActions", action.event_data()
            else:
                message = super().create_message(asker, {"roomId": room, "text": f"validate {number}"})
                resource, data = "messages", message.event_data()
            key = f"{resource}:{data['id']}"
            with self.lock:
                self._key_of[number] = key
                self.answers[key] = []
            raw = event_body(hooks[resource], person.id, data)
            made.append({"key": key, "body": raw.decode("utf-8"), "signature": sign(raw, seed.WEBHOOK_SECRET)})
        return made


def bench_blueprint(state: BenchSandbox) -> Blueprint:
    blueprint = Blueprint("bench", __name__)

    def answer(body: object) -> Response:
        return Response(json.dumps(body), mimetype="application/json")

    @blueprint.post("/latency")
    def set_latency() -> Response:
        state.latency = float(request.get_json()["seconds"])
        return answer({"latency": state.latency})

    @blueprint.post("/events")
    def events() -> Response:
        asked = request.get_json()
        made = state.make_events(int(asked["count"]), float(asked.get("card_share", 0.0)), str(asked["target_url"]))
        gc.collect()  # before the rate's deliveries: see the module's docstring
        gc.freeze()
        return answer(made)

    @blueprint.get("/answers")
    def answers() -> Response:
        with state.lock:
            return answer({"answers": state.answers, "calls": dict(state.call_counts)})

    return blueprint


def create_app() -> Flask:
    """The sandbox app with the bench's helpers, for gunicorn (one process: the state is in memory)."""
    state = BenchSandbox()
    state.latency = float(os.environ.get("BENCH_LATENCY", "0.08"))
    app = create_sandbox_app(state)
    app.register_blueprint(bench_blueprint(state), url_prefix="/_bench")
    return app
