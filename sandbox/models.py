"""The sandbox's records, and their Webex JSON shapes (``to_json``).

Key order in ``to_json`` follows Webex's documented examples; the Flask app
keeps insertion order when serialising.
"""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Optional

from sandbox.ids import decode_id, webex_id


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

    def number_list_json(self, location: Location) -> dict[str, Any]:
        """Its row in Get Phone Numbers for an Organization: no extension, no owner."""
        return _number_row(self.phone_number, None, self.state, self.is_main_number, self.toll_free_number,
                           self.is_service_number, location, None, telephony_type=self.telephony_type)


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
    # PRIMARY, or ALTERNATE for a feature's alternate number (the phoneNumberType values of Get Phone
    # Numbers for an Organization: PRIMARY, ALTERNATE, FAX, DNIS; wxc_sdk NumberListPhoneNumberType).
    phone_number_type: str = "PRIMARY"
    telephony_type: str = "PSTN_NUMBER"  # or MOBILE_NUMBER (wxc_sdk TelephonyType)

    def number_list_json(self, location: Location) -> dict[str, Any]:
        return _number_row(self.phone_number, self.extension, self.state, self.is_main_number, self.toll_free_number,
                           self.is_service_number, location, self.owner, self.phone_number_type,
                           self.telephony_type)

    def unassigned(self) -> AvailableNumber:
        """The number back in its location's list once its owner lets it go, with its flags."""
        return AvailableNumber(self.phone_number, self.state, self.is_main_number, self.toll_free_number,
                               self.is_service_number, self.telephony_type)


def _number_row(phone_number: str, extension: Optional[str], state: str, main: bool, toll_free: bool,
                service: bool, location: Location, owner: Optional[NumberOwner], number_type: str = "PRIMARY",
                telephony_type: str = "PSTN_NUMBER") -> dict[str, Any]:
    """A row of Get Phone Numbers for an Organization with Given Criterias (fields and order as
    wxc_sdk NumberListPhoneNumber); ``owner`` only when the number is assigned;
    ``includedTelephonyTypes`` only for a mobile number (wxc_sdk: "Indicates Telephony type for the
    number"; the sandbox leaves it out of PSTN rows, as it always did)."""
    body: dict[str, Any] = {"phoneNumber": phone_number}
    if extension:
        body["extension"] = extension
    body.update(state=state, phoneNumberType=number_type, mainNumber=main, tollFreeNumber=toll_free)
    if telephony_type != "PSTN_NUMBER":
        body["includedTelephonyTypes"] = telephony_type
    body.update(isServiceNumber=service, location={"id": location.id, "name": location.name})
    if owner is not None:
        body["owner"] = owner.to_json()
    return body


# A location's PSTN connection, as the sandbox keeps it. TRUNK and ROUTE_GROUP: a Local Gateway
# (premises-based PSTN) reached through a trunk or a route group, the two ``connection.type`` values
# of Get Location Webex Calling Details in the spec (RouteType); NON_INTEGRATED_CCP, INTEGRATED_CCP
# and CISCO_PSTN (Cisco Calling Plan): the other ``pstnConnectionType`` values of Retrieve PSTN
# Connection for a Location (wxc_sdk telephony/pstn PSTNType); None: no PSTN connection set up.
CONNECTION_TYPES = ("TRUNK", "ROUTE_GROUP", "NON_INTEGRATED_CCP", "INTEGRATED_CCP", "CISCO_PSTN")
# "This API is only supported for adding DID and Toll-free numbers to non-integrated PSTN connection
# types such as Local Gateway (LGW) and Non-integrated CPP. It should never be used for locations
# with integrated PSTN connection types like Cisco Calling Plans or Integrated CCP" (Add Phone
# Numbers to a location; the same warning on Manage Number State and Remove phone numbers).
NON_INTEGRATED_CONNECTIONS = ("TRUNK", "ROUTE_GROUP", "NON_INTEGRATED_CCP")


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
    connection: Optional[str] = "TRUNK"  # one of CONNECTION_TYPES, None: no PSTN connection

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

    @property
    def key(self) -> str:
        """The uuid (or other key) inside the location's id, for ids derived from it."""
        decoded = decode_id(self.id)
        return decoded.rsplit("/", 1)[-1] if decoded else self.id

    @property
    def route_id(self) -> Optional[str]:
        """The id of the trunk or route group of a Local Gateway location."""
        if self.connection in ("TRUNK", "ROUTE_GROUP"):
            return webex_id(self.connection, self.key)
        return None

    @property
    def allows_number_changes(self) -> bool:
        """Add, activate and remove DID/toll-free numbers are for non-integrated PSTN only."""
        return self.connection in NON_INTEGRATED_CONNECTIONS

    def details_json(self, org_name: str, connection_shape: str = "live") -> dict[str, Any]:
        """Get Location Webex Calling Details (fields and order of the spec's example; the
        optional ``outsideDialDigit``, ``routingPrefix``, ``chargeNumber`` are unset here).

        ``connection``: "Connection details are only returned for local PSTN types of TRUNK or
        ROUTE_GROUP" (the spec), ``{type, id}``. ``connection_shape="live"`` (default): a Cisco
        Calling Plan location also answers ``{"type": "CISCO_PSTN"}`` and a Cloud Connected PSTN
        one ``{"type": "CLOUD_CONNECTED_PSTN"}``, without an id: wxc_sdk added both RouteType
        values and made PSTNConnection.id optional in one commit (a2559aed, 2025-10-28), which
        reads as what live answers carry. ``"doc"``: only TRUNK and ROUTE_GROUP have one."""
        calling_line: dict[str, Any] = {"name": org_name}
        if self.main_number:
            calling_line["phoneNumber"] = self.main_number
        body: dict[str, Any] = {"id": self.id, "name": self.name, "announcementLanguage": self.preferred_language,
                                "callingLineId": calling_line}
        if self.route_id:
            body["connection"] = {"type": self.connection, "id": self.route_id}
        elif connection_shape == "live" and self.connection == "CISCO_PSTN":
            body["connection"] = {"type": "CISCO_PSTN"}
        elif connection_shape == "live" and self.connection in ("NON_INTEGRATED_CCP", "INTEGRATED_CCP"):
            body["connection"] = {"type": "CLOUD_CONNECTED_PSTN"}
        # userLimit and the form of defaultDomain as in the spec's example ("98079822.int10.bcld.webex.com").
        domain = f"{zlib.crc32(self.id.encode()) % 100_000_000:08d}.int10.bcld.webex.com"
        body.update(externalCallerIdName=self.name, userLimit=500000, defaultDomain=domain, e911SetupRequired=False)
        return body

    def pstn_connection_json(self) -> Optional[dict[str, Any]]:
        """Retrieve PSTN Connection for a Location (``GET /telephony/pstn/locations/{id}/connection``,
        fields of the spec's example: id, displayName, pstnServices, pstnConnectionType, routeType,
        routeId); None without a PSTN connection."""
        if self.connection is None:
            return None
        kind = {"TRUNK": "LOCAL_GATEWAY", "ROUTE_GROUP": "LOCAL_GATEWAY"}.get(self.connection, self.connection)
        # displayName: the spec's example says "Premises-based PSTN" for a local gateway; the
        # other names are the sandbox's own.
        names = {"LOCAL_GATEWAY": "Premises-based PSTN", "CISCO_PSTN": "Cisco Calling Plan",
                 "NON_INTEGRATED_CCP": "Example Cloud Connected PSTN", "INTEGRATED_CCP": "Example Integrated CCP"}
        body: dict[str, Any] = {"id": webex_id("PSTN_CONNECTION", self.key), "displayName": names[kind],
                                "pstnServices": ["GEOGRAPHIC_NUMBERS"], "pstnConnectionType": kind}
        if self.route_id:
            body.update(routeType=self.connection, routeId=self.route_id)
        return body


# "Ring pattern that will be used for the alternate number" (AlternateNumbersObject, the auto
# attendant spec; wxc_sdk common RingPattern).
RING_PATTERNS = ("NORMAL", "LONG_LONG", "SHORT_SHORT_LONG", "SHORT_LONG_SHORT")
DIALING = ("ENTERPRISE", "GROUP")  # extensionDialing / nameDialing (the spec; wxc_sdk Dialing)
# Announcement languages by code, for the details' ``language`` ("English" for en_us in the spec).
LANGUAGES = {"en_us": "English", "en_gb": "English (United Kingdom)", "fr_fr": "French", "de_de": "German",
             "es_es": "Spanish"}


@dataclass
class AlternateNumber:
    """One of ``alternateNumbers`` of an auto attendant: ``{phoneNumber, ringPattern, tollFreeNumber}``."""

    phone_number: str
    ring_pattern: str = "NORMAL"
    toll_free_number: bool = False

    def to_json(self) -> dict[str, Any]:
        # Key order of the spec's AlternateNumbersObject.
        return {"phoneNumber": self.phone_number, "tollFreeNumber": self.toll_free_number,
                "ringPattern": self.ring_pattern}


def default_menu() -> dict[str, Any]:
    """wxc_sdk AutoAttendantMenu.default(): "A default AA menu with a single key: 0 -> EXIT"."""
    return {"greeting": "DEFAULT", "extensionEnabled": True, "keyConfigurations": [{"key": "0", "action": "EXIT"}]}


@dataclass
class AutoAttendant:
    """A Webex Calling auto attendant ("Features: Auto Attendant"; fields of the spec's
    GetAutoAttendantObject and wxc_sdk telephony/autoattendant.py AutoAttendant).

    Its phone number and alternate numbers are numbers of its location assigned to it (owner type
    AUTO_ATTENDANT), which the Sandbox keeps in step (``Sandbox.update_auto_attendant``)."""

    id: str  # ciscospark://us/AUTO_ATTENDANT/…
    name: str
    location_id: str
    phone_number: Optional[str] = None
    extension: Optional[str] = None
    alternate_numbers: list[AlternateNumber] = field(default_factory=list)
    toll_free_number: bool = False
    enabled: bool = True
    first_name: Optional[str] = None
    last_name: Optional[str] = None
    language_code: str = "en_us"
    business_schedule: str = "Office Hours"
    holiday_schedule: Optional[str] = None
    extension_dialing: str = "ENTERPRISE"
    name_dialing: str = "ENTERPRISE"
    time_zone: str = "America/Chicago"
    business_hours_menu: dict[str, Any] = field(default_factory=default_menu)
    after_hours_menu: dict[str, Any] = field(default_factory=default_menu)
    direct_line_caller_id_name: dict[str, Any] = field(default_factory=lambda: {"selection": "DISPLAY_NAME"})
    dial_by_name: Optional[str] = None

    @property
    def owner(self) -> NumberOwner:
        return NumberOwner(self.id, "AUTO_ATTENDANT", self.name)

    def list_json(self, location: Location) -> dict[str, Any]:
        """A row of Read the List of Auto Attendants (ListAutoAttendantObject, in its order;
        ``routingPrefix`` and ``esn`` are absent, the sandbox's locations have no routing prefix)."""
        body: dict[str, Any] = {"id": self.id, "name": self.name, "locationName": location.name,
                                "locationId": location.id}
        if self.phone_number:
            body["phoneNumber"] = self.phone_number
        if self.extension:
            body["extension"] = self.extension
        body["tollFreeNumber"] = self.toll_free_number
        return body

    def details_json(self) -> dict[str, Any]:
        """Get Details for an Auto Attendant (GetAutoAttendantObject, in its order).

        ``alternateNumbers`` is left out when there are none: the field is not required and the
        spec's example has none. firstName and lastName are required there (though deprecated):
        without values of their own they are the name split at its last space, as the example's
        "Main Line AA" / "Test" split "Main Line AA - Test"."""
        first, _, last = self.name.rpartition(" ")
        body: dict[str, Any] = {"id": self.id, "name": self.name, "enabled": self.enabled}
        if self.phone_number:
            body["phoneNumber"] = self.phone_number
        if self.extension:
            body["extension"] = self.extension
        body.update(tollFreeNumber=self.toll_free_number, firstName=self.first_name or first or self.name,
                    lastName=self.last_name or last or ".")
        if self.alternate_numbers:
            body["alternateNumbers"] = [n.to_json() for n in self.alternate_numbers]
        body.update(language=LANGUAGES.get(self.language_code, self.language_code), languageCode=self.language_code,
                    businessSchedule=self.business_schedule)
        if self.holiday_schedule:
            body["holidaySchedule"] = self.holiday_schedule
        body.update(extensionDialing=self.extension_dialing, nameDialing=self.name_dialing, timeZone=self.time_zone,
                    businessHoursMenu=self.business_hours_menu, afterHoursMenu=self.after_hours_menu,
                    directLineCallerIdName=self.direct_line_caller_id_name, dialByName=self.dial_by_name or self.name)
        return body


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
