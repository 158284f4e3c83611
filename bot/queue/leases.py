"""Keep the leases of the events a process's workers hold alive, and lapse soon after it dies.

A worker's take leases its event for ``NUMBOT_JOB_LEASE_SECONDS`` (20 s by default,
``bot.queue.eventqueue``). One keeper thread per process renews every lease the process holds at a third
of that period, so a worker that is merely slow, or waits out a 429 for minutes, keeps its event;
a process that was killed renews nothing, and its events are ready for another worker once their
leases lapse: seconds, not minutes, and with no sweeper to look for them.
"""
from __future__ import annotations

import contextvars
import logging
import threading
import time
from typing import Optional

from bot.queue.eventqueue import EventQueue, Taken

log = logging.getLogger(__name__)

# Set while a worker answers an event: the flag that says its lease is no longer this process's
# (handed back by a stop, or lost at a renewal). The Webex client looks at it before every call
# (``check_still_ours``), so that an event another process now answers gets no reply from here.
lease_lost: contextvars.ContextVar[Optional[threading.Event]] = contextvars.ContextVar("lease_lost", default=None)


class Interrupted(Exception):
    """The event's lease is no longer this process's: stop answering it (the next holder will)."""


def check_still_ours() -> None:
    lost = lease_lost.get()
    if lost is not None and lost.is_set():
        raise Interrupted("this event was handed to another worker")


class LeaseKeeper:
    def __init__(self, queue: EventQueue) -> None:
        self.queue = queue
        self._held: dict[str, Taken] = {}
        self._lost: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._thread: Optional[threading.Thread] = None

    def hold(self, taken: Taken) -> threading.Event:
        """Renew ``taken``'s lease until :meth:`let_go`; the flag set if it stops being ours first."""
        lost = threading.Event()
        with self._lock:
            self._held[taken.key] = taken
            self._lost[taken.key] = lost
            self._start()
        return lost

    def let_go(self, taken: Taken) -> bool:
        """Stop renewing; whether the lease was still ours as far as this process knows (it was
        neither lost at a renewal nor handed back by :meth:`hand_back_all`)."""
        with self._lock:
            if self._held.get(taken.key) != taken:
                return False
            del self._held[taken.key]
            self._lost.pop(taken.key, None)
            return True

    def _drop(self, key: str) -> None:
        """Under the lock: the lease of ``key`` is not ours any more; its worker hears it."""
        self._held.pop(key, None)
        lost = self._lost.pop(key, None)
        if lost is not None:
            lost.set()

    def held(self) -> list[Taken]:
        with self._lock:
            return list(self._held.values())

    def hand_back_all(self) -> int:
        """A stopping process hands back every event its workers still hold, ready at once for
        another process (``EventQueue.release``); how many. The workers' later finish leaves them."""
        with self._lock:
            held = list(self._held.values())
            for taken in held:
                self._drop(taken.key)
        for taken in held:
            try:
                self.queue.release(taken)
            except Exception:  # the store is down: the lease lapses by itself instead
                log.warning("could not hand back %s; it is taken again once its lease lapses", taken.key)
        return len(held)

    def renew_all(self) -> None:
        """Renew every lease this process holds (the keeper thread calls this)."""
        for taken in self.held():
            try:
                fresh = self.queue.renew(taken.key, taken.token)
            except Exception:  # the store may be briefly unreachable: try again next round
                log.warning("renewing the lease of %s failed; trying again", taken.key)
                continue
            if not fresh:
                # Only after a stall longer than the lease (a frozen process, a long store outage).
                with self._lock:
                    if self._held.get(taken.key) == taken:
                        log.warning("lost the lease of %s: another worker may handle it too", taken.key)
                        self._drop(taken.key)

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="numbot-leases", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(self.queue.lease_seconds / 3)
            self.renew_all()
