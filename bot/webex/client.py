"""The only way the bot talks to Webex: ``WebexClient``, one method per Webex call it makes.

Calls go through webexpythonsdk's ``RestSession`` (its requests session, headers and error
classes) with its own 429 handling off; ``bot.webex.transport`` sends each one. Here 429s pause
every worker's calls to that API and count against the event's wait budget
(``bot.webex.ratelimit``), 5xx and network errors are retried a bounded number of times, a message
is never posted twice (a retry only when Webex certainly did not create it, else a look at the
room first), and the service app token is renewed after a 401 (once, ``bot.webex.tokens``).
Answers leave as the typed data of ``bot.core.models`` (read by ``bot.webex.answers``), so nothing
past this package sees HTTP; errors leave as ``bot.webex.errors.WebexError``, carrying only what an
admin may see: status, message, trackingId.
"""
from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import replace
from typing import Any, Optional
from urllib.parse import quote, unquote

import requests
from cachetools import TTLCache
from urllib3 import encode_multipart_formdata
from webexpythonsdk.exceptions import ApiError, RateLimitError
from webexpythonsdk.restsession import RestSession

from bot.core import buttons
from bot.core.config import Settings
from bot.core.models import (
    AlternateNumber,
    AutoAttendant,
    CardAction,
    Destination,
    FileInfo,
    Location,
    LocationNumber,
    Message,
    NumberUse,
    Reply,
    ReplyFile,
    WebexErrorInfo,
)
from bot.queue.leases import check_still_ours
from bot.queue.store import Store
from bot.webex.answers import (
    Me,
    NumbersChunk,
    RawCheck,
    Webhook,
    parse_auto_attendant,
    parse_auto_attendant_details,
    parse_available_number,
    parse_card_action,
    parse_location,
    parse_location_number,
    parse_message,
    parse_number_use,
    parse_person,
    parse_validate_response,
    parse_webhook,
)
from bot.webex.errors import OutcomeUnknown, WebexBusy, WebexError, error_info, never_sent
from bot.webex.ratelimit import RatePauses, api_group, budget_left
from bot.webex.tokens import ServiceAppTokens, TokenError
from bot.webex.transport import keep_connections, read_environment_once, record_call, send_direct

log = logging.getLogger(__name__)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
# Who pressed a card (``WebexClient.person``): kept this long, for this many people per process.
PEOPLE_SECONDS = 300.0
PEOPLE_KEPT = 1000


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
                info = error_info(error)
                record_call(method, path, 429, info.tracking_id, started)
                log.warning("Webex %s %s answered 429; pausing %s for %ss", method, path, group, error.retry_after)
                self._pauses.pause(group, error.retry_after)
                self._wait(group, error.retry_after, info)
                continue  # Webex did not act on a 429: always safe to send again
            except ApiError as error:
                info = error_info(error)
                record_call(method, path, error.status_code, info.tracking_id, started)
                if error.status_code < 500:
                    said = error.response.headers.get("Retry-After", "")  # e.g. 423 while a file is scanned
                    raise WebexError(info, float(said) if said.isdigit() else None) from None
                if not idempotent:
                    raise OutcomeUnknown(info) from None
                if last:
                    raise WebexError(info) from None
                log.warning("Webex %s %s answered %s; retrying", method, path, error.status_code)
            except (requests.ConnectionError, requests.Timeout) as error:
                record_call(method, path, None, None, started)
                info = WebexErrorInfo(None, "Webex could not be reached; please try again.")
                if not idempotent and not never_sent(error):
                    raise OutcomeUnknown(info) from None
                if last:
                    raise WebexError(info) from None
                log.warning("Webex %s %s failed (%s); retrying", method, path, type(error).__name__)
            else:
                record_call(method, path, response.status_code, response.headers.get("TrackingID"), started)
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
            self._me = parse_person(body, str(body.get("id", "")))
        return self._me

    @property
    def known_me(self) -> Optional[Me]:
        """The bot's own person if it was looked up already (no call)."""
        return self._me

    def get_message(self, message_id: str) -> Message:
        return parse_message(self._bot_request("GET", f"messages/{quote(message_id, safe='')}").json())

    def get_card_action(self, action_id: str) -> CardAction:
        return parse_card_action(self._bot_request("GET", f"attachment/actions/{quote(action_id, safe='')}").json())

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
        found = parse_person(self._bot_request("GET", f"people/{quote(person_id, safe='')}").json(), person_id)
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
        return [parse_webhook(i) for i in items if isinstance(i, dict)] if isinstance(items, list) else []

    def create_webhook(self, name: str, target_url: str, resource: str, secret: Optional[str]) -> Webhook:
        body = {"name": name, "targetUrl": target_url, "resource": resource, "event": "created"}
        if secret:
            body["secret"] = secret
        return parse_webhook(self._bot_request("POST", "webhooks", json=body).json())

    def reactivate_webhook(self, hook: Webhook, secret: Optional[str]) -> Webhook:
        """``PUT /webhooks/{id}`` with ``status: active``: Webex disables a webhook after repeated
        failed deliveries, and this is the documented way back ("Update a Webhook")."""
        body: dict[str, Any] = {"name": hook.name, "targetUrl": hook.target_url, "status": "active"}
        if secret:
            body["secret"] = secret
        return parse_webhook(self._bot_request("PUT", f"webhooks/{quote(hook.id, safe='')}", json=body).json())

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
                    found.append(parse_location(item, str(item["id"])))
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
        return parse_location(item, location_id)

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
            if isinstance(item, dict) and item.get("phoneNumber") == e164:
                return parse_number_use(item)
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
                    found.append(parse_location_number(item))
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
                    found.append(parse_auto_attendant(item, location_id))
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
        return parse_auto_attendant_details(body, auto_attendant_id, location_id)

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
