"""The job queue between the webhook and the workers.

``POST /webhook`` only stores the event and answers; workers do the Webex
calls. Jobs live in the store (SQLite file or Redis), so an acknowledged event
survives a crash or restart of the bot and is handled after it.
"""
from __future__ import annotations

import logging
from typing import Callable, Optional

from huey.consumer import Consumer

from bot.store import Store

log = logging.getLogger(__name__)

TASK_NAME = "numbot.handle_event"


class _EmbeddedConsumer(Consumer):
    """A huey consumer that runs inside the web process.

    The stock consumer installs signal handlers, which only the main thread
    may do and which would take SIGTERM away from gunicorn."""

    def _set_signal_handlers(self) -> None:  # pragma: no cover - trivial
        pass


class Jobs:
    def __init__(self, store: Store, handler: Callable[[dict], None]) -> None:
        self.store = store
        # retries=0: Webex retries (429/5xx) happen inside the client; a job
        # that still fails has already told the admin with an error card.
        self._task = store.huey.task(name=TASK_NAME, retries=0)(handler)
        self._consumer: Optional[Consumer] = None

    def submit(self, event: dict) -> None:
        self._task(event)

    def pending(self) -> int:
        return self.store.huey.pending_count()

    def start_workers(self, workers: int) -> None:
        if self._consumer is not None:
            return
        self._consumer = _EmbeddedConsumer(
            self.store.huey, workers=workers, worker_type="thread", periodic=False, initial_delay=0.05, max_delay=0.5,
            backoff=1.5, check_worker_health=True,
        )
        self._consumer.start()
        log.info("started %d embedded queue workers", workers)

    def stop_workers(self) -> None:
        if self._consumer is not None:
            self._consumer.stop(graceful=True)
            self._consumer = None
