"""Auto attendant alternate available numbers: find the location, show one page of its numbers.

The API has no count and cannot filter by state, toll-free or service number, so for every
answer the bot reads all of the location's numbers (``max`` 2000, the documented default, and
``Link`` paging: Big Campus's 2,345 numbers are two requests), filters them, and shows page N of
the result: "11–20 of 120", First/Previous/Next/Last, ``alternate numbers Dallas HQ page 5``.
Nothing is kept between presses: each one reads Webex again, so any instance serves any press
and a page is never stale.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Optional, Union

import cards
from bot.conversation.flows import FlowContext
from bot.core import buttons
from bot.core.models import AvailableNumber, AvailableNumbersPage, Location, NumberFilters, Reply
from bot.reading.parsing import parse_numbers, split_head
from bot.webex.errors import WebexError


@dataclass(frozen=True)
class AlternateNumbers:
    location: Optional[str] = None  # a location id or name; None asks with a picker
    filters: NumberFilters = field(default_factory=NumberFilters)
    page: int = 1
    location_query: Optional[str] = None  # narrowing the picker by name
    not_numbers: tuple[str, ...] = ()  # filter tokens that were not numbers
    filters_changed: bool = False  # a paging button pressed after the filters were changed
    start: Optional[int] = None  # a card from before page numbers: the API offset of its page
    export: bool = False  # every number, with the filters, as a CSV file


_PAGE = re.compile(r"(?:^|\s)page\s+(\d{1,6})\s*$", re.IGNORECASE)


def from_text(rest: str, region: str) -> AlternateNumbers:
    """``alternate numbers [location] [numbers…] [page N]``: the text before the first number
    names the location, the numbers after it filter the list."""
    page = 1
    asked = _PAGE.search(rest)
    if asked:
        page, rest = max(1, int(asked.group(1))), rest[: asked.start()]
    split = split_head(rest, region)
    return AlternateNumbers(
        location=split.head or None,
        filters=NumberFilters(phone_numbers=tuple(dict.fromkeys(n.e164 for n in split.parsed.numbers))),
        page=page,
        not_numbers=split.parsed.not_numbers,
    )


def from_card(inputs: dict, action: str, region: str) -> AlternateNumbers:
    """The picker's Show numbers and Search, and a page's buttons (paging, Apply filters)."""
    if action == buttons.ALTERNATE_PICKER:
        return AlternateNumbers()
    if action == buttons.ALTERNATE_SEARCH:
        query = buttons.text(inputs.get(buttons.INPUT_LOCATION_QUERY), 200).strip()
        return AlternateNumbers(location_query=query or None)
    location = buttons.text(inputs.get(buttons.INPUT_LOCATION), 500).strip() or None
    # The "Only these numbers" box; a card from before it carried them in the button's data.
    listed = buttons.text(inputs.get(buttons.KEY_PHONE_NUMBERS), 20_000)
    phone_numbers = tuple(n for n in listed.split(",") if n.strip())
    not_numbers: tuple[str, ...] = ()
    typed = buttons.text(inputs.get(buttons.INPUT_FILTER_NUMBERS), 20_000)
    if typed.strip():
        parsed = parse_numbers(typed, region)
        phone_numbers = tuple(dict.fromkeys(n.e164 for n in parsed.numbers))
        not_numbers = parsed.not_numbers
    filters = NumberFilters(
        only_active=buttons.flag(inputs.get(buttons.INPUT_ONLY_ACTIVE, False)),
        only_toll_free=buttons.flag(inputs.get(buttons.INPUT_ONLY_TOLL_FREE, False)),
        only_service=buttons.flag(inputs.get(buttons.INPUT_ONLY_SERVICE, False)),
        phone_numbers=phone_numbers,
    )
    page = max(1, buttons.whole(inputs.get(buttons.KEY_PAGE, 1), 1))
    old_card = buttons.KEY_PAGE not in inputs and buttons.KEY_START in inputs
    start = buttons.whole(inputs[buttons.KEY_START]) if old_card else None
    now = buttons.shown_filters(filters)
    if old_card:
        now = now.split("#", 1)[0]  # its "shown" named the toggles only
    changed = buttons.KEY_SHOWN in inputs and buttons.text(inputs.get(buttons.KEY_SHOWN), 200) != now
    if changed:
        # The pages the card counted mean nothing with other filters: start over at the first.
        page, start = 1, None
    if action == buttons.ALTERNATE_EXPORT:
        return AlternateNumbers(location=location, filters=filters, not_numbers=not_numbers, export=True)
    return AlternateNumbers(location=location, filters=filters, page=page, not_numbers=not_numbers, start=start,
                            filters_changed=changed and not buttons.flag(inputs.get(buttons.KEY_APPLY, False)))


READ_MAX = 2000  # rows per request: the API's documented default (and the most it answers)
MOST_ROWS = 20_000  # rows read for one answer at the most; a location with more says so
MAX_FILTER_NUMBERS = 100  # phoneNumber values in one request (URL length)
MAX_PICKER_LOCATIONS = 1000


@dataclass(frozen=True)
class Ambiguous:
    locations: list[Location]
    message: str
    more: bool = False  # the org has more of them than the bot read


@dataclass(frozen=True)
class NotCalling:
    """The org has a location by that name, but without Webex Calling."""

    location: Location


def read_locations(ctx: FlowContext, name: Optional[str] = None) -> tuple[list[Location], bool]:
    """At most ``MAX_PICKER_LOCATIONS`` Webex Calling locations (only they have auto attendant
    numbers), and whether there are more: one extra is read so the picker never states a wrong
    count."""
    found = ctx.client.calling_locations(name=name, limit=MAX_PICKER_LOCATIONS + 1)
    return found[:MAX_PICKER_LOCATIONS], len(found) > MAX_PICKER_LOCATIONS


def _matching(candidates: list[Location], query: str) -> tuple[list[Location], list[Location]]:
    """Candidates named exactly ``query`` (any case), and those whose name contains it."""
    lowered = query.lower()
    return ([loc for loc in candidates if loc.name.lower() == lowered],
            [loc for loc in candidates if lowered in loc.name.lower()])


def _looks_like_id(text: str) -> bool:
    # Webex ids are long base64 strings without spaces.
    return len(text) >= 20 and " " not in text


def resolve_location(query: str, ctx: FlowContext) -> Union[Location, Ambiguous, NotCalling]:
    """By exact id, else by case-insensitive name among the calling locations; a name that only
    a location without Webex Calling has is said to be one; several or none: ask."""
    if _looks_like_id(query):
        found = ctx.client.location(query)
        if found is not None:
            return found
    candidates, more = read_locations(ctx, query)
    exact, containing = _matching(candidates, query)
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        return Ambiguous(exact, f"Several locations are called “{query}”: which one?")
    if len(containing) == 1:
        return containing[0]
    if containing:
        return Ambiguous(containing, f"Several locations match “{query}”: which one?", more)
    # The Locations API lists every location, calling or not.
    exact, containing = _matching(ctx.client.locations(name=query, limit=MAX_PICKER_LOCATIONS), query)
    if len(exact) == 1 or (not exact and len(containing) == 1):
        return NotCalling((exact or containing)[0])
    everywhere, more = read_locations(ctx)
    return Ambiguous(everywhere, f"No location is called “{query}”. Pick one:", more)


def picker_reply(
    ctx: FlowContext,
    locations: Optional[list[Location]] = None,
    message: Optional[str] = None,
    query: Optional[str] = None,
    more: bool = False,
    numbers: tuple[str, ...] = (),
) -> Reply:
    """Which location? ``numbers``: the filter the admin typed, kept in the picker's box so that
    it survives the choice."""
    if locations is None:
        locations, more = read_locations(ctx, query or None)
        if query and not locations:
            message = f"No location name contains “{query}”. Pick one:"
            locations, more = read_locations(ctx)
    if not locations:
        return cards.error_reply("No locations", "The organisation has no Webex Calling locations that the "
                                                 "service app can see.")
    return cards.location_picker_reply(locations, message=message, query=query, more=more, numbers=numbers)


def read_all(
    location: Location, phone_numbers: tuple[str, ...], ctx: FlowContext
) -> tuple[list[AvailableNumber], bool]:
    """Every alternate available number of the location (of ``phone_numbers`` when given), and
    whether there were more than ``MOST_ROWS``. Webex may answer fewer rows than asked with a
    ``Link: rel="next"``: the bot reads on from where the answer ended."""
    found: list[AvailableNumber] = []
    while len(found) < MOST_ROWS:
        chunk = ctx.client.available_numbers(location.id, len(found), READ_MAX, phone_numbers)
        found += chunk.numbers
        if not chunk.has_next or not chunk.numbers:
            return found, False
    return found[:MOST_ROWS], True


def page_of(location: Location, rows: list[AvailableNumber], request: AlternateNumbers, size: int,
            notes: list[str]) -> AvailableNumbersPage:
    matching = [n for n in rows if request.filters.matches(n)]
    pages = max(1, -(-len(matching) // size))
    page = request.page if request.start is None else request.start // size + 1
    if page > pages:
        notes.append(f"There {'is' if pages == 1 else 'are'} only {pages} page{'s' if pages != 1 else ''}; "
                     "this is the last.")
        page = pages
    chosen = matching[(page - 1) * size : page * size]
    return AvailableNumbersPage(location, tuple(chosen), page, pages, len(matching), size, request.filters)


def _location_error(error: WebexError, location: Location, ctx: FlowContext) -> Reply:
    """Webex's 404 reads the same whether the location is gone or has no Webex Calling, so
    the Locations API (which lists every location, calling or not) tells the two apart."""
    if error.status_code == 404:
        if ctx.client.location(location.id) is None:
            return picker_reply(ctx, message=f"Webex does not know the location “{location.name}” any more. Pick one:")
        return not_calling_reply(location)
    return cards.error_reply("Webex could not list the numbers",
                             f"Listing the alternate available numbers of “{location.name}” failed.", error.info)


def not_calling_reply(location: Location) -> Reply:
    return cards.error_reply("No Webex Calling at this location",
                             f"“{location.name}” is not a Webex Calling location, so it has no auto attendant numbers.")


def request_notes(request: AlternateNumbers) -> list[str]:
    """What the admin typed that the bot could not use as they meant it: said on the card,
    never dropped silently."""
    notes = []
    if request.filters_changed:
        notes.append("The filters changed, so this is the first page with the new filters.")
    if request.not_numbers:
        notes.append("Not phone numbers, left out of the filter: " + ", ".join(request.not_numbers))
    given = len(request.filters.phone_numbers)
    if given > MAX_FILTER_NUMBERS:
        notes.append(f"Only the first {MAX_FILTER_NUMBERS} of the {given} numbers you gave are looked up.")
    return notes


def answer(request: AlternateNumbers, ctx: FlowContext) -> Reply:
    if request.location_query is not None or request.location is None:
        return picker_reply(ctx, query=request.location_query, numbers=request.filters.phone_numbers)
    resolved = resolve_location(request.location, ctx)
    if isinstance(resolved, Ambiguous):
        return picker_reply(ctx, resolved.locations, resolved.message, more=resolved.more,
                            numbers=request.filters.phone_numbers)
    if isinstance(resolved, NotCalling):
        return not_calling_reply(resolved.location)
    notes = request_notes(request)
    # The card carries only the numbers looked up, so the next page is the same list.
    filters = replace(request.filters, phone_numbers=request.filters.phone_numbers[:MAX_FILTER_NUMBERS])
    try:
        rows, cut = read_all(resolved, filters.phone_numbers, ctx)
    except WebexError as error:
        return _location_error(error, resolved, ctx)
    if cut:
        notes.append(f"{resolved.name} has more than {MOST_ROWS:,} numbers; the list shows the first {MOST_ROWS:,}.")
    if request.export:
        return cards.numbers_export_reply(resolved, filters, [n for n in rows if filters.matches(n)], tuple(notes))
    listed = {n.phone_number for n in rows}
    absent = [n for n in filters.phone_numbers if n not in listed]
    if absent:
        notes.append(f"Not available at {resolved.name} (not among its alternate available numbers): "
                     + ", ".join(absent))
    page = page_of(resolved, rows, replace(request, filters=filters), ctx.settings.page_size, notes)
    if not page.numbers:
        return cards.empty_numbers_reply(resolved, filters, tuple(notes))
    return cards.numbers_page_reply(page, tuple(notes), offer_assign=ctx.settings.allow_changes)
