"""Auto attendant alternate available numbers: one page of them, or "there are none".

Numbers, states, types and location names come from Webex, filter numbers and notes from the
admin: the card shows them with ``literal`` and the markdown escapes them, except, in a row,
what cannot be markdown: a number of digits, a state or type we know (see ``_cell``)."""
from __future__ import annotations

import re

from webexpythonsdk.models import cards as ac
from webexpythonsdk.models.cards import options as opt

from bot import buttons
from bot.models import AvailableNumber, AvailableNumbersPage, Location, NumberFilters, Reply, Severity

from .base import COLOUR, card, columns, literal, submit, subtle, text, title
from .limits import CARD_BUDGET_BYTES
from .text import card_bytes, clip, escape

MAIN_NUMBER = "Main number (location CLID)"
STATE_SEVERITY = {"ACTIVE": Severity.GOOD, "INACTIVE": Severity.WARNING}
TELEPHONY_TYPES = {"PSTN_NUMBER": "PSTN", "MOBILE_NUMBER": "Mobile"}
DIGITS = re.compile(r"\+?[0-9]+")  # a phone number as Webex lists it (E.164)
FILTERS_SHOWN = 5  # phone-number filter values named in the summary
NOTE_CHARS = 500  # one note about the request (it may quote what the admin typed)


def telephony_type(value: str) -> str:
    """``PSTN_NUMBER`` -> ``PSTN``; an unknown type is shown as Webex spells it, less ``_NUMBER``."""
    if value in TELEPHONY_TYPES:
        return TELEPHONY_TYPES[value]
    return value.removesuffix("_NUMBER").replace("_", " ") or value


def _flags(number: AvailableNumber) -> list[str]:
    flags = []
    if number.is_main_number:
        flags.append(MAIN_NUMBER)
    if number.toll_free:
        flags.append("Toll-free")
    if number.is_service_number:
        flags.append("Service number")
    flags.append(telephony_type(number.telephony_type))
    return flags


def describe_filters(filters: NumberFilters) -> str:
    """The filters in words, e.g. "only active, only toll-free; numbers +1214..., +1214..."."""
    parts = []
    if filters.only_active:
        parts.append("only active")
    if filters.only_toll_free:
        parts.append("only toll-free")
    if filters.only_service:
        parts.append("only service numbers")
    text_ = ", ".join(parts)
    if filters.phone_numbers:
        named = ", ".join(clip(n, 30) for n in filters.phone_numbers[:FILTERS_SHOWN])
        more = len(filters.phone_numbers) - FILTERS_SHOWN
        if more > 0:
            named += f" and {more} more"
        text_ += ("; " if text_ else "") + f"numbers {named}"
    return text_


def _summary(page: AvailableNumbersPage) -> str:
    count = len(page.numbers)
    if not page.filters.any_toggle:
        first = page.start + 1
    elif len(page.back) < buttons.MAX_BACK:
        # With a toggle on, offsets are API rows, not shown rows; every earlier page was full.
        first = len(page.back) * page.page_size + 1
    else:
        first = None
    if not count:
        span = "No match among the numbers read so far" if page.has_more else "No numbers on this page"
    elif first is not None:
        span = f"Numbers {first}–{first + count - 1}"
    else:
        span = f"{count} numbers"
    span += " · more available" if page.has_more else " · last page"
    filters = describe_filters(page.filters)
    if filters:
        span += f" · filters: {filters}"
    return span


def _state(number: AvailableNumber) -> tuple[str, Severity]:
    state = number.state.upper()
    return number.state, STATE_SEVERITY.get(state, Severity.WARNING)


def _cell(value: str, plain: bool, **style):
    """A row's number or state: a TextBlock when ``plain`` (digits, or a state we know: nothing
    a renderer could read as markdown), else :func:`literal`. A page has up to 25 rows and its
    buttons may carry 100 filter numbers each: the ~25 bytes more a RichTextBlock costs, three
    times a row, would not fit the card budget. The flags line is plain when the type is known."""
    return text(value, **style) if plain else literal(value, **style)


def _toggle(label: str, input_id: str, on: bool) -> ac.Toggle:
    return ac.Toggle(label, id=input_id, value="true" if on else "false", spacing=opt.Spacing.NONE)


def _notes(notes: tuple[str, ...]) -> list:
    return [literal(clip(note, NOTE_CHARS), color=COLOUR[Severity.WARNING]) for note in notes]


def _notes_markdown(notes: tuple[str, ...]) -> str:
    return "".join(f"\n\n{escape(clip(note, NOTE_CHARS))}" for note in notes)


def numbers_page_card(page: AvailableNumbersPage, notes: tuple[str, ...] = ()) -> dict:
    """``notes``: what the admin should know about their request, e.g. words that were not numbers."""
    loc = page.location
    body: list = [
        title(f"Alternate numbers · {clip(loc.name, 80)}", verbatim=True),
        subtle(_summary(page), verbatim=True),
    ]
    body += _notes(notes)
    for number in page.numbers:
        state, severity = _state(number)
        body.append(
            columns(
                [_cell(number.phone_number, bool(DIGITS.fullmatch(number.phone_number)), weight=opt.FontWeight.BOLDER),
                 subtle(" · ".join(_flags(number)), verbatim=number.telephony_type not in TELEPHONY_TYPES)],
                [_cell(state, state in STATE_SEVERITY, color=COLOUR[severity], weight=opt.FontWeight.BOLDER)],
                separator=True,
            )
        )
    if not page.numbers and page.has_more:
        # The bot reads a bounded number of rows per page when it filters (bot.flows.alternate).
        body.append(text("None of the numbers read for this page match the filters. Press Next to read on."))
    elif not page.numbers:
        body.append(text("No numbers on this page."))
    filters = page.filters
    body += [
        text("Filters", weight=opt.FontWeight.BOLDER, spacing=opt.Spacing.LARGE),
        _toggle("Only active numbers", buttons.INPUT_ONLY_ACTIVE, filters.only_active),
        _toggle("Only toll-free numbers", buttons.INPUT_ONLY_TOLL_FREE, filters.only_toll_free),
        _toggle("Only service numbers", buttons.INPUT_ONLY_SERVICE, filters.only_service),
        ac.ActionSet(actions=[submit("Apply filters", buttons.alternate_data(loc.id, 0, filters))]),
    ]
    actions = []
    if page.has_previous:
        actions.append(submit("Previous", buttons.alternate_data(loc.id, page.previous_start, filters, page.back[:-1])))
    if page.has_more:
        actions.append(submit("Next", buttons.alternate_data(loc.id, page.next_start, filters, page.back + (page.start,))))
    if page.numbers:
        actions.append(submit("Validate these", buttons.validate_data([n.phone_number for n in page.numbers])))
    actions.append(submit("Other location", buttons.action_data(buttons.ALTERNATE_PICKER)))
    return card(body, actions)


def numbers_page_markdown(page: AvailableNumbersPage, notes: tuple[str, ...] = ()) -> str:
    lines = [f"**Alternate numbers · {escape(clip(page.location.name, 80))}**", escape(_summary(page))]
    lines += [escape(clip(note, NOTE_CHARS)) for note in notes]
    for number in page.numbers:
        state, _ = _state(number)
        flags = escape(" · ".join(_flags(number)))
        lines.append(f"- {escape(number.phone_number)} · **{escape(state)}** · {flags}")
    return "\n".join(lines)


def _empty_text(location: Location, filters: NumberFilters) -> tuple[str, str]:
    """Plain text: escape it for markdown."""
    heading = f"No alternate available numbers at {clip(location.name, 80)}"
    described = describe_filters(filters)
    if described:
        return heading, f"None match these filters: {described}."
    return heading, "Webex lists no unassigned number at this location that an auto attendant could use."


def _has_filters(filters: NumberFilters) -> bool:
    return filters.any_toggle or bool(filters.phone_numbers)


def empty_numbers_card(location: Location, filters: NumberFilters, notes: tuple[str, ...] = ()) -> dict:
    heading, explanation = _empty_text(location, filters)
    actions = []
    if _has_filters(filters):
        actions.append(submit("Clear filters", buttons.alternate_data(location.id, 0, NumberFilters())))
    actions.append(submit("Other location", buttons.action_data(buttons.ALTERNATE_PICKER)))
    body = [title(heading, COLOUR[Severity.WARNING], verbatim=True), literal(explanation), *_notes(notes)]
    return card(body, actions)


def empty_numbers_markdown(location: Location, filters: NumberFilters, notes: tuple[str, ...] = ()) -> str:
    heading, explanation = _empty_text(location, filters)
    return f"**{escape(heading)}**\n\n{escape(explanation)}" + _notes_markdown(notes)


def fit_page(page: AvailableNumbersPage, notes: tuple[str, ...] = ()) -> AvailableNumbersPage:
    """``page``, cut to as many rows as its card can show within the size budget. Rare: rows that
    carry every flag, and a long number filter repeated in each button. Next then starts at the
    first row cut, so paging loses none."""
    count = len(page.numbers)
    while count > 1 and card_bytes(numbers_page_card(page.first(count), notes)) > CARD_BUDGET_BYTES:
        count -= 1
    return page.first(count)


def numbers_page_reply(page: AvailableNumbersPage, notes: tuple[str, ...] = ()) -> Reply:
    """One page, fitted to the budget: the card and its fallback show the same rows."""
    fitted = fit_page(page, notes)
    return Reply(markdown=numbers_page_markdown(fitted, notes), card=numbers_page_card(fitted, notes))


def empty_numbers_reply(location: Location, filters: NumberFilters, notes: tuple[str, ...] = ()) -> Reply:
    return Reply(markdown=empty_numbers_markdown(location, filters, notes),
                 card=empty_numbers_card(location, filters, notes))
