"""Small builders on top of ``webexpythonsdk.models.cards``, and the one place a card
becomes a dict.

Webex renders Adaptive Cards 1.3. webexpythonsdk's ``Submit`` emits
``"associatedInputs": "auto"`` (AC 1.5) unless told not to, and every element carries
``"isVisible": true`` (the default): :func:`finish` drops both, and the toggles' default
``valueOn``/``valueOff``, so cards are 1.3 and small.
"""
from __future__ import annotations

from webexpythonsdk.models import cards as ac
from webexpythonsdk.models.cards import options as opt

from bot.core.models import Severity

from .text import card_bytes

COLOUR: dict[Severity, opt.Colors] = {
    Severity.GOOD: opt.Colors.GOOD,
    Severity.WARNING: opt.Colors.WARNING,
    Severity.ATTENTION: opt.Colors.ATTENTION,
}

# Properties newer than AC 1.3 (or defaults not worth their bytes) that must never be sent.
# "$schema" is for editors, not renderers (Webex ignores it): 62 bytes a card better spent on rows.
_DROP = {"associatedInputs", "$schema"}
_DEFAULTS = {"isVisible": True, "valueOn": "true", "valueOff": "false"}


def _strip(node):
    if isinstance(node, dict):
        return {
            k: _strip(v)
            for k, v in node.items()
            if k not in _DROP and not (k in _DEFAULTS and v == _DEFAULTS[k])
        }
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def to_dict(element) -> dict:
    """One element (or a whole card) as the dict Webex gets."""
    return _strip(element.to_dict())


def size_of(element) -> int:
    """Bytes an element adds to a card's compact JSON (with its separating comma)."""
    return card_bytes(to_dict(element)) + 1


def card(body: list, actions: list | None = None, fallback_text: str | None = None) -> dict:
    return to_dict(ac.AdaptiveCard(body=body, actions=actions or None, fallbackText=fallback_text))


def submit(title: str, data: dict, *, positive: bool = False) -> ac.Submit:
    # associatedInputs=None: the SDK then omits that AC 1.5 property.
    return ac.Submit(
        title=title,
        data=data,
        associatedInputs=None,
        style=opt.ActionStyle.POSITIVE if positive else None,
    )


def text(value: str, **kwargs) -> ac.TextBlock:
    """A wrapping TextBlock for our own words. Its ``value`` is markdown, so anything that came
    from outside (typed by an admin, sent by Webex) goes in :func:`literal` instead."""
    kwargs.setdefault("wrap", True)
    return ac.TextBlock(value, **kwargs)


_RUN_STYLE = ("size", "weight", "color", "isSubtle", "fontType")


def literal(value: str, **style) -> ac.RichTextBlock:
    """``value`` shown exactly as it is, on one line: a RichTextBlock of one TextRun.

    TextBlock text is markdown (a subset: bold, italic, lists, links), and renderers disagree
    on backslash escapes: some show ``\\[Error 8363\\]`` with its backslashes
    (microsoft/AdaptiveCards #5590, #5758, #4677). No renderer reads a TextRun as markdown
    (AC 1.2; Webex renders 1.3), so numbers as typed, Webex's errors, location names and notes
    go here, unescaped. ``style``: the TextRun's size, weight, color, isSubtle, fontType, and the
    block's spacing, horizontalAlignment, separator. A RichTextBlock always wraps.
    """
    run = {k: v for k, v in style.items() if k in _RUN_STYLE}
    block = {k: v for k, v in style.items() if k not in _RUN_STYLE}
    return ac.RichTextBlock(inlines=[ac.TextRun(" ".join(str(value).split()), **run)], **block)


def title(value: str, colour: opt.Colors | None = None, *, verbatim: bool = False) -> ac.TextBlock | ac.RichTextBlock:
    """The card's first line; ``verbatim``: it holds outside text (see :func:`literal`)."""
    make = literal if verbatim else text
    return make(value, size=opt.FontSize.LARGE, weight=opt.FontWeight.BOLDER, color=colour)


def subtle(value: str, *, verbatim: bool = False, **kwargs) -> ac.TextBlock | ac.RichTextBlock:
    kwargs.setdefault("spacing", opt.Spacing.NONE)
    make = literal if verbatim else text
    return make(value, isSubtle=True, **kwargs)


def heading(value: str) -> ac.TextBlock:
    return text(value, weight=opt.FontWeight.BOLDER, spacing=opt.Spacing.MEDIUM)


def columns(left: list, right: list, *, separator: bool = False) -> ac.ColumnSet:
    """A row: ``left`` takes the room, ``right`` (a state) is as wide as it needs."""
    return ac.ColumnSet(
        columns=[ac.Column(items=left, width="stretch"), ac.Column(items=right, width="auto")],
        separator=separator or None,
    )
