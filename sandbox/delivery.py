"""Webhook delivery: sign the event and POST it from a background thread.

``POST /messages`` answers before the bot hears about the message, as with
Webex, so a bot that replies inside its webhook handler cannot deadlock tests.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, Optional

import requests

from sandbox.models import Delivery, Webhook

log = logging.getLogger("sandbox.delivery")
NOT_SENT = "not sent: the webhook is inactive"


def sign(body: bytes, secret: str) -> str:
    """``X-Spark-Signature``: hex HMAC-SHA1 of the raw body with the webhook secret."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha1).hexdigest()


def event_body(webhook: Webhook, actor_id: str, data: dict[str, Any]) -> bytes:
    """The envelope Webex POSTs, serialised once; receivers must verify these exact bytes."""
    # The webhook as the API shows it, less its secret, then who acted and on what.
    envelope: dict[str, Any] = {k: v for k, v in webhook.to_json().items() if k != "secret"}
    envelope.update(
        actorId=actor_id,
        data=data,
    )
    return json.dumps(envelope, separators=(",", ":")).encode("utf-8")


class Deliverer:
    """One worker thread; deliveries go out in order, each with bounded retries.

    ``wanted(delivery)`` is asked just before a delivery goes out (False: it is recorded as not
    sent); ``finished(delivery)`` hears the outcome of each one sent, retries included."""

    def __init__(self, retries: Callable[[], int], timeout: Callable[[], float],
                 wanted: Callable[[Delivery], bool] = lambda _: True,
                 finished: Callable[[Delivery], None] = lambda _: None) -> None:
        self._queue: queue.Queue[Optional[Delivery]] = queue.Queue()
        self._retries = retries
        self._timeout = timeout
        self._wanted = wanted
        self._finished = finished
        self._pending = 0
        self._idle = threading.Condition()
        self._thread: Optional[threading.Thread] = None
        self._session = requests.Session()

    def submit(self, delivery: Delivery) -> None:
        with self._idle:
            self._pending += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="sandbox-delivery", daemon=True)
                self._thread.start()
        self._queue.put(delivery)

    def wait(self, timeout: float) -> bool:
        """True once every submitted delivery finished (including retries)."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def stop(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=5)
        self._thread = None

    def _run(self) -> None:
        while True:
            delivery = self._queue.get()
            if delivery is None:
                return
            try:
                if self._wanted(delivery):
                    self._deliver(delivery)
                    self._finished(delivery)
                else:
                    delivery.error, delivery.done = NOT_SENT, True
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def _deliver(self, delivery: Delivery) -> None:
        headers = {"Content-Type": "application/json", "User-Agent": "sandbox-webhook/1.0"}
        if delivery.signature is not None:
            headers["X-Spark-Signature"] = delivery.signature
        for attempt in range(self._retries() + 1):
            delivery.attempts = attempt + 1
            started = time.monotonic()
            try:
                response = self._session.post(delivery.target_url, data=delivery.body, headers=headers,
                                              timeout=self._timeout())
                delivery.status_code, delivery.error = response.status_code, None
            except requests.RequestException as error:
                delivery.status_code, delivery.error = None, f"{type(error).__name__}: {error}"
            delivery.elapsed = time.monotonic() - started
            if self.succeeded(delivery):
                break
            log.info("delivery %s to %s failed (%s)", delivery.index, delivery.target_url,
                     delivery.status_code or delivery.error)
        delivery.done = True

    @staticmethod
    def succeeded(delivery: Delivery) -> bool:
        return delivery.status_code is not None and 200 <= delivery.status_code < 300
