"""Validate phone numbers: parse, send in batches, merge as one request would.

The API's own limit per request is undocumented, so numbers go in batches of
``NUMBOT_VALIDATE_BATCH``. Repeats are found here, across the whole message:
the first occurrence is sent and keeps its own state; every later occurrence
is ``Duplicate In List`` — what one request with the whole list answers.
"""
from __future__ import annotations

from typing import Iterator, Sequence

import cards
from bot.flows import FlowContext
from bot.models import NumberCheck, NumberState, ParsedText, Reply, ValidationResult
from bot.parsing import parse_numbers
from bot.webex import RawCheck

# More numbers than this in one message are refused with a clear answer
# rather than silently cut: it keeps one message's work (and card) bounded.
MAX_NUMBERS_PER_MESSAGE = 1000


def _batches(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for index in range(0, len(items), size):
        yield list(items[index : index + size])


def check_numbers(parsed: ParsedText, ctx: FlowContext) -> ValidationResult:
    unique = list(dict.fromkeys(n.e164 for n in parsed.numbers))
    answers: dict[str, RawCheck] = {}
    for batch in _batches(unique, ctx.settings.validate_batch):
        for sent, raw in zip(batch, ctx.client.validate_numbers(batch)):
            answers[sent] = raw
    seen: set[str] = set()
    checks = []
    for number in parsed.numbers:
        raw = answers[number.e164]
        if number.e164 in seen:
            checks.append(NumberCheck(number.original, number.e164, NumberState.DUPLICATE_IN_LIST, raw.toll_free))
        else:
            seen.add(number.e164)
            checks.append(NumberCheck(number.original, number.e164, raw.state, raw.toll_free, raw.detail))
    return ValidationResult(checks=tuple(checks), not_numbers=parsed.not_numbers)


def validate_reply(text: str, ctx: FlowContext) -> Reply:
    parsed = parse_numbers(text, ctx.settings.default_region)
    if len(parsed.numbers) > MAX_NUMBERS_PER_MESSAGE:
        title = "Too many numbers"
        explanation = (
            f"That message has {len(parsed.numbers)} phone numbers; I validate at most "
            f"{MAX_NUMBERS_PER_MESSAGE} per message. Please send them in smaller parts."
        )
        return Reply(markdown=cards.error_markdown(title, explanation), card=cards.error_card(title, explanation))
    result = check_numbers(parsed, ctx) if parsed.numbers else ValidationResult(checks=(), not_numbers=parsed.not_numbers)
    messages = cards.validation_markdown(result)
    return Reply(markdown=messages[0], card=cards.validation_card(result), continuation=tuple(messages[1:]))
