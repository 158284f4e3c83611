"""A validated file: the progress message while it runs, then a summary card (counts per state,
the first problem rows, what the file contained) and the result file with every row."""
from __future__ import annotations

import os

from webexpythonsdk.models.cards import options as opt

from bot.core import buttons
from bot.core.models import BulkResult, NumberState, Reply, ReplyFile, Severity

from .base import COLOUR, card, heading, literal, submit, subtle, text, title
from .results_file import CSV_TYPE, csv_bytes
from .text import clip, escape
from .validation import ICON, advice, plural, state_counts, webex_detail, written

FIRST_PROBLEMS = 10  # problem rows on the card; the file has them all


def progress_text(name: str, total: int, checked: int, *, done: bool = False) -> str:
    """"Validating 2,500 numbers from ports.csv… 1,200 done"."""
    if done:
        return f"Validated {total:,} numbers from {escape(name)}: the answer follows."
    return f"Validating {total:,} numbers from {escape(name)}…" + (f" {checked:,} done" if checked else "")


def result_name(name: str) -> str:
    stem = os.path.splitext(os.path.basename(name))[0] or "numbers"
    return f"{stem}-validated.csv"


def counts(result: BulkResult) -> str:
    parts = state_counts(result.checks)
    unread = sum(u.state == "not a phone number" for u in result.unchecked)
    unchecked = len(result.unchecked) - unread
    if unchecked:
        parts.append(f"{unchecked:,} not checked")
    if unread:
        parts.append(plural(unread, "not a phone number", "not phone numbers"))
    return " · ".join(parts)


def contents(result: BulkResult) -> str:
    """What the file contained, in words."""
    return f"{result.file_name}: {plural(result.total_rows, 'row', 'rows')} of numbers."  # the notes say which column


def _headline(result: BulkResult) -> tuple[str, Severity]:
    if result.ok:
        return f"{result.file_name}: every number is Available", Severity.GOOD
    if all(c.state is NumberState.AVAILABLE for c in result.checks):
        return f"{result.file_name}: {plural(len(result.unchecked), 'row', 'rows')} not checked", Severity.WARNING
    return f"{result.file_name}: ERRORS", Severity.ATTENTION


def bulk_card(result: BulkResult) -> dict:
    headline, severity = _headline(result)
    body: list = [title(headline, COLOUR[severity], verbatim=True), text(counts(result), spacing=opt.Spacing.SMALL),
                  subtle(contents(result), verbatim=True)]
    body += [literal(clip(note, 300), color=COLOUR[Severity.WARNING]) for note in result.notes]
    problems = [c for c in result.checks if c.state is not NumberState.AVAILABLE]
    if problems:
        body.append(heading(f"First problems (of {len(problems):,})" if len(problems) > FIRST_PROBLEMS else "Problems"))
        for check in problems[:FIRST_PROBLEMS]:
            line = f"Row {check.row}: {clip(written(check), 100)} · {check.state.value}"
            body.append(literal(line, color=COLOUR[check.severity], weight=opt.FontWeight.BOLDER))
            notes = advice(check) + ([f"Webex: {webex_detail(check)}"] if check.detail else [])
            if notes:
                body.append(subtle(clip(" ".join(notes), 400), verbatim=True))
    if result.unchecked:
        body.append(heading(f"Not checked ({len(result.unchecked):,})"))
        for row in result.unchecked[:5]:
            body.append(subtle(clip(f"Row {row.row}: {row.input} · {row.state}" + (f" ({row.detail})" if row.detail
                                                                                 else ""), 300), verbatim=True))
    body.append(subtle(f"Every row is in the attached file {result_name(result.file_name)}.", color=opt.Colors.GOOD))
    return card(body, [submit("Help", buttons.action_data(buttons.HELP))])


def bulk_markdown(result: BulkResult) -> str:
    headline, _ = _headline(result)
    out = f"**{escape(headline)}**\n{escape(counts(result))}\n\n{escape(contents(result))}"
    out += "".join(f"\n\n{escape(note)}" for note in result.notes)
    problems = [c for c in result.checks if c.state is not NumberState.AVAILABLE]
    for check in problems[:FIRST_PROBLEMS]:
        out += f"\n- {ICON[check.severity]} Row {check.row}: {escape(written(check))}: **{check.state.value}**"
    return out + f"\n\nEvery row is in the attached file {escape(result_name(result.file_name))}."


def bulk_rows(result: BulkResult) -> list[tuple[object, ...]]:
    """Every input row, in the file's order: its number's check, or why it was not checked."""
    rows: list[tuple[int, tuple[object, ...]]] = []
    for check in result.checks:
        notes = list(check.detail)
        if check.repeats:
            notes.append(f"same number as row {check.repeats}")
        if check.extension:
            notes.append(f"extension {check.extension} ignored")
        rows.append((check.row, (check.row, check.original, check.e164, check.state.value,
                                 str(check.toll_free).lower(), "; ".join(notes))))
    for row in result.unchecked:
        rows.append((row.row, (row.row, row.input, "", row.state, "", row.detail)))
    rows.sort(key=lambda pair: pair[0])
    return [row for _, row in rows]


def bulk_reply(result: BulkResult) -> Reply:
    file = ReplyFile(result_name(result.file_name), csv_bytes(bulk_rows(result)), CSV_TYPE,
                     f"Every row of {escape(result.file_name)}, validated: {escape(counts(result))}")
    return Reply(markdown=bulk_markdown(result), card=bulk_card(result), file=file)
