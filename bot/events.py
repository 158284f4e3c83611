"""One webhook event, from the queue to the reply.

The order is deliberate: ignore the bot's own events -> drop re-deliveries ->
fetch what the event points at -> check who is asking -> route to a flow ->
send exactly one reply. Webex errors become an error card with the trackingId;
anything unexpected becomes a generic card, and the stack trace goes to the
log only.
"""
from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass
from typing import Optional

import cards
from bot import access
from bot.commands import AlternateNumbers, Command, Help, UnknownCard, Validate, parse_card_action, parse_message
from bot.config import Settings
from bot.flows import FlowContext
from bot.flows.alternate import alternate_reply
from bot.flows.help import help_reply
from bot.flows.validate import validate_reply
from bot.leases import LeaseKeeper
from bot.mentions import strip_bot_mention
from bot.models import Destination, Message, Reply
from bot.ratelimit import wait_budget
from bot.store import Store
from bot.webex import Me, OutcomeUnknown, WebexBusy, WebexClient, WebexError, calls_made

log = logging.getLogger("numbot.events")

RESOURCES = ("messages", "attachmentActions")


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


FLOW_NAMES: dict[type, str] = {Validate: "validate", AlternateNumbers: "alternate", UnknownCard: "unknown-card",
                                Help: "help"}


def route(command: Command, ctx: FlowContext) -> Reply:
    """The flow's answer to a command (its name for the log is ``FLOW_NAMES``)."""
    if isinstance(command, Validate):
        return validate_reply(command.text, ctx)
    if isinstance(command, AlternateNumbers):
        return alternate_reply(command, ctx)
    if isinstance(command, UnknownCard):
        title = "Unknown card"
        return Reply(markdown=cards.error_markdown(title, command.reason), card=cards.error_card(title, command.reason))
    assert isinstance(command, Help)
    return help_reply(ctx, command.note)


def command_text(message: Message, me: Me) -> str:
    """What the admin asked: in a group space, the message without the bot's @mention."""
    if message.room_type == "group":
        return strip_bot_mention(message.text, message.html, me.id, me.display_name)
    return message.text.strip()


def busy_reply(error: WebexBusy) -> Reply:
    minutes = max(1, math.ceil(error.retry_after / 60))
    title = "Webex is busy"
    explanation = (f"Webex asked me to wait {round(error.retry_after)} seconds before calling it again, longer than "
                   f"I wait for one request. Please send your request again in about {minutes} "
                   f"minute{'s' if minutes != 1 else ''}.")
    return Reply(markdown=cards.error_markdown(title, explanation, error.info), card=cards.error_card(title, explanation, error.info))


class EventHandler:
    def __init__(self, settings: Settings, client: WebexClient, store: Store, leases: LeaseKeeper) -> None:
        self.settings = settings
        self.client = client
        self.store = store
        self.leases = leases
        self.ctx = FlowContext(client=client, settings=settings)

    def __call__(self, body: dict) -> None:
        """Runs in a queue worker. Never raises for bad input: every outcome is logged."""
        started = time.monotonic()
        record: dict = {"event": None, "outcome": None}
        calls: list = []
        token = calls_made.set(calls)
        event: Optional[WebhookEvent] = None
        keep_journal = False
        try:
            event = parse_event(body)
            record.update(event=event.key, webhook=event.webhook_id, person=event.person_id)
            with wait_budget(self.settings.max_wait_seconds):
                record["outcome"], keep_journal = self._handle_once(event, record)
        except BadEvent as error:
            record["outcome"] = f"ignored: {error}"
        except OutcomeUnknown as error:
            # A reply whose post failed after it was sent, in a group space: it may well have
            # arrived, so neither it nor a failure notice is posted again (README, "What is guaranteed").
            record["outcome"] = "failed: reply outcome unknown"
            record["error"] = str(error)
        except WebexError as error:
            record["outcome"] = "failed"
            record["error"] = str(error)
            if event is not None and not record.get("replied"):
                self._tell_failure(event, error, record)
        except Exception as error:  # the log gets the stack; the admin already got a card or nothing can be sent
            record["outcome"] = "crashed"
            record["error"] = type(error).__name__
            log.exception("event %s crashed", record.get("event"))
        finally:
            if event is not None and not keep_journal:
                self.store.drop_inflight(event.key, body)
            calls_made.reset(token)
            record["calls"] = calls
            record["ms"] = round((time.monotonic() - started) * 1000)
            log.info(json.dumps({"msg": "event handled", **record}, default=str))

    def _handle_once(self, event: WebhookEvent, record: dict) -> tuple[str, bool]:
        """Handle an event unless it was handled already or is being handled;
        the outcome, and whether its journal entry must stay (another worker owns it)."""
        me = self.client.me()
        if event.person_id and event.person_id == me.id:
            return "ignored: the bot's own event", False
        if self.store.is_claimed(event.key):
            return "ignored: re-delivery", False
        with self.leases.hold(event.key) as held:
            if not held:
                return "ignored: re-delivery (another worker is handling it)", True
            try:
                return self._handle(event, me, record), False
            finally:
                # Handled, whatever the outcome: a re-delivery must not answer twice.
                self.store.claim(event.key)

    def _tell_failure(self, event: WebhookEvent, error: WebexError, record: dict) -> None:
        """Webex failed before the reply could be built: say so where the admin asked."""
        me = self.client.known_me
        # Without knowing who the bot is, this could answer the bot's own
        # messages and loop for as long as Webex fails.
        if not event.room_id or me is None or not event.person_id or event.person_id == me.id:
            return
        if isinstance(error, WebexBusy):
            reply = busy_reply(error)
        else:
            title = "Webex answered with an error"
            if record.get("replying"):
                explanation = "Webex did not accept my answer to your request, so I could not post it. Please try again."
            else:
                explanation = "I could not read your request because a call to Webex failed. Please try again in a minute."
            reply = Reply(markdown=cards.error_markdown(title, explanation, error.info),
                          card=cards.error_card(title, explanation, error.info))
        # The admin's thread, like every other reply: the event says where (its parentId), or
        # the message itself starts one.
        to = record.get("destination") or Destination(event.room_id, event.room_type, event.parent_id, None)
        try:
            self.client.send(to, reply)
            record["replied"] = True
        except WebexError as again:
            record["error_reply"] = str(again)

    def _handle(self, event: WebhookEvent, me: Me, record: dict) -> str:
        if event.resource == "messages":
            message = self.client.get_message(event.data_id)
            if message.person_id == me.id:
                return "ignored: the bot's own message"
            to = Destination(message.room_id, message.room_type, message.parent_id, message.id)
            person_id, email = message.person_id, message.person_email

            def command() -> Command:
                return parse_message(command_text(message, me), self.settings.default_region)
        else:
            try:
                action = self.client.get_card_action(event.data_id)
            except WebexError as error:
                if error.status_code == 404:
                    # Webex shows a bot only the actions on its own cards.
                    return "ignored: not an action on a card of this bot"
                raise
            card_message = self.client.get_message(action.message_id)
            if card_message.person_id != me.id:
                return "ignored: a card this bot did not send"
            to = Destination(action.room_id or card_message.room_id, card_message.room_type, card_message.parent_id,
                             card_message.id)
            person_id = action.person_id
            email = self.client.person_email(person_id)

            def command() -> Command:
                return parse_card_action(action.inputs, self.settings.default_region)

        record["person"] = person_id
        record["destination"] = to
        decision = access.decide(self.settings, person_id, email, lambda: self._roles(person_id))
        if not decision.allowed:
            record["flow"] = "refused"
            reply = Reply(markdown=cards.access_denied_markdown(decision.reason), card=cards.access_denied_card(decision.reason))
            self.client.send(to, reply)
            record["replied"] = True
            log.warning(json.dumps({"msg": "access refused", "person": person_id}))
            return "refused"
        reply = self._reply(command, record)
        record["replying"] = True
        self.client.send(to, reply)
        record["replied"] = True
        return "replied"

    def _reply(self, command, record: dict) -> Reply:
        try:
            parsed = command()
            record["flow"] = FLOW_NAMES[type(parsed)]  # named before it runs: a failing flow is logged too
            return route(parsed, self.ctx)
        except WebexBusy as error:
            record["webex_error"] = str(error)
            return busy_reply(error)
        except WebexError as error:
            record["webex_error"] = str(error)
            title = "Webex answered with an error"
            explanation = "The request to Webex failed, so I could not finish. Try again; if it keeps failing, quote the tracking ID to your Webex support."
            return Reply(markdown=cards.error_markdown(title, explanation, error.info), card=cards.error_card(title, explanation, error.info))
        except Exception:
            log.exception("flow crashed")
            record["flow_error"] = True
            title = "Something went wrong"
            explanation = "I could not handle that request because of a problem on my side. It has been logged; please try again."
            return Reply(markdown=cards.error_markdown(title, explanation), card=cards.error_card(title, explanation))

    def _roles(self, person_id: str) -> list[str]:
        """Roles need the service app token; an unknown person has none."""
        try:
            return self.client.person_roles(person_id)
        except WebexError as error:
            if error.status_code in (403, 404):
                return []
            raise
