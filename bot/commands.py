"""Turn a message's text or a card submission into one command for a flow.

Typed commands and button presses end up as the same small dataclasses, so
the flows serve both the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

from bot.models import NumberFilters
from bot.parsing import parse_numbers, split_head
from cards import actions

_ALTERNATE_WORDS = (
    "alternate numbers",
    "alternate number",
    "alternate",
    "available numbers",
    "available",
    "aa numbers",
    "aa",
)
_VALIDATE_WORDS = ("validate", "check", "verify")
_HELP_WORDS = ("help", "?", "hi", "hello", "start", "usage")


@dataclass(frozen=True)
class Help:
    note: Optional[str] = None  # why help is shown, e.g. "No phone numbers found"


@dataclass(frozen=True)
class Validate:
    text: str  # the numbers as the admin wrote them; parsed by the flow


@dataclass(frozen=True)
class AlternateNumbers:
    location: Optional[str] = None  # a location id or name; None asks with a picker
    filters: NumberFilters = field(default_factory=NumberFilters)
    start: int = 0
    back: tuple[int, ...] = ()
    location_query: Optional[str] = None  # narrowing the picker by name
    not_numbers: tuple[str, ...] = ()  # filter tokens that were not numbers


@dataclass(frozen=True)
class UnknownCard:
    """A submission from a card this bot does not know (another bot, old format)."""

    reason: str


Command = Union[Help, Validate, AlternateNumbers, UnknownCard]


def _strip_prefix(text: str, words: tuple[str, ...]) -> Optional[str]:
    """If ``text`` starts with one of ``words`` (as whole words), the rest."""
    lowered = text.lower()
    for word in words:
        if lowered == word or lowered.startswith(word + " ") or lowered.startswith(word + "\n") or lowered.startswith(word + ":"):
            return text[len(word) :].lstrip(" :\n\t")
    return None


def parse_message(text: str, region: str) -> Command:
    """``text``: what the admin asked (in a group space already without the bot's mention)."""
    text = text.strip()
    if not text:
        return Help(note="That message was empty.")
    if _strip_prefix(text, _HELP_WORDS) == "":
        return Help()
    rest = _strip_prefix(text, _ALTERNATE_WORDS)
    if rest is not None:
        return _alternate_from_text(rest, region)
    rest = _strip_prefix(text, _VALIDATE_WORDS)
    candidate = text if rest is None else rest
    parsed = parse_numbers(candidate, region)
    if parsed.numbers or (rest is not None and parsed.not_numbers):
        return Validate(text=candidate)
    if rest is not None:
        return Help(note="I found no phone numbers to validate in that message.")
    return Help(note="I found no phone numbers in that message.")


def _alternate_from_text(rest: str, region: str) -> AlternateNumbers:
    split = split_head(rest, region)
    return AlternateNumbers(
        location=split.head or None,
        filters=NumberFilters(phone_numbers=tuple(dict.fromkeys(n.e164 for n in split.parsed.numbers))),
        not_numbers=split.parsed.not_numbers,
    )


def _flag(value: object) -> bool:
    """Toggle inputs arrive as the strings "true"/"false"; be lenient."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "yes", "on")


def _int(value: object, default: int = 0) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return max(0, min(number, 10_000_000))


def _text(value: object, limit: int = 100_000) -> str:
    return value[:limit] if isinstance(value, str) else ""


def parse_card_action(inputs: object, region: str) -> Command:
    """Read a card submission: the button's data merged with the card inputs."""
    if not isinstance(inputs, dict) or actions.KEY_ACTION not in inputs:
        return UnknownCard(reason="That card was not sent by this bot, or it is too old to read.")
    action = inputs.get(actions.KEY_ACTION)
    if action == actions.HELP:
        return Help()
    if action == actions.VALIDATE:
        text = _text(inputs.get(actions.INPUT_NUMBERS))
        if not text.strip():
            return Help(note="Type or paste some phone numbers first, then press Validate.")
        return Validate(text=text)
    if action == actions.ALTERNATE_PICKER:
        return AlternateNumbers()
    if action == actions.ALTERNATE_SEARCH:
        query = _text(inputs.get(actions.INPUT_LOCATION_QUERY), 200).strip()
        return AlternateNumbers(location_query=query or None)
    if action == actions.ALTERNATE:
        return _alternate_from_card(inputs, region)
    return UnknownCard(reason="That button is not one this bot knows; it may be from an older version.")


def _alternate_from_card(inputs: dict, region: str) -> AlternateNumbers:
    location = _text(inputs.get(actions.INPUT_LOCATION), 500).strip() or None
    phone_numbers: tuple[str, ...] = tuple(
        n for n in _text(inputs.get(actions.KEY_PHONE_NUMBERS), 20_000).split(",") if n.strip()
    )
    not_numbers: tuple[str, ...] = ()
    typed = _text(inputs.get(actions.INPUT_FILTER_NUMBERS), 20_000)  # the picker's "only these numbers"
    if typed.strip():
        parsed = parse_numbers(typed, region)
        phone_numbers = tuple(dict.fromkeys(n.e164 for n in parsed.numbers))
        not_numbers = parsed.not_numbers
    filters = NumberFilters(
        only_active=_flag(inputs.get(actions.INPUT_ONLY_ACTIVE, False)),
        only_toll_free=_flag(inputs.get(actions.INPUT_ONLY_TOLL_FREE, False)),
        only_service=_flag(inputs.get(actions.INPUT_ONLY_SERVICE, False)),
        phone_numbers=phone_numbers,
    )
    start = _int(inputs.get(actions.KEY_START, 0))
    raw_back = inputs.get(actions.KEY_BACK)
    back = tuple(_int(b) for b in raw_back[-actions.MAX_BACK :]) if isinstance(raw_back, list) else ()
    shown = _text(inputs.get(actions.KEY_SHOWN, ""), 200)
    if shown != actions.shown_filters(filters):
        # The admin changed a toggle: offsets computed under the old filters
        # mean nothing now, so start over at the first page.
        start, back = 0, ()
    return AlternateNumbers(location=location, filters=filters, start=start, back=back, not_numbers=not_numbers)
