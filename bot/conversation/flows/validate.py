"""Validate phone numbers: parse, send in batches, merge as one request would.

The API's own limit per request is undocumented, so numbers go in batches of
``NUMBOT_VALIDATE_BATCH``. Repeats are found here, across the whole message:
the first occurrence is sent and keeps its own state; every later occurrence
is ``Duplicate In List`` — what one request with the whole list answers.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Union

import cards
from bot.conversation.flows import FlowContext
from bot.conversation.flows.help import Help
from bot.core import buttons
from bot.core.models import NumberCheck, NumberState, NumberUse, ParsedNumber, ParsedText, Reply, ValidationResult
from bot.reading.parsing import parse_numbers
from bot.webex.answers import RawCheck
from bot.webex.errors import WebexBusy, WebexError

# More numbers than this in one message are refused with a clear answer
# rather than silently cut: it keeps one message's work (and card) bounded.
MAX_NUMBERS_PER_MESSAGE = 1000
# In-use numbers whose user is looked up per answer (one request each); the rest get a button.
MAX_OWNER_LOOKUPS = 10


@dataclass(frozen=True)
class Validate:
    """Numbers to validate, read from the admin's text once: the numbers and what was not one."""

    parsed: ParsedText


def from_text(rest: str, region: str) -> Union[Validate, Help]:
    """After ``validate``: the numbers, or help when there are none."""
    parsed = parse_numbers(rest, region)
    if parsed.numbers or parsed.not_numbers or parsed.foreign:
        return Validate(parsed)
    return Help(note="I found no phone numbers to validate in that message.")


def from_bare_text(text: str, region: str) -> Union[Validate, Help]:
    """A message that starts with no command word: numbers pasted on their own, or chat."""
    parsed = parse_numbers(text, region)
    if parsed.numbers or parsed.foreign:
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


def repeated(number: ParsedNumber, row: int, first_row: int, detailed: bool) -> NumberCheck:
    """A later occurrence of a number, as one request with the whole list answers it: Webex
    stops at "Duplicate In List" and judges nothing else, so ``tollFreeNumber`` is false; the
    live API (``detailed``) says ``[Error 8360] Duplicate DN in the request : <number as sent>``,
    the documented shape gives no detail. The first occurrence's row carries the number's own
    state; this row names it."""
    detail = (f"[Error 8360] Duplicate DN in the request : {number.e164}",) if detailed else ()
    return NumberCheck(number.original, number.e164, NumberState.DUPLICATE_IN_LIST, toll_free=False, detail=detail,
                       row=row, extension=number.extension, vanity=number.vanity, repeats=first_row)


def check_numbers(parsed: ParsedText, ctx: FlowContext) -> ValidationResult:
    unique = list(dict.fromkeys(n.e164 for n in parsed.numbers))
    answers: dict[str, RawCheck] = {}
    for batch in _batches(unique, ctx.settings.validate_batch):
        # strict: parse_validate_response answers every number sent, in order
        for sent, raw in zip(batch, ctx.client.validate_numbers(batch), strict=True):
            answers[sent] = raw
    first_rows: dict[str, int] = {}
    checks = []
    detailed = any(raw.detailed for raw in answers.values())
    for row, number in enumerate(parsed.numbers, start=1):
        raw = answers[number.e164]
        if number.e164 in first_rows:
            checks.append(repeated(number, row, first_rows[number.e164], detailed))
        else:
            first_rows[number.e164] = row
            checks.append(NumberCheck(number.original, number.e164, raw.state, raw.toll_free, raw.detail, row=row,
                                      extension=number.extension, vanity=number.vanity))
    return ValidationResult(checks=tuple(checks), not_numbers=parsed.not_numbers, foreign=parsed.foreign)


def who_uses(result: ValidationResult, ctx: FlowContext) -> ValidationResult:
    """Who uses the in-use (Duplicate) numbers: the first ``MAX_OWNER_LOOKUPS`` are looked up
    (``GET /telephony/config/numbers?phoneNumber=``), the rest get a button. A failed lookup is
    said on its row, and the answer still comes."""
    in_use = [c.e164 for c in result.checks if c.state is NumberState.DUPLICATE]
    looked: dict[str, Union[NumberUse, str]] = {}
    for e164 in in_use[:MAX_OWNER_LOOKUPS]:
        try:
            looked[e164] = ctx.client.number_use(e164) or NumberUse()
        except WebexBusy:
            raise
        except WebexError as error:
            looked[e164] = _said(error)
    checks = []
    for check in result.checks:
        found = looked.get(check.e164) if check.state is NumberState.DUPLICATE else None
        if isinstance(found, NumberUse):
            check = replace(check, use=found)
        elif isinstance(found, str):
            check = replace(check, use_unknown=found)
        checks.append(check)
    return replace(result, checks=tuple(checks), unlooked=tuple(in_use[MAX_OWNER_LOOKUPS:]))


def _said(error: WebexError) -> str:
    tracking = f", trackingId {error.info.tracking_id}" if error.info.tracking_id else ""
    return f"Webex answered {error.status_code or 'nothing'}{tracking}."


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
        if parsed.numbers:
            result = check_numbers(parsed, ctx)
        else:
            result = ValidationResult(checks=(), not_numbers=parsed.not_numbers, foreign=parsed.foreign)
    except WebexError as error:
        if error.status_code != 400:
            raise  # the worker answers every other Webex error with its error card
        return refused_reply(error, len({n.e164 for n in parsed.numbers}), ctx.settings.validate_batch)
    return cards.validation_reply(who_uses(result, ctx), offer_add=ctx.settings.allow_changes)
