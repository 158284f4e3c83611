"""``who uses +12143029001 …`` (and the validate card's "Who uses the other N?"): for numbers in
the organisation, the user, workspace, auto attendant, hunt group, call queue … that has each,
and its location, from "Get Phone Numbers for an Organization" (``phoneNumber`` filter)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from bot.conversation.flows import FlowContext
from bot.conversation.flows.help import Help
from bot.core import buttons
from bot.core.models import NumberUse, Reply
from bot.reading.parsing import parse_numbers
from bot.webex.errors import WebexBusy, WebexError
from cards.owners import owners_reply

MAX_LOOKUPS = 20  # numbers looked up per answer (one request each); the rest get a button


@dataclass(frozen=True)
class Owners:
    numbers: tuple[str, ...]  # E.164


def _request(numbers: tuple[str, ...]) -> Union[Owners, Help]:
    if not numbers:
        return Help(note="Give me the numbers to look up, e.g. who uses +12143029001.")
    return Owners(tuple(dict.fromkeys(numbers)))


def from_text(rest: str, region: str) -> Union[Owners, Help]:
    return _request(tuple(n.e164 for n in parse_numbers(rest, region).numbers))


def from_card(inputs: dict, action: str, region: str) -> Union[Owners, Help]:
    text = buttons.text(inputs.get(buttons.INPUT_NUMBERS), 20_000)
    return _request(tuple(n.e164 for n in parse_numbers(text, region).numbers))


def answer(request: Owners, ctx: FlowContext) -> Reply:
    found: list[tuple[str, Union[NumberUse, str, None]]] = []
    for e164 in request.numbers[:MAX_LOOKUPS]:
        try:
            found.append((e164, ctx.client.number_use(e164)))
        except WebexBusy:
            raise
        except WebexError as error:
            tracking = f", trackingId {error.info.tracking_id}" if error.info.tracking_id else ""
            found.append((e164, f"Webex answered {error.status_code or 'nothing'}{tracking}."))
    return owners_reply(found, request.numbers[MAX_LOOKUPS:])
