"""The only module that talks to Webex.

It sends every call through webexpythonsdk's ``RestSession`` (which waits on
429 + Retry-After), adds bounded retries with backoff for 5xx and network
errors, renews the service app token after a 401 (once), and turns Webex JSON
into the typed data of ``bot.models`` so that nothing past this module sees
HTTP. Errors leave as ``WebexError`` carrying only what an admin may see:
status, message, trackingId.
"""
from __future__ import annotations

import contextvars
import logging
import time
from dataclasses import dataclass
from typing import Any, Iterable, Optional
from urllib.parse import quote

import requests
from webexpythonsdk.restsession import RestSession
from webexpythonsdk.exceptions import ApiError

from bot.config import Settings
from bot.models import (
    AvailableNumber,
    CardAction,
    Location,
    Message,
    NumberState,
    Reply,
    WebexErrorInfo,
)
from bot.store import Store
from bot.tokens import ServiceAppTokens, TokenError

log = logging.getLogger(__name__)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"

# Webex calls made while handling the current event, for the structured log.
calls_made: contextvars.ContextVar[Optional[list]] = contextvars.ContextVar("calls_made", default=None)


class WebexError(Exception):
    """A Webex call failed; ``info`` is safe for cards and logs."""

    def __init__(self, info: WebexErrorInfo) -> None:
        super().__init__(
            f"Webex answered {info.status_code or 'nothing'}: {info.message}"
            + (f" (trackingId {info.tracking_id})" if info.tracking_id else "")
        )
        self.info = info

    @property
    def status_code(self) -> Optional[int]:
        return self.info.status_code


def _error_info(error: ApiError) -> WebexErrorInfo:
    details = error.details if isinstance(error.details, dict) else {}
    message = details.get("message")
    errors = details.get("errors")
    if not message and isinstance(errors, list) and errors and isinstance(errors[0], dict):
        message = errors[0].get("description")
    tracking = details.get("trackingId") or error.response.headers.get("TrackingID")
    return WebexErrorInfo(
        status_code=error.status_code,
        message=str(message or error.description or error.status or "Unknown error"),
        tracking_id=str(tracking) if tracking else None,
    )


@dataclass(frozen=True)
class Me:
    id: str
    display_name: str


@dataclass(frozen=True)
class RawCheck:
    """One number as the validate API answered it, before the flow adds the
    admin's original text."""

    phone_number: str
    state: NumberState
    toll_free: bool
    detail: tuple[str, ...]


@dataclass(frozen=True)
class NumbersChunk:
    numbers: tuple[AvailableNumber, ...]
    has_next: bool  # the API's Link rel="next", or a full chunk


_STATES = {state.value.lower(): state for state in NumberState}


def _number_key(number: str) -> str:
    """The digits of a number with its country code, so that the answer matches what was
    sent however Webex writes it: the API accepts US numbers in national format too, and
    may echo ``2145557861`` or ``(214) 555-7861`` for ``+12145557861``."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if not number.strip().startswith("+") and len(digits) == 10:
        digits = "1" + digits
    return digits


def parse_validate_response(body: Any, sent: list[str]) -> list[RawCheck]:
    """Accept the documented shape (``numbers``/``number``) and the live one
    (``phoneNumbers``/``phoneNumber`` with ``detail``); answer in the order sent."""
    if not isinstance(body, dict):
        raise WebexError(WebexErrorInfo(None, "the answer to the validate request is not JSON."))
    items = body.get("phoneNumbers")
    if items is None:
        items = body.get("numbers")
    if not isinstance(items, list):
        raise WebexError(WebexErrorInfo(None, "the answer to the validate request has no list of numbers."))
    parsed: list[RawCheck] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        number = str(item.get("phoneNumber") or item.get("number") or "")
        raw_state = str(item.get("state") or "")
        detail = item.get("detail") or ()
        if isinstance(detail, str):
            detail = (detail,)
        detail = tuple(str(d) for d in detail if d)
        state = _STATES.get(raw_state.strip().lower())
        if state is None:
            state = NumberState.INVALID
            detail = detail + (f"Webex answered an unknown state {raw_state!r}.",)
        parsed.append(RawCheck(number, state, bool(item.get("tollFreeNumber")), detail))
    # Positional when Webex echoes the list as sent; else match by number.
    if [p.phone_number for p in parsed] == sent:
        return parsed
    pool: dict[str, list[RawCheck]] = {}
    for check in parsed:
        pool.setdefault(_number_key(check.phone_number), []).append(check)
    result = []
    for number in sent:
        matches = pool.get(_number_key(number))
        if matches:
            match = matches.pop(0)
            result.append(RawCheck(number, match.state, match.toll_free, match.detail))
        else:
            result.append(
                RawCheck(number, NumberState.INVALID, False, ("Webex did not return a result for this number.",))
            )
    return result


def parse_available_number(item: dict) -> AvailableNumber:
    return AvailableNumber(
        phone_number=str(item.get("phoneNumber") or ""),
        state=str(item.get("state") or "INACTIVE"),
        is_main_number=bool(item.get("isMainNumber")),
        toll_free=bool(item.get("tollFreeNumber")),
        telephony_type=str(item.get("telephonyType") or "PSTN_NUMBER"),
        is_service_number=bool(item.get("isServiceNumber")),
    )


def _record(method: str, path: str, status: Optional[int], tracking_id: Optional[str], started: float) -> None:
    records = calls_made.get()
    if records is not None:
        records.append(
            {
                "call": f"{method} {path}",
                "status": status,
                "trackingId": tracking_id,
                "ms": round((time.monotonic() - started) * 1000),
            }
        )


class WebexClient:
    """Bot-token calls (messages, cards, people/me) and service-app calls
    (telephony, locations, people roles)."""

    def __init__(self, settings: Settings, store: Store, retry_backoff: float = 1.0) -> None:
        base = settings.api_url.rstrip("/") + "/"
        self._settings = settings
        self._retry_backoff = retry_backoff
        self._bot = RestSession(settings.bot_token, base, single_request_timeout=settings.request_timeout)
        # The service session's Authorization header is set per request from
        # ``tokens``, so a refresh never races with calls in other threads.
        self._service = RestSession("unset", base, single_request_timeout=settings.request_timeout)
        self.tokens = ServiceAppTokens(settings.service_app, settings.api_url, store, settings.request_timeout)
        self._me: Optional[Me] = None

    # -- transport -------------------------------------------------------

    def _request(
        self,
        session: RestSession,
        method: str,
        path: str,
        *,
        erc: int = 200,
        idempotent: bool = True,
        headers: Optional[dict] = None,
        **kwargs: Any,
    ) -> requests.Response:
        """One Webex call with bounded retries on 5xx and network errors."""
        attempts = self._settings.max_retries + 1
        for attempt in range(attempts):
            started = time.monotonic()
            last = attempt == attempts - 1
            try:
                response = session.request(method, path, erc, headers=headers, **kwargs)
            except ApiError as error:
                info = _error_info(error)
                _record(method, path, error.status_code, info.tracking_id, started)
                if error.status_code >= 500 and not last:
                    log.warning("Webex %s %s answered %s; retrying", method, path, error.status_code)
                    time.sleep(self._retry_backoff * 2**attempt)
                    continue
                raise WebexError(info) from None
            except (requests.ConnectionError, requests.Timeout) as error:
                _record(method, path, None, None, started)
                retryable = idempotent or isinstance(error, requests.ConnectTimeout) or not isinstance(error, requests.Timeout)
                if retryable and not last:
                    log.warning("Webex %s %s failed (%s); retrying", method, path, type(error).__name__)
                    time.sleep(self._retry_backoff * 2**attempt)
                    continue
                raise WebexError(WebexErrorInfo(None, "Webex could not be reached; please try again.")) from None
            _record(method, path, response.status_code, response.headers.get("TrackingID"), started)
            return response
        raise AssertionError("unreachable")

    def _service_request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A service-app call; after a 401 the token is renewed once and the call repeated."""
        try:
            token = self.tokens.token()
        except TokenError as error:
            raise WebexError(WebexErrorInfo(None, str(error))) from None
        try:
            return self._request(self._service, method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs)
        except WebexError as error:
            if error.status_code != 401:
                raise
            refused = error
        try:
            # A ready token cannot be renewed: refresh() then says which setting to fix.
            token = self.tokens.refresh(stale=token)
        except TokenError as error:
            raise WebexError(WebexErrorInfo(401, str(error), refused.info.tracking_id)) from None
        return self._request(self._service, method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs)

    def _org(self) -> dict:
        return {"orgId": self._settings.org_id} if self._settings.org_id else {}

    # -- bot side ----------------------------------------------------------

    def me(self) -> Me:
        """The bot's own person, looked up once."""
        if self._me is None:
            body = self._request(self._bot, "GET", "people/me").json()
            self._me = Me(id=str(body.get("id", "")), display_name=str(body.get("displayName", "")))
        return self._me

    @property
    def known_me(self) -> Optional[Me]:
        """The bot's own person if it was looked up already (no call)."""
        return self._me

    def get_message(self, message_id: str) -> Message:
        body = self._request(self._bot, "GET", f"messages/{quote(message_id, safe='')}").json()
        return Message(
            id=str(body.get("id", "")),
            room_id=str(body.get("roomId", "")),
            room_type=str(body.get("roomType", "")),
            person_id=str(body.get("personId", "")),
            person_email=str(body.get("personEmail", "")),
            text=str(body.get("text") or ""),
            html=str(body.get("html") or ""),
            parent_id=body.get("parentId") or None,
        )

    def get_card_action(self, action_id: str) -> CardAction:
        body = self._request(self._bot, "GET", f"attachment/actions/{quote(action_id, safe='')}").json()
        return CardAction(
            id=str(body.get("id", "")),
            message_id=str(body.get("messageId", "")),
            room_id=str(body.get("roomId", "")),
            person_id=str(body.get("personId", "")),
            inputs=body.get("inputs") if isinstance(body.get("inputs"), dict) else {},
        )

    def person_email(self, person_id: str) -> str:
        body = self._request(self._bot, "GET", f"people/{quote(person_id, safe='')}").json()
        emails = body.get("emails") or []
        return str(emails[0]) if isinstance(emails, list) and emails else ""

    def send(self, room_id: str, reply: Reply, parent_id: Optional[str] = None) -> list[str]:
        """Post the reply (card + markdown fallback), then any continuation
        messages threaded under it; returns the new message ids."""
        body: dict[str, Any] = {"roomId": room_id, "markdown": reply.markdown}
        if parent_id:
            body["parentId"] = parent_id
        if reply.card is not None:
            body["attachments"] = [{"contentType": CARD_CONTENT_TYPE, "content": reply.card}]
        first = self._request(self._bot, "POST", "messages", json=body, idempotent=False).json()
        ids = [str(first.get("id", ""))]
        thread = parent_id or ids[0]
        for text in reply.continuation:
            more = self._request(
                self._bot, "POST", "messages", json={"roomId": room_id, "parentId": thread, "markdown": text}, idempotent=False
            ).json()
            ids.append(str(more.get("id", "")))
        return ids

    # -- service app side ----------------------------------------------------

    def validate_numbers(self, numbers: list[str]) -> list[RawCheck]:
        """One validate request. An answer that cannot be read still reaches the admin with
        its status and trackingId: they are what Cisco needs to look into it."""
        response = self._service_request(
            "POST", "telephony/config/actions/validateNumbers/invoke", params=self._org(), json={"phoneNumbers": numbers}
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        try:
            return parse_validate_response(body, numbers)
        except WebexError as error:
            tracking = response.headers.get("TrackingID")
            raise WebexError(WebexErrorInfo(response.status_code, error.info.message, tracking)) from None

    def locations(self, name: Optional[str] = None, limit: int = 1000) -> list[Location]:
        """Locations of the service app's org (Link-header paging, bounded)."""
        params: dict[str, Any] = {**self._org(), "max": min(limit, 1000)}
        if name:
            params["name"] = name
        found: list[Location] = []
        path: Optional[str] = "locations"
        while path and len(found) < limit:
            response = self._service_request("GET", path, params=params)
            for item in response.json().get("items", []):
                if isinstance(item, dict) and item.get("id"):
                    found.append(Location(id=str(item["id"]), name=str(item.get("name") or item["id"])))
            path = response.links.get("next", {}).get("url")
            params = {}  # the next URL carries the query
        return found[:limit]

    def location(self, location_id: str) -> Optional[Location]:
        try:
            item = self._service_request("GET", f"locations/{quote(location_id, safe='')}", params=self._org()).json()
        except WebexError as error:
            if error.status_code in (400, 404):
                return None
            raise
        return Location(id=str(item.get("id", location_id)), name=str(item.get("name") or location_id))

    def available_numbers(
        self, location_id: str, start: int, max_count: int, phone_numbers: Iterable[str] = ()
    ) -> NumbersChunk:
        """One request of auto attendant alternate available numbers."""
        params: dict[str, Any] = {**self._org(), "max": max_count, "start": start}
        phone_numbers = list(phone_numbers)
        if phone_numbers:
            params["phoneNumber"] = ",".join(phone_numbers)
        response = self._service_request(
            "GET",
            f"telephony/config/locations/{quote(location_id, safe='')}/autoAttendants/alternate/availableNumbers",
            params=params,
        )
        items = response.json().get("phoneNumbers") or []
        numbers = tuple(parse_available_number(i) for i in items if isinstance(i, dict))
        has_next = "next" in response.links or len(numbers) >= max_count
        return NumbersChunk(numbers=numbers, has_next=has_next)

    def person_roles(self, person_id: str) -> list[str]:
        body = self._service_request("GET", f"people/{quote(person_id, safe='')}").json()
        roles = body.get("roles") or []
        return [str(r) for r in roles] if isinstance(roles, list) else []
