"""The contract between card buttons and the bot: what a button's ``data`` holds.

Webex sends back, in an ``attachmentActions`` event, the pressed button's
``data`` merged with the card's input values (inputs win on a key clash). All
the state a button needs travels here, so any bot instance can serve any press
and a press on an old card still works. ``numbot`` names the action and marks
the card as ours.

This module and ``bot.core.models`` are the bottom of the import graph: ``cards``
builds buttons with it, ``bot`` reads presses with it, and it imports neither.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from bot.core.models import NumberFilters

KEY_ACTION = "numbot"

# Actions
VALIDATE = "validate"              # numbers in data["numbers"] or input "numbers"
ALTERNATE = "alternate"            # show a page of alternate available numbers
ALTERNATE_SEARCH = "alternate_search"  # narrow the location picker by name
ALTERNATE_PICKER = "alternate_picker"  # show the location picker
ALTERNATE_EXPORT = "alternate_export"  # every number of the location, with the card's filters, as a CSV file
HELP = "help"
OWNERS = "owners"                  # who uses these numbers: data["numbers"]
# Changes (``bot.conversation.changes``): a prepare button opens a confirmation card; the confirmation's
# buttons carry a sealed subject (``Changes.seal``).
ADD_PREPARE = "add_prepare"        # add these numbers (data["numbers"]) to a location: confirmation card
ADD_CONFIRM = "add_confirm"        # add the sealed numbers to the chosen location (input locationId, state)
ASSIGN_PREPARE = "assign_prepare"  # assign a number (input or data "number") of data["locationId"] to an AA
ASSIGN_CONFIRM = "assign_confirm"  # assign the sealed number to the chosen AA (input autoAttendant, ringPattern)
REMOVE_CONFIRM = "remove_confirm"  # remove the sealed alternate number from the sealed AA
ACTIVATE_CONFIRM = "activate_confirm"  # activate the sealed numbers just added inactive to the sealed location
CANCEL_CHANGE = "cancel_change"    # the confirmation is not wanted: it is used up, nothing changes
# The kinds of change a confirmation is sealed for (``Changes.seal``); Cancel names its kind.
CHANGE_ADD, CHANGE_ASSIGN, CHANGE_REMOVE, CHANGE_ACTIVATE = "add", "assign", "remove", "activate"
KEY_KIND = "kind"

# Input ids and data keys
INPUT_NUMBERS = "numbers"
INPUT_LOCATION = "locationId"
INPUT_LOCATION_QUERY = "locationQuery"
INPUT_FILTER_NUMBERS = "filterNumbers"  # picker: numbers to look for (not "numbers": that one means validate)
INPUT_ONLY_ACTIVE = "onlyActive"
INPUT_ONLY_TOLL_FREE = "onlyTollFree"
INPUT_ONLY_SERVICE = "onlyService"
KEY_PAGE = "page"      # the page a paging button opens (1-based)
KEY_SHOWN = "shown"    # the filters the card was built with, so a press can tell they changed
KEY_APPLY = "apply"    # the "Apply filters" button: a change of filters is what it is for
# Read from cards sent before paging by page numbers, so that a press on one still works.
KEY_START = "start"    # the API offset of the page
KEY_PHONE_NUMBERS = "phoneNumbers"  # the comma-joined number filter
INPUT_NUMBER_STATE = "numberState"  # add: "ACTIVE" or "INACTIVE"
INPUT_AUTO_ATTENDANT = "autoAttendant"  # assign: the auto attendant's id
INPUT_RING_PATTERN = "ringPattern"  # assign: Webex's ringPattern value
INPUT_NUMBER = "number"  # assign: the one alternate number chosen on a page

TOGGLE_INPUTS = (INPUT_ONLY_ACTIVE, INPUT_ONLY_TOLL_FREE, INPUT_ONLY_SERVICE)

# Where the card was posted, added to every button as the card is posted (``placed``).
KEY_SPACE = "numbotSpace"    # the kind of space: "direct" or "group"
KEY_THREAD = "numbotThread"  # the thread the card is in (its parentId), when it is in one
SPACE_KINDS = ("direct", "group")
# At most this many bytes of places per card (``placed``); the card budget (cards.limits) is for
# the card as built, so a posted card stays within it plus this.
PLACE_BUDGET_BYTES = 1_000


def action_data(action: str, **fields: object) -> dict:
    """Data for an Action.Submit: the action name and its fields."""
    data: dict = {KEY_ACTION: action}
    data.update({k: v for k, v in fields.items() if v is not None})
    return data


def validate_data(numbers: Iterable[str] | None = None) -> dict:
    """A "validate" button; without numbers it reads the ``numbers`` input."""
    return action_data(VALIDATE, **({INPUT_NUMBERS: ", ".join(numbers)} if numbers else {}))


MAX_OWNER_NUMBERS = 100  # numbers one "who uses" button carries (~1.6 KB of data)


def export_data(location_id: str) -> dict:
    """The "Export CSV" button of a location's numbers: the filters travel as the card's inputs."""
    return action_data(ALTERNATE_EXPORT, **{INPUT_LOCATION: location_id})


def owners_data(numbers: Iterable[str]) -> dict:
    """A "who uses these numbers" button."""
    return action_data(OWNERS, **{INPUT_NUMBERS: ", ".join(numbers)})


def shown_filters(filters: NumberFilters) -> str:
    """The filters a page was built with, compactly (the number filter as a short digest: the
    numbers themselves travel once, in the card's "Only these numbers" box)."""
    flags = (
        (filters.only_active, INPUT_ONLY_ACTIVE),
        (filters.only_toll_free, INPUT_ONLY_TOLL_FREE),
        (filters.only_service, INPUT_ONLY_SERVICE),
    )
    shown = ",".join(name for on, name in flags if on)
    if filters.phone_numbers:
        shown += "#" + hashlib.sha1(",".join(filters.phone_numbers).encode("ascii", "replace")).hexdigest()[:10]
    return shown


def alternate_data(location_id: str | None, page: int, filters: NumberFilters | None = None, *,
                   apply: bool = False) -> dict:
    """A page button: the location, the page it opens and the filters the card was built with
    (None: a card without filters, such as the picker); the filters themselves travel as the
    card's inputs (toggles, "Only these numbers")."""
    return action_data(
        ALTERNATE,
        **{INPUT_LOCATION: location_id, KEY_PAGE: page,
           KEY_SHOWN: shown_filters(filters) if filters is not None else None, KEY_APPLY: True if apply else None},
    )


def add_data(numbers: Iterable[str]) -> dict:
    """The "Add to a location…" button of a validation card: its Available numbers."""
    return action_data(ADD_PREPARE, **{INPUT_NUMBERS: ", ".join(numbers)})


def assign_data(location_id: str) -> dict:
    """The "Assign to an auto attendant…" button of an alternate-numbers page: the number is
    the card's ``number`` input."""
    return action_data(ASSIGN_PREPARE, **{INPUT_LOCATION: location_id})


def confirm_data(action: str, seal: dict) -> dict:
    """A confirmation button: its action and the sealed subject (``bot.conversation.changes``)."""
    return action_data(action, **seal)


def cancel_data(kind: str, seal: dict) -> dict:
    """The Cancel button of a confirmation: it uses the confirmation up."""
    return action_data(CANCEL_CHANGE, **{KEY_KIND: kind}, **seal)


def placed(card: dict, space: str, thread: str | None) -> dict:
    """The card as posted in a ``space`` ("direct" or "group"), in ``thread`` or not: every
    button's data also says so. An ``attachmentActions`` event names the room but neither its kind
    nor the card's thread, which the answer needs (in a group space it names who pressed; it goes
    in the card's thread): with them in the press, the bot need not read the card's message back
    from Webex, a round trip fewer per press.

    The card as built is returned when the space is unknown, or when saying so on every button
    would add more than ``PLACE_BUDGET_BYTES`` (a list of many locations in a thread): a press on
    it reads the card's message, as one on a card posted before this does."""
    if space not in SPACE_KINDS:
        return card
    place = {KEY_SPACE: space, **({KEY_THREAD: thread} if thread else {})}
    each = len(json.dumps(place, separators=(",", ":"))) - 1  # the pairs and a comma, as requests sends it
    submits = 0

    def walk(node: object) -> object:
        nonlocal submits
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        copy = {key: walk(value) for key, value in node.items()}
        data = copy.get("data", {})
        if copy.get("type") == "Action.Submit" and isinstance(data, dict):
            copy["data"] = {**data, **place}
            submits += 1
        return copy

    placed_card = walk(card)
    assert isinstance(placed_card, dict)
    return placed_card if submits * each <= PLACE_BUDGET_BYTES else card


def place_of(inputs: dict) -> tuple[str, str | None] | None:
    """Where a pressed card was posted (its space's kind, its thread), as ``placed`` put it in
    the button's data; None for a card posted without it."""
    space, thread = inputs.get(KEY_SPACE), inputs.get(KEY_THREAD)
    if space not in SPACE_KINDS:
        return None
    return str(space), thread if isinstance(thread, str) and thread else None


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
