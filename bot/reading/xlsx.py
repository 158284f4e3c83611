"""An attached workbook, opened without trusting it.

A .xlsx is a zip of XML that anyone can build: it is checked for a zip bomb before openpyxl
unpacks anything, and whatever openpyxl raises on a damaged one becomes one sentence for the
admin. Apart from the text files because it is the one reader with a dependency (openpyxl) and
limits of its own; its sheets are read as tables like any csv.
"""
from __future__ import annotations

import io
import itertools
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Optional

from bot.reading.tables import FileRows, Table, UnreadableFile

EMPTY_RUN = 10_000  # a sheet's consecutive empty rows after which the rest is formatting, not data

# Zip bombs: Python's zipfile never unpacks an entry past the size its central directory declares
# (it stops there and the CRC check fails), so checking the declared sizes is enough.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
MAX_RATIO = 100
LARGE_ENTRY_BYTES = 10 * 1024 * 1024  # the ratio rule applies to entries larger than this

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and every password-protected Office file


def read_xlsx(name: str, data: bytes, region: str, max_rows: int) -> FileRows:
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
            table = Table(name, "xlsx", region, max_rows, _rows_below(rows_in_sheet), letters=True,
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
    if data.startswith(OLE2):
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


def _sheet_rows(sheet, table: Table) -> Iterator[tuple[int, list[str]]]:
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
                table.empty_run = EMPTY_RUN
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
