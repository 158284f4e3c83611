"""Reading a card in tests: every element, and the buttons, found by what they are."""
from __future__ import annotations

from collections.abc import Iterator


def walk(node: object) -> Iterator[dict]:
    """Every dict in a card, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def all_actions(card: dict) -> list[dict]:
    return [d for d in walk(card) if str(d.get("type", "")).startswith("Action.")]


def button(card: dict, title: str) -> dict:
    """The button called ``title``, wherever it stands on the card."""
    return next(a for a in all_actions(card) if a.get("title") == title)
