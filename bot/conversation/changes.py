"""What makes a change in Webex safe: who may make it, a confirmation that works once and expires,
and a record of who did what.

The bot acts with a service app, which Webex's own audit log shows as the app, not the person
(a service app is a machine account: ../shared/reference/webex-calling-write-apis.md, "Who may do
what"). So the bot itself must make sure the person is allowed and say who confirmed each change.

- **Off by default.** ``NUMBOT_ALLOW_CHANGES=true`` turns changes on; without it the bot offers no
  change and refuses one, and its service app needs no more than the read scopes.
- **Full administrators only**, checked when the confirmation is pressed (roles read from Webex
  then, never from a cache): a person whose role was taken away after the card was shown is
  refused. Adding numbers to a location needs a full administrator (the Numbers API pages);
  Webex lets a location administrator update an auto attendant, but the bot acts org-wide, so
  it asks the same of both.
- **A confirmation is sealed, expires and works once.** The confirmation card's button carries
  what it confirms, an id, its expiry and an HMAC over them (key derived from the bot's token, so
  every instance checks it and nobody can press a card the bot did not build, e.g. by posting
  an attachment action with other numbers). Pressing it claims the id in the shared store, with
  the event as the claim's owner: a second press, a press on another instance or a re-delivery
  finds the claim and changes nothing; the same event taken again after its worker died owns the
  claim and goes on (its flow reads Webex back first).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Optional, Protocol

from bot.conversation.access import has_role
from bot.core.logs import fields

log = logging.getLogger("numbot.changes")

CHANGE_ROLES = ("id_full_admin",)

# Keys of a sealed button's data.
KEY_CONFIRM_ID = "confirmId"
KEY_EXPIRES = "expires"
KEY_SEAL = "seal"
KEY_SUBJECT = "subject"


class Claims(Protocol):
    """What ``Changes`` needs of the store (``bot.queue.store.Store``)."""

    def claim(self, key: str, ttl_seconds: float = ..., durable: bool = ..., owner: Optional[str] = ...) -> bool: ...


@dataclass(frozen=True)
class Actor:
    """Who asked for a change: named in the audit line and the log."""

    person_id: str
    email: str
    name: str = ""
    # Their roles, read from Webex when asked (a change checks them at the press).
    roles: Callable[[], list[str]] = field(default=lambda: [], repr=False, compare=False)
    terminal: bool = False  # the CLI: the operator runs it with the service app's own rights

    @property
    def label(self) -> str:
        if self.name and self.email and self.name != self.email:
            return f"{self.name} ({self.email})"
        return self.name or self.email or self.person_id


class Refused(Exception):
    """A change that may not be made; the message says why, for the admin."""


@dataclass(frozen=True)
class Sealed:
    """What a confirmation button confirms, as the bot built it."""

    confirm_id: str
    kind: str
    subject: dict
    expires: int


def _whole(value: object) -> Optional[int]:
    if isinstance(value, str) and value.isdigit() and len(value) < 16:
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _object(value: object) -> Optional[dict]:
    if not isinstance(value, str) or len(value) > 50_000:
        return None
    try:
        parsed = json.loads(value)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def now() -> float:
    """The clock of confirmations, looked up at each call (a test moves it past an expiry)."""
    return time.time()


def _key(bot_token: str) -> bytes:
    return hashlib.sha256(b"numbot confirmations\x00" + bot_token.encode("utf-8")).digest()


def _digest(key: bytes, kind: str, confirm_id: str, expires: int, subject: dict) -> str:
    raw = json.dumps([kind, confirm_id, expires, subject], sort_keys=True, separators=(",", ":"))
    return hmac.new(key, raw.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


class Changes:
    """The safety rules of one deployment; flows reach it through ``FlowContext.changes``."""

    def __init__(self, allowed: bool, bot_token: str, claims: Optional[Claims], actor: Optional[Actor],
                 owner: str = "", confirm_seconds: int = 600, clock: Optional[Callable[[], float]] = None,
                 new_id: Callable[[], str] = lambda: uuid.uuid4().hex) -> None:
        self.allowed = allowed
        self._key = _key(bot_token)
        self._claims = claims
        self.actor = actor
        self._owner = owner
        self.confirm_seconds = confirm_seconds
        self._clock = clock or now
        self._new_id = new_id  # a test's cards stay the same from run to run with a counter

    def seal(self, kind: str, subject: dict) -> dict:
        """Data fields for a confirmation button that confirms ``subject`` (JSON-able)."""
        # Every value a string: Webex hands a button's data back merged with the card's inputs,
        # and the bot reads nothing there as more than text (``bot.core.buttons``).
        confirm_id = self._new_id()
        expires = int(self._clock()) + self.confirm_seconds
        return {KEY_CONFIRM_ID: confirm_id, KEY_EXPIRES: str(expires),
                KEY_SUBJECT: json.dumps(subject, sort_keys=True, separators=(",", ":")),
                KEY_SEAL: _digest(self._key, kind, confirm_id, expires, subject)}

    def open(self, kind: str, data: dict) -> Sealed:
        """The sealed subject of a pressed confirmation; ``Refused`` when the card was not built by
        this bot for ``kind``, or has expired."""
        confirm_id, seal = data.get(KEY_CONFIRM_ID), data.get(KEY_SEAL)
        expires = _whole(data.get(KEY_EXPIRES))
        subject = _object(data.get(KEY_SUBJECT))
        if (not isinstance(confirm_id, str) or expires is None or subject is None or not isinstance(seal, str)
                or not hmac.compare_digest(seal, _digest(self._key, kind, confirm_id, expires, subject))):
            raise Refused("That confirmation was not made by this bot, or was changed. Nothing was changed.")
        if self._clock() > expires:
            raise Refused("That confirmation has expired (confirmations last "
                          f"{self.confirm_seconds // 60} minutes). Nothing was changed: ask again for a new one.")
        return Sealed(confirm_id, kind, subject, expires)

    def check_allowed(self) -> None:
        """Changes are on and the actor may make them now (roles read from Webex at this moment)."""
        if not self.allowed:
            raise Refused("Changes are turned off for this bot: it only checks numbers. Its operator can "
                          "turn them on with NUMBOT_ALLOW_CHANGES=true.")
        actor = self.actor
        if actor is None:
            raise Refused("I could not tell who asked for this change, so I made none.")
        if actor.terminal:
            return
        if not has_role(actor.roles(), CHANGE_ROLES):
            raise Refused("Only full administrators of this Webex organisation can make changes with this bot; "
                          "you can still check numbers. Ask a full administrator to confirm it.")

    def once(self, sealed: Sealed) -> bool:
        """Claim the confirmation: True for the first press (or the same event again after its
        worker died), False for any other."""
        if self._claims is None:
            return True
        ttl = max(60.0, sealed.expires - self._clock() + 60.0)
        return self._claims.claim(f"confirm:{sealed.confirm_id}", ttl, owner=self._owner or None)

    def audit(self, what: str, tracking_ids: tuple[str, ...] = ()) -> str:
        """The audit line for a change just made: posted in the space and logged."""
        actor = self.actor
        who = actor.label if actor is not None else "someone"
        when = datetime.fromtimestamp(self._clock(), timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        line = f"Change by {who}, {when}: {what}"
        if tracking_ids:
            line += " (trackingId " + ", ".join(tracking_ids) + ")"
        log.info("change made", extra=fields(audit=True, who=actor.person_id if actor else None,
                                             email=actor.email if actor else None, what=what,
                                             trackingIds=list(tracking_ids)))
        return line
