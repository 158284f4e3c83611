"""Find phone numbers in what an admin wrote, the way they wrote them, and lose nothing.

``phonenumbers.PhoneNumberMatcher`` does the finding: it knows national US
formats like ``(214) 555-7862`` (which contain spaces, so splitting first would
break them), E.164 for every country, extensions and Unicode digits. Numbers are
matched with POSSIBLE leniency: the Webex validate API, not this bot, decides
whether a possible number is Invalid, and says why.

What is not a number is never dropped in silence: a run of digit groups that is
a national number of another country (``020 7183 8750``, London) stays one piece
with the E.164 it probably means; other tokens with digits are listed as not a
phone number. Letters in vanity numbers (``1-800-FLOWERS``) are converted.
``GB`` or ``country:GB`` before numbers reads the numbers after it as that
country's.
"""
from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass
from typing import Optional

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher

from bot.core.models import ForeignNumber, ParsedNumber, ParsedText

# A leftover token is reported as "not a phone number" only if it looks like
# an attempt at one; plain words ("please", "these") are prose, not input.
_LOOKS_NUMERIC = re.compile(r"[0-9+]")
# "GB 020 7183 8750", "country:de 030 12345678": the country of the numbers that follow.
_COUNTRY = re.compile(r"(?:(?<![\w:])(?:country|region):([A-Za-z]{2})|(?<![\w:])([A-Z]{2}))(?![\w:])")
_STARTS_A_NUMBER = re.compile(r"\s*[+(0-9]")
# A vanity number: digits and separators around a word of capitals ("1-800-FLOWERS").
_VANITY = re.compile(r"\+?[0-9][0-9 ()\-.]*[A-Z]{3,}[0-9A-Z\-]*")
# Countries tried, in this order, for a national number that is none of the default region's;
# the first whose national format groups the digits as the admin did wins.
LIKELY_COUNTRIES = ("GB", "DE", "FR", "AU", "NL", "BE", "IT", "ES", "IE", "AT", "CH", "SE", "NO", "DK", "FI",
                    "PT", "PL", "IN", "JP", "NZ", "ZA", "BR", "MX", "SG", "CA", "US")
MAX_FOREIGN_CHECKS = 100  # runs looked up in other countries per message (each costs a few ms)


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


@dataclass
class _Reading:
    """What one message gives, filled in order of appearance."""

    region: str
    numbers: list[ParsedNumber]
    not_numbers: list[str]
    foreign: list[ForeignNumber]
    checks_left: int = MAX_FOREIGN_CHECKS


def parse_numbers(text: str, region: str) -> ParsedText:
    """Numbers in order of appearance (repeats kept: the API reports them as Duplicate In
    List), the national numbers of another country, and the numeric-looking tokens that are
    not numbers. A country code (``GB``, ``country:GB``) changes the region for what follows."""
    text = clean_text(text)
    reading = _Reading(region, [], [], [])
    position = 0
    for marker in _COUNTRY.finditer(text):
        code = (marker.group(1) or marker.group(2)).upper()
        named = marker.group(1) is not None
        if code not in phonenumbers.SUPPORTED_REGIONS or not (named or _STARTS_A_NUMBER.match(text, marker.end())):
            continue  # an ordinary word ("OK", "IT") unless a number follows it
        _read(text[position : marker.start()], reading)
        reading.region = code
        position = marker.end()
    _read(text[position:], reading)
    return ParsedText(numbers=tuple(reading.numbers), not_numbers=tuple(reading.not_numbers),
                      foreign=tuple(reading.foreign))


def _read(text: str, reading: _Reading) -> None:
    position = 0
    for match in PhoneNumberMatcher(text, reading.region, leniency=Leniency.POSSIBLE):
        if not is_complete(match.number) or _elsewhere(match.raw_string, match.number, reading):
            continue  # its text stays in the gap
        _regroup(text[position : match.start], reading)
        extension = match.number.extension or None
        reading.numbers.append(ParsedNumber(original=match.raw_string.strip(), e164=to_e164(match.number),
                                            extension=extension))
        position = match.end
    _regroup(text[position:], reading)


def _elsewhere(original: str, number: phonenumbers.PhoneNumber, reading: _Reading) -> bool:
    """A national-format match that is no valid number of the region but one of another country
    (``01 42 68 53 00`` is Paris, not ``+1 014 268 5300``): left for the foreign check."""
    if original.strip().startswith("+") or phonenumbers.is_valid_number(number):
        return False
    return _foreign(original, reading) is not None


_TOKEN = re.compile(r"[^\s,;|]+")
_DIGIT_GROUP = re.compile(r"\+?\(?\d+\)?(?:[-.]\d+)*")
MAX_GROUPS = 5  # "+1 214 555 78 62": the most space-separated groups one number is written in


def _groups(text: str) -> list[str]:
    return re.findall(r"\d+", text)


def _grouped_as_formatted(original: str, number: phonenumbers.PhoneNumber) -> bool:
    """Whether ``original`` splits its digits the way the number is written nationally
    or internationally: what a person who wrote this number would type."""
    groups = _groups(original)
    if len(groups) == 1:
        return True
    return any(
        _groups(phonenumbers.format_number(number, style)) == groups
        for style in (PhoneNumberFormat.NATIONAL, PhoneNumberFormat.INTERNATIONAL)
    )


@functools.lru_cache(maxsize=4096)
def _country_of(original: str, default_region: str) -> Optional[tuple[str, str]]:
    """(country, E.164) for a national number of a country other than the default region that
    groups its digits as ``original`` does; None when there is none."""
    digits = "".join(_groups(original))
    if not 7 <= len(digits) <= 13:
        return None
    for country in LIKELY_COUNTRIES:
        if country == default_region:
            continue
        try:
            number = phonenumbers.parse(original, country)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number) and _groups(
                phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)) == _groups(original):
            return country, to_e164(number)
    return None


def _foreign(original: str, reading: _Reading) -> Optional[ForeignNumber]:
    if original.strip().startswith("+") or reading.checks_left <= 0:
        return None
    reading.checks_left -= 1
    found = _country_of(original.strip(), reading.region)
    if found is None:
        return None
    return ForeignNumber(original=original.strip(), country=found[0], e164=found[1])


def _vanity(token: str, region: str) -> Optional[ParsedNumber]:
    """``1-800-FLOWERS`` -> +18003569377 (phonenumbers converts the letters as a keypad does)."""
    if not _VANITY.fullmatch(token):
        return None
    try:
        number = phonenumbers.parse(token, region)
    except phonenumbers.NumberParseException:
        return None
    if not is_complete(number):
        return None
    return ParsedNumber(original=token, e164=to_e164(number), vanity=True)


def _regroup(chunk: str, reading: _Reading) -> None:
    """Numbers the matcher could not separate, another country's national numbers, vanity
    numbers, and the numeric tokens that are none of these.

    ``214 555 7862 214 555 7863`` reaches the matcher as one over-long candidate,
    which it rejects. Runs of digit groups separated only by spaces are joined
    here, longest first, into complete numbers written in their own grouping
    (``214 555 7862``, ``+44 20 7183 8750``), so that ``555 1234 555 1235``
    does not become ``+15551234555``; a run that is no number here but a
    national number elsewhere (``020 7183 8750``) stays one piece."""
    region = reading.region
    tokens = list(_TOKEN.finditer(chunk))
    i = 0
    while i < len(tokens):
        taken = 0
        for size in range(min(MAX_GROUPS, len(tokens) - i), 0, -1):
            run = tokens[i : i + size]
            if not all(_DIGIT_GROUP.fullmatch(t.group()) for t in run):
                continue
            if any(chunk[a.end() : b.start()].strip() for a, b in itertools.pairwise(run)):
                continue  # only spaces may separate the groups of one number
            original = chunk[run[0].start() : run[-1].end()]
            try:
                number = phonenumbers.parse(original, region)
            except phonenumbers.NumberParseException:
                number = None
            if number is not None and is_complete(number) and _grouped_as_formatted(original, number) and not (
                    not original.startswith("+") and not phonenumbers.is_valid_number(number)
                    and _country_of(original, region) is not None):
                reading.numbers.append(ParsedNumber(original=original, e164=to_e164(number)))
                taken = size
                break
            if size > 1 or len(_groups(original)[0]) >= 8:
                foreign = _foreign(original, reading)
                if foreign is not None:
                    reading.foreign.append(foreign)
                    taken = size
                    break
        if taken:
            i += taken
            continue
        token = tokens[i].group()
        vanity = _vanity(token, region)
        if vanity is not None:
            reading.numbers.append(vanity)
        elif _LOOKS_NUMERIC.search(token):
            reading.not_numbers.append(token)
        i += 1


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
