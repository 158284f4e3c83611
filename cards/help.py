"""The help card: what the bot does, each command from the registry (heading, what it does, an
example), and a box to paste numbers into."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from webexpythonsdk.models import cards as ac
from webexpythonsdk.models.cards import options as opt

from bot.core import buttons
from bot.core.models import HelpEntry, Reply

from .base import card, heading, literal, submit, subtle, text, title
from .text import escape

TITLE = "numbot: check Webex Calling phone numbers"
INTRO = ("I validate phone numbers with Webex Calling (Available, Duplicate, Invalid, ...), list the "
         "organisation's calling locations and the numbers a location can use as an auto attendant's "
         "alternate number.")


def _example(value: str) -> ac.TextBlock:
    return text(value, fontType=opt.FontType.MONOSPACE, spacing=opt.Spacing.SMALL)


def help_card(default_region: str, commands: Sequence[HelpEntry], note: Optional[str] = None) -> dict:
    body: list = []
    if note:
        body.append(literal(note, weight=opt.FontWeight.BOLDER))  # it may quote the admin's words
    body += [title(TITLE), text(INTRO)]
    for command in commands:
        # The line names the region, which is configuration: shown as it is set.
        body += [heading(command.title), subtle(command.line.format(region=default_region), verbatim=True),
                 _example(command.example)]
    body.append(ac.Text(
        id=buttons.INPUT_NUMBERS,
        isMultiline=True,
        label="Numbers to validate",
        placeholder="+12145557861\n(214) 555-7862",
        # Not isRequired: AC 1.3 checks every input on every Submit, and that would
        # block the "Alternate numbers" button (associatedInputs, which scopes it, is 1.5).
        spacing=opt.Spacing.LARGE,
    ))
    actions = [
        submit("Validate", buttons.validate_data(), positive=True),
        submit("Alternate numbers", buttons.action_data(buttons.ALTERNATE_PICKER)),
    ]
    return card(body, actions)


def help_markdown(default_region: str, commands: Sequence[HelpEntry], note: Optional[str] = None) -> str:
    out = f"**{escape(note)}**\n\n" if note else ""
    out += f"**{TITLE}**\n\n{INTRO}\n"
    for command in commands:
        line = escape(command.line.format(region=default_region))
        out += f"\n- {escape(command.title)}: {line} e.g. `{command.example.replace('`', '')}`"
    return out


def help_reply(default_region: str, commands: Sequence[HelpEntry], note: Optional[str] = None) -> Reply:
    return Reply(markdown=help_markdown(default_region, commands, note), card=help_card(default_region, commands, note))
