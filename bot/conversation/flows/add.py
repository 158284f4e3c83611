"""Add numbers to a location, behind a confirmation.

``add +12145557861 +12145557862 to Dallas HQ`` (or **Add to a location…** on a validation card)
validates the numbers and answers a confirmation card: the Available ones, the location picker,
active or inactive, and **Add N numbers** / **Cancel**. Nothing changes in Webex before the
confirmation is pressed, and then only once (``bot.conversation.changes``). Numbers added inactive get
**Activate them now** on the result card ("Activate Phone Numbers in a location", ``PUT`` of the
same path with ``action`` ACTIVATE), sealed and once-only like a confirmation: the result card
says what it does.

The write is "Add Phone Numbers to a location" (``POST /telephony/config/locations/{id}/numbers``,
201, no body; Webex ignores numbers already in the location: the API page, and
../shared/reference/webex-calling-write-apis.md). When Webex's answer is lost (502, a timeout
after sending), the location's numbers are read back and only the missing ones are sent again,
once. The result says, per number, what happened, read back from Webex.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Optional

import cards
from bot.conversation.changes import Refused, Sealed
from bot.conversation.flows import FlowContext
from bot.conversation.flows.alternate import Ambiguous, NotCalling, read_locations, resolve_location
from bot.conversation.flows.confirm import claim, guarded
from bot.conversation.flows.validate import check_numbers
from bot.core import buttons
from bot.core.models import (
    ActivateResult,
    AddPlan,
    AddResult,
    Location,
    NumberCheck,
    NumberError,
    NumberState,
    ParsedNumber,
    ParsedText,
    Reply,
    ValidationResult,
)
from bot.reading.parsing import parse_numbers
from bot.webex.errors import OutcomeUnknown, WebexError
from cards.validation import plural

KIND, ACTIVATE = buttons.CHANGE_ADD, buttons.CHANGE_ACTIVATE
MAX_NUMBERS = 100  # numbers one confirmation adds (the card lists each; the button carries them)
BATCH = 100  # numbers per request: no limit is documented for DID numbers (Control Hub caps an add at 1000)

# A location whose PSTN is a Cisco Calling Plan or an integrated CCP: Cisco adds its numbers
# (the Numbers API pages: add/activate work only for local gateway or non-integrated CCP PSTN).
CALLING_PLAN_ADVICE = ("Numbers of a location on Cisco Calling Plans or an integrated Cloud Connected PSTN "
                       "provider are added by Cisco or the provider, not through the API: order them in "
                       "Control Hub (Calling > Numbers > Add) or from the provider.")
# Webex's 409 (wxc_sdk's live test): one number of the request is in use, and none was added.
CONFLICT_ADVICE = ("Webex adds all the numbers of a request or none, and one of them is in use. Press Validate "
                   "again to see which numbers are in use and who uses them, then add the Available ones.")
# Numbers refused one by one (in use elsewhere, blocked by the provider) while the rest were added.
REFUSED_ADVICE = ("A number in use belongs to another location or owner: Validate again shows who uses it. "
                  "Free it there first (Control Hub, Calling > Numbers), or leave it out.")


@dataclass(frozen=True)
class AddNumbers:
    """Show the confirmation card for these numbers."""

    numbers: tuple[str, ...] = ()  # E.164
    location: Optional[str] = None  # an id or a name; None: the card's picker
    not_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConfirmActivate:
    """**Activate them now** on the result of an inactive add was pressed."""

    sealed: dict


@dataclass(frozen=True)
class ConfirmAdd:
    """The confirmation was pressed."""

    sealed: dict
    location_id: str
    active: bool


_TO = re.compile(r"\s+(?:to|into|in|at)\s+(?=\S)", re.IGNORECASE)


def _request(parsed: ParsedText, location: Optional[str]) -> AddNumbers:
    return AddNumbers(tuple(dict.fromkeys(n.e164 for n in parsed.numbers)), location, parsed.not_numbers)


def from_text(rest: str, region: str) -> AddNumbers:
    """``add NUMBERS [to LOCATION]``: the location is what follows the last " to "."""
    parts = _TO.split(rest)
    location = None
    if len(parts) > 1 and not parse_numbers(parts[-1], region).numbers:
        location = parts[-1].strip() or None
        rest = rest[: len(rest) - len(parts[-1])]
        rest = _TO.sub(" ", rest)
    parsed = parse_numbers(rest, region)
    return _request(parsed, location)


def from_card(inputs: dict, action: str, region: str) -> AddNumbers | ConfirmAdd | ConfirmActivate:
    if action == buttons.ACTIVATE_CONFIRM:
        return ConfirmActivate(sealed=dict(inputs))
    if action == buttons.ADD_CONFIRM:
        state = buttons.text(inputs.get(buttons.INPUT_NUMBER_STATE), 20).upper()
        location_id = buttons.text(inputs.get(buttons.INPUT_LOCATION), 500).strip()
        return ConfirmAdd(sealed=dict(inputs), location_id=location_id,
                          active=state != "INACTIVE")
    parsed = parse_numbers(buttons.text(inputs.get(buttons.INPUT_NUMBERS), 20_000), region)
    location = buttons.text(inputs.get(buttons.INPUT_LOCATION), 500).strip() or None
    return _request(parsed, location)


def _answer(request: AddNumbers | ConfirmAdd | ConfirmActivate, ctx: FlowContext) -> Reply:
    if isinstance(request, ConfirmActivate):
        return _activate_confirmed(request, ctx)
    if isinstance(request, ConfirmAdd):
        return _confirmed(request, ctx)
    return _prepare(request, ctx)


answer = guarded(_answer)


def _prepare(request: AddNumbers, ctx: FlowContext) -> Reply:
    assert ctx.changes is not None
    if not request.numbers:
        return cards.error_reply("No numbers to add", "Write add, the numbers, then to and the location: "
                                 "add +12145557861 +12145557862 to Dallas HQ.")
    if len(request.numbers) > MAX_NUMBERS:
        return cards.error_reply("Too many numbers", f"I add at most {MAX_NUMBERS} numbers per confirmation; "
                                 f"that is {len(request.numbers)}. Please send them in smaller parts.")
    result = check_numbers(ParsedText(numbers=tuple(ParsedNumber(n, n) for n in request.numbers)), ctx)
    offered, not_offered = split_available(result)
    if not offered:
        return cards.add_nothing_reply(not_offered)
    chosen, note = None, None
    if request.location:  # by name (one read of the locations so named) ...
        found = resolve_location(request.location, ctx)
        if isinstance(found, Location):
            chosen = found
        elif isinstance(found, NotCalling):
            note = f"“{found.location.name}” has no Webex Calling, so numbers cannot be added to it. Pick a location:"
        elif isinstance(found, Ambiguous):
            note = found.message
    locations, _ = read_locations(ctx)  # ... and the picker's list, which may not hold it
    if chosen is not None and all(loc.id != chosen.id for loc in locations):
        locations = [chosen, *locations]
    if not locations:
        return cards.error_reply("No locations", "The organisation has no Webex Calling locations that the "
                                 "service app can see.")
    seal = ctx.changes.seal(KIND, {"numbers": list(offered)})
    return cards.add_confirm_reply(AddPlan(numbers=offered, not_offered=not_offered, locations=tuple(locations),
                                           seal=seal, chosen=chosen.id if chosen else None, note=note,
                                           minutes=ctx.changes.confirm_seconds // 60))


def split_available(result: ValidationResult) -> tuple[tuple[str, ...], tuple[NumberCheck, ...]]:
    """The numbers that may be added (Available, each once) and the checks of the others (also
    the CLI's ``add``)."""
    offered = tuple(dict.fromkeys(c.e164 for c in result.checks if c.state is NumberState.AVAILABLE))
    return offered, tuple(c for c in result.checks if c.state is not NumberState.AVAILABLE)


def _sealed_numbers(sealed: Sealed) -> list[str]:
    return [n for n in sealed.subject.get("numbers", []) if isinstance(n, str)][:MAX_NUMBERS]


def _confirmed(request: ConfirmAdd, ctx: FlowContext) -> Reply:
    changes = ctx.changes
    assert changes is not None
    sealed = changes.open(KIND, request.sealed)
    numbers = _sealed_numbers(sealed)
    if not numbers:
        raise Refused("That confirmation lists no numbers. Nothing was changed.")
    if not request.location_id:
        return cards.error_reply("Choose a location", "Pick the location to add the numbers to, then press Add. "
                                 "Nothing was changed.")
    location = ctx.client.location(request.location_id)
    if location is None:
        raise Refused("Webex does not know that location. Nothing was changed.")
    claim(ctx, sealed)
    result = add(location, numbers, request.active, ctx)
    if result.added and not result.active:
        subject = {"numbers": list(result.added), "locationId": location.id}
        result = replace(result, activate=changes.seal(ACTIVATE, subject))
    return cards.add_result_reply(result)


def _activate_confirmed(request: ConfirmActivate, ctx: FlowContext) -> Reply:
    changes = ctx.changes
    assert changes is not None
    sealed = changes.open(ACTIVATE, request.sealed)
    numbers = _sealed_numbers(sealed)
    location_id = sealed.subject.get("locationId")
    if not numbers or not isinstance(location_id, str):
        raise Refused("That button is incomplete. Nothing was changed.")
    location = ctx.client.location(location_id)
    if location is None:
        raise Refused("Webex does not know that location any more. Nothing was changed.")
    claim(ctx, sealed)
    return cards.activate_result_reply(activate(location, numbers, ctx))


def _states(location: Location, ctx: FlowContext) -> dict[str, str]:
    """The location's numbers as Webex has them now, each with its state (ACTIVE, INACTIVE): what
    every change is checked against, before and after it is sent."""
    return {n.phone_number: n.state for n in ctx.client.location_numbers(location.id)}


def activate(location: Location, numbers: list[str], ctx: FlowContext) -> ActivateResult:
    """Activate those of ``numbers`` the location has inactive. An answer lost after sending is
    read back, and what is still inactive is sent once more."""
    assert ctx.changes is not None
    before = _states(location, ctx)
    inactive = [n for n in numbers if before.get(n) == "INACTIVE"]
    tracking: list[str] = []
    error = None
    for attempt in range(2):
        if not inactive:
            break
        try:
            sent = ctx.client.activate_numbers(location.id, inactive)
            tracking += [sent] if sent else []
            break
        except OutcomeUnknown:
            if attempt == 1:
                raise
            now = _states(location, ctx)
            inactive = [n for n in inactive if now.get(n) == "INACTIVE"]
        except WebexError as refused:
            error = refused.info
            break
    after = _states(location, ctx)
    activated = tuple(n for n in numbers if before.get(n) == "INACTIVE" and after.get(n) == "ACTIVE")
    audit = ctx.changes.audit(f"activated {plural(len(activated), 'number', 'numbers')} at {location.name}: "
                              f"{', '.join(activated)}", tuple(tracking)) if activated else None
    return ActivateResult(location=location, activated=activated,
                          active_already=tuple(n for n in numbers if before.get(n) == "ACTIVE"),
                          not_there=tuple(n for n in numbers if n not in after), error=error, audit=audit)


def add(location: Location, numbers: list[str], active: bool, ctx: FlowContext) -> AddResult:
    """Add ``numbers`` to ``location`` and say what happened, as read back from Webex (also the
    CLI's ``add``). An answer lost after sending is resolved by reading the location's numbers
    back before sending the missing ones again."""
    assert ctx.changes is not None
    before = _states(location, ctx)
    there_already = tuple(n for n in numbers if n in before)
    wanted = [n for n in numbers if n not in before]
    refused: list[NumberError] = []
    tracking: list[str] = []
    for start in range(0, len(wanted), BATCH):
        batch = wanted[start:start + BATCH]
        try:
            tracking += _send(location, batch, active, ctx, refused)
        except WebexError as error:
            if error.info.numbers or error.status_code in (400, 403, 409):
                return _refused(location, active, numbers, there_already, refused, error, ctx, tracking)
            raise
    now = _states(location, ctx)
    refused_numbers = {r.number for r in refused}
    added = tuple(n for n in wanted if n in now and n not in refused_numbers)
    missing = [n for n in wanted if n not in now and n not in refused_numbers]
    refused += [NumberError(n, "Webex did not add it, and said nothing of why.") for n in missing]
    advice = REFUSED_ADVICE if refused else None
    audit = None
    if added:
        audit = ctx.changes.audit(f"added {plural(len(added), 'number', 'numbers')} to {location.name} "
                                  f"({'active' if active else 'inactive'}): {', '.join(added)}", tuple(tracking))
    return AddResult(location=location, active=active, added=added, there_already=there_already,
                     refused=tuple(refused), advice=advice, audit=audit, asked=tuple(numbers))


def _send(location: Location, batch: list[str], active: bool, ctx: FlowContext,
          refused: list[NumberError]) -> list[str]:
    """One add request, the trackingIds of what went through. Numbers Webex refused one by one
    go to ``refused`` and the rest are sent again without them; an answer lost after sending is
    read back and only what is missing is sent again. At most three sends."""
    for attempt in range(3):
        try:
            tracking = ctx.client.add_numbers(location.id, batch, active)
            return [tracking] if tracking else []
        except OutcomeUnknown:
            if attempt == 2:
                raise
            present = _states(location, ctx)
            batch = [n for n in batch if n not in present]
        except WebexError as error:
            if not error.info.numbers:
                raise
            named = {e.number for e in error.info.numbers}
            refused += [e for e in error.info.numbers if e.number in batch]
            if not named & set(batch):
                raise
            batch = [n for n in batch if n not in named]
        if not batch:
            return []
    return []


def _refused(location: Location, active: bool, numbers: list[str], there_already: tuple[str, ...],
             refused: list[NumberError], error: WebexError, ctx: FlowContext, tracking: list[str]) -> AddResult:
    """Webex refused the request as a whole: nothing (more) was added. Say why, and what to do."""
    assert ctx.changes is not None
    now = _states(location, ctx)
    added = tuple(n for n in numbers if n in now and n not in there_already)
    if error.status_code == 409:
        advice: Optional[str] = CONFLICT_ADVICE
    elif error.status_code in (400, 403) and not error.info.numbers:
        advice = CALLING_PLAN_ADVICE
    else:
        advice = REFUSED_ADVICE if refused or error.info.numbers else None
    audit = ctx.changes.audit(f"added {plural(len(added), 'number', 'numbers')} to {location.name}: "
                              f"{', '.join(added)}", tuple(tracking)) if added else None
    return AddResult(location=location, active=active, added=added, there_already=there_already,
                     refused=tuple(refused) + error.info.numbers, error=error.info, advice=advice, audit=audit,
                     asked=tuple(numbers))
