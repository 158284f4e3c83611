"""Help: for ``help``, and for messages or presses that give the bot nothing to do."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import cards
from bot.conversation.flows import FlowContext
from bot.core.models import Reply


@dataclass(frozen=True)
class Help:
    note: Optional[str] = None  # why help is shown, e.g. "I found no phone numbers in that message."


def from_text(rest: str, region: str) -> Optional[Help]:
    """``help`` (or ``hi`` …) alone; with more after it, the message is something else."""
    return Help() if not rest.strip() else None


def from_card(inputs: dict, action: str, region: str) -> Help:
    return Help()


def answer(request: Help, ctx: FlowContext) -> Reply:
    return cards.help_reply(ctx.settings.default_region, ctx.commands, request.note)
