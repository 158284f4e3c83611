"""Auto attendant alternate available numbers: one page of them, or "there are none".

Worded as Control Hub words them: "Active"/"Inactive", "Main number (Location CLID)", the
telephony type only when it is not the usual PSTN. Numbers, states, types and location names come
from Webex, filter numbers and notes from the admin: the card shows them with ``literal`` and the
markdown escapes them, except, in a row, what cannot be markdown: a number of digits, a state or
type we know (see ``_cell``). The number filter travels once, in the "Only these numbers" box
(an input, sent with every press), so the buttons stay small.
"""
from __future__ import annotations

import re

from webexpythonsdk.models import cards as ac
from webexpythonsdk.models.cards import options as opt

from bot.core import buttons
from bot.core.models import AvailableNumber, AvailableNumbersPage, Location, NumberFilters, Reply, ReplyFile, Severity

from .base import COLOUR, card, columns, literal, submit, subtle, text, title
from .results_file import CSV_TYPE, csv_bytes
from .text import clip, escape

MAIN_NUMBER = "Main number (Location CLID)"  # isMainNumber: "the phone number is used as a location CLID"
STATES = {"ACTIVE": ("Active", Severity.GOOD), "INACTIVE": ("Inactive", Severity.WARNING)}
TELEPHONY_TYPES = {"PSTN_NUMBER": None, "MOBILE_NUMBER": "Mobile"}  # PSTN is every number's: not said
DIGITS = re.compile(r"\+?[0-9]+")  # a phone number as Webex lists it (E.164)
FILTERS_SHOWN = 5  # phone-number filter values named in the summary
NOTE_CHARS = 500  # one note about the request (it may quote what the admin typed)


def telephony_type(value: str) -> str | None:
    """``MOBILE_NUMBER`` -> "Mobile"; PSTN -> None; an unknown type as Webex spells it, less ``_NUMBER``."""
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
    kind = telephony_type(number.telephony_type)
    if kind:
        flags.append(kind)
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


def summary(page: AvailableNumbersPage) -> str:
    """"Numbers 11–20 of 120 · page 2 of 12", and the filters."""
    last = page.first + len(page.numbers) - 1
    span = f"Numbers {page.first}–{last} of {page.total:,} · page {page.page} of {page.pages}"
    filters = describe_filters(page.filters)
    if filters:
        span += f" · filters: {filters}"
    return span


def state_label(number: AvailableNumber) -> tuple[str, Severity]:
    """"Active"/"Inactive" as Control Hub says it; an unknown state as Webex spells it."""
    return STATES.get(number.state.upper(), (number.state, Severity.WARNING))


def _cell(value: str, plain: bool, **style):
    """A row's number or state: a TextBlock when ``plain`` (digits, or a state we know: nothing
    a renderer could read as markdown), else :func:`literal`; it keeps a full page of 25 rows
    small. The flags line is plain when the type is known."""
    return text(value, **style) if plain else literal(value, **style)


def _toggle(label: str, input_id: str, on: bool) -> ac.Toggle:
    return ac.Toggle(label, id=input_id, value="true" if on else "false", spacing=opt.Spacing.NONE)


def _notes(notes: tuple[str, ...]) -> list:
    return [literal(clip(note, NOTE_CHARS), color=COLOUR[Severity.WARNING]) for note in notes]


def _notes_markdown(notes: tuple[str, ...]) -> str:
    return "".join(f"\n\n{escape(clip(note, NOTE_CHARS))}" for note in notes)


def _filters_part(location: Location, filters: NumberFilters) -> list:
    """The filters: three toggles and the "Only these numbers" box, applied by one button."""
    return [
        text("Filters", weight=opt.FontWeight.BOLDER, spacing=opt.Spacing.LARGE),
        _toggle("Only active numbers", buttons.INPUT_ONLY_ACTIVE, filters.only_active),
        _toggle("Only toll-free numbers", buttons.INPUT_ONLY_TOLL_FREE, filters.only_toll_free),
        _toggle("Only service numbers", buttons.INPUT_ONLY_SERVICE, filters.only_service),
        ac.Text(id=buttons.INPUT_FILTER_NUMBERS, label="Only these numbers",
                placeholder="+12145557861, +12145557862", value=", ".join(filters.phone_numbers) or None),
        ac.ActionSet(actions=[submit("Apply filters", buttons.alternate_data(location.id, 1, filters, apply=True))]),
    ]


def _paging(page: AvailableNumbersPage) -> list:
    loc, filters = page.location, page.filters
    moves = []
    if page.page > 1:
        moves += [submit("First", buttons.alternate_data(loc.id, 1, filters)),
                  submit("Previous", buttons.alternate_data(loc.id, page.page - 1, filters))]
    if page.page < page.pages:
        moves += [submit("Next", buttons.alternate_data(loc.id, page.page + 1, filters)),
                  submit("Last", buttons.alternate_data(loc.id, page.pages, filters))]
    return [ac.ActionSet(actions=moves)] if moves else []


def _assign_part(page: AvailableNumbersPage) -> list:
    """One of the page's numbers, and the button that opens the auto attendant confirmation."""
    if not page.numbers:
        return []
    return [
        text("Assign to an auto attendant", weight=opt.FontWeight.BOLDER, spacing=opt.Spacing.LARGE),
        ac.ChoiceSet(id=buttons.INPUT_NUMBER, label="Number", placeholder="Choose a number",
                     choices=[ac.Choice(clip(n.phone_number, 40), n.phone_number) for n in page.numbers],
                     value=page.numbers[0].phone_number, style=opt.ChoiceInputStyle.COMPACT),
        ac.ActionSet(actions=[submit("Assign to an auto attendant…", buttons.assign_data(page.location.id))]),
    ]


def numbers_page_card(page: AvailableNumbersPage, notes: tuple[str, ...] = (), offer_assign: bool = False) -> dict:
    """``notes``: what the admin should know about their request, e.g. words that were not numbers;
    ``offer_assign``: changes are on (``bot.conversation.changes``): a number can be assigned from the page."""
    loc = page.location
    body: list = [
        title(f"Alternate numbers · {clip(loc.name, 80)}", verbatim=True),
        subtle(summary(page), verbatim=True),
    ]
    body += _notes(notes)
    for number in page.numbers:
        state, severity = state_label(number)
        flags = " · ".join(_flags(number))
        left = [_cell(number.phone_number, bool(DIGITS.fullmatch(number.phone_number)), weight=opt.FontWeight.BOLDER)]
        if flags:
            left.append(subtle(flags, verbatim=telephony_type(number.telephony_type) not in (None, "Mobile")))
        body.append(columns(left, [_cell(state, number.state.upper() in STATES, color=COLOUR[severity],
                                         weight=opt.FontWeight.BOLDER)], separator=True))
    body += _paging(page)
    if offer_assign:
        body += _assign_part(page)
    body += _filters_part(loc, page.filters)
    return card(body, [submit("Export CSV", buttons.export_data(loc.id)),
                       submit("Other location", buttons.action_data(buttons.ALTERNATE_PICKER))])


def numbers_page_markdown(page: AvailableNumbersPage, notes: tuple[str, ...] = ()) -> str:
    lines = [f"**Alternate numbers · {escape(clip(page.location.name, 80))}**", escape(summary(page))]
    lines += [escape(clip(note, NOTE_CHARS)) for note in notes]
    for number in page.numbers:
        state, _ = state_label(number)
        flags = _flags(number)
        lines.append(f"- {escape(number.phone_number)} · **{escape(state)}**"
                     + (f" · {escape(' · '.join(flags))}" if flags else ""))
    if page.pages > 1:
        lines.append(f"Write `alternate numbers {escape(page.location.name)} page N` for another page.")
    return "\n".join(lines)


def numbers_page_reply(page: AvailableNumbersPage, notes: tuple[str, ...] = (), offer_assign: bool = False) -> Reply:
    return Reply(markdown=numbers_page_markdown(page, notes), card=numbers_page_card(page, notes, offer_assign))


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
        actions.append(submit("Clear filters", buttons.alternate_data(location.id, 1)))
    actions.append(submit("Other location", buttons.action_data(buttons.ALTERNATE_PICKER)))
    body = [title(heading, COLOUR[Severity.WARNING], verbatim=True), literal(explanation), *_notes(notes)]
    return card(body, actions)


def empty_numbers_markdown(location: Location, filters: NumberFilters, notes: tuple[str, ...] = ()) -> str:
    heading, explanation = _empty_text(location, filters)
    return f"**{escape(heading)}**\n\n{escape(explanation)}" + _notes_markdown(notes)


def empty_numbers_reply(location: Location, filters: NumberFilters, notes: tuple[str, ...] = ()) -> Reply:
    return Reply(markdown=empty_numbers_markdown(location, filters, notes),
                 card=empty_numbers_card(location, filters, notes))


EXPORT_COLUMNS = ("phone_number", "state", "main_number", "toll_free", "service_number", "telephony_type")


def export_rows(numbers: list[AvailableNumber]) -> list[tuple[object, ...]]:
    """One row per number, as Webex says it (the telephony type spelled as the API spells it)."""
    return [(n.phone_number, state_label(n)[0], str(n.is_main_number).lower(), str(n.toll_free).lower(),
             str(n.is_service_number).lower(), n.telephony_type) for n in numbers]


def numbers_export_reply(location: Location, filters: NumberFilters, numbers: list[AvailableNumber],
                         notes: tuple[str, ...] = ()) -> Reply:
    """Every alternate available number of the location that the filters keep, as a CSV file."""
    rows = export_rows(numbers)
    stem = re.sub(r"[^A-Za-z0-9]+", "-", location.name).strip("-").lower() or "location"
    described = describe_filters(filters)
    said = (f"All {len(numbers):,} alternate available numbers of {clip(location.name, 80)}"
            + (f" ({described})" if described else "") + ", in a file.")
    return Reply(markdown=escape(said) + _notes_markdown(notes),
                 file=ReplyFile(f"{stem}-alternate-numbers.csv", csv_bytes(rows, EXPORT_COLUMNS), CSV_TYPE,
                                escape(said)))
