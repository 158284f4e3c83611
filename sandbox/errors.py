"""Webex error bodies: ``{"message", "errors": [{"description"}], "trackingId"}``."""
from __future__ import annotations

import uuid
from typing import Any, Optional


def tracking_id() -> str:
    return f"ROUTER_{str(uuid.uuid4()).upper()}"


def error_body(message: str, tracking: str, error_code: Optional[int] = None) -> dict[str, Any]:
    error: dict[str, Any] = {"description": message}
    body: dict[str, Any] = {"message": message, "errors": [error], "trackingId": tracking}
    if error_code is not None:
        # Webex Calling (telephony) errors carry a numeric errorCode at both levels.
        body = {"errorCode": error_code, **body}
        error["errorCode"] = error_code
    return body


class WebexProblem(Exception):
    """Raised by the state when a request must fail; views turn it into an error response."""

    def __init__(self, status: int, message: str, error_code: Optional[int] = None,
                 headers: Optional[dict[str, str]] = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_code = error_code
        self.headers = headers or {}  # e.g. Retry-After of a 423
