"""The help card: what the bot does, how to ask, and a box to paste numbers into."""
from __future__ import annotations

from webexpythonsdk.models import cards as ac
from webexpythonsdk.models.cards import options as opt

from . import actions
from .base import card, heading, submit, subtle, text, title
from .text import escape

EXAMPLE_VALIDATE = "validate +12145557861, (214) 555-7862 +442071838750"
EXAMPLE_ALTERNATE = "alternate numbers Dallas HQ +12143020001"


def _example(value: str) -> ac.TextBlock:
    return text(value, fontType=opt.FontType.MONOSPACE, spacing=opt.Spacing.SMALL)


def help_card(default_region: str) -> dict:
    body = [
        title("numbot: check Webex Calling phone numbers"),
        text(
            "I validate phone numbers with Webex Calling (Available, Duplicate, Invalid, ...) "
            "and list the numbers a location can use as an auto attendant's alternate number."
        ),
        heading("Validate numbers"),
        subtle("Write validate and the numbers, or just paste them, one per line:"),
        _example(EXAMPLE_VALIDATE),
        subtle(
            f"E.164 (+1214...) and national format are accepted; national numbers are read "
            f"as {default_region} numbers, e.g. (214) 555-7862.",
            verbatim=True,  # the region is configuration: shown as it is set
        ),
        heading("Auto attendant alternate numbers"),
        subtle("alternate numbers, available or aa numbers, then a location and numbers, both optional:"),
        _example(EXAMPLE_ALTERNATE),
        ac.Text(
            id=actions.INPUT_NUMBERS,
            isMultiline=True,
            label="Numbers to validate",
            placeholder="+12145557861\n(214) 555-7862",
            # Not isRequired: AC 1.3 checks every input on every Submit, and that would
            # block the "Alternate numbers" button (associatedInputs, which scopes it, is 1.5).
            spacing=opt.Spacing.LARGE,
        ),
    ]
    buttons = [
        submit("Validate", actions.validate_data(), positive=True),
        submit("Alternate numbers", actions.action_data(actions.ALTERNATE_PICKER)),
    ]
    return card(body, buttons)


def help_markdown(default_region: str) -> str:
    region = escape(default_region)
    return (
        "**numbot: check Webex Calling phone numbers**\n\n"
        "I validate phone numbers with Webex Calling and list the numbers a location can use "
        "as an auto attendant's alternate number.\n\n"
        f"- Validate: `{EXAMPLE_VALIDATE}`, or just paste numbers, one per line. "
        f"National format is read as {region} numbers, e.g. (214) 555\\-7862.\n"
        f"- Alternate numbers: `alternate numbers` (or `available`, `aa numbers`) "
        f"\\[location\\] \\[numbers...\\], e.g. `{EXAMPLE_ALTERNATE}`"
    )
