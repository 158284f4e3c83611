"""Find phone numbers in what an admin wrote, the way they wrote them.

``phonenumbers.PhoneNumberMatcher`` does the finding: it knows national US
formats like ``(214) 555-7862`` (which contain spaces, so splitting first would
break them), E.164 for every country, and Unicode digits. Numbers are matched
with POSSIBLE leniency: the Webex validate API, not this bot, decides whether
a possible number is Invalid, and says why.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher

from bot.models import ParsedNumber, ParsedText

# Separators admins use between numbers in a pasted list.
_SEPARATORS = re.compile(r"[\s,;|]+")
# A leftover token is reported as "not a phone number" only if it looks like
# an attempt at one; plain words ("please", "these") are prose, not input.
_LOOKS_NUMERIC = re.compile(r"[0-9+]")


def clean_text(text: str) -> str:
    """Drop invisible format characters (RTL marks, zero-width joiners, BOMs)
    that clients paste along with numbers and that break matching."""
    return "".join(" " if unicodedata.category(ch) == "Cf" else ch for ch in text)


def to_e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def is_complete(number: phonenumbers.PhoneNumber) -> bool:
    """A whole number, not one that is dialable only locally.

    POSSIBLE leniency also matches local-only numbers (``555 1234`` in the US,
    ``+44 20 7183``) and even joins junk across a space (``12345 42x`` ->
    ``12345 42``). Their "E.164" (``+11234542``) is not what the admin wrote,
    so they are reported as not a phone number instead of being sent."""
    return phonenumbers.is_possible_number_with_reason(number) == phonenumbers.ValidationResult.IS_POSSIBLE


def parse_numbers(text: str, region: str) -> ParsedText:
    """Numbers in order of appearance (repeats kept: the API reports them as
    Duplicate In List), and the numeric-looking tokens that are not numbers."""
    text = clean_text(text)
    numbers: list[ParsedNumber] = []
    leftovers: list[str] = []
    position = 0
    for match in PhoneNumberMatcher(text, region, leniency=Leniency.POSSIBLE):
        if not is_complete(match.number):
            continue  # its text stays in the leftovers
        leftovers.append(text[position : match.start])
        numbers.append(ParsedNumber(original=match.raw_string.strip(), e164=to_e164(match.number)))
        position = match.end
    leftovers.append(text[position:])
    not_numbers = tuple(
        token
        for chunk in leftovers
        for token in _SEPARATORS.split(chunk)
        if token and _LOOKS_NUMERIC.search(token)
    )
    return ParsedText(numbers=tuple(numbers), not_numbers=not_numbers)


@dataclass(frozen=True)
class SplitText:
    """Text before the first number (e.g. a location name) and the numbers after."""

    head: str
    parsed: ParsedText


def split_head(text: str, region: str) -> SplitText:
    """Split ``"Dallas HQ +12143020001 +12143020002"`` into the location part
    and the filter numbers."""
    text = clean_text(text)
    first = next(iter(PhoneNumberMatcher(text, region, leniency=Leniency.POSSIBLE)), None)
    if first is None:
        return SplitText(head=text.strip(), parsed=ParsedText())
    return SplitText(head=text[: first.start].strip(" ,;\t\n"), parsed=parse_numbers(text[first.start :], region))
