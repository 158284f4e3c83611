"""Register the bot's two webhooks (messages, attachmentActions) idempotently.

Run once per deployment (``python -m bot register-webhooks URL``), not from
every web worker, which would race.
"""
from __future__ import annotations

from webexpythonsdk.restsession import RestSession

from bot.config import Settings

NAMES = {"messages": "numbot messages", "attachmentActions": "numbot card actions"}


def register_webhooks(settings: Settings, public_url: str) -> list[dict]:
    """Replace this bot's webhooks with ones pointing at ``public_url/webhook``."""
    session = RestSession(settings.bot_token, settings.api_url.rstrip("/") + "/", single_request_timeout=settings.request_timeout)
    target = public_url.rstrip("/") + "/webhook"
    for hook in session.get_items("webhooks"):
        if hook.get("name") in NAMES.values():
            session.delete(f"webhooks/{hook['id']}")
    created = []
    for resource, name in NAMES.items():
        body = {"name": name, "targetUrl": target, "resource": resource, "event": "created"}
        if settings.webhook_secret:
            body["secret"] = settings.webhook_secret
        hook = session.post("webhooks", json=body)
        created.append({k: hook.get(k) for k in ("id", "name", "resource", "targetUrl")})
    return created
