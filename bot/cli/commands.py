"""The bot's flows from a terminal, with the configured service app:

    python -m bot validate NUMBERS… | --file numbers.csv [--csv out.csv | --json]
    python -m bot alternate LOCATION [--csv out.csv]
    python -m bot add NUMBERS… --location L [--inactive] [--yes]
    python -m bot assign NUMBER --auto-attendant A --location L [--ring-pattern P] [--yes]

The same reading, validating, paging and changing code as in Webex; a readable table on stdout,
a progress bar on stderr for long runs, and an exit status that says whether every number is
Available (0), not (1), or the run could not be done (2: usage or settings, 3: Webex). ``add``
and ``assign`` follow the same rules as the cards (NUMBOT_ALLOW_CHANGES, validate first, read
back after a lost answer, an audit line): they say what they will change and ask on the terminal
unless ``--yes``; 0 is done, 1 is refused or not confirmed.
"""
from __future__ import annotations

import getpass
import json
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional, TextIO

from bot.conversation.changes import Actor, Changes, Refused
from bot.conversation.flows import FlowContext
from bot.conversation.flows.alternate import Ambiguous, NotCalling, read_all, resolve_location
from bot.conversation.flows.bulk import check_rows
from bot.conversation.flows.validate import check_numbers
from bot.core.config import Settings
from bot.core.models import RING_PATTERNS, BulkResult, Location, UncheckedRow, ValidationResult
from bot.reading.parsing import parse_numbers
from bot.reading.spreadsheet import UnreadableFile, read_numbers_file
from bot.webex.errors import WebexError
from cards.bulk import bulk_rows
from cards.numbers import EXPORT_COLUMNS, export_rows
from cards.results_file import COLUMNS, csv_bytes
from cards.validation import plural

ALL_AVAILABLE, NOT_ALL_AVAILABLE, USAGE, WEBEX = 0, 1, 2, 3
BAR_FROM = 200  # numbers from which a run shows a progress bar


class TerminalProgress:
    """A progress bar on stderr, in the shape of ``bot.conversation.progress.Progress``."""

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
        lines = ["  ".join(c[:40].ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
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
        out.write(json.dumps([dict(zip(COLUMNS, row, strict=True)) for row in table], indent=1) + "\n")
    else:
        out.write(Table(COLUMNS, table).render() + "\n")
        states = [row[3] for row in table]
        out.write("\n" + " · ".join(f"{states.count(s)} {s}" for s in dict.fromkeys(states)) + "\n")
    return ALL_AVAILABLE if ok and table else NOT_ALL_AVAILABLE


def alternate(ctx: FlowContext, location: str, csv_out: Optional[Path], out: TextIO = sys.stdout) -> int:
    resolved = _location(ctx, location)
    if resolved is None:
        return USAGE
    numbers, cut = read_all(resolved, (), ctx)
    rows = export_rows(numbers)
    if csv_out is not None:
        csv_out.write_bytes(csv_bytes(rows, EXPORT_COLUMNS))
    out.write(Table(EXPORT_COLUMNS, rows).render() + f"\n\n{len(rows):,} alternate available numbers at "
              f"{resolved.name}" + (" (the first ones only)" if cut else "") + "\n")
    return ALL_AVAILABLE


def _location(ctx: FlowContext, query: str) -> Location | None:
    """The one calling location ``query`` names; None once stderr says why not."""
    resolved = resolve_location(query, ctx)
    if isinstance(resolved, Ambiguous):
        print(f"numbot: {resolved.message} " + ", ".join(loc.name for loc in resolved.locations[:20]),
              file=sys.stderr)
        return None
    if isinstance(resolved, NotCalling):
        print(f"numbot: {resolved.location.name} is not a Webex Calling location.", file=sys.stderr)
        return None
    return resolved


def confirmed(question: str, yes: bool, out: TextIO, ask: Callable[[str], str] = input) -> bool:
    """The terminal's confirmation: ``--yes``, or y/yes typed; anything else (EOF included) is no."""
    if yes:
        return True
    out.flush()
    try:
        return ask(f"{question} [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False


def add(ctx: FlowContext, numbers: list[str], location_query: str, active: bool, yes: bool,
        out: TextIO = sys.stdout) -> int:
    from bot.conversation.flows.add import add as add_numbers
    from bot.conversation.flows.add import split_available

    parsed = parse_numbers(" ".join(numbers), ctx.settings.default_region)
    if not parsed.numbers:
        print("numbot: give the numbers to add, E.164 or national format", file=sys.stderr)
        return USAGE
    location = _location(ctx, location_query)
    if location is None:
        return USAGE
    offered, not_offered = split_available(check_numbers(parsed, ctx))
    for check in not_offered:
        out.write(f"not added: {check.e164} is {check.state.value}\n")
    if not offered:
        out.write("Nothing to add: no number validates as Available.\n")
        return NOT_ALL_AVAILABLE
    state = "active" if active else "inactive"
    question = f"Add {plural(len(offered), 'number', 'numbers')} to {location.name} ({state}): {', '.join(offered)}?"
    if not confirmed(question, yes, out):
        out.write("Nothing was changed.\n")
        return NOT_ALL_AVAILABLE
    added = add_numbers(location, list(offered), active, ctx)
    for number in added.added:
        out.write(f"added: {number} ({state})\n")
    for number in added.there_already:
        out.write(f"in {location.name} already: {number}\n")
    for error in added.refused:
        out.write(f"refused: {error.number}: {error.message}\n")
    if added.error is not None and not added.refused:
        out.write(f"refused: Webex answered {added.error.status_code or 'nothing'}: {added.error.message}\n")
    if added.error is not None and added.error.tracking_id:
        out.write(f"Tracking ID: {added.error.tracking_id}\n")
    if added.advice:
        out.write(added.advice + "\n")
    if added.audit:
        out.write(added.audit + "\n")
    return ALL_AVAILABLE if not added.refused and added.error is None else NOT_ALL_AVAILABLE


def assign(ctx: FlowContext, number_text: str, attendant_query: str, location_query: str, ring_pattern: str,
           yes: bool, out: TextIO = sys.stdout) -> int:
    from bot.conversation.flows.assign import assign as assign_number
    from bot.conversation.flows.assign import choose_attendant

    parsed = parse_numbers(number_text, ctx.settings.default_region)
    if len(parsed.numbers) != 1:
        print("numbot: give one number to assign, E.164 or national format", file=sys.stderr)
        return USAGE
    number = parsed.numbers[0].e164
    if ring_pattern not in RING_PATTERNS:
        print(f"numbot: --ring-pattern is one of {', '.join(RING_PATTERNS)}", file=sys.stderr)
        return USAGE
    location = _location(ctx, location_query)
    if location is None:
        return USAGE
    listed = ctx.client.auto_attendants(location.id)
    chosen, _ = choose_attendant(tuple(listed), attendant_query)
    if chosen is None:
        names = ", ".join(a.name for a in listed[:20]) or "none"
        print(f"numbot: no single auto attendant of {location.name} is called {attendant_query!r}; "
              f"its auto attendants: {names}", file=sys.stderr)
        return USAGE
    attendant = ctx.client.auto_attendant(location.id, chosen)
    name = attendant.name if attendant is not None else attendant_query
    have = ", ".join(a.phone_number for a in (attendant.alternate_numbers or ())) if attendant else ""
    out.write(f"{name} in {location.name} has the alternate numbers: {have or 'none'}\n")
    if not confirmed(f"Assign {number} to {name} (ring pattern {RING_PATTERNS[ring_pattern].lower()})?", yes, out):
        out.write("Nothing was changed.\n")
        return NOT_ALL_AVAILABLE
    result = assign_number(location, chosen, number, ring_pattern, ctx)
    now = ", ".join(a.phone_number for a in (result.attendant.alternate_numbers or ()))
    out.write((f"assigned: {number} to {result.attendant.name}" if result.changed
               else f"{number} is an alternate number of {result.attendant.name} already: nothing changed")
              + f"\nits alternate numbers now: {now or 'none'}\n")
    if result.audit:
        out.write(result.audit + "\n")
    return ALL_AVAILABLE


def terminal_changes(settings: Settings) -> Changes:
    """Who changes from a terminal: the operator, with the service app's own rights (no roles
    to read; NUMBOT_ALLOW_CHANGES still decides), named in the audit line by their login."""
    who = f"{getpass.getuser()}@{socket.gethostname()} (terminal)"
    return Changes(settings.allow_changes, settings.bot_token, None,
                   Actor(person_id="", email="", name=who, terminal=True), confirm_seconds=settings.confirm_seconds)


def run(command: str, settings: Settings, args) -> int:
    from bot.conversation import registry
    from bot.web.webhooks import client_for

    ctx = FlowContext(client_for(settings), settings, registry.help_entries())
    try:
        if command == "validate":
            if not args.numbers and args.file is None:
                print("numbot: give numbers, or --file numbers.csv", file=sys.stderr)
                return USAGE
            return validate(settings, ctx, args.numbers, args.file, args.csv, args.json)
        if command in ("add", "assign"):
            changes = terminal_changes(settings)
            changes.check_allowed()
            ctx = replace(ctx, changes=changes)
            if command == "add":
                return add(ctx, args.numbers, " ".join(args.location), not args.inactive, args.yes)
            return assign(ctx, args.number, " ".join(args.auto_attendant), " ".join(args.location),
                          args.ring_pattern.upper(), args.yes)
        return alternate(ctx, " ".join(args.location), args.csv)
    except Refused as refused:
        print(f"numbot: {refused}", file=sys.stderr)
        return NOT_ALL_AVAILABLE
    except WebexError as error:
        print(f"numbot: {error}", file=sys.stderr)
        return WEBEX
