"""Cards: pure functions from typed data (``bot.models``) to Adaptive Card 1.3 dicts, each with
a markdown fallback. Button data follows :mod:`cards.actions`; limits are in :mod:`cards.limits`."""
from __future__ import annotations

from .help import help_card, help_markdown
from .limits import CARD_BUDGET_BYTES, MARKDOWN_BUDGET_BYTES, MAX_ACTIONS
from .notices import (
    access_denied_card,
    access_denied_markdown,
    error_card,
    error_markdown,
    notice_card,
    notice_markdown,
)
from .numbers import empty_numbers_card, empty_numbers_markdown, numbers_page_card, numbers_page_markdown
from .picker import location_picker_card, location_picker_markdown
from .text import escape
from .validation import validation_card, validation_markdown

__all__ = [
    "CARD_BUDGET_BYTES",
    "MARKDOWN_BUDGET_BYTES",
    "MAX_ACTIONS",
    "access_denied_card",
    "access_denied_markdown",
    "empty_numbers_card",
    "empty_numbers_markdown",
    "error_card",
    "error_markdown",
    "escape",
    "help_card",
    "help_markdown",
    "location_picker_card",
    "location_picker_markdown",
    "notice_card",
    "notice_markdown",
    "numbers_page_card",
    "numbers_page_markdown",
    "validation_card",
    "validation_markdown",
]
