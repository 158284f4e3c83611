"""Webex's 429s, handled as a team: shared pauses and a cap on waiting per event.

Webex answers ``429 Too Many Requests`` with ``Retry-After`` (the reference pages' response
codes; webexpythonsdk's ``RateLimitError`` reads it, 15 s when it is missing). The SDK's own
handling sleeps and retries without a cap, and other workers keep calling the same API meanwhile.
Here instead:

- when one worker is told to wait, every worker of every instance sharing the store pauses its
  calls to that API (:class:`RatePauses`, one store key per API group) until Retry-After passes;
- an event may wait at most ``NUMBOT_MAX_WAIT_SECONDS`` in total (:func:`wait_budget`); past it
  the call fails with :class:`WebexBusy` and the admin is told Webex is busy and when to retry.

The worker's lease is kept alive meanwhile (``bot.queue.leases``), so a long wait is never mistaken
for a dead worker.
"""
from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Optional

from bot.core import metrics
from bot.queue.store import Store

_deadline: contextvars.ContextVar[Optional[float]] = contextvars.ContextVar("webex_wait_deadline", default=None)


@contextmanager
def wait_budget(seconds: float) -> Iterator[None]:
    """Everything inside waits on Webex at most ``seconds`` in total (one event's budget)."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def budget_left(default: float) -> float:
    """Seconds this event may still wait; ``default`` outside an event (a command line call)."""
    deadline = _deadline.get()
    if deadline is None:
        return default
    return max(0.0, deadline - time.monotonic())


def api_group(kind: str, path: str) -> str:
    """Which pause a call shares: the token kind and the API (``service:telephony``,
    ``bot:messages``). Webex limits per API and per token, so a pause on validate numbers
    does not hold back the bot's replies."""
    first = path.lstrip("/").split("/", 1)[0].split("?", 1)[0] or "root"
    return f"{kind}:{first}"


class RatePauses:
    """Until when calls to an API group wait, shared by every process using the store.

    Every Webex call asks first, so a process reads a group's pause from the store at most once
    every ``FRESH_SECONDS`` and otherwise goes by what it read last: a pause set by this process
    counts at once, one set by another process within ``FRESH_SECONDS`` (meanwhile a call or two
    may still meet Webex's 429 and pause by itself). Reading before each call was three or four
    store reads per event, on Redis as many round trips."""

    FRESH_SECONDS = 0.2

    def __init__(self, store: Store) -> None:
        self._store = store
        self._known: dict[str, tuple[float, float]] = {}  # group -> (paused until, read at (monotonic))

    def remaining(self, group: str) -> float:
        known = self._known.get(group)
        if known is None or time.monotonic() - known[1] >= self.FRESH_SECONDS:
            known = (self._stored_until(group), time.monotonic())
            self._known[group] = known
        return max(0.0, known[0] - time.time())

    def _stored_until(self, group: str) -> float:
        stored = self._store.get_json(f"pause:{group}")
        try:
            return float(stored.get("until", 0)) if stored else 0.0
        except (TypeError, ValueError):
            return 0.0

    def pause(self, group: str, seconds: float) -> None:
        """Pause ``group`` for ``seconds`` (never shortens a longer pause already set)."""
        metrics.rate_paused(group, seconds)
        until = time.time() + seconds
        stored = self._stored_until(group)
        if until > stored:
            self._store.put_json(f"pause:{group}", {"until": until})
        self._known[group] = (max(until, stored), time.monotonic())
