"""Flows decide what to answer. Each command's flow module holds its request (a small
dataclass: what the admin asked, already parsed), the functions that read that request from a
message or a card press, and its answer: ``answer(request, ctx) -> Reply``, the one signature
every flow has. Flows call Webex only through ``bot.webex.client.WebexClient`` and get their cards from
``cards``. ``bot.conversation.registry`` ties each command's words, buttons, request and flow together."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from bot.conversation.changes import Changes
from bot.conversation.progress import Reporter
from bot.core.config import Settings
from bot.core.models import HelpEntry
from bot.webex.client import WebexClient


@dataclass(frozen=True)
class FlowContext:
    client: WebexClient
    settings: Settings
    commands: tuple[HelpEntry, ...] = ()  # what the help card lists, from the registry
    progress: Optional[Reporter] = None  # for a long job: a message edited as it goes (one per event)
    # Who asks, and the rules a change in Webex follows (``bot.conversation.changes``); None: changes are refused.
    changes: Optional[Changes] = None
