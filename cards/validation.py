"""The validation result: one card with the headline, the counts, the rows (problems first when
they do not all fit, each with what it means and what to do), and the pieces that were not
checked; the same in markdown. When the card cannot show every number, it summarises the
Available ones and the complete list goes along as a CSV file (``cards.results_file``).

The headline is OK only when every piece of the input was checked and is Available; otherwise it
says what was not checked. Card and fallback state the same counts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from webexpythonsdk.models.cards import options as opt

from bot.core import buttons
from bot.core.models import (
    ForeignNumber,
    NumberCheck,
    NumberState,
    NumberUse,
    Reply,
    ReplyFile,
    Severity,
    ValidationResult,
)

from .base import COLOUR, card, columns, heading, literal, size_of, submit, subtle, text, title
from .limits import CARD_BUDGET_BYTES, MARKDOWN_BUDGET_BYTES, VALIDATE_AGAIN_MAX_NUMBERS
from .results_file import CSV_TYPE, validation_csv
from .text import card_bytes, clip, escape, md_bytes

ORIGINAL_CHARS = 80  # a number as typed, in the card (the file has it whole)
DETAIL_CHARS = 300  # one error detail, in the card
TOKEN_CHARS = 40  # one not-a-number token, in the card
TOKENS_CARD_BYTES = 1500  # room for the not-a-number list in the card
MAX_ROWS = 40  # more numbers than this: problems first, a summary of the Available ones, and the file
AVAILABLE_NAMED = 5  # Available numbers named in the summary
NOT_A_NUMBER = "Not a phone number"
ANOTHER_COUNTRY = "Not checked: another country's national number"
FILE_NAME = "validation.csv"
ICON = {Severity.GOOD: "✅", Severity.WARNING: "⚠️", Severity.ATTENTION: "❌"}

# What each state means and what the admin can do, worded from the reference page ("Phone number
# is available", "Duplicate phone number", "Duplicate phone number in the list", "Phone number is
# invalid", "Phone number is unavailable and cannot be used").
ADVICE = {
    NumberState.DUPLICATE: "Already in your organisation, so it cannot be added again: free it there first, "
                           "or pick another number.",
    NumberState.INVALID: "Not a valid phone number for Webex Calling: check the digits and the country code.",
    NumberState.UNAVAILABLE: "Webex cannot use this number: your PSTN provider may not offer it to your "
                             "organisation, or it is reserved. Ask your PSTN provider, or pick another number.",
}
OWNER_TYPES = {
    "PEOPLE": "user", "PLACE": "workspace", "VIRTUAL_LINE": "virtual line", "AUTO_ATTENDANT": "auto attendant",
    "CALL_QUEUE": "call queue", "HUNT_GROUP": "hunt group", "PAGING_GROUP": "paging group",
    "GROUP_PAGING": "paging group", "VOICE_MESSAGING": "voicemail", "VOICEMAIL_GROUP": "voicemail group",
    "BROADWORKS_ANYWHERE": "single number reach", "OFFICE_ANYWHERE": "single number reach",
    "CONTACT_CENTER_LINK": "contact center", "ROUTE_LIST": "route list",
}


# ---------------------------------------------------------------- words shared by card and markdown


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def state_counts(checks: tuple[NumberCheck, ...]) -> list[str]:
    """"2 Available", "1 Duplicate" …: the states that occur, in the API's order."""
    per_state = {s: 0 for s in NumberState}
    for check in checks:
        per_state[check.state] += 1
    return [f"{n:,} {state.value}" for state, n in per_state.items() if n]


def counts(result: ValidationResult) -> str:
    """"2 Available · 1 Duplicate · 1 not checked (another country's number) · 1 not a phone number"."""
    parts = state_counts(result.checks)
    if result.foreign:
        parts.append(f"{len(result.foreign)} not checked (another country's number)")
    if result.not_numbers:
        parts.append(plural(len(result.not_numbers), "not a phone number", "not phone numbers"))
    return " · ".join(parts)


def headline(result: ValidationResult) -> tuple[str, Severity]:
    if not result.checks and not result.foreign:
        return "No phone numbers to validate", Severity.WARNING
    if result.ok:
        return "Number validation: OK", Severity.GOOD
    if result.all_checked_available:
        return f"Number validation: {plural(result.unchecked, 'piece', 'pieces')} not checked", Severity.WARNING
    return "Number validation: ERRORS", Severity.ATTENTION


def written(check: NumberCheck) -> str:
    """The number as the admin wrote it, and what was sent only when that differs: no "X → X"."""
    bare = re.sub(r"[\s\-.()]", "", check.original)
    return check.original if bare == check.e164 else f"{check.original} → {check.e164}"


def owner_words(use: NumberUse) -> str:
    kind = OWNER_TYPES.get(use.owner_type or "", (use.owner_type or "").lower().replace("_", " "))
    where = f" at {use.location}" if use.location else ""
    extension = f", extension {use.extension}" if use.extension else ""
    if use.owner_name:
        return f"Used by {use.owner_name}" + (f" ({kind})" if kind else "") + where + extension + "."
    return (f"In the numbers of {use.location}, " if use.location else "In the organisation, ") + "assigned to nobody."


def advice(check: NumberCheck) -> list[str]:
    """Plain-language lines under a row: what the state means, who uses the number, notes."""
    lines = []
    if check.state is NumberState.DUPLICATE_IN_LIST:
        lines.append(f"Same number as row {check.repeats} of your list: that row has its result."
                     if check.repeats else "The same number is in your list more than once.")
    elif check.state in ADVICE:
        lines.append(ADVICE[check.state])
    if check.use is not None:
        lines.append(owner_words(check.use))
    elif check.use_unknown:
        lines.append(f"I could not look up who uses it: {check.use_unknown}")
    if check.extension:
        lines.append(f"Extension {check.extension} ignored: Webex validates the number itself.")
    if check.vanity:
        lines.append(f"Letters converted: {check.original} is {check.e164}.")
    return lines


def webex_detail(check: NumberCheck) -> str:
    """Webex's own detail, without the number it repeats ("[Error 8363] DN is in use : +1…")."""
    said = []
    for detail in check.detail:
        said.append(re.sub(r"\s*:\s*\+?[\d\s\-().]+$", "", detail) or detail)
    return "; ".join(said)


def foreign_words(piece: ForeignNumber) -> str:
    return (f"looks like a national number from another country ({piece.country}): write it as "
            f"{_international(piece)}, or name the country: validate {piece.country} {piece.original}")


def _international(piece: ForeignNumber) -> str:
    import phonenumbers

    return phonenumbers.format_number(phonenumbers.parse(piece.e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def display_order(checks: tuple[NumberCheck, ...]) -> list[NumberCheck]:
    """Problems first (in input order), then the Available ones."""
    problems = [c for c in checks if c.state is not NumberState.AVAILABLE]
    return problems + [c for c in checks if c.state is NumberState.AVAILABLE]


def available_summary(available: list[NumberCheck]) -> str:
    named = ", ".join(c.e164 for c in available[:AVAILABLE_NAMED])
    more = len(available) - AVAILABLE_NAMED
    return (f"{plural(len(available), 'number is', 'numbers are')} Available: {named}"
            + (f" and {more} more" if more > 0 else "") + f". Every number is in the attached file {FILE_NAME}.")


# ---------------------------------------------------------------- card


def _row(check: NumberCheck) -> list:
    left = [literal(clip(written(check), ORIGINAL_CHARS + 20))]
    # Right-aligned: the state and its flag line up at the card's edge, row after row.
    right_aligned = opt.HorizontalAlignment.RIGHT
    right = [text(check.state.value, color=COLOUR[check.severity], weight=opt.FontWeight.BOLDER,
                  horizontalAlignment=right_aligned)]
    if check.toll_free:
        right.append(subtle("Toll-free", horizontalAlignment=right_aligned))
    elements: list = [columns(left, right)]
    for line in advice(check):
        elements.append(subtle(line, verbatim=True))
    detail = webex_detail(check)
    if detail:
        elements.append(subtle(f"Webex: {clip(detail, DETAIL_CHARS)}", verbatim=True, size=opt.FontSize.SMALL))
    return elements


def _tokens_text(tokens: tuple[str, ...]) -> tuple[str, int]:
    """As many tokens as fit the card's room for them, and how many that is."""
    shown: list[str] = []
    size = 0
    for token in tokens:
        piece = clip(token, TOKEN_CHARS)
        cost = card_bytes(piece)  # its bytes in the card's JSON; the quotes stand for ", "
        if shown and size + cost > TOKENS_CARD_BYTES:
            break
        shown.append(piece)
        size += cost
    value = ", ".join(shown)
    rest = len(tokens) - len(shown)
    if rest:
        value += f" … and {rest} more, in the attached file."
    return value, len(shown)


@dataclass
class _Plan:
    card: dict
    complete: bool  # every piece of the input is on the card


def _unchecked(result: ValidationResult) -> tuple[list, bool]:
    """The "not checked" sections, and whether they show every piece."""
    tail: list = []
    complete = True
    if result.foreign:
        tail.append(heading(ANOTHER_COUNTRY))
        for piece in result.foreign[:10]:
            tail.append(subtle(f"{clip(piece.original, TOKEN_CHARS)}: {foreign_words(piece)}", verbatim=True))
        complete = len(result.foreign) <= 10
        if not complete:
            tail.append(subtle(f"… and {len(result.foreign) - 10} more, in the attached file.", verbatim=True))
    if result.not_numbers:
        value, shown = _tokens_text(result.not_numbers)
        complete = complete and shown == len(result.not_numbers)
        tail += [heading(f"{NOT_A_NUMBER} (not sent to Webex)"), subtle(value, verbatim=True)]
    return tail, complete


# Available numbers an "Add to a location…" button carries (bot.conversation.flows.add.MAX_NUMBERS).
ADD_MAX_NUMBERS = 100


def _plan(result: ValidationResult, offer_add: bool = False) -> _Plan:
    checks = result.checks
    headline_, severity = headline(result)
    head = [title(headline_, COLOUR[severity])]
    summary = counts(result)
    if summary:
        head.append(text(summary, spacing=opt.Spacing.SMALL))
    if not checks and not result.foreign:
        head.append(text("Nothing was sent to Webex: none of this looks like a phone number."))
    tail, tail_complete = _unchecked(result)

    actions = []
    if result.unlooked:
        actions.append(submit(f"Who uses the other {len(result.unlooked)}?",
                              buttons.owners_data(result.unlooked[:buttons.MAX_OWNER_NUMBERS])))
    available_numbers = [c.e164 for c in checks if c.state is NumberState.AVAILABLE]
    if offer_add and available_numbers and len(available_numbers) <= ADD_MAX_NUMBERS:
        actions.insert(0, submit("Add to a location…", buttons.add_data(dict.fromkeys(available_numbers))))
    actions.append(submit("Help", buttons.action_data(buttons.HELP)))
    again = ([submit("Validate again", buttons.validate_data([c.e164 for c in checks]))]
             if checks and len(checks) <= VALIDATE_AGAIN_MAX_NUMBERS else [])

    rows = [element for check in checks for element in _row(check)]
    whole = head + rows + tail
    if len(checks) <= MAX_ROWS:
        built = card(whole, again + actions)
        if card_bytes(built) <= CARD_BUDGET_BYTES:
            return _Plan(built, tail_complete)
    # Too many to list: the problems first, as many as fit, and the Available ones summarised.
    available = [c for c in checks if c.state is NumberState.AVAILABLE]
    problems = [c for c in checks if c.state is not NumberState.AVAILABLE]
    ending = []
    if available:
        ending.append(text(available_summary(available), color=opt.Colors.GOOD))
    note_room = size_of(subtle(f"Showing {len(problems)} of {len(problems)} problem rows; every number is in "
                               f"the attached file {FILE_NAME}.", color=opt.Colors.WARNING))
    used = card_bytes(card(head + ending + tail, actions)) + note_room
    shown_rows: list = []
    shown = 0
    for check in problems:
        elements = _row(check)
        cost = sum(size_of(e) for e in elements)
        if used + cost > CARD_BUDGET_BYTES:
            break
        shown_rows += elements
        used += cost
        shown += 1
    body = head + shown_rows
    if shown < len(problems):
        body.append(subtle(f"Showing {shown} of {len(problems)} problem rows; every number is in the attached "
                           f"file {FILE_NAME}.", color=opt.Colors.WARNING))
    return _Plan(card(body + ending + tail, actions), False)


def validation_card(result: ValidationResult, offer_add: bool = False) -> dict:
    """``offer_add``: changes are on (``bot.conversation.changes``), so Available numbers get an
    "Add to a location…" button."""
    return _plan(result, offer_add).card


# ---------------------------------------------------------------- markdown


def _md_row(check: NumberCheck) -> str:
    line = f"- {ICON[check.severity]} {escape(written(check))}: **{check.state.value}**"
    if check.toll_free:
        line += " · Toll-free"
    notes = advice(check)
    detail = webex_detail(check)
    if detail:
        notes.append(f"Webex: {detail}")
    if notes:
        line += " — " + " ".join(escape(n) for n in notes)
    return line


def validation_markdown(result: ValidationResult, complete: Optional[bool] = None) -> str:
    """The card's fallback: headline, counts, the rows that fit (problems first when not all do),
    what was not checked, and, when the card is a summary, where the complete list is."""
    if complete is None:
        complete = _plan(result).complete
    headline_, _ = headline(result)
    summary = counts(result)
    out = f"**{headline_}**" + (f"\n{summary}" if summary else "")
    if not result.checks and not result.foreign:
        out += "\n\nNothing was sent to Webex: none of this looks like a phone number."
    ending = "" if complete else f"\n\nEvery number is in the attached file {FILE_NAME}."
    order = list(result.checks) if complete else display_order(result.checks)
    lines = [_md_row(c) for c in order]
    if result.foreign:
        lines.append(f"\n**{ANOTHER_COUNTRY}**")
        lines += [f"- {escape(p.original)}: {escape(foreign_words(p))}" for p in result.foreign]
    if result.not_numbers:
        lines.append(f"\n**{NOT_A_NUMBER}** (not sent to Webex): " + ", ".join(escape(t) for t in result.not_numbers))
    shown = 0
    for line in lines:
        if md_bytes(out + "\n" + line + ending) + 80 > MARKDOWN_BUDGET_BYTES:
            break
        out += "\n" + line
        shown += 1
    if shown < len(lines):
        out += f"\n\nShowing {shown} of {len(lines)} lines."
        if complete:
            ending = f"\n\nEvery number is in the attached file {FILE_NAME}."
    return out + ending


def validation_reply(result: ValidationResult, offer_add: bool = False) -> Reply:
    """The card and its fallback; with the complete list as a CSV file when the card (or the
    fallback) cannot show every piece of the input."""
    plan = _plan(result, offer_add)  # once: building the card is most of the reply's CPU
    markdown = validation_markdown(result, plan.complete)
    needs_file = not plan.complete or markdown.endswith(f"attached file {FILE_NAME}.")
    file = None
    if needs_file:
        file = ReplyFile(FILE_NAME, validation_csv(result), CSV_TYPE,
                         f"Every number of that validation, one row each: {escape(counts(result))}")
    return Reply(markdown=markdown, card=plan.card, file=file)
