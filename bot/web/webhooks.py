"""The bot's two webhooks (messages, attachmentActions): register them idempotently.

Run once per deployment (``python -m bot register-webhooks URL``), not from
every web worker, which would race. ``python -m bot check --fix`` uses the same
names to find, re-register and reactivate them.
"""
from __future__ import annotations

from typing import Optional

from bot.core.config import Settings
from bot.queue.store import Store, make_huey
from bot.webex.answers import Webhook
from bot.webex.client import WebexClient

NAMES = {"messages": "numbot messages", "attachmentActions": "numbot card actions"}


def webhook_target(public_url: str) -> str:
    return public_url.rstrip("/") + "/webhook"


def client_for(settings: Settings) -> WebexClient:
    """A Webex client for a command-line task, sharing the deployment's store (token, pauses)."""
    return WebexClient(settings, Store(make_huey(settings.store_url)))


def register_webhooks(settings: Settings, public_url: str, client: Optional[WebexClient] = None) -> list[Webhook]:
    """Replace this bot's webhooks with ones pointing at ``public_url/webhook``."""
    client = client or client_for(settings)
    for hook in client.webhooks():
        if hook.name in NAMES.values():
            client.delete_webhook(hook.id)
    target = webhook_target(public_url)
    return [client.create_webhook(name, target, resource, settings.webhook_secret) for resource, name in NAMES.items()]
