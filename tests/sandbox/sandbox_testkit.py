"""Helpers for the sandbox tests: an API client, a webhook receiver record, assertions."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import requests

from sandbox import seed


class Api:
    """``requests`` against the sandbox with one of the seeded identities."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url

    def call(self, method: str, path: str, who: Optional[str] = "bot", **kwargs: Any) -> requests.Response:
        headers = kwargs.pop("headers", {})
        token = {"bot": seed.BOT_TOKEN, "service": seed.SERVICE_APP_TOKEN}.get(who or "", seed.PERSON_TOKENS.get(who or ""))
        if who and token:
            headers["Authorization"] = f"Bearer {token}"
        elif who:
            headers["Authorization"] = f"Bearer {who}"  # a raw (probably unknown) token
        url = path if path.startswith("http") else f"{self.api_url}/{path.lstrip('/')}"
        return requests.request(method, url, headers=headers, timeout=10, **kwargs)

    def get(self, path: str, who: Optional[str] = "bot", **kwargs: Any) -> requests.Response:
        return self.call("GET", path, who, **kwargs)

    def post(self, path: str, who: Optional[str] = "bot", **kwargs: Any) -> requests.Response:
        return self.call("POST", path, who, **kwargs)

    def delete(self, path: str, who: Optional[str] = "bot", **kwargs: Any) -> requests.Response:
        return self.call("DELETE", path, who, **kwargs)

    def put(self, path: str, who: Optional[str] = "bot", **kwargs: Any) -> requests.Response:
        return self.call("PUT", path, who, **kwargs)


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]


@dataclass
class Receiver:
    """A tiny webhook target that records raw bodies; answers ``status`` after ``delay`` seconds."""

    url: str = ""
    status: int = 200
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)


def bot_webhooks(api: Api, url: str, secret: Optional[str] = seed.WEBHOOK_SECRET) -> None:
    """Register the bot's two webhooks (messages, attachmentActions) at ``url``."""
    for resource in ("messages", "attachmentActions"):
        body = {"name": f"numbot {resource}", "targetUrl": url, "resource": resource, "event": "created"}
        if secret:
            body["secret"] = secret
        assert api.post("webhooks", json=body).status_code == 200


def assert_webex_error(response: requests.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["message"] and body["errors"][0]["description"]
    assert body["trackingId"].startswith("ROUTER_")
    assert response.headers["TrackingID"] == body["trackingId"]
    return body
