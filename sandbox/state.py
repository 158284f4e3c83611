"""The sandbox's in-memory Webex: one organisation, guarded by one lock.

API views call these methods; tests call them too (and the conversation
helpers in ``sandbox.conversation``), so every method is thread-safe.
"""
from __future__ import annotations

import bisect
import json
import math
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any, Optional, Union

from sandbox import seed
from sandbox.conversation import Conversation
from sandbox.delivery import Deliverer, event_body, sign
from sandbox.errors import WebexProblem
from sandbox.ids import new_id, seeded_id
from sandbox.markup import CLIENTS, DEFAULT_CLIENT, render
from sandbox.models import (
    AssignedNumber,
    AutoAttendant,
    AvailableNumber,
    CardAction,
    Delivery,
    Fault,
    FileUpload,
    Location,
    LoggedRequest,
    Message,
    NumberOwner,
    Person,
    Room,
    StoredFile,
    Webhook,
    iso_now,
)
from sandbox.numbers import is_toll_free
from sandbox.provisioning import MAX_ALTERNATE_NUMBERS, Provisioning

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
FAULT_STAGES = ("before", "after")
# Webex rejects text or markdown longer than 7439 bytes.
MAX_TEXT_BYTES = 7439
# "Message attachments sent and retrieved via the API are limited to 100MB each" (developer.webex.com,
# Message Attachments); read here as MiB.
MAX_FILE_BYTES = 100 * 1024 * 1024
# "The maximum currently supported is 10 edits per message" (developer.webex.com, Edit a Message).
MAX_MESSAGE_EDITS = 10
EDIT_RULES = ("live", "doc")


@dataclass(frozen=True)
class Identity:
    """Who a bearer token belongs to."""

    kind: str  # "bot", "person" or "service"
    person: Optional[Person] = None

    @property
    def label(self) -> str:
        if self.kind == "person" and self.person is not None:
            return f"person:{self.person.email}"
        return self.kind

    @property
    def is_admin(self) -> bool:
        """May call every admin (telephony, locations) API: the service app, or a full
        administrator's own token (validate numbers "requires a full administrator auth token
        with a scope of spark-admin:telephony_config_write", its reference page)."""
        if self.kind == "service":
            return True
        return self._has_role(seed.FULL_ADMIN_ROLE_ID)

    @property
    def is_read_only_admin(self) -> bool:
        return self._has_role(seed.READONLY_ADMIN_ROLE_ID)

    def may_call_admin(self, method: str) -> bool:
        """Read-only administrators may read (GET) admin data only: the list pages say "requires a
        full, read-only or location administrator auth token" (alternate available numbers) or "a
        full or read-only administrator" (phone numbers)."""
        return self.is_admin or (self.is_read_only_admin and method.upper() in ("GET", "HEAD"))

    def _has_role(self, role_id: str) -> bool:
        return (self.kind == "person" and self.person is not None and self.person.org_id == seed.ORG_ID
                and role_id in self.person.roles)


class Sandbox(Conversation, Provisioning):
    """State of the emulated Webex organisation."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.org_id = seed.ORG_ID
        self.base_url: Optional[str] = None  # set by SandboxServer.start
        # Knobs tests may set.
        self.service_token_ttl = 3600
        # A refresh token lives this long from its issue: 90 days, the life developer.webex.com
        # (Integrations & Authorization) gives refresh tokens. Read at every grant, so setting it
        # also changes the life left to tokens already issued (see expire_refresh_token_in).
        self.refresh_token_ttl = 7_776_000
        self.rotate_refresh_tokens = False
        self.max_card_bytes = 28_000  # the sandbox's stand-in for Webex's (undocumented) card size limit
        self.max_file_bytes = MAX_FILE_BYTES
        # Anti-malware scanning (developer.webex.com, REST API Basics, Message Attachments): "While the
        # file is under evaluation, requests to retrieve the file will fail" with 423 Locked and a
        # Retry-After header. For this many seconds after its upload (read at every download, so
        # setting it also changes files already posted) a file answers 423 with Retry-After: 1.
        self.file_scan_seconds = 0.0
        # Which messages PUT /v1/messages/{id} may edit. "doc": as the Edit a Message page says,
        # "Edits of messages containing files or attachments are not currently supported" (400).
        # "live" (default): a message with a card may be edited, and a PUT may carry `attachments`
        # to replace its card, as people report the live API does (WebexCommunity/WebexPythonSDK
        # issue #160, "I have tested this and it works"; wr-org/webex-rust PR #59, after
        # CiscoDevNet/webex-chess-card-sample). A message with a file cannot be edited in either.
        self.edit_rules = "live"
        self.max_message_edits: Optional[int] = MAX_MESSAGE_EDITS  # None: no limit
        self.validate_shape = "live"  # "live" (observed) or "doc" (documented) response of validateNumbers
        self.validate_max_numbers: Optional[int] = None
        self.delivery_retries = 0
        self.delivery_timeout = 10.0
        # Webex marks a webhook inactive when several deliveries in a row fail (dstaudt, Cisco, in
        # CiscoDevNet/awesome-webex issue #85: "The Webex Teams webhook system does track whether
        # webhooks are being delivered successfully, and will mark a webhook with status = false
        # if multiple deliveries fail"); how many is not documented. None: never.
        self.webhook_failures_to_disable: Optional[int] = 5
        # Seconds every /v1 call waits before it is handled, as a real API round trip takes time
        # (the load bench, issue 12: "a configurable latency per Webex call (default 80 ms, like a
        # real API round trip)"). 0: answer at once, as the tests expect.
        self.latency = 0.0
        # People, rooms, messages.
        self.people: dict[str, Person] = {p.id: p for p in seed.people()}
        self.bot = self.person_by_email(seed.BOT_EMAIL)
        self.rooms: dict[str, Room] = {}
        self._direct: dict[frozenset[str], str] = {}
        for person in self.people.values():
            if person.type == "person":
                self._direct_room_between(self.bot, person)
        members = [self.bot.id] + [self.person_by_email(e).id for e in seed.GROUP_MEMBERS]
        self.group_room_id = seeded_id("ROOM", seed.GROUP_ROOM_TITLE)
        self.rooms[self.group_room_id] = Room(self.group_room_id, seed.GROUP_ROOM_TITLE, "group", members,
                                              self.person_by_email(seed.ALICE).id)
        self.messages: dict[str, Message] = {}  # insertion order = creation order
        self.files: dict[str, StoredFile] = {}  # content id -> file
        self.actions: dict[str, CardAction] = {}
        self.webhooks: dict[str, Webhook] = {}
        # Telephony.
        self.locations: list[Location] = seed.locations()
        self.assigned: list[AssignedNumber] = []  # numbers an owner uses (see assign_number)
        for given in seed.number_assignments():
            self.assign_number(given.phone_number, given.owner, given.location, extension=given.extension,
                               is_service_number=given.is_service_number)
        self.unavailable: set[str] = set(seed.UNAVAILABLE_NUMBERS)
        # Auto attendants by id (Sandbox.auto_attendants / auto_attendant read them); each one's
        # alternate numbers are assigned to it.
        self._auto_attendants: dict[str, AutoAttendant] = {}
        for aa in seed.auto_attendants():
            self._auto_attendants[aa.id] = aa
            for alternate in aa.alternate_numbers:
                location = self.location(aa.location_id)
                assert location is not None, f"seed auto attendant {aa.name} has no location {aa.location_id}"
                self.assign_number(alternate.phone_number, aa.owner, location.name, phone_number_type="ALTERNATE")
        # Knobs of the write APIs (sandbox.provisioning). How an add answers numbers it cannot add:
        # "list" (default): 400 with the list body wxc_sdk reads since 2025, the others added;
        # "conflict": 409, errorCode 25223 / errors[0].errorCode 8363, nothing added (wxc_sdk's
        # older live test).
        self.add_numbers_failure = "list"
        # Removing a number the location does not have: "502" (default; wxc_sdk's live test: 502 with
        # cisco-spark-error-codes 4251) or "400" (errorCode 25089, the earlier answer).
        self.remove_unknown_number = "502"
        # ``connection`` of Get Location Webex Calling Details: "live" or "doc" (Location.details_json).
        self.connection_shape = "live"
        self.add_numbers_max: Optional[int] = None  # no per-request limit is documented for DID/toll-free
        self.max_alternate_numbers = MAX_ALTERNATE_NUMBERS
        # Service app tokens: access token -> expiry (epoch seconds, None = never).
        self._service_tokens: dict[str, Optional[float]] = {seed.SERVICE_APP_TOKEN: None}
        # Refresh token -> when it was issued (epoch seconds); the seeded one now.
        self._refresh_tokens: dict[str, float] = {seed.SERVICE_APP_REFRESH_TOKEN: time.time()}
        self.token_grants = 0
        # Test instrumentation.
        self.requests: list[LoggedRequest] = []
        self.faults: list[Fault] = []
        self.deliveries: list[Delivery] = []
        self._deliverer = Deliverer(lambda: self.delivery_retries, lambda: self.delivery_timeout,
                                    wanted=self._still_wanted, finished=self._delivery_finished)

    # -- people and rooms ---------------------------------------------------

    def person_by_email(self, email: str) -> Person:
        with self.lock:
            for person in self.people.values():
                if person.email.lower() == email.lower():
                    return person
        raise KeyError(email)

    def find_person(self, email: str) -> Optional[Person]:
        try:
            return self.person_by_email(email)
        except KeyError:
            return None

    def token_of(self, email: str) -> str:
        return self.person_by_email(email).token

    def _direct_room_between(self, a: Person, b: Person) -> Room:
        key = frozenset({a.id, b.id})
        with self.lock:
            if key not in self._direct:
                room_id = seeded_id("ROOM", "direct:" + ":".join(sorted(key)))
                self.rooms[room_id] = Room(room_id, b.display_name, "direct", [a.id, b.id], b.id)
                self._direct[key] = room_id
            return self.rooms[self._direct[key]]

    def direct_room(self, email: str) -> str:
        """Id of the 1:1 room between the bot and ``email``."""
        return self._direct_room_between(self.bot, self.person_by_email(email)).id

    def room_for(self, identity: Identity, room_id: str) -> Room:
        with self.lock:
            room = self.rooms.get(room_id)
        if room is None or identity.person is None or identity.person.id not in room.member_ids:
            raise WebexProblem(404, "Could not find a room with provided ID.")
        return room

    # -- tokens ---------------------------------------------------------------

    def identify(self, token: Optional[str]) -> Optional[Identity]:
        """The identity behind a bearer token; None when missing, unknown or expired."""
        if not token:
            return None
        with self.lock:
            if token in self._service_tokens:
                expiry = self._service_tokens[token]
                if expiry is not None and expiry <= time.time():
                    return None
                return Identity("service")
            for person in self.people.values():
                if person.token == token:
                    return Identity("bot" if person.type == "bot" else "person", person)
        return None

    def grant_service_token(self, client_id: str, client_secret: str, refresh_token: str) -> dict[str, Any]:
        """The refresh-token grant of ``POST /v1/access_token``.

        ``refresh_token_expires_in`` is the refresh token's remaining life, counted from its issue
        (the seeded one: when the Sandbox was made; a rotated one: at the grant that gave it). An
        expired refresh token is refused as an unknown one is."""
        with self.lock:
            if client_id != seed.SERVICE_APP_CLIENT_ID or client_secret != seed.SERVICE_APP_CLIENT_SECRET:
                raise WebexProblem(401, "invalid_client: client authentication failed")
            now = time.time()
            issued = self._refresh_tokens.get(refresh_token)
            if issued is None or issued + self.refresh_token_ttl <= now:
                raise WebexProblem(400, "invalid_grant: the refresh token is invalid or expired")
            self.token_grants += 1
            access = "sandbox-sat-" + secrets.token_urlsafe(24)
            self._service_tokens[access] = now + self.service_token_ttl
            if self.rotate_refresh_tokens:
                del self._refresh_tokens[refresh_token]
                refresh_token, issued = "sandbox-srt-" + secrets.token_urlsafe(24), now
                self._refresh_tokens[refresh_token] = issued
            return {
                "access_token": access,
                "expires_in": self.service_token_ttl,
                "refresh_token": refresh_token,
                "refresh_token_expires_in": max(0, math.ceil(issued + self.refresh_token_ttl - now)),
                "token_type": "Bearer",
            }

    def expire_refresh_token_in(self, seconds: float, refresh_token: Optional[str] = None) -> None:
        """The refresh token (default: every one issued so far) has ``seconds`` of life left
        (0: it is expired now), as if it had been issued earlier."""
        with self.lock:
            now = time.time()
            for token in [refresh_token] if refresh_token else list(self._refresh_tokens):
                if token not in self._refresh_tokens:
                    raise KeyError(token)
                self._refresh_tokens[token] = now + seconds - self.refresh_token_ttl

    def expire_service_tokens(self) -> None:
        """Every service app access token issued so far stops working (401)."""
        with self.lock:
            for token in self._service_tokens:
                self._service_tokens[token] = 0.0

    @property
    def refresh_tokens(self) -> set[str]:
        with self.lock:
            return set(self._refresh_tokens)

    # -- messages ---------------------------------------------------------------

    def create_message(self, identity: Identity, body: dict[str, Any], client: str = DEFAULT_CLIENT,
                       upload: Optional[FileUpload] = None) -> Message:
        """``POST /v1/messages`` after parsing (a JSON body, or a multipart/form-data one whose
        ``files`` part is ``upload``); raises WebexProblem like Webex would.

        ``client`` is the Webex client that sent it (``sandbox.markup.CLIENTS``): it decides how
        the message's ``html`` writes mentions, or that it has none."""
        if client not in CLIENTS:
            raise WebexProblem(400, f"X-Sandbox-Client must be one of {', '.join(CLIENTS)}, not {client!r}.")
        author = identity.person
        if author is None:
            raise WebexProblem(403, "This token cannot post messages.")
        room = self._target_room(author, body)
        text, markdown = body.get("text"), body.get("markdown")
        self._check_text(text, markdown)
        self._check_public_files(body.get("files"))
        if upload is not None and body.get("attachments") is not None:
            raise WebexProblem(400, "A message with a file cannot also carry attachments (cards).")
        if upload is not None and len(upload.data) > self.max_file_bytes:
            # Webex's response codes list no 413; a request that "cannot be otherwise served" is a 400.
            raise WebexProblem(400, f"The file is too large ({len(upload.data)} bytes; "
                                    f"limit {self.max_file_bytes} bytes per message file).")
        attachments, card_bytes = self._check_attachments(body.get("attachments"))
        if not text and not markdown and upload is None:
            # Webex rejects card-only messages: clients that cannot render cards need text.
            raise WebexProblem(400, "Message must contain text or markdown." if attachments
                               else "Message must contain text, markdown, files or attachments.")
        parent_id = body.get("parentId")
        with self.lock:
            if parent_id is not None:
                parent = self.messages.get(parent_id)
                if parent is None or parent.room_id != room.id:
                    raise WebexProblem(400, "Invalid parentId: the parent message must be in the same room.")
                if parent.parent_id:
                    raise WebexProblem(400, "Cannot reply to a reply: use the thread's first message as parentId.")
            html: Optional[str] = None
            mentioned: list[str] = []
            if markdown:
                rendered, html, mentioned = render(markdown, self._resolve_mention, client)
                text = text or rendered
                mentioned = [m for m in mentioned if m in room.member_ids]
            message = Message(
                id=new_id("MESSAGE"), room_id=room.id, room_type=room.type, person_id=author.id,
                person_email=author.email, text=text or "", created=iso_now(), markdown=markdown, html=html,
                parent_id=parent_id, attachments=attachments, mentioned_people=mentioned, card_bytes=card_bytes,
            )
            if upload is not None:
                stored = StoredFile(new_id("CONTENT"), message.id, room.id, upload.filename or "file",
                                    upload.content_type or "application/octet-stream", upload.data,
                                    time.monotonic())
                self.files[stored.id] = stored
                message.files = [f"{self.base_url or ''}/v1/contents/{stored.id}"]
            self.messages[message.id] = message
            self._emit("messages", message.event_data(), author.id, self._message_receivers(message, room))
        return message

    def _target_room(self, author: Person, body: dict[str, Any]) -> Room:
        if body.get("roomId"):
            return self.room_for(Identity("person", author), str(body["roomId"]))
        other = None
        if body.get("toPersonId"):
            other = self.people.get(str(body["toPersonId"]))
        elif body.get("toPersonEmail"):
            other = self.find_person(str(body["toPersonEmail"]))
        else:
            raise WebexProblem(400, "roomId, toPersonId or toPersonEmail is required.")
        if other is None:
            raise WebexProblem(404, "Could not find the person to message.")
        return self._direct_room_between(author, other)

    @staticmethod
    def _check_text(text: Any, markdown: Any) -> None:
        for name, value in (("text", text), ("markdown", markdown)):
            if value is not None and not isinstance(value, str):
                raise WebexProblem(400, f"{name} must be a string.")
            if value is not None and len(value.encode("utf-8")) > MAX_TEXT_BYTES:
                raise WebexProblem(400, f"Message {name} exceeds the maximum length of {MAX_TEXT_BYTES} bytes.")

    @staticmethod
    def _check_public_files(files: Any) -> None:
        """A JSON body's ``files``: public URLs Webex would fetch (webexpythonsdk posts a web URL as
        JSON). The sandbox fetches nothing: an empty list is ignored, anything else is a 400 that
        says to upload the file as multipart/form-data instead."""
        if files is None or files == []:
            return
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise WebexProblem(400, "files must be a list of URLs.")
        if len(files) > 1:
            raise WebexProblem(400, "Only one file per message.")
        raise WebexProblem(400, "The sandbox does not fetch files from public URLs: post the file as "
                                "multipart/form-data (a files part) instead.")

    def _check_attachments(self, attachments: Any) -> tuple[Optional[list[dict[str, Any]]], int]:
        if attachments is None:
            return None, 0
        if not isinstance(attachments, list) or len(attachments) > 1:
            raise WebexProblem(400, "Only one attachment per message is supported.")
        if not attachments:
            return None, 0
        card = attachments[0]
        if not isinstance(card, dict) or card.get("contentType") != CARD_CONTENT_TYPE:
            raise WebexProblem(400, f"Unsupported attachment contentType; expected {CARD_CONTENT_TYPE}.")
        if not isinstance(card.get("content"), dict):
            raise WebexProblem(400, "Attachment content must be an Adaptive Card object.")
        size = len(json.dumps(card["content"], separators=(",", ":")).encode("utf-8"))
        if size > self.max_card_bytes:
            raise WebexProblem(400, f"Attachment content is too large ({size} bytes; limit {self.max_card_bytes}).")
        return [card], size

    def _resolve_mention(self, kind: str, value: str) -> Optional[tuple[str, str]]:
        person = self.people.get(value) if kind == "personId" else self.find_person(value)
        return (person.id, person.display_name) if person else None

    def _message_receivers(self, message: Message, room: Room) -> list[Webhook]:
        """Webhooks owned by room members; in group rooms a bot hears only its mentions
        (and, like on Webex, its own messages)."""
        chosen = []
        for hook in self.webhooks.values():
            if hook.resource != "messages" or hook.event not in ("created", "all"):
                continue
            if hook.created_by not in room.member_ids:
                continue
            owner = self.people.get(hook.created_by)
            if (room.type == "group" and owner is not None and owner.type == "bot"
                    and owner.id not in message.mentioned_people and owner.id != message.person_id):
                continue
            chosen.append(hook)
        return chosen

    def message_for(self, identity: Identity, message_id: str) -> Message:
        with self.lock:
            message = self.messages.get(message_id)
            room = self.rooms.get(message.room_id) if message else None
        if message is None or room is None or identity.person is None or identity.person.id not in room.member_ids:
            raise WebexProblem(404, "Could not find a message with provided ID.")
        return message

    def list_messages(self, room_id: str, parent_id: Optional[str] = None, before: Optional[str] = None,
                      mentioned_only_for: Optional[str] = None) -> list[Message]:
        """Messages of a room, newest first."""
        with self.lock:
            found = [m for m in self.messages.values() if m.room_id == room_id]
        found.reverse()
        if before:
            ids = [m.id for m in found]
            found = found[ids.index(before) + 1:] if before in ids else []
        if parent_id:
            found = [m for m in found if m.parent_id == parent_id]
        if mentioned_only_for:
            found = [m for m in found if mentioned_only_for in m.mentioned_people]
        return found

    def delete_message(self, identity: Identity, message_id: str) -> None:
        message = self.message_for(identity, message_id)
        if identity.person is None or message.person_id != identity.person.id:
            raise WebexProblem(403, "You can only delete your own messages.")
        with self.lock:
            self.messages.pop(message_id, None)
            for content_id in [f.id for f in self.files.values() if f.message_id == message_id]:
                del self.files[content_id]

    def edit_message(self, identity: Identity, message_id: str, body: dict[str, Any],
                     client: str = DEFAULT_CLIENT) -> Message:
        """``PUT /v1/messages/{id}`` (Edit a Message, developer.webex.com; webexpythonsdk
        ``messages.update`` sends roomId, text and markdown as JSON).

        ``roomId`` is required and must be the message's room; ``text`` or ``markdown`` is
        required, with create's 7439-byte limit; markdown with ``html`` is refused ("If this
        attribute is set ensure that the request does NOT contain an html attribute"); only the
        author may edit; a message with a file cannot be edited, nor one with a card under
        ``edit_rules = "doc"``; at most ``max_message_edits`` edits ("If a user attempts to edit a
        message greater that the maximum times allowed the API will return 400 Bad Request").
        ``text``, ``markdown``, ``html`` and ``mentionedPeople`` are derived again as on create;
        the message gets ``updated``. No webhook fires (numbot does not listen for updates)."""
        if client not in CLIENTS:
            raise WebexProblem(400, f"X-Sandbox-Client must be one of {', '.join(CLIENTS)}, not {client!r}.")
        if self.edit_rules not in EDIT_RULES:
            raise ValueError(f"edit_rules must be one of {', '.join(EDIT_RULES)}, not {self.edit_rules!r}")
        message = self.message_for(identity, message_id)
        if identity.person is None or message.person_id != identity.person.id:
            raise WebexProblem(403, "You can only edit your own messages.")
        room_id = body.get("roomId")
        if not isinstance(room_id, str) or not room_id:
            raise WebexProblem(400, "roomId is required.")
        if room_id != message.room_id:
            raise WebexProblem(400, "roomId is not the room of the message.")
        text, markdown = body.get("text"), body.get("markdown")
        self._check_text(text, markdown)
        if not text and not markdown:
            raise WebexProblem(400, "Message must contain text or markdown.")
        if markdown and body.get("html") is not None:
            raise WebexProblem(400, "A request with markdown must not contain html.")
        if message.files:
            raise WebexProblem(400, "Editing a message that contains files is currently unsupported.")
        new_card = body.get("attachments")
        if self.edit_rules == "doc" and (message.attachments or new_card is not None):
            raise WebexProblem(400, "Editing a message that contains attachments is currently unsupported.")
        attachments, card_bytes = self._check_attachments(new_card) if new_card is not None else (None, 0)
        room = self.room_for(identity, message.room_id)
        with self.lock:
            if self.max_message_edits is not None and message.edits >= self.max_message_edits:
                raise WebexProblem(400, f"The edit limit of this message has been reached "
                                        f"({self.max_message_edits} edits).")
            html: Optional[str] = None
            mentioned: list[str] = []
            if markdown:
                rendered, html, mentioned = render(markdown, self._resolve_mention, client)
                text = text or rendered
                mentioned = [m for m in mentioned if m in room.member_ids]
            message.text, message.markdown, message.html = text or "", markdown or None, html
            message.mentioned_people = mentioned
            if attachments:
                message.attachments, message.card_bytes = attachments, card_bytes
            message.updated = iso_now()
            message.edits += 1
        return message

    # -- files --------------------------------------------------------------------

    def content_for(self, identity: Identity, content_id: str, allow_unscannable: bool = False) -> StoredFile:
        """A file for ``GET``/``HEAD /v1/contents/{id}``: members of its room only (404 otherwise),
        423 with Retry-After while it is scanned (``file_scan_seconds``), 428 when it cannot be
        scanned (``mark_unscannable``) unless the caller allows that (``?allow=unscannable``):
        REST API Basics, Message Attachments, Anti-Malware Scanning, and the reference pages'
        response codes ("423 Locked … A Retry-After header may be present", "428 Precondition
        Required: File(s) cannot be scanned for malware and need to be force downloaded")."""
        with self.lock:
            stored = self.files.get(content_id)
            room = self.rooms.get(stored.room_id) if stored else None
        if stored is None or room is None or identity.person is None or identity.person.id not in room.member_ids:
            raise WebexProblem(404, "Could not find the file with provided ID.")
        if time.monotonic() < stored.uploaded + self.file_scan_seconds:
            raise WebexProblem(423, "The file is being scanned for malware; try again later.",
                               headers={"Retry-After": "1"})
        if stored.unscannable and not allow_unscannable:
            raise WebexProblem(428, "File(s) cannot be scanned for malware and need to be force downloaded "
                                    "(add ?allow=unscannable).")
        return stored

    def _stored_file(self, ref: str) -> StoredFile:
        """The file of a message id, a content id, or a ``…/v1/contents/<id>`` URL."""
        with self.lock:
            message = self.messages.get(ref)
            if message is not None:
                if not message.files:
                    raise KeyError(f"message {ref} has no file")
                ref = message.files[0]
            content_id = ref.rsplit("/contents/", 1)[-1]
            if content_id not in self.files:
                raise KeyError(ref)
            return self.files[content_id]

    def file_of(self, ref: str) -> tuple[str, bytes, str]:
        """``(filename, bytes, content type)`` of the file of a message (or content id, or file URL)."""
        stored = self._stored_file(ref)
        return stored.filename, stored.data, stored.content_type

    def mark_unscannable(self, ref: str, unscannable: bool = True) -> None:
        """The file of a message (or content id, or file URL) cannot be scanned for malware: its
        downloads answer 428 unless they add ``?allow=unscannable``."""
        stored = self._stored_file(ref)
        with self.lock:
            stored.unscannable = unscannable

    # -- card actions -------------------------------------------------------------

    def create_action(self, identity: Identity, body: dict[str, Any]) -> CardAction:
        if body.get("type") != "submit":
            raise WebexProblem(400, "type must be \"submit\".")
        inputs = body.get("inputs", {})
        if not isinstance(inputs, dict):
            raise WebexProblem(400, "inputs must be an object.")
        try:
            message = self.message_for(identity, str(body.get("messageId") or ""))
        except WebexProblem:
            raise WebexProblem(400, "Invalid messageId: no such message.") from None
        if not message.attachments:
            raise WebexProblem(400, "Invalid messageId: the message has no card.")
        assert identity.person is not None
        with self.lock:
            action = CardAction(new_id("ATTACHMENT_ACTION"), message.id, inputs, identity.person.id,
                                message.room_id, iso_now())
            self.actions[action.id] = action
            # Webex tells the app that posted the card, not the other room members.
            hooks = [h for h in self.webhooks.values() if h.resource == "attachmentActions"
                     and h.event in ("created", "all") and h.created_by == message.person_id]
            self._emit("attachmentActions", action.event_data(), identity.person.id, hooks)
        return action

    def action_for(self, identity: Identity, action_id: str) -> CardAction:
        with self.lock:
            action = self.actions.get(action_id)
            message = self.messages.get(action.message_id) if action else None
        if action is None or message is None or identity.person is None or message.person_id != identity.person.id:
            raise WebexProblem(404, "Could not find an attachment action with provided ID.")
        return action

    # -- webhooks and delivery ----------------------------------------------------

    def create_webhook(self, identity: Identity, body: dict[str, Any]) -> Webhook:
        if identity.person is None:
            raise WebexProblem(403, "This token cannot create webhooks.")
        for name in ("name", "targetUrl", "resource", "event"):
            if not isinstance(body.get(name), str) or not body[name]:
                raise WebexProblem(400, f"{name} is required.")
        if body["resource"] not in ("messages", "attachmentActions", "memberships", "rooms", "all"):
            raise WebexProblem(400, f"Unsupported resource {body['resource']}.")
        if body["event"] not in ("created", "updated", "deleted", "all"):
            raise WebexProblem(400, f"Unsupported event {body['event']}.")
        hook = Webhook(new_id("WEBHOOK"), body["name"], body["targetUrl"], body["resource"], body["event"],
                       identity.person.org_id, identity.person.id, seed.APP_ID, iso_now(),
                       filter=body.get("filter") or None, secret=body.get("secret") or None)
        with self.lock:
            self.webhooks[hook.id] = hook
        return hook

    def webhooks_of(self, identity: Identity) -> list[Webhook]:
        with self.lock:
            return [h for h in self.webhooks.values() if identity.person and h.created_by == identity.person.id]

    def webhook_for(self, identity: Identity, webhook_id: str) -> Webhook:
        for hook in self.webhooks_of(identity):
            if hook.id == webhook_id:
                return hook
        raise WebexProblem(404, "Could not find a webhook with provided ID.")

    def update_webhook(self, identity: Identity, webhook_id: str, body: dict[str, Any]) -> Webhook:
        """``PUT /v1/webhooks/{id}`` (Update a Webhook, wxc_sdk open_api webhooks_auto.py
        update_a_webhook): ``name`` and ``targetUrl`` are required, ``secret`` and ``status`` are
        optional, other fields are ignored. "You cannot use this call to deactivate a webhook, only
        to activate a webhook that was auto deactivated" ("Use active to reactivate a disabled
        webhook")."""
        hook = self.webhook_for(identity, webhook_id)
        for name in ("name", "targetUrl"):
            if not isinstance(body.get(name), str) or not body[name]:
                raise WebexProblem(400, f"{name} is required.")
        secret, status = body.get("secret"), body.get("status")
        if secret is not None and not isinstance(secret, str):
            raise WebexProblem(400, "secret must be a string.")
        if status is not None and status != "active":
            if status == "inactive":
                raise WebexProblem(400, "A webhook cannot be deactivated with this call; only an automatically "
                                        "deactivated webhook can be reactivated (status: active).")
            raise WebexProblem(400, f"Invalid status {status!r}: use active to reactivate a disabled webhook.")
        with self.lock:
            hook.name, hook.target_url = body["name"], body["targetUrl"]
            if secret is not None:
                hook.secret = secret or None
            if status == "active":
                hook.status, hook.failures = "active", 0
        return hook

    def delete_webhook(self, identity: Identity, webhook_id: str) -> None:
        hook = self.webhook_for(identity, webhook_id)
        with self.lock:
            self.webhooks.pop(hook.id, None)

    def _emit(self, resource: str, data: dict[str, Any], actor_id: str, hooks: list[Webhook]) -> None:
        for hook in hooks:
            if hook.status != "active" or not hook.filter_matches(data):
                continue
            body = event_body(hook, actor_id, data)
            signature = sign(body, hook.secret) if hook.secret else None
            self._queue(Delivery(0, hook.id, resource, str(data.get("id")), hook.target_url, body, signature))

    def _queue(self, delivery: Delivery) -> Delivery:
        with self.lock:
            delivery.index = len(self.deliveries)
            self.deliveries.append(delivery)
        self._deliverer.submit(delivery)
        return delivery

    def redeliver(self, which: Union[int, str]) -> Delivery:
        """Send a recorded delivery again, same bytes and signature (a Webex re-delivery)."""
        with self.lock:
            original = self.deliveries[which] if isinstance(which, int) else next(
                d for d in self.deliveries if d.id == which)
        return self._queue(Delivery(0, original.webhook_id, original.resource, original.data_id,
                                    original.target_url, original.body, original.signature,
                                    redelivery_of=original.index))

    def deliver_raw(self, target_url: str, body: Union[bytes, dict[str, Any]],
                    signature: Optional[str] = None) -> Delivery:
        """POST any body (forged, unsigned, wrongly signed) to a target, through the delivery queue."""
        raw = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode("utf-8")
        return self._queue(Delivery(0, None, None, None, target_url, raw, signature))

    def _still_wanted(self, delivery: Delivery) -> bool:
        """An inactive webhook receives nothing, not even what was queued before it was disabled."""
        with self.lock:
            hook = self.webhooks.get(delivery.webhook_id) if delivery.webhook_id else None
            return hook is None or hook.status == "active"

    def _delivery_finished(self, delivery: Delivery) -> None:
        """Count consecutive failed deliveries (after their retries) per webhook; a success resets
        the count, and ``webhook_failures_to_disable`` failures in a row make it inactive."""
        with self.lock:
            hook = self.webhooks.get(delivery.webhook_id) if delivery.webhook_id else None
            if hook is None:
                return
            if Deliverer.succeeded(delivery):
                hook.failures = 0
                return
            hook.failures += 1
            limit = self.webhook_failures_to_disable
            if limit and hook.failures >= limit and hook.status == "active":
                hook.status = "inactive"

    def wait_for_deliveries(self, timeout: float = 10.0) -> bool:
        """True once the delivery queue is drained."""
        return self._deliverer.wait(timeout)

    def close(self) -> None:
        self._deliverer.stop()

    # -- locations ------------------------------------------------------------------

    def location(self, location_id: str) -> Optional[Location]:
        with self.lock:
            return next((loc for loc in self.locations if loc.id == location_id), None)

    def location_named(self, name: str) -> Location:
        with self.lock:
            return next(loc for loc in self.locations if loc.name == name)

    def add_location(self, location: Location) -> Location:
        with self.lock:
            self.locations.append(location)
            return location

    def remove_location(self, name: str) -> Location:
        """The location leaves the org (as if deleted in Control Hub); its id then answers 404."""
        with self.lock:
            location = self.location_named(name)
            self.locations.remove(location)
            return location

    def add_locations(self, n: int, prefix: str = "Branch") -> list[Location]:
        with self.lock:
            start = sum(1 for loc in self.locations if loc.name.startswith(prefix + " ")) + 1
            made = seed.extra_locations(n, prefix, start)
            self.locations.extend(made)
            return made

    def assign_number(self, phone_number: str, owner: NumberOwner, location_name: Optional[str] = None, *,
                      extension: Optional[str] = None, is_service_number: bool = False,
                      phone_number_type: str = "PRIMARY") -> AssignedNumber:
        """``owner`` now uses ``phone_number`` (``phone_number_type="ALTERNATE"``: as an alternate
        number). An unassigned number of a location leaves that location's list (alternate
        available numbers "are unassigned") and keeps its flags; any other number is added to
        ``location_name``."""
        with self.lock:
            if any(a.phone_number == phone_number for a in self.assigned):
                raise ValueError(f"{phone_number} is already assigned")
            for location in self.locations:
                found = next((n for n in location.numbers if n.phone_number == phone_number), None)
                if found is not None:
                    location.numbers.remove(found)
                    made = AssignedNumber(phone_number, location.id, owner, extension, found.state,
                                          found.is_main_number, found.toll_free_number,
                                          found.is_service_number or is_service_number, phone_number_type,
                                          found.telephony_type)
                    break
            else:
                if location_name is None:
                    raise ValueError(f"{phone_number} is no location's number: give location_name")
                location = self.location_named(location_name)
                made = AssignedNumber(phone_number, location.id, owner, extension,
                                      toll_free_number=is_toll_free(phone_number), is_service_number=is_service_number,
                                      phone_number_type=phone_number_type)
            self.assigned.append(made)
            return made

    def unassign_number(self, phone_number: str) -> AvailableNumber:
        """Its owner lets ``phone_number`` go: it is an unassigned number of its location again (in
        number order), with its state and flags, so an alternate available number once more."""
        with self.lock:
            held = next((a for a in self.assigned if a.phone_number == phone_number), None)
            if held is None:
                raise ValueError(f"{phone_number} is not assigned")
            self.assigned.remove(held)
            location = self.location(held.location_id)
            free = held.unassigned()
            if location is not None:
                keys = [n.phone_number for n in location.numbers]
                location.numbers.insert(bisect.bisect(keys, phone_number), free)
            return free

    def owner_of(self, phone_number: str) -> Optional[NumberOwner]:
        with self.lock:
            return next((a.owner for a in self.assigned if a.phone_number == phone_number), None)

    def phone_numbers(self) -> list[tuple[Location, Union[AvailableNumber, AssignedNumber]]]:
        """Every number of the org with its location, assigned or not, in number order: the rows of
        Get Phone Numbers for an Organization ("Default sort will be based on number and extension
        in an ascending order")."""
        with self.lock:
            by_id = {loc.id: loc for loc in self.locations}
            rows: list[tuple[Location, Union[AvailableNumber, AssignedNumber]]] = [
                (loc, n) for loc in self.locations for n in loc.numbers]
            rows += [(by_id[a.location_id], a) for a in self.assigned if a.location_id in by_id]
        return sorted(rows, key=lambda row: (row[1].phone_number, getattr(row[1], "extension", None) or ""))

    def numbers_in_use(self) -> set[str]:
        """Every number the org already has, assigned or not (validate answers Duplicate for
        them): exactly the numbers Get Phone Numbers for an Organization lists."""
        return {n.phone_number for _, n in self.phone_numbers()}

    # -- instrumentation -------------------------------------------------------------

    def inject_fault(self, method: Optional[str] = "GET", path_regex: str = ".*", status: Optional[int] = 500,
                     times: int = 1, retry_after: Optional[int] = None, body: Optional[dict[str, Any]] = None,
                     message: Optional[str] = None, delay: float = 0.0, stage: str = "before",
                     who: Optional[str] = None) -> Fault:
        """The next ``times`` requests matching method and path regex answer ``status``
        (``None``: as usual) after ``delay`` seconds; ``fault.hits`` counts them. ``who``: only
        requests of that caller (``"bot"``, ``"service"``, ``"person:<email>"``).

        ``stage="before"`` (default): the request is not processed. ``stage="after"``: it is
        processed first (the message exists, its webhook is delivered), then answered with
        ``status``, or only after ``delay`` seconds (a client with a shorter timeout sees a read
        timeout for work that was done)."""
        if stage not in FAULT_STAGES:
            raise ValueError(f"stage must be one of {', '.join(FAULT_STAGES)}, not {stage!r}")
        if status == 429 and retry_after is None:
            retry_after = 1
        fault = Fault(method, path_regex, status, times, retry_after, body, message, delay, stage, who)
        with self.lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def take_fault(self, method: str, path: str, who: str = "anonymous") -> Optional[Fault]:
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, path, who):
                    fault.times -= 1
                    fault.hits += 1
                    return fault
        return None

    def log_request(self, entry: LoggedRequest) -> None:
        with self.lock:
            self.requests.append(entry)

    def calls(self, path_contains: Optional[str] = None, identity: Optional[str] = None,
              method: Optional[str] = None) -> list[LoggedRequest]:
        """Logged API requests, filtered."""
        with self.lock:
            entries = list(self.requests)
        return [e for e in entries
                if (path_contains is None or path_contains in e.path)
                and (identity is None or e.identity == identity)
                and (method is None or e.method == method.upper())]

    def snapshot(self) -> dict[str, Any]:
        """What ``GET /_sandbox/state`` shows (tokens included: it is a local emulator)."""
        with self.lock:
            return {
                "orgId": self.org_id,
                "apiUrl": (self.base_url or "") + "/v1",
                "people": [{**p.to_json(with_roles=True), "token": p.token} for p in self.people.values()],
                "rooms": [r.to_json() | {"members": [self.people[m].email for m in r.member_ids]}
                          for r in self.rooms.values()],
                "locations": [loc.to_json() | {"callingEnabled": loc.calling, "numberCount": len(loc.numbers),
                                               "pstnConnection": loc.connection}
                              for loc in self.locations],
                "autoAttendants": [aa.list_json(loc)
                                   | {"alternateNumbers": [n.phone_number for n in aa.alternate_numbers]}
                                   for aa in self._auto_attendants.values()
                                   for loc in [self.location(aa.location_id)] if loc is not None],
                "serviceApp": {
                    "clientId": seed.SERVICE_APP_CLIENT_ID,
                    "clientSecret": seed.SERVICE_APP_CLIENT_SECRET,
                    "refreshTokens": sorted(self._refresh_tokens),
                    "accessToken": seed.SERVICE_APP_TOKEN,
                },
                "webhooks": [h.to_json() for h in self.webhooks.values()],
            }
