"""The only module that talks to Webex.

Every call goes through webexpythonsdk's ``RestSession`` (its requests session, headers, adapter
and error classes; an API call skips requests' per-call Session layer, ``send_direct``, and its
adapter keeps its connection pools at hand and reads no cookies, ``ApiAdapter``), with its
own 429 handling off: here
429s pause every worker's calls to that API and count against the event's wait budget
(``bot.webex.ratelimit``), 5xx and network errors are retried a bounded number of times, a message is
never posted twice (a retry only when Webex certainly did not create it, else a look at the room
first), and the service app token is renewed after a 401 (once). Webex JSON becomes the typed data
of ``bot.core.models``, so nothing past this module sees HTTP. Errors leave as ``WebexError`` carrying
only what an admin may see: status, message, trackingId.
"""
from __future__ import annotations

import contextvars
import logging
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from json import dumps as to_json
from typing import Any, Optional
from urllib.parse import quote, unquote, urlencode, urlsplit

import requests
import urllib3.exceptions
from cachetools import TTLCache
from requests.structures import CaseInsensitiveDict
from urllib3 import encode_multipart_formdata
from webexpythonsdk.exceptions import ApiError, RateLimitError
from webexpythonsdk.restsession import RestSession
from webexpythonsdk.utils import check_response_code

from bot.core import buttons, metrics
from bot.core.config import Settings
from bot.core.models import (
    AlternateNumber,
    AutoAttendant,
    AvailableNumber,
    CardAction,
    Destination,
    FileInfo,
    Location,
    LocationNumber,
    Message,
    NumberError,
    NumberState,
    NumberUse,
    Reply,
    ReplyFile,
    WebexErrorInfo,
)
from bot.queue.leases import check_still_ours
from bot.queue.store import Store
from bot.webex.ratelimit import RatePauses, api_group, budget_left
from bot.webex.tokens import ServiceAppTokens, TokenError

log = logging.getLogger(__name__)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
# Who pressed a card (``WebexClient.person``): kept this long, for this many people per process.
PEOPLE_SECONDS = 300.0
PEOPLE_KEPT = 1000

# Webex calls made while handling the current event, for the structured log.
calls_made: contextvars.ContextVar[Optional[list]] = contextvars.ContextVar("calls_made", default=None)


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


def _never_sent(error: requests.RequestException) -> bool:
    """Whether the request certainly never reached Webex: no connection could be made."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    reason = error.args[0] if error.args else None
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
    return isinstance(reason, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.NameResolutionError))


def _error_info(error: ApiError) -> WebexErrorInfo:
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


class _ListBodyError(ApiError):
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


@dataclass(frozen=True)
class Me:
    """A person (the bot itself, or whoever pressed a button): id, display name, email."""

    id: str
    display_name: str
    email: str = ""


@dataclass(frozen=True)
class Webhook:
    """One of the bot's webhooks as Webex lists it (the secret is only said to be there)."""

    id: str
    name: str
    target_url: str
    resource: str
    event: str
    status: str
    has_secret: bool


@dataclass(frozen=True)
class RawCheck:
    """One number as the validate API answered it, before the flow adds the
    admin's original text."""

    phone_number: str
    state: NumberState
    toll_free: bool
    detail: tuple[str, ...]
    # The answer has the live shape, whose rows carry ``detail`` (the documented one has none):
    # a repeat the bot finds itself is then given the detail Webex would have given it.
    detailed: bool = False


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


def _object(value: Any) -> dict:
    """A nested object of an answer, or an empty one when Webex left it out or sent null."""
    return value if isinstance(value, dict) else {}


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
            detail = (*detail, f"Webex answered an unknown state {raw_state!r}.")
        parsed.append(RawCheck(number, state, bool(item.get("tollFreeNumber")), detail, "detail" in item))
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
            result.append(RawCheck(number, match.state, match.toll_free, match.detail, match.detailed))
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
    metrics.webex_call(method, path, status, time.monotonic() - started)
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


def read_environment_once(session: requests.Session) -> None:
    """Have ``session`` read the proxy and CA bundle variables once per host, not per call.

    requests asks ``os.environ`` for proxies (and matches ``NO_PROXY`` against the URL) on every
    request: a tenth of the bot's CPU under load (py-spy on the load bench, Webex answering at
    once). A running process's environment does not change, so the answer for a scheme and host
    is kept; it is requests' own answer, so ``HTTPS_PROXY``, ``NO_PROXY`` and
    ``REQUESTS_CA_BUNDLE`` keep working as requests documents them."""
    merge = session.merge_environment_settings
    answers: dict[tuple, dict] = {}

    def merge_environment_settings(url: str, proxies: Any, stream: Any, verify: Any, cert: Any) -> dict:
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc, tuple(sorted((proxies or {}).items())), stream, verify,
               cert if not isinstance(cert, list) else tuple(cert))
        answer = answers.get(key)
        if answer is None:
            answer = answers[key] = merge(url, proxies, stream, verify, cert)
        return {**answer, "proxies": dict(answer["proxies"])}

    session.merge_environment_settings = merge_environment_settings  # type: ignore[method-assign]


class ApiAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter without two pieces of per-call work that a Webex API call does not need,
    through the two methods requests exposes for subclasses:

    - the connection pool for a host and TLS settings is looked up once, not rebuilt into a
      pool key and found again at every call (``get_connection_with_tls_context``); a pool that
      urllib3's pool manager has closed meanwhile is looked up afresh;
    - the answer is not searched for cookies (``build_response``): Webex authenticates with
      bearer tokens, and the bot keeps no cookie jar.

    Both showed per call in a profile of 2,000 GETs on loopback (cProfile: the pool lookup alone
    was a tenth of ``send_direct``'s time), and the bot makes three calls an event."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pools: dict[tuple, Any] = {}

    def get_connection_with_tls_context(self, request: requests.PreparedRequest, verify: Any,
                                        proxies: Optional[dict] = None, cert: Any = None) -> Any:
        parts = urlsplit(str(request.url))
        key = (parts.scheme, parts.netloc, verify, cert if not isinstance(cert, list) else tuple(cert),
               tuple(sorted((proxies or {}).items())))
        pool = self._pools.get(key)
        if pool is None or pool.pool is None:  # urllib3 sets ``pool`` to None when it closes one
            pool = self._pools[key] = super().get_connection_with_tls_context(request, verify, proxies, cert)
        return pool

    def build_response(self, req: requests.PreparedRequest, resp: Any) -> requests.Response:
        response = requests.Response()  # as requests builds it, without extract_cookies_to_jar
        response.status_code = getattr(resp, "status", None)  # type: ignore[assignment]
        response.headers = CaseInsensitiveDict(getattr(resp, "headers", {}))
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        response.raw = resp
        response.reason = resp.reason
        response.url = req.url.decode("utf-8") if isinstance(req.url, bytes) else str(req.url)
        response.request = req
        response.connection = self
        return response


def keep_connections(session: requests.Session, connections: int) -> None:
    """Send through :class:`ApiAdapter`, keeping up to ``connections`` open connections per host
    (requests keeps 10): past that, urllib3 opens a connection for the call and throws it away
    after, with a warning each time ("Connection pool is full, discarding connection"). The
    adapters otherwise keep requests' defaults (no retries of their own: ``WebexClient._request``
    retries)."""
    size = max(connections, requests.adapters.DEFAULT_POOLSIZE)
    for prefix in ("https://", "http://"):
        session.mount(prefix, ApiAdapter(pool_maxsize=size))


# A path urljoin leaves as it is: segments of unreserved or percent-encoded characters, none
# starting with "." (so no "." or ".." to resolve), no query, no scheme.
_PLAIN_PATH = re.compile(r"[\w~%=-][\w.~%=-]*(?:/[\w~%=-][\w.~%=-]*)*", re.ASCII)


def api_url(rest: RestSession, path: str) -> str:
    """``rest.abs_url(path)`` (urljoin onto the base URL) without parsing both at every call: a
    plain path under a base ending in "/" is the two put together."""
    base = rest.base_url
    if base.endswith("/") and _PLAIN_PATH.fullmatch(path):
        return base + path
    return rest.abs_url(path)


def send_direct(rest: RestSession, method: str, path: str, erc: int, *, headers: Optional[dict] = None,
                params: Optional[dict] = None, json: Any = None, data: Optional[bytes] = None,
                **rest_kwargs: Any) -> requests.Response:
    """``rest.request(method, path, erc, ...)``, for an API path, at 0.6 of its CPU.

    requests' Session layer (merging settings, hooks and cookie jars into a fresh request, then
    looking for redirects and cookies in the answer) is two thirds of its CPU per call, 0.2 ms of
    a 0.55 ms GET on loopback (``time.thread_time`` around each, 400 calls): a tenth of the bot's
    CPU per event when Webex answers at once. A Webex API call needs none of it: bearer tokens,
    not cookies; JSON answers, not redirects. So the request is prepared here with what the
    session would have put in it (its headers, the JSON or bytes body and their length, the
    query without ``None`` values, as requests encodes it) and sent through the session's own
    adapter with its environment (proxies, CA bundle: ``read_environment_once``), which keeps
    requests' pools, TLS and exceptions; the answer is checked by webexpythonsdk's own
    ``check_response_code``, so errors are the ``ApiError``/``RateLimitError`` the SDK raises.
    Anything else (a URL Webex gave: the next page, a file; a streamed download) takes the
    session's whole way, redirects included."""
    if rest_kwargs or "://" in path:
        return rest.request(method, path, erc, headers=headers, params=params, json=json, data=data,
                            **rest_kwargs)
    session = rest._req_session  # the SDK's requests.Session; no public handle
    url = api_url(rest, path)
    query = [(key, value) for key, value in (params or {}).items() if value is not None]
    if query:
        url += ("&" if "?" in url else "?") + urlencode(query, doseq=True)
    sent_headers = CaseInsensitiveDict(session.headers)
    if headers:
        sent_headers.update(headers)
    body = data
    if json is not None:
        body = to_json(json, allow_nan=False).encode()  # as requests encodes ``json=``
        sent_headers.setdefault("Content-Type", "application/json")
    if body is not None:
        sent_headers["Content-Length"] = str(len(body))  # else requests' adapter sends it chunked
    elif method not in ("GET", "HEAD"):
        sent_headers["Content-Length"] = "0"
    prepared = requests.PreparedRequest()
    prepared.method, prepared.url, prepared.headers, prepared.body = method, url, sent_headers, body
    prepared.hooks = {"response": []}
    environment = session.merge_environment_settings(url, {}, None, None, None)
    response = session.get_adapter(url).send(prepared, timeout=rest.single_request_timeout, **environment)
    if 200 <= response.status_code < 300 and 200 <= erc < 300:
        return response  # a 200 where the page says 201 or 204 is a success all the same
    if response.status_code != 429 and _json_list(response):
        raise _ListBodyError(response)
    check_response_code(response, erc)
    return response


def _json_list(response: requests.Response) -> bool:
    if "application/json" not in response.headers.get("Content-Type", "").lower():
        return False
    try:
        return isinstance(response.json(), list)
    except ValueError:
        return False


class WebexClient:
    """Bot-token calls (messages, cards, people, webhooks) and service-app calls
    (telephony, locations, people roles)."""

    def __init__(self, settings: Settings, store: Store, retry_backoff: float = 1.0) -> None:
        base = settings.api_url.rstrip("/") + "/"
        self._settings = settings
        self._retry_backoff = retry_backoff
        self._pauses = RatePauses(store)
        # wait_on_rate_limit=False: 429s are handled here, shared and within a budget.
        self._bot = RestSession(settings.bot_token, base, single_request_timeout=settings.request_timeout,
                                wait_on_rate_limit=False)
        # The service session's Authorization header is set per request from
        # ``tokens``, so a refresh never races with calls in other threads.
        self._service = RestSession("unset", base, single_request_timeout=settings.request_timeout,
                                    wait_on_rate_limit=False)
        for rest in (self._bot, self._service):
            read_environment_once(rest._req_session)  # the SDK's requests.Session; no public handle
        # As many kept connections as calls that can be in flight at once: each worker, plus the
        # presser lookup beside a worker's own call (``bot.conversation.events``); a bulk job's batches.
        keep_connections(self._bot._req_session, 2 * settings.workers)
        keep_connections(self._service._req_session, settings.workers * settings.bulk_concurrency)
        self.tokens = ServiceAppTokens(settings.service_app, settings.api_url, store, settings.request_timeout,
                                       retry_seconds=settings.token_retry_seconds)
        self._me: Optional[Me] = None
        self._people: TTLCache[str, Me] = TTLCache(maxsize=PEOPLE_KEPT, ttl=PEOPLE_SECONDS)
        self._people_lock = threading.Lock()  # a TTLCache is not safe for several threads

    # -- transport -------------------------------------------------------

    def _request(
        self,
        session: RestSession,
        method: str,
        path: str,
        *,
        kind: str,
        erc: int = 200,
        idempotent: bool = True,
        headers: Optional[dict] = None,
        **kwargs: Any,
    ) -> requests.Response:
        """One Webex call: waits out 429s (sharing the pause with every worker, within the
        event's wait budget) and retries 5xx and network errors a bounded number of times.

        ``idempotent=False`` (creating a message): a retry could post twice, so it is retried
        only when Webex certainly did not act (429, a connection that was never made); when the
        outcome is unknown (5xx, a timeout or reset after sending) it raises
        :class:`OutcomeUnknown` for the caller to find out."""
        check_still_ours()  # a stopping process sends nothing more for an event it handed back
        group = api_group(kind, path)
        attempts = self._settings.max_retries + 1
        attempt = 0
        while True:
            self._wait(group, self._pauses.remaining(group))
            started = time.monotonic()
            last = attempt >= attempts - 1
            try:
                response = send_direct(session, method, path, erc, headers=headers, **kwargs)
            except RateLimitError as error:
                info = _error_info(error)
                _record(method, path, 429, info.tracking_id, started)
                log.warning("Webex %s %s answered 429; pausing %s for %ss", method, path, group, error.retry_after)
                self._pauses.pause(group, error.retry_after)
                self._wait(group, error.retry_after, info)
                continue  # Webex did not act on a 429: always safe to send again
            except ApiError as error:
                info = _error_info(error)
                _record(method, path, error.status_code, info.tracking_id, started)
                if error.status_code < 500:
                    said = error.response.headers.get("Retry-After", "")  # e.g. 423 while a file is scanned
                    raise WebexError(info, float(said) if said.isdigit() else None) from None
                if not idempotent:
                    raise OutcomeUnknown(info) from None
                if last:
                    raise WebexError(info) from None
                log.warning("Webex %s %s answered %s; retrying", method, path, error.status_code)
            except (requests.ConnectionError, requests.Timeout) as error:
                _record(method, path, None, None, started)
                info = WebexErrorInfo(None, "Webex could not be reached; please try again.")
                if not idempotent and not _never_sent(error):
                    raise OutcomeUnknown(info) from None
                if last:
                    raise WebexError(info) from None
                log.warning("Webex %s %s failed (%s); retrying", method, path, type(error).__name__)
            else:
                _record(method, path, response.status_code, response.headers.get("TrackingID"), started)
                return response
            time.sleep(self._retry_backoff * 2**attempt)
            attempt += 1

    def _wait(self, group: str, seconds: float, info: Optional[WebexErrorInfo] = None) -> None:
        """Sleep ``seconds`` for ``group`` unless that passes the event's wait budget."""
        if seconds <= 0:
            return
        if seconds > budget_left(self._settings.max_wait_seconds):
            busy = info or WebexErrorInfo(429, "Webex asked to wait before the next request.")
            raise WebexBusy(busy, retry_after=seconds)
        time.sleep(seconds)

    def _bot_request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self._request(self._bot, method, path, kind="bot", **kwargs)

    def _service_request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A service-app call; after a 401 the token is renewed once and the call repeated."""
        try:
            token = self.tokens.token()
        except TokenError as error:
            raise WebexError(WebexErrorInfo(None, str(error))) from None
        try:
            return self._request(self._service, method, path, kind="service",
                                 headers={"Authorization": f"Bearer {token}"}, **kwargs)
        except WebexError as error:
            if error.status_code != 401:
                raise
            refused = error
        try:
            # A ready token cannot be renewed: refresh() then says which setting to fix.
            token = self.tokens.refresh(stale=token)
        except TokenError as error:
            raise WebexError(WebexErrorInfo(401, str(error), refused.info.tracking_id)) from None
        return self._request(self._service, method, path, kind="service",
                             headers={"Authorization": f"Bearer {token}"}, **kwargs)

    def _org(self) -> dict:
        return {"orgId": self._settings.org_id} if self._settings.org_id else {}

    # -- bot side ----------------------------------------------------------

    def me(self) -> Me:
        """The bot's own person, looked up once."""
        if self._me is None:
            body = self._bot_request("GET", "people/me").json()
            emails = body.get("emails") or []
            self._me = Me(id=str(body.get("id", "")), display_name=str(body.get("displayName", "")),
                          email=str(emails[0]) if isinstance(emails, list) and emails else "")
        return self._me

    @property
    def known_me(self) -> Optional[Me]:
        """The bot's own person if it was looked up already (no call)."""
        return self._me

    def get_message(self, message_id: str) -> Message:
        return parse_message(self._bot_request("GET", f"messages/{quote(message_id, safe='')}").json())

    def get_card_action(self, action_id: str) -> CardAction:
        body = self._bot_request("GET", f"attachment/actions/{quote(action_id, safe='')}").json()
        return CardAction(
            message_id=str(body.get("messageId", "")),
            room_id=str(body.get("roomId", "")),
            person_id=str(body.get("personId", "")),
            inputs=body.get("inputs") if isinstance(body.get("inputs"), dict) else {},
        )

    def known_person(self, person_id: str) -> Optional[Me]:
        """Someone :meth:`person` looked up lately (no call)."""
        with self._people_lock:
            return self._people.get(person_id)

    def person(self, person_id: str) -> Me:
        """Someone's id, display name and email (the bot token may read anyone's). Kept for
        ``PEOPLE_SECONDS``: a space's admins press one card after another, and each press would
        otherwise ask Webex again who pressed (a round trip per press, against the people API's
        rate limit). A changed name or email shows within that time; roles are always asked afresh."""
        known = self.known_person(person_id)
        if known is not None:
            return known
        body = self._bot_request("GET", f"people/{quote(person_id, safe='')}").json()
        emails = body.get("emails") or []
        found = Me(id=person_id, display_name=str(body.get("displayName") or ""),
                   email=str(emails[0]) if isinstance(emails, list) and emails else "")
        with self._people_lock:
            self._people[person_id] = found
        return found

    def send(self, to: Destination, reply: Reply, look_first: bool = False) -> list[str]:
        """Post the reply (card + markdown fallback), then its file, if any, threaded under it;
        each exactly once. Returns the new message ids. ``look_first``: an earlier worker may have
        posted this reply before it died; in a 1:1 space, a message already there is not posted
        again (``_post_once``)."""
        if reply.card is None and reply.file is not None:  # a file and its words: one message
            return [self.send_file(to, replace(reply.file, markdown=reply.markdown), thread=to.parent_id,
                                   look_first=look_first)]
        body: dict[str, Any] = {"roomId": to.room_id, "markdown": reply.markdown}
        if to.parent_id:
            body["parentId"] = to.parent_id
        if reply.card is not None:
            card = buttons.placed(reply.card, to.room_type, to.parent_id)  # a press need not read it back
            body["attachments"] = [{"contentType": CARD_CONTENT_TYPE, "content": card}]
        ids = [self._post_once(body, to, look_first=look_first)]
        if reply.file is not None:  # Webex takes no file with a card: it follows in the thread
            ids.append(self.send_file(to, reply.file, thread=to.parent_id or ids[0], look_first=look_first))
        return ids

    def send_file(self, to: Destination, file: ReplyFile, thread: Optional[str] = None,
                  look_first: bool = False) -> str:
        """A message with one file (``multipart/form-data``, as webexpythonsdk's
        ``messages.create(files=…)`` sends it: Webex takes one file per message)."""
        body: dict[str, Any] = {"roomId": to.room_id, "markdown": file.markdown}
        if thread:
            body["parentId"] = thread
        return self._post_once(body, to, file=file, look_first=look_first)

    def edit(self, to: Destination, message_id: str, markdown: str) -> None:
        """Change the text of one of the bot's messages (``PUT /messages/{id}``, "Update a
        Message"): progress on a long job, in place."""
        self._bot_request("PUT", f"messages/{quote(message_id, safe='')}",
                          json={"roomId": to.room_id, "markdown": markdown})

    def _post_once(self, body: dict, to: Destination, file: Optional[ReplyFile] = None,
                   look_first: bool = False) -> str:
        """``POST /messages`` without ever creating the message twice.

        When Webex fails after the request was sent (502/504 from a gateway whose upstream may
        have created the message, a timeout, a reset), the bot looks before posting again: in a
        1:1 space it lists the room's newest messages for its own message with this markdown,
        posted after the one it answers. A bot may list a group space's messages only where it
        is mentioned (List Messages: "Bots must include this parameter [mentionedPeople] to list
        messages in group rooms"), so there it cannot look and does not post again: at most one
        reply, and the log says so. ``look_first``: look in a 1:1 space before the first post too
        (an event taken again after its worker died)."""
        if look_first and to.room_type == "direct":
            found = self._find_posted(body, to)
            if found is not None:
                log.info("the reply was posted by an earlier attempt; not posting it again")
                return found
        attempts = self._settings.max_retries + 1
        for attempt in range(attempts):
            try:
                if file is None:
                    response = self._bot_request("POST", "messages", json=body, idempotent=False)
                else:
                    # Bytes, not a stream, so that a 429's retry can send them again.
                    data, content_type = encode_multipart_formdata(
                        [*((k, str(v)) for k, v in body.items()),
                         ("files", (file.name, file.content, file.content_type))])
                    response = self._bot_request("POST", "messages", data=data, idempotent=False,
                                                 headers={"Content-Type": content_type})
                return str(response.json().get("id", ""))
            except OutcomeUnknown as unknown:
                if to.room_type != "direct":
                    log.warning("posting a reply in a group space failed after it was sent (%s); not posting "
                                "again, since a bot cannot see whether it arrived", unknown)
                    raise
                found = self._find_posted(body, to)
                if found is not None:
                    log.info("the reply was posted although Webex answered %s", unknown.info.status_code or "nothing")
                    return found
                if attempt == attempts - 1:
                    raise WebexError(unknown.info) from None
                time.sleep(self._retry_backoff * 2**attempt)
        raise AssertionError("unreachable")

    # How far back ``_find_posted`` pages for a reply: a busy 1:1 space (a bulk file's progress,
    # other answers) can hold more than one page of messages posted after the one answered.
    FIND_PAGE_SIZE = 50
    FIND_MAX_PAGES = 10

    def _find_posted(self, body: dict, to: Destination) -> Optional[str]:
        """The id of this bot's message with ``body``'s markdown (and thread) posted after
        ``to.after_id``; None when there is none. Pages back (List Messages' ``beforeMessage``)
        until it reaches the message answered, at most ``FIND_MAX_PAGES`` pages."""
        me = self.me()
        params: dict[str, Any] = {"roomId": to.room_id, "max": self.FIND_PAGE_SIZE}
        for _ in range(self.FIND_MAX_PAGES):
            items = self._bot_request("GET", "messages", params=params).json().get("items")
            page = [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
            for item in page:  # newest first
                if item.get("id") == to.after_id:
                    return None
                if (item.get("personId") == me.id and (item.get("markdown") or "").strip() == body["markdown"].strip()
                        and (item.get("parentId") or None) == body.get("parentId")):
                    return str(item.get("id", ""))
            if len(page) < self.FIND_PAGE_SIZE or not page[-1].get("id") or to.after_id is None:
                return None
            params["beforeMessage"] = page[-1]["id"]
        log.warning("looked back %d messages for an earlier reply and did not reach the message answered",
                    self.FIND_PAGE_SIZE * self.FIND_MAX_PAGES)
        return None

    # -- attached files (bot token) ------------------------------------------------

    def _content_url(self, url: str) -> str:
        """Only Webex's own content URLs get the bot's token: a message's ``files`` come from
        outside, and a token sent to another host would be a token given away."""
        base = self._settings.api_url.rstrip("/") + "/contents/"
        if not url.startswith(base) or len(url) > 2000:
            raise WebexError(WebexErrorInfo(None, "That file is not stored by Webex, so I do not read it."))
        return url

    def _scanned(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """A request for a file, waiting while Webex scans it for malware: ``423 Locked`` with
        ``Retry-After`` (REST API Basics, "Anti-Malware Scanning"; the reference pages' 423)."""
        while True:
            try:
                return self._bot_request(method, self._content_url(url), **kwargs)
            except WebexError as error:
                if error.status_code != 423:
                    raise
                self._wait("bot:contents", error.retry_after or 2.0, error.info)

    def file_info(self, url: str) -> FileInfo:
        """The name and size of an attached file, from ``HEAD`` (Content-Disposition,
        Content-Length), before anything is downloaded."""
        response = self._scanned("HEAD", url)
        disposition = response.headers.get("Content-Disposition", "")
        match = re.search(r'filename\*=UTF-8\'\'([^;]+)', disposition) or re.search(r'filename="([^"]*)"', disposition)
        name = unquote(match.group(1)) if match else url.rsplit("/", 1)[-1]
        length = response.headers.get("Content-Length")
        size = int(length) if length and length.isdigit() else None
        return FileInfo(url=url, name=name, size=size, content_type=response.headers.get("Content-Type", ""))

    def download(self, url: str, max_bytes: int) -> bytes:
        """The file's bytes; more than ``max_bytes`` (whatever Content-Length said) stops the
        download with a WebexError that says so."""
        response = self._scanned("GET", url, stream=True)
        data = bytearray()
        for chunk in response.iter_content(64 * 1024):
            data += chunk
            if len(data) > max_bytes:
                response.close()
                raise WebexError(WebexErrorInfo(None, f"The file is larger than {max_bytes:,} bytes."))
        return bytes(data)

    # -- webhooks (bot token) -------------------------------------------------

    def webhooks(self) -> list[Webhook]:
        items = self._bot_request("GET", "webhooks", params={"max": 100}).json().get("items")
        return [_webhook(i) for i in items if isinstance(i, dict)] if isinstance(items, list) else []

    def create_webhook(self, name: str, target_url: str, resource: str, secret: Optional[str]) -> Webhook:
        body = {"name": name, "targetUrl": target_url, "resource": resource, "event": "created"}
        if secret:
            body["secret"] = secret
        return _webhook(self._bot_request("POST", "webhooks", json=body).json())

    def reactivate_webhook(self, hook: Webhook, secret: Optional[str]) -> Webhook:
        """``PUT /webhooks/{id}`` with ``status: active``: Webex disables a webhook after repeated
        failed deliveries, and this is the documented way back ("Update a Webhook")."""
        body: dict[str, Any] = {"name": hook.name, "targetUrl": hook.target_url, "status": "active"}
        if secret:
            body["secret"] = secret
        return _webhook(self._bot_request("PUT", f"webhooks/{quote(hook.id, safe='')}", json=body).json())

    def delete_webhook(self, webhook_id: str) -> None:
        self._bot_request("DELETE", f"webhooks/{quote(webhook_id, safe='')}", erc=204)

    # -- service app side ----------------------------------------------------

    def validate_numbers(self, numbers: list[str]) -> list[RawCheck]:
        """One validate request. An answer that cannot be read still reaches the admin with
        its status and trackingId: they are what Cisco needs to look into it."""
        response = self._service_request(
            "POST", "telephony/config/actions/validateNumbers/invoke",
            params=self._org(), json={"phoneNumbers": numbers},
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

    def calling_locations(self, name: Optional[str] = None, limit: int = 1000) -> list[Location]:
        """The org's locations with Webex Calling ("List Locations Webex Calling Details",
        ``GET /telephony/config/locations``; the telephony read scope covers it), by name,
        following ``Link`` paging up to ``limit``."""
        params: dict[str, Any] = {**self._org(), "max": min(limit, 1000), "order": "asc"}
        if name:
            params["name"] = name
        return self._paged_locations("telephony/config/locations", "locations", params, limit)

    def locations(self, name: Optional[str] = None, limit: int = 1000) -> list[Location]:
        """Every location of the org, with Webex Calling or not (the Locations API)."""
        params: dict[str, Any] = {**self._org(), "max": min(limit, 1000)}
        if name:
            params["name"] = name
        return self._paged_locations("locations", "items", params, limit)

    def _paged_locations(self, path: str, field: str, params: dict, limit: int) -> list[Location]:
        found: list[Location] = []
        next_path: Optional[str] = path
        while next_path and len(found) < limit:
            response = self._service_request("GET", next_path, params=params)
            items = response.json().get(field)
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and item.get("id"):
                    found.append(Location(id=str(item["id"]), name=str(item.get("name") or item["id"])))
            next_path = response.links.get("next", {}).get("url")
            params = {}  # the next URL carries the query
        return found[:limit]

    def organisation_id(self) -> Optional[str]:
        """The organisation the service app acts on, as its locations name it (``orgId``)."""
        items = self._service_request("GET", "locations", params={**self._org(), "max": 1}).json().get("items")
        first = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}
        return str(first["orgId"]) if first.get("orgId") else None

    def location(self, location_id: str) -> Optional[Location]:
        """A location by id from the Locations API (which lists it with or without Webex
        Calling); None when Webex does not know it."""
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

    def number_use(self, e164: str) -> Optional[NumberUse]:
        """Who uses ``e164`` in the org and where ("Get Phone Numbers for an Organization with
        Given Criterias", ``phoneNumber`` filter; telephony read scope); None when Webex does not
        list it."""
        response = self._service_request("GET", "telephony/config/numbers",
                                         params={**self._org(), "phoneNumber": e164, "max": 10})
        items = response.json().get("phoneNumbers")
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict) or item.get("phoneNumber") != e164:
                continue
            owner = _object(item.get("owner"))
            location = _object(item.get("location"))
            name = owner.get("displayName") or " ".join(
                str(p) for p in (owner.get("firstName"), owner.get("lastName")) if p) or None
            return NumberUse(location=location.get("name") or None, owner_type=owner.get("type") or None,
                             owner_name=name, extension=item.get("extension") or None)
        return None

    # -- changes (service app, telephony write scope; ``bot.conversation.changes`` decides who may) ---------

    def add_numbers(self, location_id: str, numbers: list[str], active: bool) -> Optional[str]:
        """"Add Phone Numbers to a location" (``POST /telephony/config/locations/{id}/numbers``,
        201 with no body): the trackingId, for the audit line. Not retried after it was sent
        (``OutcomeUnknown``): the flow reads the location's numbers back instead. Webex ignores
        numbers already in the location (the API page)."""
        response = self._service_request(
            "POST", f"telephony/config/locations/{quote(location_id, safe='')}/numbers", erc=201,
            idempotent=False, params=self._org(),
            json={"phoneNumbers": numbers, "state": "ACTIVE" if active else "INACTIVE"})
        return response.headers.get("TrackingID")

    def activate_numbers(self, location_id: str, numbers: list[str]) -> Optional[str]:
        """"Activate Phone Numbers in a location" (``PUT`` of the same path, ``action`` ACTIVATE, 204)."""
        response = self._service_request(
            "PUT", f"telephony/config/locations/{quote(location_id, safe='')}/numbers", erc=204,
            idempotent=False, params=self._org(), json={"phoneNumbers": numbers, "action": "ACTIVATE"})
        return response.headers.get("TrackingID")

    def location_numbers(self, location_id: str, limit: int = 20_000) -> list[LocationNumber]:
        """Every number of a location ("Get Phone Numbers for an Organization with Given
        Criterias", ``locationId``; ``Link`` paging), to read back what a change did."""
        found: list[LocationNumber] = []
        params: dict[str, Any] = {**self._org(), "locationId": location_id, "max": 2000}
        next_path: Optional[str] = "telephony/config/numbers"
        while next_path and len(found) < limit:
            response = self._service_request("GET", next_path, params=params)
            items = response.json().get("phoneNumbers")
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and isinstance(item.get("phoneNumber"), str):
                    owner = _object(item.get("owner"))
                    found.append(LocationNumber(item["phoneNumber"], str(item.get("state") or "ACTIVE").upper(),
                                                owner.get("type") or None))
            next_path = response.links.get("next", {}).get("url")
            params = {}
        return found

    def auto_attendants(self, location_id: str, limit: int = 1000) -> list[AutoAttendant]:
        """A location's auto attendants ("Read the List of Auto Attendants",
        ``GET /telephony/config/autoAttendants?locationId=``), by name."""
        found: list[AutoAttendant] = []
        params: dict[str, Any] = {**self._org(), "locationId": location_id, "max": min(limit, 1000)}
        next_path: Optional[str] = "telephony/config/autoAttendants"
        while next_path and len(found) < limit:
            response = self._service_request("GET", next_path, params=params)
            items = response.json().get("autoAttendants")
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and item.get("id"):
                    found.append(_auto_attendant(item, location_id))
            next_path = response.links.get("next", {}).get("url")
            params = {}
        return sorted(found[:limit], key=lambda aa: aa.name.lower())

    def auto_attendant(self, location_id: str, auto_attendant_id: str) -> Optional[AutoAttendant]:
        """One auto attendant with its alternate numbers ("Get Details for an Auto Attendant");
        None when Webex does not know it (404)."""
        try:
            body = self._service_request("GET", self._auto_attendant_path(location_id, auto_attendant_id),
                                         params=self._org()).json()
        except WebexError as error:
            if error.status_code == 404:
                return None
            raise
        if not isinstance(body, dict):
            raise WebexError(WebexErrorInfo(None, "Webex answered an auto attendant in a shape I cannot read."))
        alternates = body.get("alternateNumbers")
        return replace(_auto_attendant({"id": auto_attendant_id, **body}, location_id), alternate_numbers=tuple(
            AlternateNumber(
                str(a["phoneNumber"]), str(a.get("ringPattern") or "NORMAL"), a.get("tollFreeNumber") is True
            )
            for a in (alternates if isinstance(alternates, list) else [])
            if isinstance(a, dict) and isinstance(a.get("phoneNumber"), str)))

    def set_alternate_numbers(self, location_id: str, auto_attendant_id: str,
                              numbers: tuple[AlternateNumber, ...]) -> Optional[str]:
        """"Update an Auto Attendant" with only ``alternateNumbers``, which replaces the whole list
        (wxc_sdk updates it by read, change, write): the caller sends what it read plus or minus
        one. 204; not retried after it was sent (``OutcomeUnknown``): the flow reads it back."""
        response = self._service_request(
            "PUT", self._auto_attendant_path(location_id, auto_attendant_id), erc=204, idempotent=False,
            params=self._org(),
            json={"alternateNumbers": [{"phoneNumber": n.phone_number, "ringPattern": n.ring_pattern}
                                       for n in numbers]})
        return response.headers.get("TrackingID")

    @staticmethod
    def _auto_attendant_path(location_id: str, auto_attendant_id: str) -> str:
        return (f"telephony/config/locations/{quote(location_id, safe='')}/autoAttendants/"
                f"{quote(auto_attendant_id, safe='')}")

    def person_roles(self, person_id: str) -> list[str]:
        body = self._service_request("GET", f"people/{quote(person_id, safe='')}").json()
        roles = body.get("roles") or []
        return [str(r) for r in roles] if isinstance(roles, list) else []


def _auto_attendant(item: dict, location_id: str) -> AutoAttendant:
    return AutoAttendant(id=str(item["id"]), name=str(item.get("name") or item["id"]),
                         location_id=str(item.get("locationId") or location_id),
                         phone_number=item.get("phoneNumber") or None, extension=item.get("extension") or None)


def _webhook(item: dict) -> Webhook:
    return Webhook(
        id=str(item.get("id", "")), name=str(item.get("name", "")), target_url=str(item.get("targetUrl", "")),
        resource=str(item.get("resource", "")), event=str(item.get("event", "")),
        status=str(item.get("status") or "active"), has_secret=bool(item.get("secret")),
    )


def parse_message(body: dict) -> Message:
    return Message(
        id=str(body.get("id", "")),
        room_id=str(body.get("roomId", "")),
        room_type=str(body.get("roomType", "")),
        person_id=str(body.get("personId", "")),
        person_email=str(body.get("personEmail", "")),
        text=str(body.get("text") or ""),
        html=str(body.get("html") or "") or None,
        parent_id=body.get("parentId") or None,
        files=tuple(str(f) for f in body.get("files") or () if isinstance(f, str)),
    )
