"""Typed data that flows and cards share.

Webex JSON is parsed once, at the edge (``bot.webex.answers``), into these small
dataclasses; flows and cards never see raw dicts or HTTP. ``tollFreeNumber``
and friends exist only at the JSON edge; inside they are ``toll_free``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Optional


class NumberState(str, Enum):
    """The validate API's per-number ``state``, spelled as Webex spells it."""

    AVAILABLE = "Available"
    DUPLICATE = "Duplicate"
    DUPLICATE_IN_LIST = "Duplicate In List"
    INVALID = "Invalid"
    UNAVAILABLE = "Unavailable"


class Severity(str, Enum):
    """What a state means to the admin; cards map it to an AC colour."""

    GOOD = "good"
    WARNING = "warning"
    ATTENTION = "attention"


STATE_SEVERITY: dict[NumberState, Severity] = {
    NumberState.AVAILABLE: Severity.GOOD,
    NumberState.DUPLICATE: Severity.WARNING,
    NumberState.DUPLICATE_IN_LIST: Severity.WARNING,
    NumberState.UNAVAILABLE: Severity.ATTENTION,
    NumberState.INVALID: Severity.ATTENTION,
}


@dataclass(frozen=True)
class ParsedNumber:
    """A number found in the admin's text: what they wrote and what we send."""

    original: str
    e164: str
    extension: Optional[str] = None  # "x123", "ext. 123": not sent (Webex validates the number)
    vanity: bool = False  # written with letters ("1-800-FLOWERS")


@dataclass(frozen=True)
class ForeignNumber:
    """A national number of another country than the default region (``020 7183 8750``):
    not sent, shown with the E.164 it probably means and how to name the country."""

    original: str
    country: str  # ISO 3166 code, e.g. "GB"
    e164: str


@dataclass(frozen=True)
class ParsedText:
    """Result of reading a message: numbers to check, another country's national numbers, and
    tokens that are not numbers. Every digit the admin wrote is in exactly one of them."""

    numbers: tuple[ParsedNumber, ...] = ()
    not_numbers: tuple[str, ...] = ()
    foreign: tuple[ForeignNumber, ...] = ()


@dataclass(frozen=True)
class NumberUse:
    """Who or what uses a number in the org ("Get Phone Numbers for an Organization"): the
    owner (a user, workspace, auto attendant, hunt group, call queue …) and its location."""

    location: Optional[str] = None
    owner_type: Optional[str] = None  # as Webex spells it: PEOPLE, PLACE, AUTO_ATTENDANT, …
    owner_name: Optional[str] = None
    extension: Optional[str] = None


@dataclass(frozen=True)
class NumberCheck:
    """One row of a validation result."""

    original: str
    e164: str
    state: NumberState
    toll_free: bool = False
    detail: tuple[str, ...] = ()
    row: int = 0  # 1-based position among the numbers the admin gave
    extension: Optional[str] = None  # given by the admin, not validated (Webex checks the number)
    vanity: bool = False
    repeats: Optional[int] = None  # Duplicate In List: the row this one repeats
    use: Optional[NumberUse] = None  # Duplicate: who uses it, when looked up
    use_unknown: Optional[str] = None  # Duplicate: why the lookup failed

    @property
    def severity(self) -> Severity:
        return STATE_SEVERITY[self.state]


@dataclass(frozen=True)
class ValidationResult:
    """Everything the validate card shows. ``ok`` only when every piece of the input was checked
    and is Available: another country's national number or a token that is no number was not
    checked, and says so."""

    checks: tuple[NumberCheck, ...]
    not_numbers: tuple[str, ...] = ()
    foreign: tuple[ForeignNumber, ...] = ()
    unlooked: tuple[str, ...] = ()  # in-use numbers whose users were not looked up (a bounded number are)

    @property
    def unchecked(self) -> int:
        return len(self.not_numbers) + len(self.foreign)

    @property
    def ok(self) -> bool:
        return not self.unchecked and all(c.state is NumberState.AVAILABLE for c in self.checks)

    @property
    def all_checked_available(self) -> bool:
        return all(c.state is NumberState.AVAILABLE for c in self.checks)

    def counts(self) -> dict[NumberState, int]:
        """Count per state, in enum order, states with zero left out."""
        counts = {s: 0 for s in NumberState}
        for check in self.checks:
            counts[check.state] += 1
        return {s: n for s, n in counts.items() if n}


@dataclass(frozen=True)
class AvailableNumber:
    """One auto attendant alternate available number."""

    phone_number: str
    state: str  # ACTIVE / INACTIVE, as Webex spells it
    is_main_number: bool = False
    toll_free: bool = False
    telephony_type: str = "PSTN_NUMBER"
    is_service_number: bool = False


@dataclass(frozen=True)
class Location:
    id: str
    name: str


@dataclass(frozen=True)
class NumberFilters:
    """The toggles on the alternate-numbers card; they travel in button data."""

    only_active: bool = False
    only_toll_free: bool = False
    only_service: bool = False
    phone_numbers: tuple[str, ...] = ()  # E.164, sent to the API as phoneNumber

    def matches(self, number: AvailableNumber) -> bool:
        if self.only_active and number.state != "ACTIVE":
            return False
        if self.only_toll_free and not number.toll_free:
            return False
        return not (self.only_service and not number.is_service_number)

    @property
    def any_toggle(self) -> bool:
        return self.only_active or self.only_toll_free or self.only_service


@dataclass(frozen=True)
class AvailableNumbersPage:
    """One page of a location's alternate available numbers, and where it stands in the whole
    list: the bot reads every number of the location (the API has no count), filters them, and
    shows page ``page`` of ``pages``, rows ``first``–``first + len(numbers) - 1`` of ``total``."""

    location: Location
    numbers: tuple[AvailableNumber, ...]
    page: int
    pages: int
    total: int
    page_size: int
    filters: NumberFilters = field(default_factory=NumberFilters)

    @property
    def first(self) -> int:
        """The 1-based position of this page's first row in the filtered list."""
        return (self.page - 1) * self.page_size + 1


@dataclass(frozen=True)
class NumberError:
    """Webex's reason for refusing one number of a request (the Numbers API's per-number errors)."""

    number: str
    message: str
    code: Optional[str] = None


@dataclass(frozen=True)
class WebexErrorInfo:
    """What an admin needs to report a failed Webex call: no secrets, no stack."""

    status_code: Optional[int]
    message: str
    tracking_id: Optional[str] = None
    numbers: tuple[NumberError, ...] = ()  # per-number reasons, when Webex gave them


@dataclass(frozen=True)
class Message:
    """A Webex message as the bot needs it."""

    id: str
    room_id: str
    room_type: str  # "direct" (1:1) or "group"
    person_id: str
    person_email: str
    text: str = ""
    html: Optional[str] = None  # Webex clients' rendering, with <spark-mention> elements
    parent_id: Optional[str] = None
    files: tuple[str, ...] = ()  # URLs of attached files (``/v1/contents/…``), read with the bot's token


@dataclass(frozen=True)
class CardAction:
    """A card submission (``attachmentActions``) as the bot needs it."""

    message_id: str
    room_id: str
    person_id: str
    inputs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Destination:
    """Where a reply goes: the room, the thread, and the message it answers.

    ``room_type`` decides how a failed post is handled (the bot can look for its own reply in a
    1:1 space, not in a group space); ``after_id`` is the message being answered, so that a look
    at the room finds only replies posted after it."""

    room_id: str
    room_type: str
    parent_id: Optional[str] = None
    after_id: Optional[str] = None


@dataclass(frozen=True)
class ReplyFile:
    """A file posted with an answer, in a message of its own (Webex: one file per message, and
    a file cannot travel with a card), threaded under the answer."""

    name: str
    content: bytes
    content_type: str
    markdown: str  # the text of the file's message


@dataclass(frozen=True)
class Reply:
    """What a flow answers: a card plus the markdown fallback for clients without cards, and
    sometimes a file (the complete list, when the card shows a summary)."""

    markdown: str
    card: Optional[dict] = None
    file: Optional[ReplyFile] = None
    is_error: bool = False  # an error card: the admin may press the same button again at once
    # Nothing to post: the event was answered already (a confirmation pressed a second time).
    silent: bool = False


@dataclass(frozen=True)
class HelpEntry:
    """One command on the help card: a heading, one line of what it does (``{region}`` stands
    for the default region), and an example to copy."""

    title: str
    line: str
    example: str


@dataclass(frozen=True)
class FileInfo:
    """What ``HEAD`` says of an attached file, before it is downloaded."""

    url: str
    name: str
    size: Optional[int]  # Content-Length; None when Webex does not say
    content_type: str = ""


@dataclass(frozen=True)
class UncheckedRow:
    """A row of an attached file that was not validated, and why: not a phone number, another
    country's national number, or a batch Webex failed (with its trackingId)."""

    row: int
    input: str
    state: str  # "not a phone number", "not checked"
    detail: str = ""


@dataclass(frozen=True)
class BulkResult:
    """A whole file validated: what it contained, every number's check (``row``: its row in the
    file), and every row that was not checked."""

    file_name: str
    total_rows: int
    checks: tuple[NumberCheck, ...]
    unchecked: tuple[UncheckedRow, ...] = ()
    column: Optional[str] = None
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.unchecked and all(c.state is NumberState.AVAILABLE for c in self.checks)


# Auto attendant alternate numbers ring with one of these (Webex's ``ringPattern`` enum; the
# auto attendant API page). An unknown value from Webex is kept and shown as Webex spells it.
RING_PATTERNS: dict[str, str] = {
    "NORMAL": "Normal",
    "LONG_LONG": "Long, long",
    "SHORT_SHORT_LONG": "Short, short, long",
    "SHORT_LONG_SHORT": "Short, long, short",
}


@dataclass(frozen=True)
class AlternateNumber:
    """One of an auto attendant's alternate numbers."""

    phone_number: str
    ring_pattern: str = "NORMAL"
    toll_free: bool = False


@dataclass(frozen=True)
class AutoAttendant:
    """An auto attendant of a location; ``alternate_numbers`` is None when only listed, not read."""

    id: str
    name: str
    location_id: str
    phone_number: Optional[str] = None
    extension: Optional[str] = None
    alternate_numbers: Optional[tuple[AlternateNumber, ...]] = None


@dataclass(frozen=True)
class LocationNumber:
    """A phone number of a location, as ``GET /telephony/config/numbers`` lists it."""

    phone_number: str
    state: str  # ACTIVE or INACTIVE
    owner_type: Optional[str] = None  # None: unassigned


@dataclass(frozen=True)
class AddPlan:
    """A confirmation card for adding numbers to a location: what it offers and what it does not."""

    numbers: tuple[str, ...]  # Available: these are added on confirmation
    not_offered: tuple[NumberCheck, ...]  # the rest, with their states
    locations: tuple[Location, ...]  # the calling locations to choose from
    seal: dict  # the confirm button's sealed data (``bot.conversation.changes``)
    chosen: Optional[str] = None  # the location id the admin named
    note: Optional[str] = None  # e.g. "No location is called X"
    minutes: int = 10  # how long the confirmation works


@dataclass(frozen=True)
class AddResult:
    """What adding numbers did, as read back from Webex."""

    location: Location
    active: bool
    added: tuple[str, ...]
    there_already: tuple[str, ...] = ()  # in the location before (Webex ignores them)
    refused: tuple[NumberError, ...] = ()
    error: Optional[WebexErrorInfo] = None  # Webex refused the whole request
    advice: Optional[str] = None  # what to do next after a refusal
    audit: Optional[str] = None
    asked: tuple[str, ...] = ()  # every number the confirmation named (Validate again checks them)
    activate: Optional[dict] = None  # added inactive: the sealed data of "Activate them now"


@dataclass(frozen=True)
class ActivateResult:
    """What activating numbers added inactive did, as read back from Webex."""

    location: Location
    activated: tuple[str, ...]
    active_already: tuple[str, ...] = ()
    not_there: tuple[str, ...] = ()  # no longer numbers of the location
    error: Optional[WebexErrorInfo] = None
    audit: Optional[str] = None


@dataclass(frozen=True)
class AssignPlan:
    """A confirmation card for an auto attendant's alternate numbers."""

    number: str
    location: Location
    attendants: tuple[AutoAttendant, ...]  # with their alternate numbers read
    seal: dict  # the Assign button's sealed data
    removals: tuple[tuple[str, str, dict], ...] = ()  # (auto attendant id, number, sealed data) per Remove button
    chosen: Optional[str] = None  # the auto attendant the admin named
    note: Optional[str] = None
    minutes: int = 10
    most: int = 10  # alternate numbers an auto attendant takes at the most


@dataclass(frozen=True)
class AssignResult:
    """What an assign or a remove did."""

    number: str
    attendant: AutoAttendant  # as read back after the change
    location: Location
    removed: bool = False
    changed: bool = True  # False: it was already so, nothing was sent
    ring_pattern: Optional[str] = None
    audit: Optional[str] = None
