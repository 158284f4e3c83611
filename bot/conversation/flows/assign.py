"""Assign an alternate number to an auto attendant (or remove one), behind a confirmation.

``assign +12145551010 to Main Menu in Dallas HQ`` (or **Assign to an auto attendant…** on an
alternate-numbers card) answers a confirmation card: the location's auto attendants with their
current alternate numbers (each with a **Remove** button), the ring pattern, **Assign** /
**Cancel**. Nothing changes in Webex before a confirmation is pressed, and then only once
(``bot.conversation.changes``).

"Update an Auto Attendant" replaces the whole ``alternateNumbers`` list (wxc_sdk updates it by
read, change, write; ../shared/reference/webex-calling-write-apis.md), so the flow reads the
auto attendant at the moment of the press and sends what it has plus (or minus) the one number:
an alternate number someone added meanwhile is never dropped. Webex documents no maximum for
auto attendants (call queues and hunt groups say ten), so a full list is refused at ten and Webex
may refuse sooner, in its own words. An answer lost after sending is resolved by reading the auto
attendant back before sending again.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Optional

import cards
from bot.conversation.changes import Refused
from bot.conversation.flows import FlowContext
from bot.conversation.flows.alternate import Ambiguous, NotCalling, resolve_location
from bot.conversation.flows.confirm import claim, guarded
from bot.core import buttons
from bot.core.models import (
    RING_PATTERNS,
    AlternateNumber,
    AssignPlan,
    AssignResult,
    AutoAttendant,
    Location,
    Reply,
)
from bot.reading.parsing import parse_numbers
from bot.webex.errors import OutcomeUnknown

ASSIGN, REMOVE = buttons.CHANGE_ASSIGN, buttons.CHANGE_REMOVE
MOST_ALTERNATES = 10
MAX_ATTENDANTS = 10  # auto attendants a confirmation card lists, each with its alternate numbers read


@dataclass(frozen=True)
class AssignAlternate:
    """Show the confirmation card."""

    number: Optional[str] = None  # E.164
    location: Optional[str] = None  # an id or a name
    attendant: Optional[str] = None  # a name (or id) to preselect
    not_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConfirmAssign:
    sealed: dict
    attendant_id: str
    ring_pattern: str


@dataclass(frozen=True)
class ConfirmRemove:
    sealed: dict


_IN = re.compile(r"\s+(?:in|at)\s+", re.IGNORECASE)
_TO = re.compile(r"\s+(?:to|on)\s+", re.IGNORECASE)


def _split(text: str, pattern: re.Pattern[str], last: bool) -> tuple[str, Optional[str]]:
    """``text`` before the first (or last) match of ``pattern``, and what follows it."""
    found = list(pattern.finditer(text))
    if not found:
        return text, None
    match = found[-1] if last else found[0]
    return text[: match.start()], text[match.end():].strip() or None


def from_text(rest: str, region: str) -> AssignAlternate:
    """``assign NUMBER [to AUTO ATTENDANT] in LOCATION``: the location follows the last " in ",
    the auto attendant the first " to " (names with " to " in them are kept whole)."""
    head, location = _split(" " + rest, _IN, last=True)
    number_part, attendant = _split(head, _TO, last=False)
    parsed = parse_numbers(number_part, region)
    number = parsed.numbers[0].e164 if parsed.numbers else None
    return AssignAlternate(number=number, location=location, attendant=attendant,
                           not_numbers=parsed.not_numbers + tuple(n.e164 for n in parsed.numbers[1:]))


def from_card(inputs: dict, action: str, region: str) -> AssignAlternate | ConfirmAssign | ConfirmRemove:
    if action == buttons.ASSIGN_CONFIRM:
        return ConfirmAssign(sealed=dict(inputs),
                             attendant_id=buttons.text(inputs.get(buttons.INPUT_AUTO_ATTENDANT), 500).strip(),
                             ring_pattern=buttons.text(inputs.get(buttons.INPUT_RING_PATTERN), 40).strip().upper()
                             or "NORMAL")
    if action == buttons.REMOVE_CONFIRM:
        return ConfirmRemove(sealed=dict(inputs))
    parsed = parse_numbers(buttons.text(inputs.get(buttons.INPUT_NUMBER), 200), region)
    return AssignAlternate(number=parsed.numbers[0].e164 if parsed.numbers else None,
                           location=buttons.text(inputs.get(buttons.INPUT_LOCATION), 500).strip() or None)


def _answer(request: AssignAlternate | ConfirmAssign | ConfirmRemove, ctx: FlowContext) -> Reply:
    if isinstance(request, ConfirmAssign):
        return _confirmed_assign(request, ctx)
    if isinstance(request, ConfirmRemove):
        return _confirmed_remove(request, ctx)
    return _prepare(request, ctx)


answer = guarded(_answer)


USAGE = "Write assign, the number, the auto attendant and the location: assign +12145551010 to Main Menu in Dallas HQ."


def _prepare(request: AssignAlternate, ctx: FlowContext) -> Reply:
    changes = ctx.changes
    assert changes is not None
    if request.number is None:
        return cards.error_reply("Which number?", USAGE)
    if request.location is None:
        return cards.error_reply("Which location?", USAGE)
    found = resolve_location(request.location, ctx)
    if isinstance(found, NotCalling):
        return cards.error_reply("No Webex Calling at this location",
                                 f"“{found.location.name}” is not a Webex Calling location, "
                                 "so it has no auto attendants.")
    if isinstance(found, Ambiguous):
        names = ", ".join(loc.name for loc in found.locations[:10])
        return cards.error_reply("Which location?", f"{found.message} {names}. {USAGE}")
    location = found
    chunk = ctx.client.available_numbers(location.id, 0, 10, [request.number])
    if not any(n.phone_number == request.number for n in chunk.numbers):
        return cards.error_reply(
            "Not an alternate available number",
            f"{request.number} is not among the alternate available numbers of “{location.name}”: it may be in use, "
            f"or belong to another location. List them with: alternate numbers {location.name}")
    listed = ctx.client.auto_attendants(location.id)
    if not listed:
        return cards.error_reply("No auto attendants", f"“{location.name}” has no auto attendants. Create one in "
                                 "Control Hub (Calling > Features > Auto Attendant), then ask again.")
    attendants = tuple(a for a in (ctx.client.auto_attendant(location.id, aa.id) for aa in listed[:MAX_ATTENDANTS])
                       if a is not None)
    chosen, note = choose_attendant(attendants, request.attendant)
    if len(listed) > MAX_ATTENDANTS:
        note = ((note + " ") if note else "") + f"The location has {len(listed)} auto attendants; the first " \
               f"{MAX_ATTENDANTS} by name are listed."
    seal = changes.seal(ASSIGN, {"number": request.number, "locationId": location.id})
    removals = tuple((aa.id, alt.phone_number, changes.seal(REMOVE, {"number": alt.phone_number,
                                                                      "locationId": location.id,
                                                                      "autoAttendant": aa.id}))
                     for aa in attendants for alt in aa.alternate_numbers or ())
    return cards.assign_confirm_reply(AssignPlan(number=request.number, location=location, attendants=attendants,
                                                 seal=seal, removals=removals, chosen=chosen, note=note,
                                                 minutes=changes.confirm_seconds // 60, most=MOST_ALTERNATES))


def choose_attendant(attendants: tuple[AutoAttendant, ...],
                     named: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    """The id of the one auto attendant ``named`` (exact name or id, else the one whose name
    holds it), or None and a note asking to choose (also the CLI's ``--auto-attendant``)."""
    if not named:
        return (attendants[0].id if len(attendants) == 1 else None), None
    lowered = named.lower()
    exact = [a for a in attendants if a.name.lower() == lowered or a.id == named]
    containing = [a for a in attendants if lowered in a.name.lower()]
    if len(exact) == 1 or (not exact and len(containing) == 1):
        return (exact or containing)[0].id, None
    return None, f"No single auto attendant here is called “{named}”: choose one."


def _sealed(ctx: FlowContext, kind: str, data: dict) -> tuple[str, Location, dict]:
    assert ctx.changes is not None
    sealed = ctx.changes.open(kind, data)
    number, location_id = sealed.subject.get("number"), sealed.subject.get("locationId")
    if not isinstance(number, str) or not isinstance(location_id, str):
        raise Refused("That confirmation is incomplete. Nothing was changed.")
    location = ctx.client.location(location_id)
    if location is None:
        raise Refused("Webex does not know that location any more. Nothing was changed.")
    claim(ctx, sealed)
    return number, location, sealed.subject


def _confirmed_assign(request: ConfirmAssign, ctx: FlowContext) -> Reply:
    if request.ring_pattern not in RING_PATTERNS:
        raise Refused(f"“{request.ring_pattern}” is not a ring pattern Webex knows. Nothing was changed.")
    if not request.attendant_id:
        return cards.error_reply("Choose an auto attendant", "Pick the auto attendant, then press Assign. "
                                 "Nothing was changed.")
    number, location, _ = _sealed(ctx, ASSIGN, request.sealed)
    return cards.assign_result_reply(assign(location, request.attendant_id, number, request.ring_pattern, ctx))


def _confirmed_remove(request: ConfirmRemove, ctx: FlowContext) -> Reply:
    number, location, subject = _sealed(ctx, REMOVE, request.sealed)
    attendant_id = subject.get("autoAttendant")
    if not isinstance(attendant_id, str):
        raise Refused("That confirmation is incomplete. Nothing was changed.")
    return cards.assign_result_reply(remove(location, attendant_id, number, ctx))


def _read(location: Location, attendant_id: str, ctx: FlowContext) -> AutoAttendant:
    attendant = ctx.client.auto_attendant(location.id, attendant_id)
    if attendant is None:
        raise Refused(f"Webex does not know that auto attendant in “{location.name}”. Nothing was changed.")
    return attendant


def assign(location: Location, attendant_id: str, number: str, ring_pattern: str, ctx: FlowContext) -> AssignResult:
    """Add ``number`` to the auto attendant's alternate numbers, keeping every one it has (also
    the CLI's ``assign``)."""
    assert ctx.changes is not None
    attendant = _read(location, attendant_id, ctx)
    have = attendant.alternate_numbers or ()
    if any(a.phone_number == number for a in have):
        return AssignResult(number=number, attendant=attendant, location=location, changed=False)
    if len(have) >= MOST_ALTERNATES:
        raise Refused(f"“{attendant.name}” has {len(have)} alternate numbers, the most this bot assigns to one auto "
                      "attendant. Remove one first (the Remove buttons on the confirmation card). Nothing was changed.")
    wanted = (*have, AlternateNumber(number, ring_pattern))
    tracking = _write(location, attendant, wanted, lambda a: any(n.phone_number == number for n in a), ctx)
    after = _read(location, attendant_id, ctx)
    audit = ctx.changes.audit(f"assigned {number} to the auto attendant {after.name} in {location.name} "
                              f"(ring pattern {RING_PATTERNS.get(ring_pattern, ring_pattern)})", tracking)
    return AssignResult(number=number, attendant=after, location=location, ring_pattern=ring_pattern, audit=audit)


def remove(location: Location, attendant_id: str, number: str, ctx: FlowContext) -> AssignResult:
    """Take ``number`` off the auto attendant's alternate numbers, keeping the others."""
    assert ctx.changes is not None
    attendant = _read(location, attendant_id, ctx)
    have = attendant.alternate_numbers or ()
    if not any(a.phone_number == number for a in have):
        return AssignResult(number=number, attendant=attendant, location=location, removed=True, changed=False)
    wanted = tuple(a for a in have if a.phone_number != number)
    tracking = _write(location, attendant, wanted, lambda a: not any(n.phone_number == number for n in a), ctx)
    after = _read(location, attendant_id, ctx)
    audit = ctx.changes.audit(f"removed {number} from the auto attendant {after.name} in {location.name}", tracking)
    return AssignResult(number=number, attendant=after, location=location, removed=True, audit=audit)


def _write(location: Location, attendant: AutoAttendant, wanted: tuple[AlternateNumber, ...],
           done: Callable[[tuple[AlternateNumber, ...]], bool], ctx: FlowContext) -> tuple[str, ...]:
    """Send ``wanted``; when the answer is lost, read back and, if the change is not there, send
    it again from what Webex has now (once)."""
    try:
        tracking = ctx.client.set_alternate_numbers(location.id, attendant.id, wanted)
        return (tracking,) if tracking else ()
    except OutcomeUnknown:
        now = _read(location, attendant.id, ctx)
        if done(now.alternate_numbers or ()):
            return ()
        # What Webex has now, with the same change made to it.
        base = now.alternate_numbers or ()
        changed = {a.phone_number for a in wanted} ^ {a.phone_number for a in attendant.alternate_numbers or ()}
        again = tuple(a for a in base if a.phone_number not in changed) + tuple(
            a for a in wanted if a.phone_number in changed)
        tracking = ctx.client.set_alternate_numbers(location.id, attendant.id, again)
        return (tracking,) if tracking else ()
