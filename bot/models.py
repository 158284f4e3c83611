"""Typed data that flows and cards share.

Webex JSON is parsed once, at the edge (``bot.webex``), into these small
dataclasses; flows and cards never see raw dicts or HTTP. ``tollFreeNumber``
and friends exist only at the JSON edge; inside they are ``toll_free``.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
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


@dataclass(frozen=True)
class ParsedText:
    """Result of reading a message: numbers to check, and tokens that are not numbers."""

    numbers: tuple[ParsedNumber, ...] = ()
    not_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class NumberCheck:
    """One row of a validation result."""

    original: str
    e164: str
    state: NumberState
    toll_free: bool = False
    detail: tuple[str, ...] = ()

    @property
    def severity(self) -> Severity:
        return STATE_SEVERITY[self.state]


@dataclass(frozen=True)
class ValidationResult:
    """Everything the validate card shows; ``ok`` mirrors the API's OK/ERRORS."""

    checks: tuple[NumberCheck, ...]
    not_numbers: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return all(c.state is NumberState.AVAILABLE for c in self.checks)

    @property
    def status(self) -> str:
        return "OK" if self.ok else "ERRORS"

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
        if self.only_service and not number.is_service_number:
            return False
        return True

    @property
    def any_toggle(self) -> bool:
        return self.only_active or self.only_toll_free or self.only_service


@dataclass(frozen=True)
class AvailableNumbersPage:
    """One page of the alternate-numbers card, and what its buttons need.

    ``start`` is the API offset (``start`` query parameter) of this page's
    first row. With a toggle filter on, rows are filtered by the bot, so the
    offset of the next page is not ``start + page_size``: it is carried in
    ``next_start``, and the offsets of earlier pages in ``back`` (nearest
    last) so that Previous works without scanning the list again.
    """

    location: Location
    numbers: tuple[AvailableNumber, ...]
    start: int
    page_size: int
    next_start: Optional[int] = None
    back: tuple[int, ...] = ()
    filters: NumberFilters = field(default_factory=NumberFilters)
    offsets: tuple[int, ...] = ()  # the API offset of each row in ``numbers``

    def first(self, count: int) -> "AvailableNumbersPage":
        """This page cut to its first ``count`` rows; Next then starts at the first row cut."""
        if count >= len(self.numbers):
            return self
        return replace(self, numbers=self.numbers[:count], offsets=self.offsets[:count],
                       next_start=self.offsets[count])

    @property
    def has_more(self) -> bool:
        return self.next_start is not None

    @property
    def has_previous(self) -> bool:
        return self.start > 0

    @property
    def previous_start(self) -> int:
        if self.back:
            return self.back[-1]
        return max(0, self.start - self.page_size)


@dataclass(frozen=True)
class WebexErrorInfo:
    """What an admin needs to report a failed Webex call: no secrets, no stack."""

    status_code: Optional[int]
    message: str
    tracking_id: Optional[str] = None


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
class Reply:
    """What a flow answers: a card plus the markdown fallback for clients without cards."""

    markdown: str
    card: Optional[dict] = None
    # Extra markdown messages that carry what did not fit in the card.
    continuation: tuple[str, ...] = ()


@dataclass(frozen=True)
class HelpEntry:
    """One command on the help card: a heading, one line of what it does (``{region}`` stands
    for the default region), and an example to copy."""

    title: str
    line: str
    example: str
