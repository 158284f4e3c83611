"""Webex error bodies: ``{"message", "errors": [{"description"}], "trackingId"}``."""
from __future__ import annotations

import uuid
from typing import Any, Optional


def tracking_id() -> str:
    return f"ROUTER_{str(uuid.uuid4()).upper()}"


def error_body(message: str, tracking: str, error_code: Optional[int] = None,
               detail_code: Optional[int] = None) -> dict[str, Any]:
    """``detail_code``: the ``errors[0].errorCode`` when it differs from the top-level one (wxc_sdk's
    live test of re-adding a location's number reads 8363 there and 25223 at the top)."""
    error: dict[str, Any] = {"description": message}
    body: dict[str, Any] = {"message": message, "errors": [error], "trackingId": tracking}
    if error_code is not None:
        # Webex Calling (telephony) errors carry a numeric errorCode at both levels.
        body = {"errorCode": error_code, **body}
        error["errorCode"] = error_code if detail_code is None else detail_code
    return body


class WebexProblem(Exception):
    """Raised by the state when a request must fail; views turn it into an error response."""

    def __init__(self, status: int, message: str, error_code: Optional[int] = None,
                 headers: Optional[dict[str, str]] = None, detail_code: Optional[int] = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_code = error_code
        self.detail_code = detail_code  # errors[0].errorCode when it differs (see error_body)
        self.headers = headers or {}  # e.g. Retry-After of a 423, cisco-spark-error-codes
