"""How the validate numbers API judges each number (pure functions).

Order of checks per number, as the sandbox models Webex: Duplicate In List,
Invalid, Duplicate (in use in the org), Unavailable, else Available.

Every state but Available comes with one detail line, in the wording and with the error codes the
live API answers (the team's issue text, copied from live answers): ``[Error NNNN] text : N``,
where N is the number as it was sent.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Optional

import phonenumbers

# NANP toll-free area codes (the 8YY codes in service).
NANP_TOLL_FREE = ("800", "833", "844", "855", "866", "877", "888")
_E164 = re.compile(r"\+\d{8,15}")
_US_NATIONAL = re.compile(r"\d{10}")  # the doc allows US national format; only digits are accepted


DUPLICATE_IN_LIST = "[Error 8360] Duplicate DN in the request : {}"
UNAVAILABLE = "[Error 8361] DN is unavailable : {}"
INVALID = "[Error 8362] DN is invalid : {}"
IN_USE = "[Error 8363] DN is in use : {}"


@dataclass(frozen=True)
class Verdict:
    phone_number: str
    state: str
    toll_free: bool = False
    detail: list[str] = field(default_factory=list)


def to_e164(number: str) -> Optional[str]:
    """E.164 for a syntactically acceptable, valid number; None otherwise."""
    if _E164.fullmatch(number):
        text, region = number, None
    elif _US_NATIONAL.fullmatch(number):
        text, region = number, "US"
    else:
        return None
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def is_toll_free(e164: str) -> bool:
    if e164.startswith("+1") and e164[2:5] in NANP_TOLL_FREE:
        return True
    parsed = phonenumbers.parse(e164)
    return phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.TOLL_FREE


def judge(numbers: Iterable[str], in_use: Collection[str], unavailable: Collection[str]) -> list[Verdict]:
    """One verdict per number, in request order."""
    seen: set[str] = set()
    verdicts = []
    for raw in numbers:
        number = raw.strip()
        if number in seen:
            verdicts.append(Verdict(number, "Duplicate In List", False, [DUPLICATE_IN_LIST.format(number)]))
            continue
        seen.add(number)
        e164 = to_e164(number)
        if e164 is None:
            verdicts.append(Verdict(number, "Invalid", False, [INVALID.format(number)]))
        elif e164 in in_use:
            verdicts.append(Verdict(number, "Duplicate", is_toll_free(e164), [IN_USE.format(number)]))
        elif e164 in unavailable:
            verdicts.append(Verdict(number, "Unavailable", is_toll_free(e164), [UNAVAILABLE.format(number)]))
        else:
            verdicts.append(Verdict(number, "Available", is_toll_free(e164)))
    return verdicts
