"""The job queue between the webhook and the workers.

``POST /webhook`` only stores the event and answers; workers do the Webex
calls. Jobs live in the store (SQLite file or Redis), so an acknowledged event
survives a crash or restart of the bot and is handled after it.

huey drops a job from its queue as soon as a worker takes it, so the store
also keeps an in-flight journal (``Store.put_inflight``) that the handler
clears when it is done. A sweeper (every few seconds) re-queues journalled
events whose worker died: those whose lease (``bot.leases``) lapsed after they
were last queued. As a safety net it also re-queues an event that no worker
has started ``recover_after`` seconds after it was queued (a process that died
between taking the job from the queue and taking its lease). Duplicates that
this may queue are harmless: the handler drops an event that was already
handled or that another worker holds.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Optional

from huey.consumer import Consumer

from bot.store import Store, expiry_of

log = logging.getLogger(__name__)

TASK_NAME = "numbot.handle_event"


class _EmbeddedConsumer(Consumer):
    """A huey consumer that runs inside the web process.

    The stock consumer installs signal handlers, which only the main thread
    may do and which would take SIGTERM away from gunicorn."""

    def _set_signal_handlers(self) -> None:  # pragma: no cover - trivial
        pass


class Jobs:
    def __init__(
        self,
        store: Store,
        handler: Callable[[dict], None],
        recover_after: float = 300.0,
        sweep_every: float = 5.0,
    ) -> None:
        self.store = store
        self.recover_after = recover_after
        self.sweep_every = sweep_every
        # retries=0: Webex retries (429/5xx) happen inside the client; a job
        # that still fails has already told the admin with an error card.
        self._task = store.huey.task(name=TASK_NAME, retries=0)(handler)
        self._consumer: Optional[Consumer] = None
        self._stop = threading.Event()
        self._sweeper: Optional[threading.Thread] = None

    def submit(self, event: dict, key: str) -> None:
        """Journal (under the event's dedupe ``key``), then queue: once this returns, the event
        will be handled."""
        self.store.put_inflight(key, event)
        self._task(event)

    def pending(self) -> int:
        return self.store.huey.pending_count()

    def recover(self) -> int:
        """Re-queue journalled events that a dead worker left behind; how many."""
        entries = self.store.inflight()
        if not entries:
            return 0
        keys = [entry.key for entry in entries]
        claims, leases = self.store.markers("claim", keys), self.store.markers("lease", keys)
        now = time.time()
        requeued = 0
        for entry in entries:
            claim_expiry, lease_expiry = expiry_of(claims.get(entry.key)), expiry_of(leases.get(entry.key))
            if claim_expiry is not None and claim_expiry > now:
                self.store.drop_inflight(entry.key)  # handled; the journal entry outlived its worker
                continue
            if lease_expiry is not None and lease_expiry > now:
                continue  # a worker is on it and renewing its lease
            started_and_died = lease_expiry is not None and lease_expiry > entry.queued_at
            never_started = lease_expiry is None and now - entry.queued_at >= self.recover_after
            if started_and_died or never_started:
                self.store.put_inflight(entry.key, entry.event)
                self._task(entry.event)
                requeued += 1
        if requeued:
            log.warning("re-queued %d event(s) left unfinished by a stopped worker", requeued)
        return requeued

    def _sweep(self) -> None:
        while True:
            try:
                self.recover()
            except Exception:  # the store may be briefly unreachable; try again next round
                log.exception("recovering unfinished events failed")
            if self._stop.wait(self.sweep_every):
                return

    def start_workers(self, workers: int) -> None:
        if self._consumer is not None:
            return
        self._consumer = _EmbeddedConsumer(
            self.store.huey, workers=workers, worker_type="thread", periodic=False, initial_delay=0.05, max_delay=0.5,
            backoff=1.5, check_worker_health=True,
        )
        self._consumer.start()
        self._stop.clear()
        self._sweeper = threading.Thread(target=self._sweep, name="numbot-recover", daemon=True)
        self._sweeper.start()
        log.info("started %d queue workers", workers)

    def stop_workers(self, graceful: bool = True) -> None:
        self._stop.set()
        if self._sweeper is not None:
            self._sweeper.join(timeout=5)
            self._sweeper = None
        if self._consumer is not None:
            self._consumer.stop(graceful=graceful)
            self._consumer = None
