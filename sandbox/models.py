"""The sandbox's records, and their Webex JSON shapes (``to_json``).

Key order in ``to_json`` follows Webex's documented examples; the Flask app
keeps insertion order when serialising.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Optional


def iso_now() -> str:
    """Webex timestamps: ISO 8601, UTC, milliseconds, ``Z``."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


@dataclass
class Person:
    id: str
    email: str
    display_name: str
    first_name: str
    last_name: str
    org_id: str
    type: str  # "person" or "bot"
    token: str
    roles: list[str] = field(default_factory=list)
    created: str = "2024-01-15T09:00:00.000Z"

    def to_json(self, with_roles: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "emails": [self.email],
            "displayName": self.display_name,
            "nickName": self.first_name or self.display_name,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "orgId": self.org_id,
            "created": self.created,
            "type": self.type,
        }
        if with_roles:
            # Webex returns roles only to callers allowed to read admin data.
            body["roles"] = list(self.roles)
        return body


@dataclass
class Room:
    id: str
    title: str
    type: str  # "direct" or "group"
    member_ids: list[str]
    creator_id: str
    created: str = "2024-01-15T09:00:00.000Z"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "type": self.type,
            "isLocked": False,
            "lastActivity": self.created,
            "creatorId": self.creator_id,
            "created": self.created,
        }


@dataclass
class Message:
    id: str
    room_id: str
    room_type: str
    person_id: str
    person_email: str
    text: str
    created: str
    markdown: Optional[str] = None
    html: Optional[str] = None
    parent_id: Optional[str] = None
    attachments: Optional[list[dict[str, Any]]] = None
    mentioned_people: list[str] = field(default_factory=list)
    card_bytes: int = 0  # size of the card JSON, for tests about Webex's limit
    # The file's URL, ``<base_url>/v1/contents/<contentId>`` (Webex allows one file per message).
    files: list[str] = field(default_factory=list)
    # "The date and time that the message was last edited by the author. This field is only present
    # when the message contents have changed" (the message object, developer.webex.com).
    updated: Optional[str] = None
    edits: int = 0  # successful PUT /v1/messages/{id} (not shown by the API)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id}
        if self.parent_id:
            body["parentId"] = self.parent_id
        body.update(roomId=self.room_id, roomType=self.room_type, text=self.text)
        body.update(personId=self.person_id, personEmail=self.person_email)
        if self.markdown is not None:
            body["markdown"] = self.markdown
        if self.html is not None:
            body["html"] = self.html
        if self.files:
            body["files"] = list(self.files)
        if self.mentioned_people:
            body["mentionedPeople"] = list(self.mentioned_people)
        if self.attachments:
            body["attachments"] = self.attachments
        body["created"] = self.created
        if self.updated is not None:
            body["updated"] = self.updated
        return body

    def event_data(self) -> dict[str, Any]:
        """What a webhook carries: no text, the receiver must fetch the message."""
        data: dict[str, Any] = {
            "id": self.id,
            "roomId": self.room_id,
            "roomType": self.room_type,
            "personId": self.person_id,
            "personEmail": self.person_email,
        }
        if self.mentioned_people:
            data["mentionedPeople"] = list(self.mentioned_people)
        if self.parent_id:
            data["parentId"] = self.parent_id
        data["created"] = self.created
        return data


@dataclass(frozen=True)
class FileUpload:
    """The ``files`` part of a multipart/form-data ``POST /v1/messages``."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass
class StoredFile:
    """A file posted with a message, served at ``GET /v1/contents/{id}``."""

    id: str  # a Webex id of kind CONTENT
    message_id: str
    room_id: str
    filename: str
    content_type: str
    data: bytes = field(repr=False)
    uploaded: float  # time.monotonic() of the upload: the malware scan runs from then
    unscannable: bool = False

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class CardAction:
    id: str
    message_id: str
    inputs: dict[str, Any]
    person_id: str
    room_id: str
    created: str
    type: str = "submit"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "messageId": self.message_id,
            "inputs": self.inputs,
            "personId": self.person_id,
            "roomId": self.room_id,
            "created": self.created,
        }

    def event_data(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "messageId": self.message_id,
            "personId": self.person_id,
            "roomId": self.room_id,
            "created": self.created,
        }


@dataclass
class Webhook:
    id: str
    name: str
    target_url: str
    resource: str
    event: str
    org_id: str
    created_by: str
    app_id: str
    created: str
    filter: Optional[str] = None
    secret: Optional[str] = None
    status: str = "active"  # "inactive" once Webex disabled it after failed deliveries
    failures: int = 0  # consecutive failed deliveries (not shown by the API)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "targetUrl": self.target_url,
            "resource": self.resource,
            "event": self.event,
        }
        if self.filter:
            body["filter"] = self.filter
        if self.secret:
            body["secret"] = self.secret
        body.update(
            orgId=self.org_id,
            createdBy=self.created_by,
            appId=self.app_id,
            ownedBy="creator",
            status=self.status,
            created=self.created,
        )
        return body

    def filter_matches(self, data: dict[str, Any]) -> bool:
        """Webex filters are ``key=value`` pairs joined by ``&``; ``mentionedPeople=me``
        means the webhook's owner."""
        if not self.filter:
            return True
        for part in self.filter.split("&"):
            key, _, value = part.partition("=")
            if key == "mentionedPeople":
                wanted = self.created_by if value == "me" else value
                if wanted not in data.get("mentionedPeople", []):
                    return False
            elif str(data.get(key, "")) != value:
                return False
        return True


@dataclass
class AvailableNumber:
    """An unassigned number of a location: one row of the auto attendant alternate available
    numbers API, whose numbers "are unassigned" (its reference page)."""

    phone_number: str
    state: str = "ACTIVE"  # "ACTIVE" or "INACTIVE"
    is_main_number: bool = False
    toll_free_number: bool = False
    is_service_number: bool = False
    telephony_type: str = "PSTN_NUMBER"

    def to_json(self) -> dict[str, Any]:
        return {
            "phoneNumber": self.phone_number,
            "state": self.state,
            "isMainNumber": self.is_main_number,
            "telephonyType": self.telephony_type,
            "tollFreeNumber": self.toll_free_number,
            "isServiceNumber": self.is_service_number,
        }

    def number_list_json(self, location: "Location") -> dict[str, Any]:
        """Its row in Get Phone Numbers for an Organization: no extension, no owner."""
        return _number_row(self.phone_number, None, self.state, self.is_main_number, self.toll_free_number,
                           self.is_service_number, location, None)


# Owner types (wxc_sdk common OwnerType); firstName and lastName "will be present only when the
# owner type is PEOPLE or VIRTUAL_LINE" (wxc_sdk NumberOwner).
OWNER_TYPES = ("PLACE", "PEOPLE", "VIRTUAL_LINE", "AUTO_ATTENDANT", "CALL_QUEUE", "PAGING_GROUP", "GROUP_PAGING",
               "HUNT_GROUP", "VOICE_MESSAGING", "OFFICE_ANYWHERE", "BROADWORKS_ANYWHERE", "CONTACT_CENTER_LINK",
               "CONTACT_CENTER_ADAPTER", "ROUTE_LIST", "VOICEMAIL_GROUP", "COLLABORATE_BRIDGE", "AI_RECEPTIONIST")
NAMED_OWNER_TYPES = ("PEOPLE", "VIRTUAL_LINE")


@dataclass(frozen=True)
class NumberOwner:
    """The person, workspace, virtual line or feature a number is assigned to (wxc_sdk NumberOwner)."""

    id: str  # a Webex id of the owner's kind: ciscospark://us/PEOPLE/…, /PLACE/…, /AUTO_ATTENDANT/…
    type: str  # one of OWNER_TYPES
    display_name: str
    first_name: str = ""
    last_name: str = ""

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type in NAMED_OWNER_TYPES:
            body.update(firstName=self.first_name, lastName=self.last_name)
        body["displayName"] = self.display_name
        return body


@dataclass
class AssignedNumber:
    """A location's number that an owner uses: in use, and not an alternate available number."""

    phone_number: str
    location_id: str
    owner: NumberOwner
    extension: Optional[str] = None
    state: str = "ACTIVE"
    is_main_number: bool = False
    toll_free_number: bool = False
    is_service_number: bool = False

    def number_list_json(self, location: "Location") -> dict[str, Any]:
        return _number_row(self.phone_number, self.extension, self.state, self.is_main_number, self.toll_free_number,
                           self.is_service_number, location, self.owner)


def _number_row(phone_number: str, extension: Optional[str], state: str, main: bool, toll_free: bool,
                service: bool, location: "Location", owner: Optional[NumberOwner]) -> dict[str, Any]:
    """A row of Get Phone Numbers for an Organization with Given Criterias (fields and order as
    wxc_sdk NumberListPhoneNumber); ``owner`` only when the number is assigned."""
    body: dict[str, Any] = {"phoneNumber": phone_number}
    if extension:
        body["extension"] = extension
    body.update(state=state, phoneNumberType="PRIMARY", mainNumber=main, tollFreeNumber=toll_free,
                isServiceNumber=service, location={"id": location.id, "name": location.name})
    if owner is not None:
        body["owner"] = owner.to_json()
    return body


@dataclass
class Location:
    id: str
    name: str
    org_id: str
    time_zone: str
    preferred_language: str
    address: dict[str, str]
    calling: bool = True
    numbers: list[AvailableNumber] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "orgId": self.org_id,
            "timeZone": self.time_zone,
            "preferredLanguage": self.preferred_language,
            "address": dict(self.address),
        }

    @property
    def main_number(self) -> Optional[str]:
        """The location's main number (its calling line id): the first one flagged main, if any."""
        return next((n.phone_number for n in self.numbers if n.is_main_number), None)

    def calling_details_json(self, org_name: str) -> dict[str, Any]:
        """A row of List Locations Webex Calling Details (fields as its reference page lists
        them; ``outsideDialDigit`` and ``routingPrefix`` are unset here, so absent)."""
        calling_line: dict[str, Any] = {"name": org_name}
        if self.main_number:
            calling_line["phoneNumber"] = self.main_number
        return {"id": self.id, "name": self.name, "callingLineId": calling_line, "e911SetupRequired": False}


@dataclass
class Fault:
    """An injected failure: the next ``times`` matching requests get ``status``
    (after ``delay`` seconds; ``status=None``: only slow, then answered as usual).

    ``who``: only requests made with this caller's token (e.g. ``"bot"``: the bot's replies, not the
    admin's message that goes to the same ``POST /v1/messages``).

    ``stage="before"``: the request is not processed. ``stage="after"``: it is processed (a message
    is created and its webhooks fire), then its answer is replaced by ``status`` or held back
    ``delay`` seconds. The reference pages' 502 ("invalid response from an upstream server") and
    504 ("An upstream server failed to respond on time") mean the upstream may have done the work.
    """

    method: Optional[str]
    path_regex: str
    status: Optional[int]
    times: int = 1
    retry_after: Optional[int] = None
    body: Optional[dict[str, Any]] = None
    message: Optional[str] = None
    delay: float = 0.0
    stage: str = "before"
    who: Optional[str] = None  # only requests of this caller ("bot", "service", "person:<email>")
    hits: int = 0

    def matches(self, method: str, path: str, who: str) -> bool:
        if self.times <= 0:
            return False
        if self.method and self.method.upper() != method.upper():
            return False
        if self.who is not None and self.who != who:
            return False
        return re.search(self.path_regex, path) is not None


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: dict[str, Any]
    json: Any
    identity: str  # "bot", "service", "person:<email>" or "anonymous"
    status: int
    time: float
    tracking_id: str = ""


@dataclass
class Delivery:
    """One webhook POST (and its retries) as the bot received it."""

    index: int
    webhook_id: Optional[str]
    resource: Optional[str]
    data_id: Optional[str]
    target_url: str
    body: bytes
    signature: Optional[str]
    status_code: Optional[int] = None
    elapsed: Optional[float] = None
    error: Optional[str] = None
    attempts: int = 0
    redelivery_of: Optional[int] = None
    done: bool = False

    @property
    def id(self) -> str:
        return f"delivery-{self.index}"
