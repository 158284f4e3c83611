"""Bulk: validate a spreadsheet of numbers attached to a message, and answer with a file.

The admin attaches a ``.csv``, ``.txt`` or ``.xlsx`` (the text may be empty or say
``validate``). The bot asks Webex for the file's name and size first (``HEAD``) and refuses one
over ``NUMBOT_MAX_FILE_BYTES`` before downloading it; while Webex scans a new file it answers 423
and the bot waits. ``bot.reading.spreadsheet`` finds the numbers; they are validated as one request over
the whole list would validate them (repeats across batches are Duplicate In List), in batches of
``NUMBOT_VALIDATE_BATCH`` with ``NUMBOT_BULK_CONCURRENCY`` at a time (the client shares 429 pauses
between them). A batch that still fails is reported for its rows only, with Webex's trackingId.
A message says how far it got, edited in place; the answer is a summary card and the result file.
"""
from __future__ import annotations

import contextvars
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Optional

import phonenumbers

from bot.conversation.flows import FlowContext
from bot.conversation.flows.validate import repeated
from bot.core import metrics
from bot.core.models import BulkResult, NumberCheck, ParsedNumber, Reply, UncheckedRow
from bot.reading.parsing import parse_numbers
from bot.reading.spreadsheet import FileRows, UnreadableFile, read_numbers_file
from bot.webex.answers import RawCheck
from bot.webex.errors import WebexBusy, WebexError
from cards import error_reply
from cards.bulk import bulk_reply, progress_text


@dataclass(frozen=True)
class BulkValidate:
    files: tuple[str, ...]  # the message's file URLs


def from_files(text: str, files: tuple[str, ...], region: str) -> BulkValidate:
    return BulkValidate(files=files)


def _numbers_of(cell: str, region: str) -> tuple[list[ParsedNumber], Optional[str]]:
    """The numbers in one cell; a cell of one plain number takes the fast way (10,000 rows)."""
    stripped = cell.strip()
    if stripped.startswith("+") or stripped.isdigit():
        try:
            number = phonenumbers.parse(stripped, region)
        except phonenumbers.NumberParseException:
            number = None
        if number is not None and phonenumbers.is_possible_number(number) and not number.extension:
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            return [ParsedNumber(stripped, e164)], None
    parsed = parse_numbers(cell, region)
    if parsed.numbers:
        return list(parsed.numbers), None
    if parsed.foreign:
        piece = parsed.foreign[0]
        return [], f"a national number of {piece.country}? write it as {piece.e164}"
    return [], ""


def answer(request: BulkValidate, ctx: FlowContext) -> Reply:
    settings = ctx.settings
    info = ctx.client.file_info(request.files[0])
    notes = [f"One file per request: I read {info.name}; send the others in messages of their own."] \
        if len(request.files) > 1 else []
    if info.size is not None and info.size > settings.max_file_bytes:
        return error_reply("That file is too large",
                           f"{info.name} has {info.size:,} bytes; I read files up to {settings.max_file_bytes:,} bytes "
                           "(NUMBOT_MAX_FILE_BYTES). Split it, or send only the numbers column.")
    try:
        data = ctx.client.download(info.url, settings.max_file_bytes)
    except WebexError as error:
        if error.status_code is None and "larger than" in error.info.message:
            return error_reply("That file is too large", f"{info.name}: {error.info.message} Split it.")
        raise
    try:
        rows = read_numbers_file(info.name, data, settings.default_region, max_rows=settings.max_bulk_numbers)
        return validate_rows(rows, ctx, tuple(notes))
    except UnreadableFile as error:
        return error_reply("I cannot read that file", str(error))


def validate_rows(rows: FileRows, ctx: FlowContext, notes: tuple[str, ...] = ()) -> Reply:
    result = check_rows(rows, ctx, notes)
    if ctx.progress is not None:
        ctx.progress.update(progress_text(rows.name, len(result.checks), len(result.checks), done=True), force=True)
        ctx.progress.finish()
    return bulk_reply(result)


def check_rows(rows: FileRows, ctx: FlowContext, notes: tuple[str, ...] = ()) -> BulkResult:
    """Every row: its numbers validated as one request over the whole file would, or why not."""
    region = ctx.settings.default_region
    found: list[tuple[int, ParsedNumber]] = []
    unchecked: list[UncheckedRow] = []
    for line in rows.rows:
        numbers, why = _numbers_of(line.text, region)
        if numbers:
            found += [(line.row, n) for n in numbers]
        elif why:
            unchecked.append(UncheckedRow(line.row, line.text, "not checked", why))
        else:
            unchecked.append(UncheckedRow(line.row, line.text, "not a phone number"))
    if len(found) > ctx.settings.max_bulk_numbers:  # a line of a .txt may hold several numbers
        raise UnreadableFile(f"{rows.name} has {len(found):,} numbers: I read at most "
                             f"{ctx.settings.max_bulk_numbers:,} per file, so split it into smaller files.")
    unique = list(dict.fromkeys(n.e164 for _, n in found))
    if ctx.progress is not None:
        ctx.progress.start(progress_text(rows.name, len(found), 0))
    answers, failures = _validate_all(unique, ctx, rows.name, len(found))
    first_rows: dict[str, int] = {}
    checks: list[NumberCheck] = []
    detailed = any(raw.detailed for raw in answers.values())
    for row, number in found:
        if number.e164 in failures:
            unchecked.append(UncheckedRow(row, number.original, "not checked", failures[number.e164]))
        elif number.e164 in first_rows:
            checks.append(repeated(number, row, first_rows[number.e164], detailed))
        else:
            first_rows[number.e164] = row
            raw = answers[number.e164]
            checks.append(NumberCheck(number.original, number.e164, raw.state, raw.toll_free, raw.detail, row=row,
                                      extension=number.extension, vanity=number.vanity))
    metrics.bulk_rows(len(checks), len(unchecked))
    return BulkResult(rows.name, rows.total_rows, tuple(checks), tuple(sorted(unchecked, key=lambda u: u.row)),
                      rows.column, tuple(rows.notes) + notes)


def _validate_all(unique: list[str], ctx: FlowContext, name: str,
                  total: int) -> tuple[dict[str, RawCheck], dict[str, str]]:
    """Batches at ``NUMBOT_BULK_CONCURRENCY`` at a time; each worker thread runs in a copy of the
    event's context (its call log and wait budget)."""
    size = ctx.settings.validate_batch
    batches = [unique[i:i + size] for i in range(0, len(unique), size)]
    answers: dict[str, RawCheck] = {}
    failures: dict[str, str] = {}
    done = 0

    def one(batch: list[str]) -> tuple[list[str], list[RawCheck] | WebexError]:
        try:
            return batch, ctx.client.validate_numbers(batch)
        except WebexBusy:
            raise
        except WebexError as error:  # this batch only: the rest of the file is still answered
            return batch, error

    with ThreadPoolExecutor(max_workers=ctx.settings.bulk_concurrency) as pool:
        futures = [pool.submit(contextvars.copy_context().run, one, batch) for batch in batches]
        for future in futures:
            batch, outcome = future.result()
            if isinstance(outcome, WebexError):
                tracking = f", trackingId {outcome.info.tracking_id}" if outcome.info.tracking_id else ""
                for number in batch:
                    failures[number] = f"Webex answered {outcome.status_code or 'nothing'}{tracking}"
            else:
                answers.update(zip(batch, outcome, strict=True))  # one answer per number sent, in order
            done += len(batch)
            if ctx.progress is not None:
                ctx.progress.update(progress_text(name, total, done * total // max(1, len(unique))))
    return answers, failures
