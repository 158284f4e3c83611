"""The help answer: shown for ``help`` and for messages with nothing to do."""
from __future__ import annotations

from typing import Optional

import cards
from bot.flows import FlowContext
from bot.models import Reply


def help_reply(ctx: FlowContext, note: Optional[str] = None) -> Reply:
    card = cards.help_card(ctx.settings.default_region)
    markdown = cards.help_markdown(ctx.settings.default_region)
    if note:
        card = dict(card, body=[{"type": "TextBlock", "text": note, "wrap": True, "weight": "Bolder"}, *card["body"]])
        markdown = f"**{note}**\n\n{markdown}"
    return Reply(markdown=markdown, card=card)
