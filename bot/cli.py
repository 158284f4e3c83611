"""The bot's flows from a terminal, with the configured service app:

    python -m bot validate NUMBERS… | --file numbers.csv [--csv out.csv | --json]
    python -m bot alternate LOCATION [--csv out.csv]

The same reading, validating and paging code as in Webex; a readable table on stdout, a
progress bar on stderr for long runs, and an exit status that says whether every number is
Available (0), not (1), or the run could not be done (2: usage or settings, 3: Webex).
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, TextIO

from bot.config import Settings
from bot.flows import FlowContext
from bot.flows.alternate import Ambiguous, NotCalling, read_all, resolve_location
from bot.flows.bulk import check_rows
from bot.flows.validate import check_numbers
from bot.models import BulkResult, UncheckedRow, ValidationResult
from bot.parsing import parse_numbers
from bot.spreadsheet import UnreadableFile, read_numbers_file
from bot.webex import WebexError
from cards.bulk import bulk_rows
from cards.numbers import EXPORT_COLUMNS, export_rows
from cards.results_file import COLUMNS, csv_bytes

ALL_AVAILABLE, NOT_ALL_AVAILABLE, USAGE, WEBEX = 0, 1, 2, 3
BAR_FROM = 200  # numbers from which a run shows a progress bar


class TerminalProgress:
    """A progress bar on stderr, in the shape of ``bot.progress.Progress``."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.total = 0

    def start(self, markdown: str) -> None:
        self.stream.write(markdown.replace("\\", "") + "\n")

    def update(self, markdown: str, force: bool = False) -> None:
        self.stream.write("\r" + markdown.replace("\\", "")[:100].ljust(100))
        self.stream.flush()

    def finish(self) -> None:
        self.stream.write("\n")


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: list[tuple[object, ...]]

    def render(self) -> str:
        cells = [[str(c) for c in self.columns]] + [[str(c) for c in row] for row in self.rows]
        widths = [min(40, max(len(r[i]) for r in cells)) for i in range(len(self.columns))]
        lines = ["  ".join(c[:40].ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)


def _validation_rows(result: ValidationResult) -> list[tuple[object, ...]]:
    bulk = BulkResult("", 0, result.checks, tuple(
        UncheckedRow(len(result.checks) + i + 1, text, "not a phone number")
        for i, text in enumerate(result.not_numbers)) + tuple(
        UncheckedRow(len(result.checks) + len(result.not_numbers) + i + 1, f.original, "not checked",
                     f"a national number of {f.country}? write it as {f.e164}")
        for i, f in enumerate(result.foreign)))
    return bulk_rows(bulk)


def validate(settings: Settings, ctx: FlowContext, numbers: list[str], file: Optional[Path], csv_out: Optional[Path],
             as_json: bool, out: TextIO = sys.stdout) -> int:
    if file is not None:
        try:
            rows = read_numbers_file(file.name, file.read_bytes(), settings.default_region,
                                     max_rows=settings.max_bulk_numbers)
        except (OSError, UnreadableFile) as error:
            print(f"numbot: {error}", file=sys.stderr)
            return USAGE
        progress = TerminalProgress() if len(rows.rows) >= BAR_FROM else None
        result = check_rows(rows, FlowContext(ctx.client, ctx.settings, ctx.commands, progress))
        if progress is not None:
            progress.finish()
        table, ok = bulk_rows(result), result.ok
    else:
        parsed = parse_numbers(" ".join(numbers), settings.default_region)
        validated = check_numbers(parsed, ctx) if parsed.numbers else ValidationResult(
            checks=(), not_numbers=parsed.not_numbers, foreign=parsed.foreign)
        table, ok = _validation_rows(validated), validated.ok
    if csv_out is not None:
        csv_out.write_bytes(csv_bytes(table))
    if as_json:
        out.write(json.dumps([dict(zip(COLUMNS, row)) for row in table], indent=1) + "\n")
    else:
        out.write(Table(COLUMNS, table).render() + "\n")
        states = [row[3] for row in table]
        out.write("\n" + " · ".join(f"{states.count(s)} {s}" for s in dict.fromkeys(states)) + "\n")
    return ALL_AVAILABLE if ok and table else NOT_ALL_AVAILABLE


def alternate(ctx: FlowContext, location: str, csv_out: Optional[Path], out: TextIO = sys.stdout) -> int:
    resolved = resolve_location(location, ctx)
    if isinstance(resolved, Ambiguous):
        print(f"numbot: {resolved.message} " + ", ".join(loc.name for loc in resolved.locations[:20]),
              file=sys.stderr)
        return USAGE
    if isinstance(resolved, NotCalling):
        print(f"numbot: {resolved.location.name} is not a Webex Calling location.", file=sys.stderr)
        return USAGE
    numbers, cut = read_all(resolved, (), ctx)
    rows = export_rows(numbers)
    if csv_out is not None:
        csv_out.write_bytes(csv_bytes(rows, EXPORT_COLUMNS))
    out.write(Table(EXPORT_COLUMNS, rows).render() + f"\n\n{len(rows):,} alternate available numbers at "
              f"{resolved.name}" + (" (the first ones only)" if cut else "") + "\n")
    return ALL_AVAILABLE


def run(command: str, settings: Settings, args) -> int:
    from bot import registry
    from bot.webhooks import client_for

    ctx = FlowContext(client_for(settings), settings, registry.help_entries())
    try:
        if command == "validate":
            if not args.numbers and args.file is None:
                print("numbot: give numbers, or --file numbers.csv", file=sys.stderr)
                return USAGE
            return validate(settings, ctx, args.numbers, args.file, args.csv, args.json)
        return alternate(ctx, " ".join(args.location), args.csv)
    except WebexError as error:
        print(f"numbot: {error}", file=sys.stderr)
        return WEBEX
