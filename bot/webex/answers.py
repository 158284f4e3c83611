"""Webex JSON read into the typed data of ``bot.core.models``, once, at the edge.

Each reader accepts what Webex is known to send, documented or live (the validate API's two
shapes, a null where an object was expected, a field left out), so that nothing past the Webex
client ever looks at a raw body. Pure functions: tested on bodies, no HTTP.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bot.core.models import (
    AlternateNumber,
    AutoAttendant,
    AvailableNumber,
    CardAction,
    Location,
    LocationNumber,
    Message,
    NumberState,
    NumberUse,
    WebexErrorInfo,
)
from bot.webex.errors import WebexError


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


def object_of(value: Any) -> dict:
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



def parse_auto_attendant(item: dict, location_id: str) -> AutoAttendant:
    return AutoAttendant(id=str(item["id"]), name=str(item.get("name") or item["id"]),
                         location_id=str(item.get("locationId") or location_id),
                         phone_number=item.get("phoneNumber") or None, extension=item.get("extension") or None)


def parse_webhook(item: dict) -> Webhook:
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


def parse_person(body: dict, person_id: str) -> Me:
    """Someone from the People API: the first of their emails is the one Webex calls primary."""
    emails = body.get("emails") or []
    return Me(id=person_id, display_name=str(body.get("displayName") or ""),
              email=str(emails[0]) if isinstance(emails, list) and emails else "")


def parse_card_action(body: dict) -> CardAction:
    inputs = body.get("inputs")
    return CardAction(
        message_id=str(body.get("messageId", "")),
        room_id=str(body.get("roomId", "")),
        person_id=str(body.get("personId", "")),
        inputs=inputs if isinstance(inputs, dict) else {},
    )


def parse_location(item: dict, location_id: str) -> Location:
    """A location of either API (Locations, or Webex Calling's list): by id, named by its name."""
    return Location(id=str(item.get("id") or location_id), name=str(item.get("name") or location_id))


def parse_number_use(item: dict) -> NumberUse:
    """A number of the org's numbers list: where it is and who has it (a person, a workspace, a
    feature such as an auto attendant), named as Control Hub names them."""
    owner = object_of(item.get("owner"))
    location = object_of(item.get("location"))
    name = owner.get("displayName") or " ".join(
        str(p) for p in (owner.get("firstName"), owner.get("lastName")) if p) or None
    return NumberUse(location=location.get("name") or None, owner_type=owner.get("type") or None,
                     owner_name=name, extension=item.get("extension") or None)


def parse_location_number(item: dict) -> LocationNumber:
    owner = object_of(item.get("owner"))
    return LocationNumber(str(item["phoneNumber"]), str(item.get("state") or "ACTIVE").upper(),
                          owner.get("type") or None)


def parse_auto_attendant_details(body: dict, auto_attendant_id: str, location_id: str) -> AutoAttendant:
    """"Get Details for an Auto Attendant": the list's fields (its body has no ``id``) and its
    alternate numbers, each with its ring pattern."""
    alternates = body.get("alternateNumbers")
    return replace(parse_auto_attendant({"id": auto_attendant_id, **body}, location_id), alternate_numbers=tuple(
        AlternateNumber(
            str(a["phoneNumber"]), str(a.get("ringPattern") or "NORMAL"), a.get("tollFreeNumber") is True
        )
        for a in (alternates if isinstance(alternates, list) else [])
        if isinstance(a, dict) and isinstance(a.get("phoneNumber"), str)))
