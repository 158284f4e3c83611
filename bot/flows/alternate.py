"""Auto attendant alternate available numbers: find the location, show one page.

Without toggle filters a page costs one request of ``page_size + 1`` rows: the
extra row says whether a next page exists (when Webex answers fewer rows than
asked, with a Link rel="next", the bot asks on for the missing ones). The API
cannot filter by state, toll-free or service number, so with a toggle on the
bot reads the list in chunks from the page's offset until it has one page
plus one matching row (bounded by ``MAX_SCAN``), and keeps the API offset of
the next page in the Next button. The first chunk is ``page_size + 1`` rows, as without toggles, and
each further chunk doubles up to ``SCAN_CHUNK``: a page where most rows match
costs no more than an unfiltered one, a sparse match still needs few requests.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional, Union

import cards
from bot import buttons
from bot.flows import FlowContext
from bot.models import AvailableNumber, AvailableNumbersPage, Location, NumberFilters, Reply
from bot.parsing import parse_numbers, split_head
from bot.webex import WebexError

@dataclass(frozen=True)
class AlternateNumbers:
    location: Optional[str] = None  # a location id or name; None asks with a picker
    filters: NumberFilters = field(default_factory=NumberFilters)
    start: int = 0
    back: tuple[int, ...] = ()
    location_query: Optional[str] = None  # narrowing the picker by name
    not_numbers: tuple[str, ...] = ()  # filter tokens that were not numbers


def from_text(rest: str, region: str) -> AlternateNumbers:
    """``alternate numbers [location] [numbers…]``: the text before the first number names the
    location, the numbers after it filter the list."""
    split = split_head(rest, region)
    return AlternateNumbers(
        location=split.head or None,
        filters=NumberFilters(phone_numbers=tuple(dict.fromkeys(n.e164 for n in split.parsed.numbers))),
        not_numbers=split.parsed.not_numbers,
    )


def from_card(inputs: dict, action: str, region: str) -> AlternateNumbers:
    """The picker's Show numbers and Search, and a page's buttons (Next, Previous, filters)."""
    if action == buttons.ALTERNATE_PICKER:
        return AlternateNumbers()
    if action == buttons.ALTERNATE_SEARCH:
        query = buttons.text(inputs.get(buttons.INPUT_LOCATION_QUERY), 200).strip()
        return AlternateNumbers(location_query=query or None)
    location = buttons.text(inputs.get(buttons.INPUT_LOCATION), 500).strip() or None
    phone_numbers: tuple[str, ...] = tuple(
        n for n in buttons.text(inputs.get(buttons.KEY_PHONE_NUMBERS), 20_000).split(",") if n.strip()
    )
    not_numbers: tuple[str, ...] = ()
    typed = buttons.text(inputs.get(buttons.INPUT_FILTER_NUMBERS), 20_000)  # the picker's "only these numbers"
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
    start = buttons.whole(inputs.get(buttons.KEY_START, 0))
    raw_back = inputs.get(buttons.KEY_BACK)
    back = tuple(buttons.whole(b) for b in raw_back[-buttons.MAX_BACK :]) if isinstance(raw_back, list) else ()
    shown = buttons.text(inputs.get(buttons.KEY_SHOWN, ""), 200)
    if shown != buttons.shown_filters(filters):
        # The admin changed a toggle: offsets computed under the old filters
        # mean nothing now, so start over at the first page.
        start, back = 0, ()
    return AlternateNumbers(location=location, filters=filters, start=start, back=back, not_numbers=not_numbers)


SCAN_CHUNK = 200  # most rows per request when the bot filters
MAX_SCAN = 5000  # rows read for one filtered page before showing what was found
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
) -> Reply:
    if locations is None:
        locations, more = read_locations(ctx, query or None)
        if query and not locations:
            message = f"No location name contains “{query}”. Pick one:"
            locations, more = read_locations(ctx)
    if not locations:
        return cards.error_reply("No locations", "The organisation has no Webex Calling locations that the "
                                                 "service app can see.")
    return cards.location_picker_reply(locations, message=message, query=query, more=more)


def fetch_page(location: Location, start: int, back: tuple[int, ...], filters: NumberFilters,
               ctx: FlowContext) -> AvailableNumbersPage:
    """One page of ``NUMBOT_PAGE_SIZE`` rows from API offset ``start``, each with its offset,
    and the API offset of the next page."""
    size = ctx.settings.page_size
    phone_numbers = filters.phone_numbers[:MAX_FILTER_NUMBERS]  # the URL must stay short
    found: list[AvailableNumber] = []
    offsets: list[int] = []
    next_start: Optional[int] = None
    offset = start
    chunk_size = size + 1
    while offset - start < MAX_SCAN:
        # Without toggles every row is shown: ask for exactly the rows still missing.
        wanted = chunk_size if filters.any_toggle else size + 1 - len(found)
        chunk = ctx.client.available_numbers(location.id, offset, wanted, phone_numbers)
        chunk_size = min(chunk_size * 2, SCAN_CHUNK)
        for index, number in enumerate(chunk.numbers):
            if not filters.matches(number):
                continue
            if len(found) == size:
                next_start = offset + index
                break
            found.append(number)
            offsets.append(offset + index)
        # Webex may answer fewer rows than asked; its Link rel="next" (``has_next``) says more follow.
        if next_start is not None or not chunk.has_next or not chunk.numbers:
            break
        offset += len(chunk.numbers)
    else:
        next_start = offset  # scanned enough for one answer; Next goes on from here
    return AvailableNumbersPage(location, tuple(found), start, size, next_start, back, filters, tuple(offsets))


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


def request_notes(command: AlternateNumbers) -> tuple[str, ...]:
    """What the admin typed that the bot could not use as they meant it: said on the card,
    never dropped silently."""
    notes = []
    if command.not_numbers:
        notes.append("Not phone numbers, left out of the filter: " + ", ".join(command.not_numbers))
    given = len(command.filters.phone_numbers)
    if given > MAX_FILTER_NUMBERS:
        notes.append(f"Only the first {MAX_FILTER_NUMBERS} of the {given} numbers you gave are looked up.")
    return tuple(notes)


def answer(request: AlternateNumbers, ctx: FlowContext) -> Reply:
    if request.location_query is not None or request.location is None:
        return picker_reply(ctx, query=request.location_query)
    resolved = resolve_location(request.location, ctx)
    if isinstance(resolved, Ambiguous):
        return picker_reply(ctx, resolved.locations, resolved.message, more=resolved.more)
    if isinstance(resolved, NotCalling):
        return not_calling_reply(resolved.location)
    notes = request_notes(request)
    # The buttons carry only the numbers looked up, so the next page is the same list.
    filters = replace(request.filters, phone_numbers=request.filters.phone_numbers[:MAX_FILTER_NUMBERS])
    try:
        page = fetch_page(resolved, request.start, request.back, filters, ctx)
    except WebexError as error:
        return _location_error(error, resolved, ctx)
    if not page.numbers and not page.has_more and not page.has_previous:
        # Only a first page with nothing after it means "none": a filtered scan can
        # stop at MAX_SCAN rows without a match while more rows are left to read.
        return cards.empty_numbers_reply(resolved, filters, notes)
    return cards.numbers_page_reply(page, notes)
