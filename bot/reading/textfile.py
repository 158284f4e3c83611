"""A csv or txt file's bytes as text, whatever editor or Excel version saved them.

The encoding is not declared anywhere in the file, and the delimiter of a csv neither, so both are
guessed, and a guess must never turn a workbook or a binary file into rows of noise. Kept apart
from the tables: what comes out is plain text, read by lines or by ``csv``.
"""
from __future__ import annotations

import codecs
import csv
import re
from typing import Optional

from bot.reading.tables import UnreadableFile, plural
from bot.reading.xlsx import OLE2

SAMPLE_CHARS = 64 * 1024  # text checked for control characters
SNIFF_CHARS = 8 * 1024  # text sniffed for the delimiter (csv.Sniffer's time grows fast with it)
_DELIMITERS = ",;\t|"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f\x7f]")  # \t \n \f \r and DOS's \x1a are text


def decode_text(name: str, data: bytes) -> tuple[str, tuple[str, ...]]:
    """The text of a csv/txt file and, for a file of mixed encodings, a note saying which lines
    were read as Windows-1252. BOMs first, then strict UTF-8, then UTF-16 without a BOM if the
    bytes look like it, else Windows-1252 line by line."""
    not_text = UnreadableFile(f"{name} is not a text file: save the numbers as CSV or plain text and attach it again.")
    if data.startswith(b"PK\x03\x04") or data.startswith(OLE2):
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
    sample = text[:SAMPLE_CHARS]
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
        notes = (f"{plural(len(other), 'line')} ({shown}) {'is' if len(other) == 1 else 'are'} not UTF-8: "
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


def line_count(text: str) -> int:
    """Lines in the text, the last one without its newline included; trailing blank lines not."""
    stripped = text.rstrip("\r\n \t")
    return stripped.count("\n") + (stripped.count("\r") - stripped.count("\r\n")) + 1


def split_tabs(line: str) -> list[str]:
    return [cell.strip().strip('"').strip() for cell in line.rstrip("\r\n").split("\t")]

