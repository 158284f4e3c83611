"""Who uses each number: one row per number with its owner and location, a note for a number
the organisation does not have, and a button for the numbers not looked up yet."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Union

from webexpythonsdk.models.cards import options as opt

from bot.core import buttons
from bot.core.models import NumberUse, Reply

from .base import card, columns, literal, submit, subtle, title
from .text import escape
from .validation import owner_words

NOT_IN_ORG = "Not in your organisation's numbers."


def _words(use: Union[NumberUse, str, None]) -> str:
    if use is None:
        return NOT_IN_ORG
    if isinstance(use, str):
        return f"I could not look it up: {use}"
    return owner_words(use)


def owners_card(found: Sequence[tuple[str, Union[NumberUse, str, None]]], rest: Sequence[str] = ()) -> dict:
    body: list = [title("Who uses these numbers")]
    for number, use in found:
        body.append(columns([literal(number, weight=opt.FontWeight.BOLDER)], [], separator=True))
        body.append(subtle(_words(use), verbatim=True))
    actions = []
    if rest:
        body.append(subtle(f"{len(rest)} more not looked up yet.", color=opt.Colors.WARNING))
        actions.append(submit(f"Who uses the other {len(rest)}?",
                              buttons.owners_data(rest[:buttons.MAX_OWNER_NUMBERS])))
    return card(body, actions)


def owners_markdown(found: Sequence[tuple[str, Union[NumberUse, str, None]]], rest: Sequence[str] = ()) -> str:
    out = "**Who uses these numbers**\n"
    out += "".join(f"\n- {escape(number)}: {escape(_words(use))}" for number, use in found)
    if rest:
        out += f"\n\n{len(rest)} more not looked up yet: write who uses and the numbers."
    return out


def owners_reply(found: Sequence[tuple[str, Union[NumberUse, str, None]]], rest: Sequence[str] = ()) -> Reply:
    return Reply(markdown=owners_markdown(found, rest), card=owners_card(found, rest))
