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
    not_numbers: list[str] = []

    def gap(chunk: str) -> None:
        found, rest = _regroup(chunk, region)
        numbers.extend(found)
        not_numbers.extend(rest)

    position = 0
    for match in PhoneNumberMatcher(text, region, leniency=Leniency.POSSIBLE):
        if not is_complete(match.number):
            continue  # its text stays in the gap
        gap(text[position : match.start])
        numbers.append(ParsedNumber(original=match.raw_string.strip(), e164=to_e164(match.number)))
        position = match.end
    gap(text[position:])
    return ParsedText(numbers=tuple(numbers), not_numbers=tuple(not_numbers))


_TOKEN = re.compile(r"[^\s,;|]+")
_DIGIT_GROUP = re.compile(r"\+?\(?\d+\)?(?:[-.]\d+)*")
MAX_GROUPS = 5  # "+1 214 555 78 62": the most space-separated groups one number is written in


def _grouped_as_formatted(original: str, number: phonenumbers.PhoneNumber) -> bool:
    """Whether ``original`` splits its digits the way the number is written nationally
    or internationally: what a person who wrote this number would type."""
    groups = re.findall(r"\d+", original)
    if len(groups) == 1:
        return True
    return any(
        re.findall(r"\d+", phonenumbers.format_number(number, style)) == groups
        for style in (PhoneNumberFormat.NATIONAL, PhoneNumberFormat.INTERNATIONAL)
    )


def _regroup(chunk: str, region: str) -> tuple[list[ParsedNumber], list[str]]:
    """Numbers the matcher could not separate, and the numeric tokens that are none.

    ``214 555 7862 214 555 7863`` reaches the matcher as one over-long candidate,
    which it rejects. Runs of digit groups separated only by spaces are joined
    here, longest first, into complete numbers written in their own grouping
    (``214 555 7862``, ``+44 20 7183 8750``), so that ``555 1234 555 1235``
    does not become ``+15551234555``."""
    tokens = list(_TOKEN.finditer(chunk))
    found: list[ParsedNumber] = []
    rest: list[str] = []
    i = 0
    while i < len(tokens):
        taken = 0
        for size in range(min(MAX_GROUPS, len(tokens) - i), 0, -1):
            run = tokens[i : i + size]
            if not all(_DIGIT_GROUP.fullmatch(t.group()) for t in run):
                continue
            if any(chunk[a.end() : b.start()].strip() for a, b in zip(run, run[1:])):
                continue  # only spaces may separate the groups of one number
            original = chunk[run[0].start() : run[-1].end()]
            try:
                number = phonenumbers.parse(original, region)
            except phonenumbers.NumberParseException:
                continue
            if is_complete(number) and _grouped_as_formatted(original, number):
                found.append(ParsedNumber(original=original, e164=to_e164(number)))
                taken = size
                break
        if taken:
            i += taken
            continue
        token = tokens[i].group()
        if _LOOKS_NUMERIC.search(token):
            rest.append(token)
        i += 1
    return found, rest


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
