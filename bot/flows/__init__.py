"""Flows decide what to answer. They take a parsed command and typed data,
call Webex only through ``bot.webex.WebexClient``, and return a ``Reply``."""
from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.webex import WebexClient


@dataclass(frozen=True)
class FlowContext:
    client: WebexClient
    settings: Settings
