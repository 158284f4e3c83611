"""Read the phone numbers an admin attached to a message: a carrier's port list, a Control Hub
export, a list typed in a text editor.

Pure functions from a file's name and bytes to its rows; no Webex, no I/O. What comes out is
what the admin wrote, cell by cell, with its row number as a spreadsheet shows it; which of it
is a phone number is decided later, by the same parsing as a typed message.

- ``.csv``: the delimiter is sniffed (comma, semicolon, tab, pipe). The numbers column is found
  by its header (``tables.NUMBER_HEADERS``), or else it is the column holding the most phone numbers.
- ``.txt``: every non-empty line is one row, as written. Only a tab-separated table whose first
  line names a numbers column (what Excel saves as "Unicode Text" or "Text (Tab delimited)")
  is read as a table.
- ``.xlsx``: openpyxl in read-only, data-only mode: formulas are never evaluated, a formula cell
  reads as the value Excel saved with it. The first sheet with a numbers column is read.

Text files may be UTF-8 (with or without a BOM), UTF-16 with a BOM (Excel's "Unicode Text"),
or Windows-1252 (Excel's "CSV" on Windows); a UTF-8 file with a few Windows-1252 lines is read
line by line. Nothing here evaluates a cell: ``=HYPERLINK(…)`` is kept as text, and the result
file neutralises it.

Callers need one function whatever the file: this module only sends each kind to its reader.
Decoding text is in ``textfile``, opening a workbook in ``xlsx``, and choosing the numbers column,
which every kind shares, in ``tables``.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from bot.reading.tables import (
    FileRows,
    InputRow,
    Scientific,
    Table,
    UnreadableFile,
    has_number,
    named_columns,
    too_many,
    with_notes,
)
from bot.reading.textfile import SAMPLE_CHARS, SNIFF_CHARS, decode_text, line_count, sniff_delimiter, split_tabs
from bot.reading.xlsx import read_xlsx

# What other modules import from here: the entry point, and the types it returns and raises.
__all__ = ["KINDS", "FileRows", "InputRow", "UnreadableFile", "file_kind", "read_numbers_file"]

KINDS = ("csv", "txt", "xlsx")


def read_numbers_file(name: str, data: bytes, region: str, max_rows: int = 10_000) -> FileRows:
    """The numbers column of an attached file, or ``UnreadableFile`` saying why not."""
    kind = file_kind(name)
    if kind == "xlsx":
        return read_xlsx(name, data, region, max_rows)
    if not data.strip():
        raise UnreadableFile(f"{name} is empty.")
    text, notes = decode_text(name, data)
    if not text.strip():
        raise UnreadableFile(f"{name} is empty.")
    lines_in_file = line_count(text)
    if kind == "txt":
        first = next((line for line in io.StringIO(text[:SAMPLE_CHARS], newline="") if line.strip()), "")
        if "\t" in first and named_columns(split_tabs(first)):
            table = Table(name, "txt", region, max_rows, lambda header: lines_in_file - header, letters=False)
            rows = table.read(_numbered(csv.reader(io.StringIO(text, newline=""), delimiter="\t")))
            return with_notes(rows, (*notes, "The file is tab-separated: I read it as a table."))
        return with_notes(_read_lines(name, text, region, max_rows, lines_in_file), notes)
    delimiter = sniff_delimiter(text[:SNIFF_CHARS])
    table = Table(name, "csv", region, max_rows, lambda header: lines_in_file - header, letters=False)
    return with_notes(table.read(_numbered(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))), notes)


def file_kind(name: str) -> str:
    """"csv", "txt" or "xlsx", from the name's extension (any case)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in KINDS:
        raise UnreadableFile(f"I can't read {name or 'that file'}: send the numbers as a .csv, .txt or .xlsx file.")
    return extension


def _numbered(reader: Iterable[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """(row number, stripped cells); a malformed CSV becomes an UnreadableFile upstream."""
    for number, row in enumerate(reader, 1):
        yield number, [cell.strip() for cell in row]


def _read_lines(name: str, text: str, region: str, max_rows: int, lines_in_file: int) -> FileRows:
    rows: list[InputRow] = []
    scientific = Scientific()
    for number, line in enumerate(io.StringIO(text, newline=""), 1):
        line = line.strip()
        if not line:
            continue
        rows.append(InputRow(number, line))
        scientific.check(number, line)
        if len(rows) > max_rows:
            raise too_many(name, max_rows, lines_in_file)
    if not rows:
        raise UnreadableFile(f"{name} is empty.")
    if not any(has_number(row.text, region) for row in rows):
        raise UnreadableFile(f"I found no phone numbers in {name}: no line holds one. Write one number per line, "
                             "such as +12145557861.")
    return FileRows(name=name, kind="txt", rows=tuple(rows), total_rows=len(rows), notes=scientific.notes())

