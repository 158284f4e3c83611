"""Wires settings, store, Webex client, handler and queue together, once per process."""
from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.events import EventHandler
from bot.jobs import Jobs
from bot.store import Store, make_huey
from bot.webex import WebexClient


@dataclass
class Runtime:
    settings: Settings
    store: Store
    client: WebexClient
    handler: EventHandler
    jobs: Jobs


def build_runtime(settings: Settings, retry_backoff: float = 1.0) -> Runtime:
    store = Store(make_huey(settings.store_url))
    client = WebexClient(settings, store, retry_backoff=retry_backoff)
    handler = EventHandler(settings, client, store)
    jobs = Jobs(store, handler, recover_after=settings.recover_after)
    return Runtime(settings, store, client, handler, jobs)
