"""One webhook event, from the queue to the reply.

The order is deliberate: ignore the bot's own events (re-deliveries were dropped by the queue,
``bot.queue.eventqueue``) -> fetch what the event points at -> check who is asking -> route to a flow
-> send exactly one reply. An event taken again after its worker died (``attempt`` > 1) looks
for the reply that worker may have posted before it posts one. Webex errors become an error card with the trackingId;
anything unexpected becomes a generic card, and the stack trace goes to the
log only.
"""
from __future__ import annotations

import contextvars
import hashlib
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Optional, Union

import cards
from bot.conversation import access, registry
from bot.conversation.changes import Actor, Changes
from bot.conversation.flows import FlowContext
from bot.conversation.progress import Progress
from bot.core import buttons, faults, metrics
from bot.core.config import Settings
from bot.core.logs import fields
from bot.core.models import Destination, Message, Reply
from bot.queue.leases import Interrupted
from bot.queue.store import STORE_ERRORS, Store, StoreUnavailable
from bot.reading.mentions import strip_bot_mention
from bot.webex.answers import Me
from bot.webex.client import WebexClient
from bot.webex.errors import OutcomeUnknown, WebexBusy, WebexError
from bot.webex.ratelimit import wait_budget
from bot.webex.transport import calls_made

log = logging.getLogger("numbot.events")

RESOURCES = ("messages", "attachmentActions")
OWN_EVENT = "ignored: the bot's own event"
# An event that meets one of these is left for a later attempt, not answered with a crash card.
INTERRUPTIONS: tuple[type[BaseException], ...] = (Interrupted, *STORE_ERRORS)
LATER_ERRORS: tuple[type[BaseException], ...] = (StoreUnavailable, *INTERRUPTIONS)


class BadEvent(ValueError):
    """The webhook body is not an event this bot handles; the text says why."""


@dataclass(frozen=True)
class WebhookEvent:
    resource: str
    event: str
    data_id: str
    person_id: str
    room_id: str
    webhook_id: str
    room_type: str = ""  # messages events say it; attachmentActions events do not
    parent_id: Optional[str] = None  # the thread, when the admin wrote in one

    @property
    def key(self) -> str:
        """Same message or card action = same event, whichever webhook or
        delivery attempt brought it."""
        return f"{self.resource}:{self.data_id}"


def parse_event(body: object) -> WebhookEvent:
    """Validate the shape of a webhook body (before it is queued)."""
    if not isinstance(body, dict):
        raise BadEvent("the body is not a JSON object")
    resource, event, data = body.get("resource"), body.get("event"), body.get("data")
    if resource not in RESOURCES:
        raise BadEvent(f"resource {str(resource)[:40]!r} is not one this bot handles")
    if event != "created":
        raise BadEvent(f"event {str(event)[:40]!r} is not one this bot handles")
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"]:
        raise BadEvent("data.id is missing")

    def text(value: object) -> str:
        return value if isinstance(value, str) else ""

    return WebhookEvent(
        resource=resource,
        event=event,
        data_id=data["id"][:200],
        person_id=text(data.get("personId"))[:200],
        room_id=text(data.get("roomId"))[:200],
        webhook_id=text(body.get("id"))[:200],
        room_type=text(data.get("roomType"))[:20],
        parent_id=text(data.get("parentId"))[:200] or None,
    )


def command_text(message: Message, me: Me) -> str:
    """What the admin asked: in a group space, the message without the bot's @mention."""
    if message.room_type == "group":
        return strip_bot_mention(message.text, message.html, me.id, me.display_name)
    return message.text.strip()


@dataclass(frozen=True)
class Incoming:
    """What an event asks, as read from Webex: who, where the answer goes, and either the text
    of a message or the inputs of a card press (parsed into a request only when answered)."""

    person_id: str
    email: str
    to: Destination
    text: Optional[str] = None
    inputs: Optional[dict] = None
    presser: Optional[str] = None  # who pressed the button (display name), for a press
    files: tuple[str, ...] = ()  # URLs of the files attached to a message
    key: str = ""  # the event's key: a long job's progress message is kept under it

    def press_key(self) -> str:
        """The same person pressing the same button of the same card with the same inputs."""
        raw = json.dumps([self.person_id, self.to.after_id, self.inputs], sort_keys=True, default=str)
        return "press:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass
class EventState:
    """One event's way through the worker, logged as one line when it ends."""

    started: float = field(default_factory=time.monotonic)
    event: Optional[WebhookEvent] = None
    person: Optional[str] = None
    flow: Optional[str] = None
    outcome: str = ""
    error: Optional[str] = None  # why the event failed
    webex_error: Optional[str] = None  # a Webex error the flow answered with an error card
    flow_error: bool = False  # the flow crashed (the stack is in its own log line)
    to: Optional[Destination] = None
    replying: bool = False  # the answer is built and being posted
    replied: bool = False
    attempt: int = 1  # more than 1: a worker took this event before and did not finish it
    calls: list[dict] = field(default_factory=list)

    def log_fields(self) -> dict:
        values: dict = {"event": self.event.key if self.event else None, "outcome": self.outcome}
        if self.event is not None:
            values.update(webhook=self.event.webhook_id, person=self.person or self.event.person_id)
        if self.flow:
            values["flow"] = self.flow
        if self.error:
            values["error"] = self.error
        if self.webex_error:
            values["webex_error"] = self.webex_error
        if self.flow_error:
            values["flow_error"] = True
        if self.attempt > 1:
            values["attempt"] = self.attempt
        values["calls"] = self.calls
        values["ms"] = round((time.monotonic() - self.started) * 1000)
        return values


class EventHandler:
    """Answers one event in a queue worker (``bot.queue.jobs``)."""

    # Replies posted are remembered this long (``reply:<event key>``), for an attempt after a
    # worker died to find them (``_send``).
    REPLIED_SECONDS = 24 * 3600

    def __init__(self, settings: Settings, client: WebexClient, store: Store) -> None:
        self.settings = settings
        self.client = client
        self.store = store
        self.ctx = FlowContext(client=client, settings=settings,
                               commands=registry.help_entries(settings.allow_changes))
        # Lookups a worker makes alongside its own call (``_read``): one thread each at most.
        self._lookups = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="numbot-lookup")

    def __call__(self, body: dict, attempt: int = 1) -> bool:
        """Runs in a queue worker. Never raises for bad input: every outcome is logged. Whether the
        event counts as answered: then its claim is written, and later deliveries are dropped."""
        state = EventState(attempt=attempt)
        token = calls_made.set(state.calls)
        answered = True
        try:
            state.event = parse_event(body)
            with wait_budget(self.settings.max_wait_seconds):
                state.outcome = self._handle_once(state.event, state)
            answered = state.outcome != OWN_EVENT
        except BadEvent as error:
            state.outcome, answered = f"ignored: {error}", False
        except LATER_ERRORS as error:
            # Not an answer: the worker leaves the event for a later attempt (``bot.queue.jobs``), which
            # finds the reply if this one got as far as posting it.
            state.outcome, state.error = ("interrupted: handed to another worker" if isinstance(error, Interrupted)
                                          else "interrupted: store unavailable"), type(error).__name__
            raise StoreUnavailable(type(error).__name__) from None
        except OutcomeUnknown as error:
            # A reply whose post failed after it was sent, in a group space: it may well have
            # arrived, so neither it nor a failure notice is posted again (README, "What is guaranteed").
            state.outcome, state.error = "failed: reply outcome unknown", str(error)
        except WebexError as error:
            state.outcome, state.error = "failed", str(error)
            if not state.replied:
                self._tell_failure(state, error)
        except Exception as error:  # the log gets the stack; the admin already got a card or nothing can be sent
            state.outcome, state.error = "crashed", type(error).__name__
            log.exception("event %s crashed", state.event.key if state.event else None)
        finally:
            calls_made.reset(token)
            log.info("event handled", extra=fields(**state.log_fields()))
            metrics.handled(state.outcome, state.flow)
        return answered

    def _handle_once(self, event: WebhookEvent, state: EventState) -> str:
        """Handle an event, unless it is the bot's own or an earlier attempt answered it."""
        me = self.client.me()
        if event.person_id and event.person_id == me.id:
            return OWN_EVENT
        if state.attempt > 1 and self.store.is_claimed(f"reply:{event.key}"):
            return "replied (by an earlier attempt)"
        if state.attempt > self.settings.max_attempts:
            # Every attempt so far died with this event (a process killed each time): say so once
            # instead of trying for ever.
            log.error("event %s: giving up after %d attempts", event.key, state.attempt - 1)
            if event.room_id:  # where the admin asked, as ``_tell_failure`` answers
                state.to = Destination(event.room_id, event.room_type, event.parent_id, None)
                self._send(state, cards.crash_reply())
            return "failed: gave up after repeated attempts"
        return self._handle(event, me, state)

    def _handle(self, event: WebhookEvent, me: Me, state: EventState) -> str:
        incoming = self._read(event, me)
        if isinstance(incoming, str):
            return incoming
        state.person, state.to = incoming.person_id, incoming.to
        # Not synced: a press claim lives for a few seconds, and a machine crash within them at
        # worst answers a double click twice.
        # The claim's owner is the event, so that the same event taken again claims it again.
        if incoming.inputs is not None and self.settings.press_window_seconds and not self.store.claim(
                incoming.press_key(), self.settings.press_window_seconds, durable=False, owner=event.key):
            # A double or triple click: one answer (it came for the first press).
            return "ignored: the same press again (a double click)"
        decision = access.decide(self.settings, incoming.person_id, incoming.email,
                                 lambda: self._roles(incoming.person_id))
        if not decision.allowed:
            state.flow = "refused"
            self._send(state, cards.access_denied_reply(decision.reason, self.settings.contact))
            log.warning("access refused", extra=fields(person=incoming.person_id))
            return "refused"
        reply = self._answer(incoming, state)
        if reply.silent:
            return "ignored: " + (reply.markdown or "nothing to answer")
        if incoming.presser and incoming.to.room_type == "group":
            reply = cards.asked_by(reply, incoming.presser)  # everyone in the space reads the answer
        self._send(state, reply)
        if incoming.inputs is not None and reply.is_error:
            self.store.unclaim(incoming.press_key())  # the admin may press again at once after an error
        return "replied"

    def _read(self, event: WebhookEvent, me: Me) -> Union[Incoming, str]:
        """What the event asks, or why it is ignored."""
        if event.resource == "messages":
            message = self.client.get_message(event.data_id)
            faults.point("called")
            if message.person_id == me.id:
                return "ignored: the bot's own message"
            to = Destination(message.room_id, message.room_type, message.parent_id, message.id)
            return Incoming(message.person_id, message.person_email, to, text=command_text(message, me),
                            files=message.files, key=event.key)
        try:
            action = self.client.get_card_action(event.data_id)
            faults.point("called")
        except WebexError as error:
            if error.status_code == 404:
                return "ignored: not an action on a card of this bot"  # Webex shows a bot only its own
            raise
        place = buttons.place_of(action.inputs)
        if place is not None and action.room_id and action.message_id:
            # The card says where it was posted (``buttons.placed``): no need to read it back.
            to = Destination(action.room_id, place[0], place[1], action.message_id)
            presser = self.client.person(action.person_id)  # unless looked up lately
        else:
            # A card posted without its place (before ``buttons.placed``): read its message for it.
            # Who pressed (unless looked up lately) is asked meanwhile: the two calls do not depend
            # on each other, and a press then waits for four round trips to Webex instead of five.
            known = self.client.known_person(action.person_id)
            asked = None if known else self._lookups.submit(contextvars.copy_context().run, self.client.person,
                                                            action.person_id)
            card_message = self.client.get_message(action.message_id)
            if card_message.person_id != me.id:
                return "ignored: a card this bot did not send"
            to = Destination(action.room_id or card_message.room_id, card_message.room_type,
                             card_message.parent_id, card_message.id)
            found = asked.result() if asked is not None else known
            assert found is not None
            presser = found
        return Incoming(action.person_id, presser.email, to, inputs=action.inputs,
                        presser=presser.display_name or presser.email, key=event.key)

    def _answer(self, incoming: Incoming, state: EventState) -> Reply:
        """The flow's answer; Webex errors and bugs become an error card, never silence."""
        region = self.settings.default_region
        try:
            if incoming.inputs is not None:
                request = registry.parse_card_action(incoming.inputs, region)
            else:
                request = registry.parse_message(incoming.text or "", region, incoming.files)
            command = registry.command_for(request)
            state.flow = command.name  # named before it runs: a failing flow is logged too
            progress = Progress(self.client, self.store, incoming.to, incoming.key)
            return command.answer(request, replace(self.ctx, progress=progress, changes=self._changes(incoming)))
        except WebexBusy as error:
            state.webex_error = str(error)
            return cards.busy_reply(error.retry_after, error.info)
        except WebexError as error:
            state.webex_error = str(error)
            return cards.webex_error_reply(error.info, "answering")
        except INTERRUPTIONS:
            raise  # not the flow's fault: the event is tried again (``__call__``)
        except Exception:
            log.exception("flow crashed")
            state.flow_error = True
            return cards.crash_reply()

    def _changes(self, incoming: Incoming) -> Changes:
        """The change rules for this event: who asks (roles read from Webex only if a change is
        asked for), and the event as the owner of any confirmation it claims, so that the same
        event taken again after its worker died goes on with its own claim."""
        person = incoming.person_id
        actor = Actor(person_id=person, email=incoming.email, name=incoming.presser or "",
                      roles=lambda: self._roles(person))
        return Changes(self.settings.allow_changes, self.settings.bot_token, self.store, actor, owner=incoming.key,
                       confirm_seconds=self.settings.confirm_seconds)

    def _send(self, state: EventState, reply: Reply) -> None:
        """Post the reply and remember that it was posted. An attempt after a worker died looks
        first: the mark (``_handle_once``) covers a worker killed after it, and in a 1:1 space the
        client also looks in the room (``WebexClient.send(look_first=True)``) for a reply posted
        just before a kill; a bot cannot list a group space's messages, so there the reply of a
        worker killed in that moment is posted again."""
        assert state.to is not None and state.event is not None
        state.replying = True
        self.client.send(state.to, reply, look_first=state.attempt > 1)
        state.replied = True
        try:
            self.store.claim(f"reply:{state.event.key}", self.REPLIED_SECONDS, durable=False)
        except Exception:  # the store is down: the event's finish will wait for it anyway
            log.warning("could not note the reply to %s as posted", state.event.key)
        faults.point("replied")

    def _tell_failure(self, state: EventState, error: WebexError) -> None:
        """Webex failed before the reply could be built or posted: say so where the admin asked."""
        event, me = state.event, self.client.known_me
        # Without knowing who the bot is, this could answer the bot's own
        # messages and loop for as long as Webex fails.
        if event is None or not event.room_id or me is None or not event.person_id or event.person_id == me.id:
            return
        if isinstance(error, WebexBusy):
            reply = cards.busy_reply(error.retry_after, error.info)
        else:
            reply = cards.webex_error_reply(error.info, "replying" if state.replying else "reading")
        # The admin's thread, like every other reply: the event says where (its parentId), or
        # the message itself starts one.
        to = state.to or Destination(event.room_id, event.room_type, event.parent_id, None)
        try:
            self.client.send(to, reply)
            state.replied = True
        except WebexError as again:
            log.warning("the failure notice could not be posted either: %s", again)

    def _roles(self, person_id: str) -> list[str]:
        """Roles need the service app token; an unknown person has none."""
        try:
            return self.client.person_roles(person_id)
        except WebexError as error:
            if error.status_code in (403, 404):
                return []
            raise
