"""Where in a table the numbers are, and what to tell the admin about the rest.

A csv, a tab-separated txt and each sheet of a workbook become the same thing once read: rows of
cell texts with their row numbers. Choosing the numbers column, reading it to the end and
explaining what was skipped is done once, here, so that the three answer alike; the types every
reader returns, and the refusal every reader raises, live here too, below all of them.
"""
from __future__ import annotations

import csv
import functools
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Optional

from bot.reading.parsing import parse_numbers

# Headers that name the numbers column, compared without case, spaces or punctuation
# ("phone_number", "PHONE NUMBER", "E.164" and "e164" are the same). When several columns
# qualify, the one with the most phone numbers wins, then the first in this list.
NUMBER_HEADERS = (
    "Phone Number", "Phone Numbers", "Telephone Number", "Directory Number", "E164", "E.164",
    "DID", "DIDs", "TN", "TNs", "DN", "Phone", "Number", "Numbers",
)

SAMPLE_ROWS = 100  # non-empty rows looked at to choose the numbers column
MAX_SAMPLE_CELLS = 5_000  # cells the majority rule parses (about 60 µs each)
MAX_COLUMNS = 256  # columns the majority rule considers; a named header is found in any column
SAMPLE_SPAN = 10_000  # rows, empty ones included, that the sample may span
HEADER_SEARCH_ROWS = 10  # a header may sit below a title ("Port request for ACME", blank, header)
SCAN_FACTOR = 5  # rows (with any value) read at most: SCAN_FACTOR × max_rows

_DIGIT = re.compile(r"\d")
# What Excel writes for a long number in a "General" cell, and saves into a CSV: "1.21456E+10".
_SCIENTIFIC = re.compile(r"[0-9](?:[.,][0-9]+)?E\+?[0-9]+", re.IGNORECASE)


@dataclass(frozen=True)
class InputRow:
    row: int  # 1-based row (line) number in the file, as a spreadsheet shows it
    text: str  # what the cell (or line) holds, as a string: "+12145557861", "(214) 555-7862"


@dataclass(frozen=True)
class FileRows:
    name: str  # the file name
    kind: str  # "csv", "txt" or "xlsx"
    rows: tuple[InputRow, ...]  # every data row of the numbers column (every non-empty line of a txt), in order
    column: Optional[str] = None  # the header of the column read (csv/xlsx), or None
    total_rows: int = 0  # data rows in the file
    notes: tuple[str, ...] = ()  # what the admin should know: 'Read the column "Phone Number"'


class UnreadableFile(ValueError):
    """The file cannot be read as numbers; ``str(error)`` is one clear sentence for the admin."""

@dataclass(frozen=True)
class _Choice:
    index: int  # 0-based column
    header_row: int  # row number of the header, 0 when there is none
    label: Optional[str]  # the header's text
    named: bool  # found by its header (else: the column with the most numbers)
    found: int  # cells with a phone number in the sample


class Table:
    """One table's numbers column: choose it from a sample, then read its rows as they come."""

    def __init__(self, name: str, kind: str, region: str, max_rows: int, rows_in_file: Callable[[int], Optional[int]],
                 letters: bool, sheet: Optional[str] = None):
        self.name, self.kind, self.region, self.max_rows = name, kind, region, max_rows
        self.rows_in_file = rows_in_file  # header row -> data rows in the file, when known cheaply
        self.letters = letters
        self.sheet = sheet
        self.columns = 0
        self.stopped_at: Optional[int] = None  # a sheet's row where a long run of empty rows ended the reading
        self.empty_run = 0  # the empty rows in a row that ended it (a sheet's reader sets both)

    def read(self, rows: Iterator[tuple[int, list[str]]]) -> FileRows:
        sample, rows = self.sample(rows)
        one_row = self.one_row(sample)
        if one_row is not None:
            return one_row
        choice = self.choose(sample)
        if choice is None:
            raise self.no_numbers(sample)
        return self.collect(choice, itertools.chain(sample, rows))

    def sample(self, rows: Iterator[tuple[int, list[str]]]) -> tuple[list[tuple[int, list[str]]],
                                                                    Iterator[tuple[int, list[str]]]]:
        """The rows up to the ``SAMPLE_ROWS``-th with a value (empty rows included, at most
        ``SAMPLE_SPAN``), and the rows after them, not yet read."""
        rows = self._checked(rows)
        sample: list[tuple[int, list[str]]] = []
        filled = 0
        for number, cells in rows:
            sample.append((number, cells))
            if any(cells):
                filled += 1
                self.columns = max(self.columns, len(cells))
            if filled >= SAMPLE_ROWS or len(sample) >= SAMPLE_SPAN:
                break
        return sample, rows

    def one_row(self, sample: list[tuple[int, list[str]]]) -> Optional[FileRows]:
        """A file of one row of numbers ("+12145557861,+12145557862,…"): read as one line, as a
        .txt would be, rather than as its first column only."""
        filled = [(number, cells) for number, cells in sample if any(cells)]
        if len(filled) != 1 or len(filled[0][1]) < 2 or named_columns(filled[0][1]):
            return None
        number, cells = filled[0]
        if sum(1 for cell in cells[:MAX_COLUMNS] if has_number(cell, self.region)) < 2:
            return None
        if sum(1 for cell in cells if cell) > self.max_rows:
            raise too_many(self.name, self.max_rows, None)
        where = f' of sheet "{self.sheet}"' if self.sheet else ""
        return FileRows(name=self.name, kind=self.kind, rows=(InputRow(number, ", ".join(c for c in cells if c)),),
                        total_rows=1, notes=(f"The numbers are in one row: I read row {number}{where} as one list.",))

    def _checked(self, rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
        try:
            yield from rows
        except csv.Error:  # a cell over csv.field_size_limit(), usually a quotation mark never closed
            raise UnreadableFile(f"{self.name} is not a CSV file I can read: a cell is too long, or a quotation mark "
                                 "is never closed. Save it again as CSV and attach it again.") from None

    def choose(self, sample: list[tuple[int, list[str]]]) -> Optional[_Choice]:
        """The column named like a numbers column (in the first rows), else the one with the
        most phone numbers; None when no cell of the sample holds a phone number."""
        sample = [(number, cells) for number, cells in sample if any(cells)]
        for number, cells in sample[:HEADER_SEARCH_ROWS]:
            named = named_columns(cells)
            if not named:
                continue
            below = [row for n, row in sample if n > number]
            counts = {i: self._count(below, i) for i in named}
            best = min(named, key=lambda i: (-counts[i], named[i], i))
            if not counts[best]:  # "Number" may be a row counter next to the numbers
                most = self._most_numbers(below)
                if most is not None:
                    return _Choice(most[0], number, _cell(cells, most[0]) or None, False, most[1])
            return _Choice(best, number, cells[best], True, counts[best])
        most = self._most_numbers([cells for _, cells in sample])
        if most is None:
            return None
        index, found = most
        first, cells = sample[0]
        if not has_number(_cell(cells, index), self.region):  # a first row whose chosen cell holds no number
            return _Choice(index, first, _cell(cells, index) or None, False, found)
        return _Choice(index, 0, None, False, found)

    def _count(self, rows: list[list[str]], index: int) -> int:
        return sum(1 for cells in rows if has_number(_cell(cells, index), self.region))

    def _most_numbers(self, rows: list[list[str]]) -> Optional[tuple[int, int]]:
        """(column, cells with a number) of the column with the most; the first of equals. Of a
        wide table, fewer rows are looked at, and only the first ``MAX_COLUMNS`` columns."""
        width = min(MAX_COLUMNS, max((len(cells) for cells in rows), default=0))
        rows = rows[:max(10, MAX_SAMPLE_CELLS // max(width, 1))]
        counts = [self._count(rows, i) for i in range(width)]
        if not counts or max(counts) == 0:
            return None
        best = counts.index(max(counts))
        return best, counts[best]

    def collect(self, choice: _Choice, rows: Iterator[tuple[int, list[str]]]) -> FileRows:
        index, header = choice.index, choice.header_row
        found: list[InputRow] = []
        above = 0  # non-empty rows above the header
        empty_rows = empty_cells = repeated_headers = 0
        pending_empty = 0  # empty rows not yet known to be followed by data
        started = header > 0
        data_rows = 0
        scan_limit = SCAN_FACTOR * self.max_rows
        scientific = Scientific()
        for number, cells in rows:
            if number < header:
                above += any(cells)
                continue
            if number == header:
                continue
            if not any(cells):
                pending_empty += started
                continue
            started = True
            empty_rows += pending_empty
            data_rows += pending_empty + 1
            pending_empty = 0
            if data_rows > scan_limit:
                raise UnreadableFile(f"{self.name} has more than {scan_limit:,} rows: I read at most "
                                     f"{self.max_rows:,} numbers per file, so split it into smaller files.")
            cell = _cell(cells, index)
            if not cell:
                empty_cells += 1
            elif choice.label and cell == choice.label and not choice.label[:1].isdigit():
                repeated_headers += 1  # exports pasted one under the other
            else:
                found.append(InputRow(number, cell))
                scientific.check(number, cell)
                if len(found) > self.max_rows:
                    raise too_many(self.name, self.max_rows, self.rows_in_file(header))
        where = f' of sheet "{self.sheet}"' if self.sheet else ""
        if not found:
            if data_rows == 0 and header:
                raise UnreadableFile(f"I found no phone numbers in {self.name}: there are no rows below the header "
                                     f"row{where}.")
            raise UnreadableFile(f"I found no phone numbers in {self.name}: {self.describe(choice)}{where} is empty.")
        if not choice.found and not any(has_number(row.text, self.region) for row in found):
            raise UnreadableFile(f"I found no phone numbers in {self.name}: no cell of {self.describe(choice)}{where} "
                                 "holds one.")
        read_note = self.read_note(choice)
        notes = [read_note] if read_note else []
        if above:
            notes.append(f"{plural(above, 'row')} above the header row skipped.")
        if empty_rows:
            notes.append(f"{plural(empty_rows, 'empty row')} skipped.")
        if empty_cells:
            notes.append(f"{plural(empty_cells, 'row')} with an empty cell in {self.describe(choice)} skipped.")
        if repeated_headers:
            notes.append(f"{plural(repeated_headers, 'repeated header row')} skipped.")
        if self.stopped_at is not None:
            notes.append(f"Stopped reading{where} at row {self.stopped_at:,}: the {self.empty_run:,} rows before it "
                         "are empty; anything below them was not read.")
        notes += scientific.notes()
        return FileRows(name=self.name, kind=self.kind, rows=tuple(found), column=choice.label,
                        total_rows=data_rows, notes=tuple(notes))

    def position(self, index: int) -> str:
        return f"column {_column_letter(index)}" if self.letters else f"column {index + 1}"

    def describe(self, choice: _Choice) -> str:
        return f'the column "{choice.label}"' if choice.label else self.position(choice.index)

    def read_note(self, choice: _Choice) -> Optional[str]:
        where = f' of sheet "{self.sheet}"' if self.sheet else ""
        if choice.named:
            return f'Read the column "{choice.label}"{where}.'
        if choice.label:
            return (f'Read the column "{choice.label}" ({self.position(choice.index)}){where}, the one with the most '
                    "phone numbers.")
        if self.columns <= 1 and not where:
            return None  # one column, no header: nothing to explain
        return (f"Read {self.position(choice.index)}{where}, the one with the most phone numbers; there is no "
                "header row.")

    def no_numbers(self, sample: list[tuple[int, list[str]]]) -> UnreadableFile:
        sample = [(number, cells) for number, cells in sample if any(cells)]
        if not sample:
            return UnreadableFile(f"{self.name} is empty.")
        more = f" in its first {SAMPLE_ROWS} rows" if len(sample) >= SAMPLE_ROWS else ""
        return UnreadableFile(f"I found no phone numbers in {self.name}: no column holds one{more}. Put the numbers "
                              'in a column headed "Phone Number", such as +12145557861.')


def _cell(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def named_columns(cells: list[str]) -> dict[int, int]:
    """Column index -> rank in ``NUMBER_HEADERS`` of the cells that name a numbers column."""
    named = {}
    for index, cell in enumerate(cells):
        rank = _HEADER_RANK.get(_header_key(cell))
        if rank is not None:
            named[index] = rank
    return named


def _header_key(text: str) -> str:
    """"Phone Number (E.164)*" -> "phonenumber": no case, no punctuation, no explanation in brackets."""
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", "", text)
    return re.sub(r"[\W_]+", "", text).lower()


_HEADER_RANK: dict[str, int] = {_header_key(h): rank for rank, h in reversed(list(enumerate(NUMBER_HEADERS)))}


@functools.lru_cache(maxsize=4096)  # exports repeat the main number, the location, the type …
def has_number(cell: str, region: str) -> bool:
    """Whether the cell holds at least one phone number (or another country's national number)."""
    if not cell or not _DIGIT.search(cell):
        return False
    parsed = parse_numbers(cell, region)
    return bool(parsed.numbers or parsed.foreign)


class Scientific:
    """Cells like "1.21456E+10": Excel shows a long number so in a "General" cell, and saves it
    so into a CSV, without the digits it dropped."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.example = ""

    def check(self, row: int, text: str) -> None:
        if _SCIENTIFIC.fullmatch(text):
            self.rows.append(row)
            self.example = self.example or text

    def notes(self) -> tuple[str, ...]:
        if not self.rows:
            return ()
        shown = ", ".join(f"{n:,}" for n in self.rows[:5]) + (" …" if len(self.rows) > 5 else "")
        verb = "holds a number" if len(self.rows) == 1 else "hold numbers"
        return (f'{plural(len(self.rows), "row")} ({shown}) {verb}'
                f' in scientific notation, such as "{self.example}", which may have lost digits: format the column as '
                "Text or Number (0 decimals) in Excel, and save the file again from the original numbers.",)


def too_many(name: str, max_rows: int, rows_in_file: Optional[int]) -> UnreadableFile:
    if rows_in_file is not None and rows_in_file > max_rows:
        size = f"has {rows_in_file:,} rows"
    else:
        size = f"has more than {max_rows:,} numbers"
    return UnreadableFile(f"{name} {size}: I read at most {max_rows:,} numbers per file, so split it into files of "
                          f"{max_rows:,} rows or fewer.")


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _column_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def with_notes(rows: FileRows, notes: tuple[str, ...]) -> FileRows:
    if not notes:
        return rows
    return FileRows(rows.name, rows.kind, rows.rows, rows.column, rows.total_rows, rows.notes + notes)
