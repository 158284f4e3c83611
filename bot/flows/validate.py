"""Validate phone numbers: parse, send in batches, merge as one request would.

The API's own limit per request is undocumented, so numbers go in batches of
``NUMBOT_VALIDATE_BATCH``. Repeats are found here, across the whole message:
the first occurrence is sent and keeps its own state; every later occurrence
is ``Duplicate In List`` — what one request with the whole list answers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence, Union

import cards
from bot import buttons
from bot.flows import FlowContext
from bot.flows.help import Help
from bot.models import NumberCheck, NumberState, ParsedText, Reply, ValidationResult
from bot.parsing import parse_numbers
from bot.webex import RawCheck, WebexError

# More numbers than this in one message are refused with a clear answer
# rather than silently cut: it keeps one message's work (and card) bounded.
MAX_NUMBERS_PER_MESSAGE = 1000


@dataclass(frozen=True)
class Validate:
    """Numbers to validate, read from the admin's text once: the numbers and what was not one."""

    parsed: ParsedText


def from_text(rest: str, region: str) -> Union[Validate, Help]:
    """After ``validate``: the numbers, or help when there are none."""
    parsed = parse_numbers(rest, region)
    if parsed.numbers or parsed.not_numbers:
        return Validate(parsed)
    return Help(note="I found no phone numbers to validate in that message.")


def from_bare_text(text: str, region: str) -> Union[Validate, Help]:
    """A message that starts with no command word: numbers pasted on their own, or chat."""
    parsed = parse_numbers(text, region)
    if parsed.numbers:
        return Validate(parsed)
    return Help(note="I found no phone numbers in that message.")


def from_card(inputs: dict, action: str, region: str) -> Union[Validate, Help]:
    """The numbers box of the help card, or a "Validate again" button's numbers."""
    text = buttons.text(inputs.get(buttons.INPUT_NUMBERS))
    if not text.strip():
        return Help(note="Type or paste some phone numbers first, then press Validate.")
    return Validate(parse_numbers(text, region))


def _batches(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for index in range(0, len(items), size):
        yield list(items[index : index + size])


def repeated(original: str, e164: str, detailed: bool) -> NumberCheck:
    """A later occurrence of a number, as one request with the whole list answers it: Webex
    stops at "Duplicate In List" and judges nothing else, so ``tollFreeNumber`` is false; the
    live API (``detailed``) says ``[Error 8360] Duplicate DN in the request : <number as sent>``,
    the documented shape gives no detail. The first occurrence's row carries the number's own
    state."""
    detail = (f"[Error 8360] Duplicate DN in the request : {e164}",) if detailed else ()
    return NumberCheck(original, e164, NumberState.DUPLICATE_IN_LIST, toll_free=False, detail=detail)


def check_numbers(parsed: ParsedText, ctx: FlowContext) -> ValidationResult:
    unique = list(dict.fromkeys(n.e164 for n in parsed.numbers))
    answers: dict[str, RawCheck] = {}
    for batch in _batches(unique, ctx.settings.validate_batch):
        for sent, raw in zip(batch, ctx.client.validate_numbers(batch)):
            answers[sent] = raw
    seen: set[str] = set()
    checks = []
    detailed = any(raw.detailed for raw in answers.values())
    for number in parsed.numbers:
        raw = answers[number.e164]
        if number.e164 in seen:
            checks.append(repeated(number.original, number.e164, detailed))
        else:
            seen.add(number.e164)
            checks.append(NumberCheck(number.original, number.e164, raw.state, raw.toll_free, raw.detail))
    return ValidationResult(checks=tuple(checks), not_numbers=parsed.not_numbers)


def refused_reply(error: WebexError, unique: int, batch: int) -> Reply:
    """Webex answered 400: it will not judge this request. Its per-request limit is
    undocumented, so "too many numbers" is a likely cause that the admin cannot fix alone:
    name the setting the bot's operator can lower."""
    title = "Webex refused to validate these numbers"
    explanation = "Webex said the request was not valid, so no number was validated."
    if unique > 1:
        explanation += (f" I send up to {batch} numbers per request; if Webex says that is too many, "
                        "ask whoever runs this bot to lower NUMBOT_VALIDATE_BATCH.")
    return cards.error_reply(title, explanation, error.info)


def answer(request: Validate, ctx: FlowContext) -> Reply:
    parsed = request.parsed
    if len(parsed.numbers) > MAX_NUMBERS_PER_MESSAGE:
        title = "Too many numbers"
        explanation = (
            f"That message has {len(parsed.numbers)} phone numbers; I validate at most "
            f"{MAX_NUMBERS_PER_MESSAGE} per message. Please send them in smaller parts."
        )
        return cards.error_reply(title, explanation)
    try:
        result = check_numbers(parsed, ctx) if parsed.numbers else ValidationResult(checks=(), not_numbers=parsed.not_numbers)
    except WebexError as error:
        if error.status_code != 400:
            raise  # the worker answers every other Webex error with its error card
        return refused_reply(error, len({n.e164 for n in parsed.numbers}), ctx.settings.validate_batch)
    return cards.validation_reply(result)
