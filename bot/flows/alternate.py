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

from dataclasses import dataclass, replace
from typing import Optional, Union

import cards
from bot.commands import AlternateNumbers
from bot.flows import FlowContext
from bot.models import AvailableNumber, AvailableNumbersPage, Location, NumberFilters, Reply
from bot.webex import WebexError
from cards.limits import CARD_BUDGET_BYTES
from cards.text import card_bytes

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
        title = "No locations"
        explanation = "The organisation has no locations that the service app can see."
        return Reply(markdown=cards.error_markdown(title, explanation), card=cards.error_card(title, explanation))
    return Reply(
        markdown=cards.location_picker_markdown(locations, message=message, query=query, more=more),
        card=cards.location_picker_card(locations, message=message, query=query, more=more),
    )


def fetch_page(location: Location, start: int, back: tuple[int, ...], filters: NumberFilters, ctx: FlowContext,
               size: Optional[int] = None) -> AvailableNumbersPage:
    """One page of rows (``NUMBOT_PAGE_SIZE`` unless ``size``) from API offset ``start``,
    and the API offset of the next page."""
    size = size or ctx.settings.page_size
    phone_numbers = filters.phone_numbers[:MAX_FILTER_NUMBERS]  # the URL must stay short
    found: list[AvailableNumber] = []
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
        # Webex may answer fewer rows than asked; its Link rel="next" (``has_next``) says more follow.
        if next_start is not None or not chunk.has_next or not chunk.numbers:
            break
        offset += len(chunk.numbers)
    else:
        next_start = offset  # scanned enough for one answer; Next goes on from here
    return AvailableNumbersPage(location, tuple(found), start, size, next_start, back, filters)


def _location_error(error: WebexError, location: Location, ctx: FlowContext) -> Reply:
    """Webex's 404 reads the same whether the location is gone or has no Webex Calling, so
    the Locations API (which lists every location, calling or not) tells the two apart."""
    if error.status_code == 404:
        if ctx.client.location(location.id) is None:
            return picker_reply(ctx, message=f"Webex does not know the location “{location.name}” any more. Pick one:")
        return not_calling_reply(location)
    title = "Webex could not list the numbers"
    explanation = f"Listing the alternate available numbers of “{location.name}” failed."
    return Reply(markdown=cards.error_markdown(title, explanation, error.info), card=cards.error_card(title, explanation, error.info))


def not_calling_reply(location: Location) -> Reply:
    title = "No Webex Calling at this location"
    explanation = f"“{location.name}” is not a Webex Calling location, so it has no auto attendant numbers."
    return Reply(markdown=cards.error_markdown(title, explanation), card=cards.error_card(title, explanation))


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


def alternate_reply(command: AlternateNumbers, ctx: FlowContext) -> Reply:
    if command.location_query is not None or command.location is None:
        return picker_reply(ctx, query=command.location_query)
    resolved = resolve_location(command.location, ctx)
    if isinstance(resolved, Ambiguous):
        return picker_reply(ctx, resolved.locations, resolved.message, more=resolved.more)
    if isinstance(resolved, NotCalling):
        return not_calling_reply(resolved.location)
    notes = request_notes(command)
    # The buttons carry only the numbers looked up, so the next page is the same list.
    filters = replace(command.filters, phone_numbers=command.filters.phone_numbers[:MAX_FILTER_NUMBERS])
    try:
        page = fetch_page(resolved, command.start, command.back, filters, ctx)
        card = cards.numbers_page_card(page, notes)
        while card_bytes(card) > CARD_BUDGET_BYTES and len(page.numbers) > 1:
            # Rare: many rows that carry every flag, and a long number filter repeated in each
            # button. Fewer rows, read again, so that Next's offset follows the last row shown.
            fewer = max(1, len(page.numbers) * CARD_BUDGET_BYTES // card_bytes(card) - 1)
            page = fetch_page(resolved, command.start, command.back, filters, ctx, size=fewer)
            card = cards.numbers_page_card(page, notes)
    except WebexError as error:
        return _location_error(error, resolved, ctx)
    if not page.numbers and not page.has_more and not page.has_previous:
        # Only a first page with nothing after it means "none": a filtered scan can
        # stop at MAX_SCAN rows without a match while more rows are left to read.
        return Reply(
            markdown=cards.empty_numbers_markdown(resolved, filters, notes),
            card=cards.empty_numbers_card(resolved, filters, notes),
        )
    return Reply(markdown=cards.numbers_page_markdown(page, notes), card=card)
