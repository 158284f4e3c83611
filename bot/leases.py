"""Job leases that stay alive while their worker works, and lapse soon after it dies.

A worker takes a short lease on an event before handling it (``NUMBOT_JOB_LEASE_SECONDS``,
20 s by default). One keeper thread per process renews every lease the process holds at a third
of that period, so a worker that is merely slow, or waits out a 429 for minutes, keeps its event;
a worker that was killed stops renewing, and the sweeper (``bot.jobs``) hands its event to
another worker once the lease lapses: seconds, not minutes.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Optional, Union

from bot.store import Store

log = logging.getLogger(__name__)


class LeaseKeeper:
    def __init__(self, store: Store, ttl_seconds: float) -> None:
        self.store = store
        self.ttl = ttl_seconds
        self._held: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._thread: Optional[threading.Thread] = None

    def start(self, key: str) -> Union[bytes, str]:
        """Take the lease of ``key`` and keep it alive until :meth:`finish`: its token, or
        ``HANDLED`` (the event was handled already) or ``HELD`` (another worker holds it), from
        one look at the store (``Store.start``)."""
        started = self.store.start(key, self.ttl)
        if isinstance(started, bytes):
            with self._lock:
                self._held[key] = started
                self._start()
        return started

    def finish(self, key: str, event: Optional[dict] = None) -> None:
        """The event of a lease taken by :meth:`start` was handled: claim it, let the lease go and
        drop its journal entry (if it holds ``event``), in one write (``Store.finish``)."""
        with self._lock:
            token = self._held.pop(key, None)
        if token is None:  # lost meanwhile (``renew_all`` said so): claim it and drop the journal all the same
            token = b""
        self.store.finish(key, token, event)

    def renew_all(self) -> None:
        """Renew every lease this process holds (the keeper thread calls this)."""
        with self._lock:
            held = dict(self._held)
        for key, token in held.items():
            try:
                fresh = self.store.renew(key, token, self.ttl)
            except Exception:  # the store may be briefly unreachable: try again next round
                log.exception("renewing the lease of %s failed", key)
                continue
            with self._lock:
                if key not in self._held:
                    continue  # finished meanwhile
                if fresh is None:
                    # Only after a stall longer than the lease (a frozen process, a store outage).
                    log.warning("lost the lease of %s: another worker may handle it too", key)
                    self._held.pop(key, None)
                else:
                    self._held[key] = fresh

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="numbot-leases", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(self.ttl / 3)
            self.renew_all()
