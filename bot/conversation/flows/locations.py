"""``locations [part of a name]``: the organisation's Webex Calling locations, each with a button
that opens its auto attendant alternate numbers."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from bot.conversation.flows import FlowContext
from bot.core.models import Reply
from cards.locations import locations_reply

MOST = 1000  # read at most this many (one more, to say "more than"), like the picker


@dataclass(frozen=True)
class Locations:
    name: Optional[str] = None  # only locations whose name contains this


def from_text(rest: str, region: str) -> Locations:
    return Locations(name=rest.strip()[:200] or None)


def answer(request: Locations, ctx: FlowContext) -> Reply:
    found = ctx.client.calling_locations(name=request.name, limit=MOST + 1)
    return locations_reply(found[:MOST], request.name, more=len(found) > MOST)
