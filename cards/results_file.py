"""The complete result as a CSV file: one row per piece of the admin's input, in their order.

Columns ``row, input, e164, state, toll_free, detail`` (the bulk validation's file has the
same). A cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return: OWASP's "CSV Injection") is written with a leading ``'``, so
Excel and LibreOffice show it as text; a phone number (``+`` and digits only) can run nothing
and stays as it is, so it stays readable.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from bot.core.models import ValidationResult

CSV_TYPE = "text/csv"
COLUMNS = ("row", "input", "e164", "state", "toll_free", "detail")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PHONE_NUMBER = re.compile(r"\+?\d{1,20}")


def safe_cell(value: object) -> str:
    """``value`` as a cell that no spreadsheet runs as a formula."""
    cell = "" if value is None else str(value)
    if cell.startswith(_FORMULA_START) and not _PHONE_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def csv_bytes(rows: Iterable[Iterable[object]], columns: tuple[str, ...] = COLUMNS) -> bytes:
    """UTF-8 with a byte order mark, so that Excel reads the encoding right; CRLF lines (RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def validation_rows(result: ValidationResult) -> list[tuple[object, ...]]:
    """Every piece of the input: the numbers in their order, then what was not checked."""
    rows: list[tuple[object, ...]] = []
    for check in result.checks:
        notes = list(check.detail)
        if check.repeats:
            notes.append(f"same number as row {check.repeats}")
        if check.use is not None and check.use.owner_name:
            where = f" at {check.use.location}" if check.use.location else ""
            notes.append(f"used by {check.use.owner_name}{where}")
        if check.extension:
            notes.append(f"extension {check.extension} ignored")
        rows.append((check.row, check.original, check.e164, check.state.value, str(check.toll_free).lower(),
                     "; ".join(notes)))
    next_row = len(rows) + 1
    for piece in result.foreign:
        rows.append((next_row, piece.original, "", "not checked",
                     "", f"a national number of {piece.country}? write it as {piece.e164}"))
        next_row += 1
    for token in result.not_numbers:
        rows.append((next_row, token, "", "not a phone number", "", ""))
        next_row += 1
    return rows


def validation_csv(result: ValidationResult) -> bytes:
    return csv_bytes(validation_rows(result))
