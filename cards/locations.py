"""The organisation's calling locations: one row per location with a button to its alternate
numbers, as many as fit the card; the markdown fallback names them."""
from __future__ import annotations

from typing import Optional

from webexpythonsdk.models import cards as ac
from webexpythonsdk.models.cards import options as opt

from bot.core import buttons
from bot.core.models import Location, NumberFilters, Reply

from .base import card, columns, literal, size_of, submit, subtle, title
from .limits import CARD_BUDGET_BYTES, MARKDOWN_BUDGET_BYTES
from .text import card_bytes, clip, escape, md_bytes

NAME_CHARS = 100
MOST_ROWS = 50  # a card longer than this is a list nobody reads: narrow it by name instead


def _heading(count: int, name: Optional[str], more: bool) -> str:
    counted = f"more than {count}" if more else str(count)
    if name:
        return f"{counted} Webex Calling location{'s' if count != 1 else ''} named like “{clip(name, 60)}”"
    return f"{counted} Webex Calling location{'s' if count != 1 else ''}"


def _row(location: Location) -> ac.ColumnSet:
    open_numbers = submit("Alternate numbers", buttons.alternate_data(location.id, 0, NumberFilters()))
    return columns([literal(clip(location.name, NAME_CHARS), weight=opt.FontWeight.BOLDER)],
                   [ac.ActionSet(actions=[open_numbers])], separator=True)


def locations_card(locations: list[Location], name: Optional[str] = None, more: bool = False) -> dict:
    head: list = [title("Calling locations"), subtle(_heading(len(locations), name, more), verbatim=True)]
    if not locations:
        head.append(literal("No location with Webex Calling matches." if name else
                            "The organisation has no Webex Calling locations that the service app can see."))
        return card(head)
    tail = subtle("Write locations and part of a name to narrow the list.", color=opt.Colors.WARNING)
    room = CARD_BUDGET_BYTES - card_bytes(card(head)) - size_of(tail)
    rows: list = []
    for location in locations[:MOST_ROWS]:
        row = _row(location)
        if size_of(row) > room:
            break
        rows.append(row)
        room -= size_of(row)
    body = head + rows
    if len(rows) < len(locations) or more:
        body.append(subtle(f"Showing {len(rows)}. Write locations and part of a name to narrow the list.",
                           color=opt.Colors.WARNING))
    return card(body)


def locations_markdown(locations: list[Location], name: Optional[str] = None, more: bool = False) -> str:
    out = f"**Calling locations**\n\n{escape(_heading(len(locations), name, more))}"
    if not locations:
        return out
    out += "\n\nWrite `alternate numbers` and a location to see its numbers:"
    tail = "\n\n… and more: write `locations` and part of a name to narrow the list."
    for location in locations:
        line = "\n- " + escape(clip(location.name, NAME_CHARS))
        if md_bytes(out + line + tail) > MARKDOWN_BUDGET_BYTES:
            return out + tail
        out += line
    return out + (tail if more else "")


def locations_reply(locations: list[Location], name: Optional[str] = None, more: bool = False) -> Reply:
    return Reply(markdown=locations_markdown(locations, name, more), card=locations_card(locations, name, more))
