"""What a failed Webex call becomes: ``WebexError`` and its kinds, carrying only what an admin may
see (status, message, trackingId, per-number reasons), never the request, its headers or a token.

Webex words its errors three ways (``message``; ``errors[0].description``; the Numbers API's list
of per-number ``errors``), and webexpythonsdk reads only the first two: the third is read here, so
that every caller sees one shape whichever API refused.
"""
from __future__ import annotations

from typing import Any, Optional

import requests
import urllib3.exceptions
from webexpythonsdk.exceptions import ApiError

from bot.core.models import NumberError, WebexErrorInfo


class WebexError(Exception):
    """A Webex call failed; ``info`` is safe for cards and logs."""

    def __init__(self, info: WebexErrorInfo, retry_after: Optional[float] = None) -> None:
        super().__init__(
            f"Webex answered {info.status_code or 'nothing'}: {info.message}"
            + (f" (trackingId {info.tracking_id})" if info.tracking_id else "")
        )
        self.info = info
        self.retry_after = retry_after  # what Webex said to wait (Retry-After), if it said

    @property
    def status_code(self) -> Optional[int]:
        return self.info.status_code


class WebexBusy(WebexError):
    """Webex asked to wait longer than the event may still wait (``NUMBOT_MAX_WAIT_SECONDS``)."""

    retry_after: float

    def __init__(self, info: WebexErrorInfo, retry_after: float) -> None:
        super().__init__(info, retry_after)


class OutcomeUnknown(WebexError):
    """A call that creates something failed after it was sent: Webex may or may not have acted."""


def never_sent(error: requests.RequestException) -> bool:
    """Whether the request certainly never reached Webex: no connection could be made."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    reason = error.args[0] if error.args else None
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
    return isinstance(reason, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.NameResolutionError))


def error_info(error: ApiError) -> WebexErrorInfo:
    details = error.details if isinstance(error.details, dict) else {}
    message = details.get("message")
    errors = details.get("errors")
    if not message and isinstance(errors, list) and errors and isinstance(errors[0], dict):
        message = errors[0].get("description")
    numbers = _number_errors(error.details)
    if not message and numbers:
        message = numbers[0].message
    tracking = details.get("trackingId") or error.response.headers.get("TrackingID")
    return WebexErrorInfo(
        status_code=error.status_code,
        message=str(message or error.description or error.status or "Unknown error"),
        tracking_id=str(tracking) if tracking else None,
        numbers=numbers,
    )


def _number_errors(details: Any) -> tuple[NumberError, ...]:
    """Per-number reasons of a Numbers API refusal. wxc_sdk (telephony/location/numbers.py, since
    2025) reads a 400 whose body is a list ``[{"errors": [{"number", "errorCode", "errorMessage",
    …}]}]``; its older live test reads ``errors`` of the usual body with a ``number`` in each.
    Both are read."""
    groups = details if isinstance(details, list) else [details] if isinstance(details, dict) else []
    found: list[NumberError] = []
    for group in groups:
        entries = group.get("errors") if isinstance(group, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict) or not isinstance(entry.get("number") or entry.get("phoneNumber"), str):
                continue
            message = entry.get("errorMessage") or entry.get("description") or entry.get("errorTitle") or "refused"
            code = entry.get("errorCode")
            found.append(NumberError(str(entry.get("number") or entry.get("phoneNumber")), str(message),
                                     str(code) if code is not None else None))
    return tuple(found)


class ListBodyError(ApiError):
    """An error whose JSON body is a list (the Numbers API's per-number refusals): webexpythonsdk's
    ``ApiError`` reads ``details.get(...)`` and would fail with AttributeError on it."""

    def __init__(self, response: requests.Response) -> None:
        Exception.__init__(self, f"[{response.status_code}] {response.reason}")
        self.response, self.request = response, response.request
        self.status_code, self.status = response.status_code, response.reason
        self.description = None
        self.details = response.json()
        self.message = None
        self.tracking_id = response.headers.get("TrackingID")
        self.error_message = None
