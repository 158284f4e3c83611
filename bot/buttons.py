"""The contract between card buttons and the bot: what a button's ``data`` holds.

Webex sends back, in an ``attachmentActions`` event, the pressed button's
``data`` merged with the card's input values (inputs win on a key clash). All
the state a button needs travels here, so any bot instance can serve any press
and a press on an old card still works. ``numbot`` names the action and marks
the card as ours.

This module and ``bot.models`` are the bottom of the import graph: ``cards``
builds buttons with it, ``bot`` reads presses with it, and it imports neither.
"""
from __future__ import annotations

from typing import Iterable

from bot.models import NumberFilters

KEY_ACTION = "numbot"

# Actions
VALIDATE = "validate"              # numbers in data["numbers"] or input "numbers"
ALTERNATE = "alternate"            # show a page of alternate available numbers
ALTERNATE_SEARCH = "alternate_search"  # narrow the location picker by name
ALTERNATE_PICKER = "alternate_picker"  # show the location picker
HELP = "help"

# Input ids and data keys
INPUT_NUMBERS = "numbers"
INPUT_LOCATION = "locationId"
INPUT_LOCATION_QUERY = "locationQuery"
INPUT_FILTER_NUMBERS = "filterNumbers"  # picker: numbers to look for (not "numbers": that one means validate)
INPUT_ONLY_ACTIVE = "onlyActive"
INPUT_ONLY_TOLL_FREE = "onlyTollFree"
INPUT_ONLY_SERVICE = "onlyService"
KEY_START = "start"
KEY_PHONE_NUMBERS = "phoneNumbers"  # comma-joined E.164 filter for the API
KEY_BACK = "back"      # API offsets of earlier pages, nearest last (filtered paging)
KEY_SHOWN = "shown"    # the toggle filters this page was built with, e.g. "active,tollFree"
MAX_BACK = 100         # keeps button data small; beyond it Previous falls back to offsets

TOGGLE_INPUTS = (INPUT_ONLY_ACTIVE, INPUT_ONLY_TOLL_FREE, INPUT_ONLY_SERVICE)


def action_data(action: str, **fields: object) -> dict:
    """Data for an Action.Submit: the action name and its fields."""
    data: dict = {KEY_ACTION: action}
    data.update({k: v for k, v in fields.items() if v is not None})
    return data


def validate_data(numbers: Iterable[str] | None = None) -> dict:
    """A "validate" button; without numbers it reads the ``numbers`` input."""
    return action_data(VALIDATE, **({INPUT_NUMBERS: ", ".join(numbers)} if numbers else {}))


def shown_filters(filters: NumberFilters) -> str:
    """The toggles a page was built with, so a press can tell they changed."""
    flags = (
        (filters.only_active, INPUT_ONLY_ACTIVE),
        (filters.only_toll_free, INPUT_ONLY_TOLL_FREE),
        (filters.only_service, INPUT_ONLY_SERVICE),
    )
    return ",".join(name for on, name in flags if on)


def alternate_data(
    location_id: str | None,
    start: int,
    filters: NumberFilters,
    back: tuple[int, ...] = (),
) -> dict:
    """A page button. Toggle filters travel as the toggles' own input values;
    data carries the location, the API offset, the phone-number filter, the
    offsets of earlier pages and the toggles the current page was built with."""
    return action_data(
        ALTERNATE,
        **{
            INPUT_LOCATION: location_id,
            KEY_START: start,
            KEY_PHONE_NUMBERS: ",".join(filters.phone_numbers) or None,
            KEY_BACK: list(back[-MAX_BACK:]) or None,
            KEY_SHOWN: shown_filters(filters),
        },
    )


# -- reading a press: inputs arrive as the client sends them, so every reader is lenient ------

def flag(value: object) -> bool:
    """A toggle: the strings "true"/"false" (Webex clients), or a JSON boolean."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "yes", "on")


def whole(value: object, default: int = 0) -> int:
    """A non-negative whole number (an offset, a page), ``default`` when it is none."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return max(0, min(number, 10_000_000))


def text(value: object, limit: int = 100_000) -> str:
    """A text input, at most ``limit`` characters; anything else reads as empty."""
    return value[:limit] if isinstance(value, str) else ""
