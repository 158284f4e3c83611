"""Cards: pure functions from typed data (``bot.core.models``) to Adaptive Card 1.3 dicts, each with a
markdown fallback, and ``…_reply`` functions that give both as a ``Reply``. Button data follows
:mod:`bot.core.buttons`; limits are in :mod:`cards.limits`."""
from __future__ import annotations

from .changes import (
    activate_result_reply,
    add_confirm_reply,
    add_nothing_reply,
    add_result_reply,
    assign_confirm_reply,
    assign_result_reply,
    change_cancelled_reply,
    change_refused_reply,
)
from .help import help_card, help_markdown, help_reply
from .limits import CARD_BUDGET_BYTES, MARKDOWN_BUDGET_BYTES, MAX_ACTIONS
from .notices import (
    access_denied_card,
    access_denied_markdown,
    access_denied_reply,
    asked_by,
    busy_reply,
    crash_reply,
    error_card,
    error_markdown,
    error_reply,
    webex_error_reply,
)
from .numbers import (
    empty_numbers_card,
    empty_numbers_markdown,
    empty_numbers_reply,
    numbers_export_reply,
    numbers_page_card,
    numbers_page_markdown,
    numbers_page_reply,
)
from .picker import location_picker_card, location_picker_markdown, location_picker_reply
from .text import escape
from .validation import validation_card, validation_markdown, validation_reply

__all__ = [
    "CARD_BUDGET_BYTES",
    "MARKDOWN_BUDGET_BYTES",
    "MAX_ACTIONS",
    "access_denied_card",
    "access_denied_markdown",
    "access_denied_reply",
    "activate_result_reply",
    "add_confirm_reply",
    "add_nothing_reply",
    "add_result_reply",
    "asked_by",
    "assign_confirm_reply",
    "assign_result_reply",
    "busy_reply",
    "change_cancelled_reply",
    "change_refused_reply",
    "crash_reply",
    "empty_numbers_card",
    "empty_numbers_markdown",
    "empty_numbers_reply",
    "error_card",
    "error_markdown",
    "error_reply",
    "escape",
    "help_card",
    "help_markdown",
    "help_reply",
    "location_picker_card",
    "location_picker_markdown",
    "location_picker_reply",
    "numbers_export_reply",
    "numbers_page_card",
    "numbers_page_markdown",
    "numbers_page_reply",
    "validation_card",
    "validation_markdown",
    "validation_reply",
    "webex_error_reply",
]
