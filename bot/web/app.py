"""The Flask app: thin on purpose.

``POST /webhook`` checks the signature over the raw bytes, checks the event's
shape, stores it in the event queue and answers at once; it never waits on Webex.
When the store cannot take the event (Redis down or restarting), it answers 503,
so that Webex sends the event again: an event is acknowledged only once it is stored.
``GET /metrics`` is the Prometheus text (``bot.core.metrics``), unless ``NUMBOT_METRICS=off``, and
asks for ``Authorization: Bearer <NUMBOT_METRICS_TOKEN>`` when that is set.
"""
from __future__ import annotations

import atexit
import contextlib
import hmac
import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Optional

from flask import Flask, Response, request

from bot.conversation.events import BadEvent, parse_event
from bot.core import faults, metrics
from bot.core.config import ConfigError, Settings, load_settings
from bot.core.logs import configure_logging, fields
from bot.queue.eventqueue import QUEUED
from bot.runtime import Runtime, build_runtime, settle_memory
from bot.web import signature

log = logging.getLogger("numbot.app")

APP_LOAD_ERROR = 4


def _json(http_status: int, **body: object) -> Response:
    return Response(json.dumps(body), status=http_status, mimetype="application/json")


def create_app(settings: Optional[Settings] = None, *, start_workers: Optional[bool] = None, retry_backoff: float = 1.0,
               settle: Optional[bool] = None) -> Flask:
    """The WSGI app; gunicorn calls ``create_app()`` (see Procfile).

    ``settle`` (by default when the settings come from the environment, as under gunicorn: one app
    for the process's life) freezes what is built so far out of the garbage collector's way
    (``bot.runtime.settle_memory``); tests building many apps in one process leave it off."""
    want_settled = settings is None if settle is None else settle
    configure_logging()
    if settings is None:
        try:
            settings = load_settings()
        except ConfigError as error:
            print(f"numbot: {error}", file=sys.stderr, flush=True)
            # 4 is gunicorn's APP_LOAD_ERROR: the arbiter stops instead of
            # booting new workers that would fail the same way for ever.
            raise SystemExit(APP_LOAD_ERROR) from None
    runtime = build_runtime(settings, retry_backoff=retry_backoff)
    app = Flask("numbot")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.extensions["numbot"] = runtime
    if settings.insecure_no_signature:
        log.warning("NUMBOT_INSECURE_NO_SIGNATURE is set: webhook signatures are NOT checked")

    @app.post("/webhook")
    def webhook() -> Response:
        received = time.monotonic()
        if request.content_length is not None and request.content_length > settings.max_body_bytes:
            return _json(413, error=f"body larger than {settings.max_body_bytes} bytes")
        raw = request.get_data(cache=False)
        if len(raw) > settings.max_body_bytes:
            return _json(413, error=f"body larger than {settings.max_body_bytes} bytes")
        if not settings.insecure_no_signature:
            assert settings.webhook_secret
            if not signature.is_valid(raw, settings.webhook_secret, request.headers.get("X-Spark-Signature")):
                log.warning("webhook refused", extra=fields(reason="bad or missing X-Spark-Signature"))
                return _json(401, error="invalid signature")
        if not (request.mimetype or "").endswith("json"):
            return _json(415, error="expected application/json")
        try:
            body = json.loads(raw)
            event = parse_event(body)
        except (ValueError, UnicodeDecodeError) as error:
            reason = str(error) if isinstance(error, BadEvent) else "the body is not valid JSON"
            log.warning("webhook ignored", extra=fields(reason=reason))
            if isinstance(error, BadEvent):
                # Answer 200 so Webex does not retry (and disable the webhook)
                # for events this bot simply does not handle.
                return _json(200, ignored=reason)
            return _json(400, error=reason)
        metrics.received(event.resource)
        try:
            outcome = runtime.jobs.submit(body, event.key)
        except Exception as error:  # the store is down: not acknowledged, so Webex tries again
            log.warning("webhook not stored", extra=fields(reason=f"store unavailable: {type(error).__name__}",
                                                           event=event.key))
            return _json(503, error="store unavailable; send it again")
        metrics.stored(event.resource, outcome)
        faults.point("acknowledged")
        # How long this took sets the workers' pace (bot.queue.jobs): acknowledgements come first.
        runtime.jobs.acknowledged(time.monotonic() - received)
        return _json(200, queued=event.key) if outcome == QUEUED else _json(200, already=outcome, event=event.key)

    @app.after_request
    def counted(response: Response) -> Response:
        if request.endpoint == "webhook":  # its 413s too, answered by the error handler below
            metrics.webhook_answered(response.status_code)
        return response

    @app.errorhandler(413)
    def too_large(_error: Exception) -> Response:
        return _json(413, error=f"body larger than {settings.max_body_bytes} bytes")

    @app.get("/healthz")
    def healthz() -> Response:
        return _json(200, status="ok")

    @app.get("/readyz")
    def readyz() -> Response:
        """503 when the bot cannot work (store down, no service app token: the reason names the
        setting to fix); 200 "degraded" when it works but needs attention soon."""
        checks: dict[str, str] = {}
        warnings: list[str] = []
        pending: Optional[int] = None
        try:
            runtime.store.ping()
            pending = runtime.jobs.pending()
            checks["store"] = "ok"
        except Exception as error:
            checks["store"] = f"store unavailable: {type(error).__name__}"
        workers = runtime.jobs.workers()
        if workers is not None:
            alive, started = workers
            checks["workers"] = "ok" if alive == started else f"failed: {alive} of {started} queue workers running"
        health = runtime.client.tokens.health()
        checks["service_app_token"] = f"failed: {health.problem}" if health.problem else "ok"
        if health.warning:
            warnings.append(health.warning)
        ready = all(v == "ok" for v in checks.values())
        status = "ready" if ready and not warnings else ("degraded" if ready else "not ready")
        return _json(200 if ready else 503, ready=ready, status=status, checks=checks, warnings=warnings,
                     pending_jobs=pending)

    if settings.metrics:
        scraped = metrics.registry_for(runtime.jobs.queue)
        expected = f"Bearer {settings.metrics_token}".encode() if settings.metrics_token else None

        @app.get("/metrics")
        def prometheus() -> Response:
            """Counters of every process of this gunicorn (``bot.core.metrics``) and the queue as the
            store holds it. Labels never hold an id or a secret; the token keeps the numbers
            (traffic, queue, Webex's answers) from whoever can reach the webhook's host."""
            if expected is not None and not hmac.compare_digest(
                    request.headers.get("Authorization", "").encode(), expected):
                return Response("bearer token required\n", status=401, mimetype="text/plain",
                                headers={"WWW-Authenticate": 'Bearer realm="numbot metrics"'})
            body, content_type = metrics.exposition(scraped)
            return Response(body, status=200, content_type=content_type)

    if want_settled:
        settle_memory()
    if settings.embedded_workers if start_workers is None else start_workers:
        runtime.jobs.start_workers(settings.workers, nice=settings.worker_nice)
        at_exit(runtime.jobs.stop_workers)
    return app


def at_exit(stop: Callable[[], None]) -> None:
    """Run ``stop`` when the process leaves: a gunicorn worker leaves through sys.exit after SIGTERM
    (a deploy), and its running events get NUMBOT_DRAIN_SECONDS, then go back to the queue for the
    next process at once. It must run before the interpreter waits for the thread pools' work
    (``concurrent.futures`` registers that wait with ``threading._register_atexit``, which runs
    before ``atexit``): a bulk file's batches would otherwise run to the end, or to gunicorn's
    SIGKILL, with nobody handing the event back. Handlers registered there run last-in first-out,
    so this one, registered after concurrent.futures was imported, runs first."""
    register = getattr(threading, "_register_atexit", None)
    with contextlib.suppress(RuntimeError):  # the interpreter is already shutting down
        (register or atexit.register)(stop)


def runtime_of(app: Flask) -> Runtime:
    return app.extensions["numbot"]
