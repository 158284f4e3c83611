"""Read the phone numbers an admin attached to a message: a carrier's port list, a Control Hub
export, a list typed in a text editor.

Pure functions from a file's name and bytes to its rows; no Webex, no I/O. What comes out is
what the admin wrote, cell by cell, with its row number as a spreadsheet shows it; which of it
is a phone number is decided later, by the same parsing as a typed message.

- ``.csv``: the delimiter is sniffed (comma, semicolon, tab, pipe). The numbers column is found
  by its header (``NUMBER_HEADERS``), or else it is the column holding the most phone numbers.
- ``.txt``: every non-empty line is one row, as written. Only a tab-separated table whose first
  line names a numbers column (what Excel saves as "Unicode Text" or "Text (Tab delimited)")
  is read as a table.
- ``.xlsx``: openpyxl in read-only, data-only mode: formulas are never evaluated, a formula cell
  reads as the value Excel saved with it. The first sheet with a numbers column is read.

Text files may be UTF-8 (with or without a BOM), UTF-16 with a BOM (Excel's "Unicode Text"),
or Windows-1252 (Excel's "CSV" on Windows); a UTF-8 file with a few Windows-1252 lines is read
line by line. Nothing here evaluates a cell: ``=HYPERLINK(…)`` is kept as text, and the result
file neutralises it.
"""
from __future__ import annotations

import codecs
import csv
import functools
import io
import itertools
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Optional

from bot.reading.parsing import parse_numbers

KINDS = ("csv", "txt", "xlsx")

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
EMPTY_RUN = 10_000  # a sheet's consecutive empty rows after which the rest is formatting, not data

# Zip bombs: Python's zipfile never unpacks an entry past the size its central directory declares
# (it stops there and the CRC check fails), so checking the declared sizes is enough.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
MAX_RATIO = 100
LARGE_ENTRY_BYTES = 10 * 1024 * 1024  # the ratio rule applies to entries larger than this

_SAMPLE_CHARS = 64 * 1024  # text checked for control characters
_SNIFF_CHARS = 8 * 1024  # text sniffed for the delimiter (csv.Sniffer's time grows fast with it)
_DELIMITERS = ",;\t|"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f\x7f]")  # \t \n \f \r and DOS's \x1a are text
_DIGIT = re.compile(r"\d")
# What Excel writes for a long number in a "General" cell, and saves into a CSV: "1.21456E+10".
_SCIENTIFIC = re.compile(r"[0-9](?:[.,][0-9]+)?E\+?[0-9]+", re.IGNORECASE)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and every password-protected Office file


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


def read_numbers_file(name: str, data: bytes, region: str, max_rows: int = 10_000) -> FileRows:
    """The numbers column of an attached file, or ``UnreadableFile`` saying why not."""
    kind = file_kind(name)
    if kind == "xlsx":
        return _read_xlsx(name, data, region, max_rows)
    if not data.strip():
        raise UnreadableFile(f"{name} is empty.")
    text, notes = decode_text(name, data)
    if not text.strip():
        raise UnreadableFile(f"{name} is empty.")
    lines_in_file = _line_count(text)
    if kind == "txt":
        first = next((line for line in io.StringIO(text[:_SAMPLE_CHARS], newline="") if line.strip()), "")
        if "\t" in first and _named_columns(_split_tabs(first)):
            table = _Table(name, "txt", region, max_rows, lambda header: lines_in_file - header, letters=False)
            rows = table.read(_numbered(csv.reader(io.StringIO(text, newline=""), delimiter="\t")))
            return _with_notes(rows, (*notes, "The file is tab-separated: I read it as a table."))
        return _with_notes(_read_lines(name, text, region, max_rows, lines_in_file), notes)
    delimiter = sniff_delimiter(text[:_SNIFF_CHARS])
    table = _Table(name, "csv", region, max_rows, lambda header: lines_in_file - header, letters=False)
    return _with_notes(table.read(_numbered(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))), notes)


def file_kind(name: str) -> str:
    """"csv", "txt" or "xlsx", from the name's extension (any case)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in KINDS:
        raise UnreadableFile(f"I can't read {name or 'that file'}: send the numbers as a .csv, .txt or .xlsx file.")
    return extension


# --- Text: encodings, delimiter, lines ---------------------------------------------------------

def decode_text(name: str, data: bytes) -> tuple[str, tuple[str, ...]]:
    """The text of a csv/txt file and, for a file of mixed encodings, a note saying which lines
    were read as Windows-1252. BOMs first, then strict UTF-8, then UTF-16 without a BOM if the
    bytes look like it, else Windows-1252 line by line."""
    not_text = UnreadableFile(f"{name} is not a text file: save the numbers as CSV or plain text and attach it again.")
    if data.startswith(b"PK\x03\x04") or data.startswith(_OLE2):
        raise UnreadableFile(f"{name} is not a text file but a workbook or another zip file: attach a workbook with "
                             "the .xlsx extension, or save it as CSV.")
    text: Optional[str] = None
    notes: tuple[str, ...] = ()
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            body = data[len(bom):]
            if encoding == "utf-8":
                text, notes = _utf8_or_cp1252(body)
            else:
                text = _strict(body, encoding)
                if text is None:
                    raise not_text
            break
    else:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            text = _strict(data, utf16)
            if text is None:
                raise not_text
        elif b"\x00" in data:
            raise not_text
        else:
            text, notes = _utf8_or_cp1252(data)
    sample = text[:_SAMPLE_CHARS]
    if "\x00" in sample or len(_CONTROL.findall(sample)) > max(1, len(sample) // 100):
        raise not_text
    return text, notes


def _strict(data: bytes, encoding: str) -> Optional[str]:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _utf16_without_bom(data: bytes) -> Optional[str]:
    """UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte."""
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even, odd = sample[0:pairs * 2:2].count(0), sample[1:pairs * 2:2].count(0)
    if odd >= pairs * 0.3 and even <= pairs * 0.05:
        return "utf-16-le"
    if even >= pairs * 0.3 and odd <= pairs * 0.05:
        return "utf-16-be"
    return None


def _cp1252(line: bytes) -> str:
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined: read them as Latin-1
        return line.decode("latin-1")


def _utf8_or_cp1252(data: bytes) -> tuple[str, tuple[str, ...]]:
    text = _strict(data, "utf-8")
    if text is not None:
        return text, ()
    lines = data.splitlines(keepends=True)
    decoded: list[str] = []
    utf8_lines = 0  # lines with non-ASCII bytes that are valid UTF-8
    other: list[int] = []
    for number, line in enumerate(lines, 1):
        piece = _strict(line, "utf-8")
        if piece is None:
            other.append(number)
            piece = _cp1252(line)
        elif not line.isascii():
            utf8_lines += 1
        decoded.append(piece)
    notes: tuple[str, ...] = ()
    if utf8_lines:  # a UTF-8 file with a few Windows-1252 lines; a Windows-1252 file needs no note
        shown = ", ".join(str(n) for n in other[:5]) + (f" and {len(other) - 5:,} more" if len(other) > 5 else "")
        notes = (f"{_plural(len(other), 'line')} ({shown}) {'is' if len(other) == 1 else 'are'} not UTF-8: "
                 f"I read {'it' if len(other) == 1 else 'them'} as Windows-1252.",)
    return "".join(decoded), notes


def sniff_delimiter(sample: str) -> str:
    """Comma, semicolon, tab or pipe, as ``csv.Sniffer`` finds it in whole lines; comma if unsure."""
    cut = max(sample.rfind("\n"), sample.rfind("\r"))
    if 0 < cut < len(sample) - 1:
        sample = sample[:cut]
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        return ","


def _line_count(text: str) -> int:
    """Lines in the text, the last one without its newline included; trailing blank lines not."""
    stripped = text.rstrip("\r\n \t")
    return stripped.count("\n") + (stripped.count("\r") - stripped.count("\r\n")) + 1


def _split_tabs(line: str) -> list[str]:
    return [cell.strip().strip('"').strip() for cell in line.rstrip("\r\n").split("\t")]


def _numbered(reader: Iterable[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """(row number, stripped cells); a malformed CSV becomes an UnreadableFile upstream."""
    for number, row in enumerate(reader, 1):
        yield number, [cell.strip() for cell in row]


def _read_lines(name: str, text: str, region: str, max_rows: int, lines_in_file: int) -> FileRows:
    rows: list[InputRow] = []
    scientific = _Scientific()
    for number, line in enumerate(io.StringIO(text, newline=""), 1):
        line = line.strip()
        if not line:
            continue
        rows.append(InputRow(number, line))
        scientific.check(number, line)
        if len(rows) > max_rows:
            raise _too_many(name, max_rows, lines_in_file)
    if not rows:
        raise UnreadableFile(f"{name} is empty.")
    if not any(_has_number(row.text, region) for row in rows):
        raise UnreadableFile(f"I found no phone numbers in {name}: no line holds one. Write one number per line, "
                             "such as +12145557861.")
    return FileRows(name=name, kind="txt", rows=tuple(rows), total_rows=len(rows), notes=scientific.notes())


# --- Tables: csv, tab-separated txt, and each sheet of a workbook ------------------------------

@dataclass(frozen=True)
class _Choice:
    index: int  # 0-based column
    header_row: int  # row number of the header, 0 when there is none
    label: Optional[str]  # the header's text
    named: bool  # found by its header (else: the column with the most numbers)
    found: int  # cells with a phone number in the sample


class _Table:
    """One table's numbers column: choose it from a sample, then read its rows as they come."""

    def __init__(self, name: str, kind: str, region: str, max_rows: int, rows_in_file: Callable[[int], Optional[int]],
                 letters: bool, sheet: Optional[str] = None):
        self.name, self.kind, self.region, self.max_rows = name, kind, region, max_rows
        self.rows_in_file = rows_in_file  # header row -> data rows in the file, when known cheaply
        self.letters = letters
        self.sheet = sheet
        self.columns = 0
        self.stopped_at: Optional[int] = None  # a sheet's row where a long run of empty rows ended the reading

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
        if len(filled) != 1 or len(filled[0][1]) < 2 or _named_columns(filled[0][1]):
            return None
        number, cells = filled[0]
        if sum(1 for cell in cells[:MAX_COLUMNS] if _has_number(cell, self.region)) < 2:
            return None
        if sum(1 for cell in cells if cell) > self.max_rows:
            raise _too_many(self.name, self.max_rows, None)
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
            named = _named_columns(cells)
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
        if not _has_number(_cell(cells, index), self.region):  # a first row whose chosen cell holds no number
            return _Choice(index, first, _cell(cells, index) or None, False, found)
        return _Choice(index, 0, None, False, found)

    def _count(self, rows: list[list[str]], index: int) -> int:
        return sum(1 for cells in rows if _has_number(_cell(cells, index), self.region))

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
        scientific = _Scientific()
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
                    raise _too_many(self.name, self.max_rows, self.rows_in_file(header))
        where = f' of sheet "{self.sheet}"' if self.sheet else ""
        if not found:
            if data_rows == 0 and header:
                raise UnreadableFile(f"I found no phone numbers in {self.name}: there are no rows below the header "
                                     f"row{where}.")
            raise UnreadableFile(f"I found no phone numbers in {self.name}: {self.describe(choice)}{where} is empty.")
        if not choice.found and not any(_has_number(row.text, self.region) for row in found):
            raise UnreadableFile(f"I found no phone numbers in {self.name}: no cell of {self.describe(choice)}{where} "
                                 "holds one.")
        read_note = self.read_note(choice)
        notes = [read_note] if read_note else []
        if above:
            notes.append(f"{_plural(above, 'row')} above the header row skipped.")
        if empty_rows:
            notes.append(f"{_plural(empty_rows, 'empty row')} skipped.")
        if empty_cells:
            notes.append(f"{_plural(empty_cells, 'row')} with an empty cell in {self.describe(choice)} skipped.")
        if repeated_headers:
            notes.append(f"{_plural(repeated_headers, 'repeated header row')} skipped.")
        if self.stopped_at is not None:
            notes.append(f"Stopped reading{where} at row {self.stopped_at:,}: the {EMPTY_RUN:,} rows before it are "
                         "empty; anything below them was not read.")
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


def _named_columns(cells: list[str]) -> dict[int, int]:
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
def _has_number(cell: str, region: str) -> bool:
    """Whether the cell holds at least one phone number (or another country's national number)."""
    if not cell or not _DIGIT.search(cell):
        return False
    parsed = parse_numbers(cell, region)
    return bool(parsed.numbers or parsed.foreign)


class _Scientific:
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
        return (f'{_plural(len(self.rows), "row")} ({shown}) {verb}'
                f' in scientific notation, such as "{self.example}", which may have lost digits: format the column as '
                "Text or Number (0 decimals) in Excel, and save the file again from the original numbers.",)


def _too_many(name: str, max_rows: int, rows_in_file: Optional[int]) -> UnreadableFile:
    if rows_in_file is not None and rows_in_file > max_rows:
        size = f"has {rows_in_file:,} rows"
    else:
        size = f"has more than {max_rows:,} numbers"
    return UnreadableFile(f"{name} {size}: I read at most {max_rows:,} numbers per file, so split it into files of "
                          f"{max_rows:,} rows or fewer.")


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _column_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _with_notes(rows: FileRows, notes: tuple[str, ...]) -> FileRows:
    if not notes:
        return rows
    return FileRows(rows.name, rows.kind, rows.rows, rows.column, rows.total_rows, rows.notes + notes)


# --- Workbooks ---------------------------------------------------------------------------------

def _read_xlsx(name: str, data: bytes, region: str, max_rows: int) -> FileRows:
    archive = _open_zip(name, data)
    with archive:
        _check_not_a_bomb(name, archive)
        if "xl/workbook.xml" not in archive.namelist():
            raise UnreadableFile(f"{name} is a zip file but not an Excel workbook: save it from Excel as \"Excel "
                                 "Workbook (.xlsx)\" or as CSV and attach it again.")
    damaged = UnreadableFile(f"I could not open {name} as an Excel workbook; it may be damaged: save it again from "
                             "Excel as .xlsx or as CSV and attach it again.")
    import openpyxl  # here, not at the top: 4 MB in every web process that never gets a workbook

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except UnreadableFile:
        raise
    except Exception:  # openpyxl raises anything from KeyError to XML errors on a broken workbook
        raise damaged from None
    try:
        sheets = sorted(workbook.worksheets, key=lambda ws: getattr(ws, "sheet_state", "visible") != "visible")
        several = len(workbook.worksheets) > 1
        empty = True
        for sheet in sheets:
            rows_in_sheet = sheet.max_row  # the sheet's own <dimension>, when it has one
            sheet.reset_dimensions()  # a wrong <dimension> must not cut the rows short
            table = _Table(name, "xlsx", region, max_rows, _rows_below(rows_in_sheet), letters=True,
                           sheet=sheet.title if several else None)
            sample, rows = table.sample(_sheet_rows(sheet, table))
            one_row = table.one_row(sample)
            if one_row is not None:
                return one_row
            empty = empty and not any(any(cells) for _, cells in sample)
            choice = table.choose(sample)
            if choice is not None and choice.found:
                return table.collect(choice, itertools.chain(sample, rows))
    except UnreadableFile:
        raise
    except Exception:
        raise damaged from None
    finally:
        workbook.close()
    if empty:
        raise UnreadableFile(f"{name} is empty.")
    if several:
        titles = ", ".join(f'"{sheet.title}"' for sheet in workbook.worksheets[:10])
        raise UnreadableFile(f"I found no phone numbers in {name}: no column of its sheets ({titles}) holds one. Put "
                             'the numbers in a column headed "Phone Number", such as +12145557861.')
    raise UnreadableFile(f"I found no phone numbers in {name}: no column holds one. Put the numbers in a column "
                         'headed "Phone Number", such as +12145557861.')


def _rows_below(rows_in_sheet: Optional[int]) -> Callable[[int], Optional[int]]:
    return lambda header: None if rows_in_sheet is None else rows_in_sheet - header


def _open_zip(name: str, data: bytes) -> zipfile.ZipFile:
    if data.startswith(_OLE2):
        raise UnreadableFile(f"{name} is an old Excel (.xls) or password-protected workbook, which I can't read: save "
                             'it as an unprotected "Excel Workbook (.xlsx)" or as CSV and attach it again.')
    if not data.strip():
        raise UnreadableFile(f"{name} is empty.")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise UnreadableFile(f"{name} is not an Excel workbook: save it from Excel as \"Excel Workbook (.xlsx)\" or as "
                             "CSV and attach it again.") from None


def _check_not_a_bomb(name: str, archive: zipfile.ZipFile) -> None:
    entries = archive.infolist()
    bomb = f"{name} looks like a zip bomb (a file made to fill the memory when unpacked): "
    if len(entries) > MAX_ZIP_ENTRIES:
        raise UnreadableFile(bomb + f"it holds more than {MAX_ZIP_ENTRIES:,} files, so I did not open it.")
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        raise UnreadableFile(bomb + f"the workbook would unpack to more than {MAX_UNPACKED_BYTES // 2**20} MB, "
                                    "so I did not open it.")
    for entry in entries:
        if entry.file_size > LARGE_ENTRY_BYTES and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise UnreadableFile(bomb + f"a part of it would unpack to more than {MAX_RATIO} times its size, so I did "
                                        "not open it.")


def _sheet_rows(sheet, table: _Table) -> Iterator[tuple[int, list[str]]]:
    """(row number, cell texts) of a read-only sheet; stops after ``EMPTY_RUN`` empty rows in a
    row (formatting down to row 1,048,576 is no data) and notes it on the table."""
    run = 0
    for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
        cells = [cell_text(value) for value in values]
        if any(cells):
            run = 0
        else:
            run += 1
            if run >= EMPTY_RUN:
                table.stopped_at = number
                return
        yield number, cells


def cell_text(value: object) -> str:
    """A cell's value as the admin typed it: 12145557861.0 and 1.2145557861E10 -> "12145557861",
    never "1.2145557861e+10"; None (an empty cell, or a formula without a saved value) -> ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        if value.is_integer():
            return str(int(value))
        text = repr(value)
        return format(Decimal(text), "f") if "e" in text.lower() else text
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value).strip()
