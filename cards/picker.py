"""The location picker for alternate numbers.

AC 1.3 has no type-ahead ChoiceSet (``style: filtered`` is 1.5), so with many locations the
card lists the first ones and offers a name search that the bot answers with a narrower
picker.
"""
from __future__ import annotations

from webexpythonsdk.models import cards as ac
from webexpythonsdk.models.cards import options as opt

from bot.core import buttons
from bot.core.models import Location, Reply

from .base import card, literal, size_of, submit, subtle, text, title
from .limits import CARD_BUDGET_BYTES, MARKDOWN_BUDGET_BYTES
from .text import card_bytes, clip, escape, md_bytes

NAME_CHARS = 100


def _choice(location: Location) -> ac.Choice:
    # Choice titles are plain text in every renderer (no markdown): shown as they are.
    return ac.Choice(clip(location.name, NAME_CHARS), location.id)


def location_picker_card(
    locations: list[Location],
    *,
    message: str | None = None,
    query: str | None = None,
    max_choices: int = 100,
    more: bool = False,
    numbers: tuple[str, ...] = (),
) -> dict:
    """``more``: the org has more locations than ``locations`` (the bot reads a bounded number);
    ``numbers``: the filter the admin typed, kept in the "Only these numbers" box."""
    locations = list(locations)
    count = f"more than {len(locations)}" if more else f"{len(locations)}"
    head: list = [title("Alternate numbers: which location?")]
    if message:
        head.append(literal(message))  # it may quote what the admin typed
    filter_input = ac.Text(
        id=buttons.INPUT_FILTER_NUMBERS,
        label="Only these numbers (optional)",
        placeholder="+12145557861, +12145557862",
        value=", ".join(numbers) or None,
    )
    show = submit("Show numbers", buttons.alternate_data(None, 1), positive=True)
    search_parts = [
        ac.Text(
            id=buttons.INPUT_LOCATION_QUERY,
            label="Search locations",
            placeholder="Type part of a location name",
            value=clip(query, 200) if query else None,
        ),
        ac.ActionSet(actions=[submit("Search", buttons.action_data(buttons.ALTERNATE_SEARCH))]),
    ]

    def build(choices: list[Location], searching: bool) -> dict:
        body = list(head)
        if not locations:
            body.append(text("No locations to choose from."))
        if searching:
            body.append(subtle(
                f"There are {count} locations; the list shows the first {len(choices)}. "
                "Type part of a name and press Search to narrow it.",
                spacing=opt.Spacing.SMALL,
            ))
        if choices:
            body.append(ac.ChoiceSet(
                id=buttons.INPUT_LOCATION,
                choices=[_choice(loc) for loc in choices],
                style=opt.ChoiceInputStyle.COMPACT,
                label="Location",
                placeholder="Choose a location",
                # With a Search button the choice cannot be required: AC 1.3 validates every
                # input on every Submit, so Search would be blocked until one is chosen.
                isRequired=None if searching else True,
                errorMessage=None if searching else "Choose a location",
            ))
            body.append(filter_input)
        if searching:
            body += search_parts
        actions = [show] if choices else []
        return card(body, actions)

    if len(locations) <= max_choices and not more:
        built = build(locations, False)
        if card_bytes(built) <= CARD_BUDGET_BYTES:
            return built
    # Too many to list, or too big: as many choices as the budget allows, and a search.
    limit = min(len(locations), max_choices)
    room = CARD_BUDGET_BYTES - card_bytes(build([], True)) - 600  # ChoiceSet, filter, Show button
    shown: list[Location] = []
    for location in locations[:limit]:
        cost = size_of(_choice(location))
        if cost > room:
            break
        shown.append(location)
        room -= cost
    return build(shown, True)


def location_picker_markdown(
    locations: list[Location],
    *,
    message: str | None = None,
    query: str | None = None,
    max_choices: int = 100,
    more: bool = False,
) -> str:
    locations = list(locations)
    out = "**Alternate numbers: which location?**"
    if message:
        out += "\n\n" + escape(message)
    if not locations:
        return out + "\n\nNo locations to choose from."
    counted = f"these locations (there are more than {len(locations)})" if more else f"these {len(locations)} locations"
    out += f"\n\nWrite `alternate numbers` and one of {counted}:"
    tail = "\n\n… and " + ("more" if more else "{n} more") + "; write part of a name to narrow the list."
    reserve = md_bytes(tail.format(n=len(locations)))
    shown = 0
    for location in locations[:max_choices]:
        line = "\n- " + escape(clip(location.name, NAME_CHARS))
        if md_bytes(out + line) + reserve > MARKDOWN_BUDGET_BYTES:
            break
        out += line
        shown += 1
    if shown < len(locations) or more:
        out += tail.format(n=len(locations) - shown)
    return out


def location_picker_reply(locations: list[Location], *, message: str | None = None, query: str | None = None,
                          more: bool = False, numbers: tuple[str, ...] = ()) -> Reply:
    markdown = location_picker_markdown(locations, message=message, query=query, more=more)
    if numbers:
        markdown += "\n\nThen only these numbers: " + escape(", ".join(numbers))
    return Reply(markdown=markdown, card=location_picker_card(locations, message=message, query=query, more=more,
                                                              numbers=numbers))
