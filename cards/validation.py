"""The validation result: a card with a headline, counts and one row per number, and markdown
messages that, together, list every number and every token that was not a number.

A card has a size budget, so it may show only part of a long result: then it shows the
problem rows first and says the full list follows; ``validation_markdown`` then returns
continuation messages that list everything. Call both with the same ``max_rows``.
"""
from __future__ import annotations

from dataclasses import dataclass

from webexpythonsdk.models.cards import options as opt

from bot import buttons
from bot.models import NumberCheck, NumberState, Reply, Severity, ValidationResult

from .base import COLOUR, card, columns, heading, literal, size_of, submit, subtle, text, title
from .limits import CARD_BUDGET_BYTES, MARKDOWN_BUDGET_BYTES, VALIDATE_AGAIN_MAX_NUMBERS
from .text import MarkdownPacker, card_bytes, clip, escape, md_bytes

ORIGINAL_CHARS = 80  # a number as typed, in the card (the markdown list shows it whole)
DETAIL_CHARS = 300  # one error detail, in the card
TOKEN_CHARS = 40  # one not-a-number token, in the card
TOKENS_CARD_BYTES = 1500  # room for the not-a-number list in the card
NOT_A_NUMBER = "Not a phone number"
ICON = {Severity.GOOD: "✅", Severity.WARNING: "⚠️", Severity.ATTENTION: "❌"}


def _counts(result: ValidationResult) -> str:
    parts = [f"{n} {state.value}" for state, n in result.counts().items()]
    if result.not_numbers:
        n = len(result.not_numbers)
        parts.append(f"{n} not a phone number" if n == 1 else f"{n} not phone numbers")
    return " · ".join(parts)


def _headline(result: ValidationResult) -> tuple[str, Severity]:
    if not result.checks:
        return "No phone numbers to validate", Severity.WARNING
    if result.ok:
        return "Number validation: OK", Severity.GOOD
    return "Number validation: ERRORS", Severity.ATTENTION


def _display_order(checks: tuple[NumberCheck, ...]) -> list[NumberCheck]:
    """Problems first (in input order), then the Available ones."""
    problems = [c for c in checks if c.state is not NumberState.AVAILABLE]
    return problems + [c for c in checks if c.state is NumberState.AVAILABLE]


# ---------------------------------------------------------------- card


def _row(check: NumberCheck) -> list:
    left = [literal(f"{clip(check.original, ORIGINAL_CHARS)} → {check.e164}")]
    # Right-aligned: the state and its flag line up at the card's edge, row after row.
    right_aligned = opt.HorizontalAlignment.RIGHT
    right = [text(check.state.value, color=COLOUR[check.severity], weight=opt.FontWeight.BOLDER,
                  horizontalAlignment=right_aligned)]
    if check.toll_free:
        right.append(subtle("Toll-free", horizontalAlignment=right_aligned))
    elements: list = [columns(left, right)]
    if check.detail:
        detail = "; ".join(clip(d, DETAIL_CHARS) for d in check.detail)
        elements.append(subtle(detail, verbatim=True, size=opt.FontSize.SMALL))
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
        value += f" … and {rest} more, listed below."
    return value, len(shown)


@dataclass
class _CardPlan:
    body: list
    actions: list
    complete: bool


def _plan(result: ValidationResult, max_rows: int) -> _CardPlan:
    checks = result.checks
    headline, severity = _headline(result)
    head = [title(headline, COLOUR[severity])]
    counts = _counts(result)
    if counts:
        head.append(text(counts, spacing=opt.Spacing.SMALL))
    if not checks:
        head.append(text("Nothing was sent to Webex: none of this looks like a phone number."))

    tail: list = []
    tokens_complete = True
    if result.not_numbers:
        value, shown = _tokens_text(result.not_numbers)
        tokens_complete = shown == len(result.not_numbers)
        tail += [heading(f"{NOT_A_NUMBER} (not sent to Webex)"), subtle(value, verbatim=True)]

    actions = []
    numbers = [c.e164 for c in checks]
    if numbers and len(numbers) <= VALIDATE_AGAIN_MAX_NUMBERS:
        actions.append(submit("Validate again", buttons.validate_data(numbers)))
    actions.append(submit("Help", buttons.action_data(buttons.HELP)))

    note_room = size_of(subtle(f"Showing {len(checks)} of {len(checks)} numbers (problems first); "
                               "the full list follows below.", color=opt.Colors.WARNING))
    used = card_bytes(card(head + tail, actions)) + note_room
    if used > CARD_BUDGET_BYTES and len(actions) > 1:
        actions = actions[1:]  # drop "Validate again" before dropping rows
        used = card_bytes(card(head + tail, actions)) + note_room

    def fit(order: list[NumberCheck], limit: int) -> tuple[list, int]:
        rows: list = []
        total = used
        count = 0
        for check in order[:limit]:
            elements = _row(check)
            cost = sum(size_of(e) for e in elements)
            if total + cost > CARD_BUDGET_BYTES:
                break
            rows += elements
            total += cost
            count += 1
        return rows, count

    rows, shown = fit(list(checks), len(checks))
    reordered = False
    if shown < len(checks) or len(checks) > max_rows:
        rows, shown = fit(_display_order(checks), max_rows)
        reordered = True

    body = head + rows
    if shown < len(checks):
        order = " (problems first)" if reordered else ""
        body.append(subtle(f"Showing {shown} of {len(checks)} numbers{order}; "
                           "the full list follows below.", color=opt.Colors.WARNING))
    body += tail
    return _CardPlan(body, actions, shown == len(checks) and tokens_complete)


def validation_card(result: ValidationResult, max_rows: int = 40) -> dict:
    plan = _plan(result, max_rows)
    return card(plan.body, plan.actions)


# ---------------------------------------------------------------- markdown


def _md_row(check: NumberCheck) -> str:
    line = f"- {ICON[check.severity]} {escape(check.original)} → {escape(check.e164)}: **{check.state.value}**"
    if check.toll_free:
        line += " · Toll-free"
    if check.detail:
        line += " — " + "; ".join(escape(d) for d in check.detail)
    return line


def _md_headline(result: ValidationResult) -> str:
    headline, _ = _headline(result)
    counts = _counts(result)
    return f"**{headline}**" + (f"\n{counts}" if counts else "")


def validation_markdown(result: ValidationResult, max_rows: int = 40) -> list[str]:
    """Element 0: the card's fallback (headline, counts, the rows that fit). If that or the
    card could not show everything, more messages follow that list every number, in the
    admin's order, and every token that is not a number."""
    checks = result.checks
    card_complete = _plan(result, max_rows).complete
    note = "\n\nShowing {shown} of {total} numbers; the full list follows in the next messages."

    first = _md_headline(result)
    if not checks:
        first += "\n\nNothing was sent to Webex: none of this looks like a phone number."
    order = list(checks) if len(checks) <= max_rows else _display_order(checks)
    reserve = md_bytes(note.format(shown=len(checks), total=len(checks)))
    shown = 0
    for check in order:
        line = "\n" + _md_row(check)
        if md_bytes(first + line) + reserve > MARKDOWN_BUDGET_BYTES:
            break
        first += line
        shown += 1
    tokens_done = not result.not_numbers
    if result.not_numbers and shown == len(checks):
        line = f"\n\n**{NOT_A_NUMBER}** (not sent to Webex): " + ", ".join(escape(t) for t in result.not_numbers)
        if md_bytes(first + line) <= MARKDOWN_BUDGET_BYTES:
            first += line
            tokens_done = True
    if shown == len(checks) and tokens_done and card_complete:
        return [first]
    if shown < len(checks):
        first += note.format(shown=shown, total=len(checks))
    elif not tokens_done:
        first += "\n\nWhat is not a phone number follows in the next messages."

    packer = MarkdownPacker(MARKDOWN_BUDGET_BYTES, lambda n: f"**Number validation, full list (part {n})**")
    if checks:
        packer.block(None)
        for check in checks:
            packer.add(_md_row(check))
    if result.not_numbers:
        packer.block(f"**{NOT_A_NUMBER}** (not sent to Webex):", sep=", ")
        for token in result.not_numbers:
            packer.add(escape(token))
    return [first] + packer.finish()


def validation_reply(result: ValidationResult) -> Reply:
    """The card, its fallback, and the messages that list what the card could not show."""
    messages = validation_markdown(result)
    return Reply(markdown=messages[0], card=validation_card(result), continuation=tuple(messages[1:]))
