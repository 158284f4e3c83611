"""A message that says how a long job goes, edited in place.

Webex lets the author edit a message (``PUT /messages/{id}``, "Edit a Message") at most 10
times, so the bot edits at most every ``every`` seconds and at most ``MAX_EDITS`` times. The
message's id is kept in the store under the event's key: a worker that takes over a job a killed
worker left edits the same message instead of posting a second one.
"""
from __future__ import annotations

import threading
import time
from typing import Optional, Protocol

from bot.core.models import Destination, Reply
from bot.queue.store import Store
from bot.webex.client import WebexClient
from bot.webex.errors import WebexError

MAX_EDITS = 8  # Webex allows 10 edits of a message; two are kept in hand


class Reporter(Protocol):
    """Where a long job says how it goes: a Webex message (``Progress``) or a terminal."""

    def start(self, markdown: str) -> None: ...

    def update(self, markdown: str, force: bool = False) -> None: ...

    def finish(self) -> None: ...


class Progress:
    def __init__(self, client: WebexClient, store: Store, to: Destination, key: str, every: float = 3.0) -> None:
        self._client, self._store, self._to, self._key, self._every = client, store, to, key, every
        self._message_id: Optional[str] = None
        self._edits = 0
        self._last = 0.0
        self._lock = threading.Lock()

    def start(self, markdown: str) -> None:
        """Post the message, or take over the one an earlier worker posted for this event."""
        kept = self._store.get_json(f"progress:{self._key}")
        if kept and kept.get("id"):
            self._message_id = str(kept["id"])
            self._edits = int(kept.get("edits", 0))
            self.update(markdown, force=True)
            return
        [self._message_id] = self._client.send(self._to, Reply(markdown=markdown))
        self._store.put_json(f"progress:{self._key}", {"id": self._message_id, "edits": 0})
        self._last = time.monotonic()

    def update(self, markdown: str, force: bool = False) -> None:
        """Edit the message, unless it was edited less than ``every`` seconds ago (or ``force``),
        or has had its share of edits. A failed edit is only progress lost: the job goes on."""
        with self._lock:
            now = time.monotonic()
            if self._message_id is None or self._edits >= MAX_EDITS or (not force and now - self._last < self._every):
                return
            self._edits += 1
            self._last = now
            edits = self._edits
        try:
            self._client.edit(self._to, self._message_id, markdown)
            self._store.put_json(f"progress:{self._key}", {"id": self._message_id, "edits": edits})
        except WebexError:
            pass

    def finish(self) -> None:
        self._store.delete_json(f"progress:{self._key}")
