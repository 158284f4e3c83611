"""Text helpers shared by cards and markdown fallbacks: escaping, sizes, and splitting.

Anything that came from the admin or from Webex (numbers as typed, error details, location
names) goes through :func:`escape` before it is put into a markdown message: Webex renders
message markdown (CommonMark), so ``*bold*``, ``[link](x)`` or ``<@all>`` typed by someone must
show as typed and change nothing else. Cards do not escape: such text goes in a TextRun
(``cards.base.literal``), because card renderers disagree on backslash escapes.
"""
from __future__ import annotations

import json
import re

# Characters that start or end markdown inline markup (emphasis, code, links, images, HTML,
# entities, mentions, strikethrough, tables). Backslash-escaping ASCII punctuation is
# CommonMark; the escaped character renders as itself.
_INLINE = re.compile(r"([\\`*_\[\]<>&~|])")
# Block markers only mean something at the start of a line: headings, quotes, lists, rules.
_LINE_START = re.compile(r"^(?:[#=]|[-+](?=\s|$|[-+])|\d{1,9}(?=[.)](?:\s|$)))")


def escape(text: object) -> str:
    """``text`` as one line of literal text in a Webex markdown message."""
    s = " ".join(str(text).split())  # no newlines: user text cannot start a block
    s = _INLINE.sub(r"\\\1", s)
    match = _LINE_START.match(s)
    if match:
        if match.group(0)[0].isdigit():
            end = match.end()
            s = s[:end] + "\\" + s[end:]  # "1. x" -> "1\. x"
        else:
            s = "\\" + s
    return s


def clip(text: object, limit: int) -> str:
    """At most ``limit`` characters, with an ellipsis when cut (before escaping)."""
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: max(0, limit - 1)] + "…"


def card_bytes(obj: object) -> int:
    """Size of ``obj`` as compact JSON, the way it is posted (ASCII-escaped: never smaller
    than its UTF-8 form)."""
    return len(json.dumps(obj, separators=(",", ":"), ensure_ascii=True))


def md_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def split_to_fit(line: str, budget: int) -> list[str]:
    """Cut one over-long line into pieces of at most ``budget`` UTF-8 bytes, never inside a
    backslash escape, so that nothing is lost and no piece ends in a dangling ``\\``."""
    pieces: list[str] = []
    current = ""
    size = 0
    i = 0
    while i < len(line):
        unit = line[i : i + 2] if line[i] == "\\" and i + 1 < len(line) else line[i]
        unit_size = md_bytes(unit)
        if size + unit_size > budget and current:
            pieces.append(current)
            current, size = "", 0
        current += unit
        size += unit_size
        i += len(unit)
    if current:
        pieces.append(current)
    return pieces


class MarkdownPacker:
    """Packs lines into as few messages as possible, each at most ``budget`` bytes.

    Each message after a break starts with ``header(n)`` (n = 1, 2, ...). ``heading`` starts a
    block (e.g. "Not a phone number:") and is repeated, marked continued, when the block runs
    into the next message. Items of a block are joined with ``sep``.
    """

    def __init__(self, budget: int, header) -> None:
        self.budget = budget
        self.header = header
        self.messages: list[str] = []
        self._current = ""
        self._heading: str | None = None
        self._sep = "\n"
        self._in_block = False
        self._block_used = False  # the current block already has items in an earlier message

    def _start_message(self) -> None:
        if self._current:
            self.messages.append(self._current)
        self._current = self.header(len(self.messages) + 1)
        self._in_block = False

    def block(self, heading: str | None, sep: str = "\n") -> None:
        self._heading, self._sep = heading, sep
        self._in_block = self._block_used = False

    def _fits(self, text: str) -> bool:
        return md_bytes(self._current + text) <= self.budget

    def add(self, item: str) -> None:
        if not self._current:
            self._start_message()
        for piece in self._pieces(item):
            if not self._append(piece):
                self._start_message()
                if not self._append(piece):  # cannot happen: pieces are sized to fit
                    raise ValueError("markdown piece larger than the budget")

    def _pieces(self, item: str) -> list[str]:
        room = self.budget - md_bytes(self.header(99)) - md_bytes(self._block_prefix(True)) - 8
        return [item] if md_bytes(item) <= room else split_to_fit(item, room)

    def _block_prefix(self, continued: bool) -> str:
        if self._heading is None:
            return "\n"
        return "\n\n" + self._heading + (" (continued)" if continued else "") + "\n"

    def _append(self, item: str) -> bool:
        text = self._sep + item if self._in_block else self._block_prefix(self._block_used) + item
        if not self._fits(text):
            return False
        self._current += text
        if not self._in_block:
            self._block_used = True
        self._in_block = True
        return True

    def finish(self) -> list[str]:
        if self._current:
            self.messages.append(self._current)
            self._current = ""
        return self.messages
