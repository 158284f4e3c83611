"""Every command, declared once: its words, the buttons it answers, its request, its flow and
its help line. Routing, parsing dispatch, the help card and the log's flow name read this table,
and :func:`check` refuses a table with a mistake when this module is imported, not when an admin
sends a message.

A message is matched against every command's words (longest first, as whole words); the rest of
the message goes to that command's ``from_text``, which returns its request, or None to let the
next command try. A message without a command word goes to :data:`BARE_TEXT` (numbers pasted on
their own are a validate). A card press carries the action name in its data (``bot.core.buttons``);
the command that lists that action reads the press with ``from_card``.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Optional

import cards
from bot.conversation.flows import FlowContext, add, alternate, assign, bulk, confirm, locations, owners, validate
from bot.conversation.flows import help as help_flow
from bot.core import buttons
from bot.core.models import HelpEntry, Reply

Request = Any  # each command's own request dataclass (``help_flow.Help``, ``validate.Validate`` …)
TextReader = Callable[[str, str], Optional[Request]]  # (text after the words, default region)
CardReader = Callable[[dict, str, str], Request]  # (inputs, action, default region)
FileReader = Callable[[str, tuple[str, ...], str], Request]  # (text, file URLs, default region)


@dataclass(frozen=True)
class Command:
    name: str  # the flow's name in the log
    request: type  # the request dataclass its readers return and its flow answers
    answer: Callable[[Any, FlowContext], Reply]
    words: tuple[str, ...] = ()
    from_text: Optional[TextReader] = None
    actions: tuple[str, ...] = ()
    from_card: Optional[CardReader] = None
    from_files: Optional[FileReader] = None  # a message with attached files (one command reads them)
    help: Optional[HelpEntry] = None
    more_requests: tuple[type, ...] = ()  # other request types its readers return (a confirmation press)
    changes: bool = False  # it changes Webex: on the help card only where changes are on (``bot.conversation.changes``)


@dataclass(frozen=True)
class UnknownCard:
    """A press on a card this bot does not know (another bot's, or an old format)."""

    reason: str


def _unknown_card(request: UnknownCard, ctx: FlowContext) -> Reply:
    return cards.error_reply("Unknown card", request.reason)


COMMANDS: tuple[Command, ...] = (
    Command(
        name="help", request=help_flow.Help, answer=help_flow.answer,
        words=("help", "?", "hi", "hello", "start", "usage"), from_text=help_flow.from_text,
        actions=(buttons.HELP,), from_card=help_flow.from_card,
    ),
    Command(
        name="validate", request=validate.Validate, answer=validate.answer,
        words=("validate", "check", "verify"), from_text=validate.from_text,
        actions=(buttons.VALIDATE,), from_card=validate.from_card,
        help=HelpEntry("Validate numbers",
                       "Write validate and the numbers, or just paste them, one per line. E.164 (+1214...) and "
                       "national format are accepted; national numbers are read as {region} numbers. For another "
                       "country's national numbers, name it first: validate GB 020 7183 8750 (or country:GB).",
                       "validate +12145557861, (214) 555-7862 +442071838750"),
    ),
    Command(
        name="alternate", request=alternate.AlternateNumbers, answer=alternate.answer,
        words=("alternate numbers", "alternate number", "alternate", "available numbers", "available",
               "aa numbers", "aa"),
        from_text=alternate.from_text,
        actions=(buttons.ALTERNATE, buttons.ALTERNATE_SEARCH, buttons.ALTERNATE_PICKER, buttons.ALTERNATE_EXPORT),
        from_card=alternate.from_card,
        help=HelpEntry("Auto attendant alternate numbers",
                       "alternate numbers, available or aa numbers, then a location and numbers, both optional.",
                       "alternate numbers Dallas HQ +12143020001"),
    ),
    Command(
        name="locations", request=locations.Locations, answer=locations.answer,
        words=("locations", "list locations", "sites"), from_text=locations.from_text,
        help=HelpEntry("Calling locations",
                       "locations lists the organisation's Webex Calling locations, each with a button to its "
                       "alternate numbers; add part of a name to narrow the list.",
                       "locations Dallas"),
    ),
    Command(
        name="owners", request=owners.Owners, answer=owners.answer,
        words=("who uses", "who has", "owner of", "owners"), from_text=owners.from_text,
        actions=(buttons.OWNERS,), from_card=owners.from_card,
        help=HelpEntry("Who uses a number",
                       "who uses and numbers of your organisation: the user, workspace, auto attendant, hunt "
                       "group or call queue that has each, and its location. Validate shows it for in-use "
                       "numbers too.",
                       "who uses +12143029001"),
    ),
    Command(
        name="bulk", request=bulk.BulkValidate, answer=bulk.answer, from_files=bulk.from_files,
        help=HelpEntry("A spreadsheet of numbers",
                       "Attach a .csv, .txt or .xlsx file (the message may be empty or say validate): I validate "
                       "every number in it and answer with a summary and the result as a file.",
                       "validate + ports.csv attached"),
    ),
    Command(
        name="add", request=add.AddNumbers, answer=add.answer, words=("add numbers", "add number", "add"),
        from_text=add.from_text, actions=(buttons.ADD_PREPARE, buttons.ADD_CONFIRM, buttons.ACTIVATE_CONFIRM),
        from_card=add.from_card, more_requests=(add.ConfirmAdd, add.ConfirmActivate), changes=True,
        help=HelpEntry("Add numbers to a location",
                       "add, the numbers, then to and the location: the Available ones are added after you "
                       "confirm on the card (full administrators only). Validation cards have a button for it.",
                       "add +12145557861 +12145557862 to Dallas HQ"),
    ),
    Command(
        name="assign", request=assign.AssignAlternate, answer=assign.answer,
        words=("assign alternate number", "assign number", "assign"), from_text=assign.from_text,
        actions=(buttons.ASSIGN_PREPARE, buttons.ASSIGN_CONFIRM, buttons.REMOVE_CONFIRM), from_card=assign.from_card,
        more_requests=(assign.ConfirmAssign, assign.ConfirmRemove), changes=True,
        help=HelpEntry("Assign an alternate number to an auto attendant",
                       "assign, the number, to and the auto attendant, in and the location: you confirm the ring "
                       "pattern on the card, which also removes alternate numbers (full administrators only).",
                       "assign +12143020001 to Main Menu in Dallas HQ"),
    ),
    Command(name="cancel-change", request=confirm.CancelChange, answer=confirm.answer,
            actions=(buttons.CANCEL_CHANGE,), from_card=confirm.from_card, changes=True),
    Command(name="unknown-card", request=UnknownCard, answer=_unknown_card),
)

# A message that starts with no command word: numbers pasted on their own, or small talk.
BARE_TEXT: TextReader = validate.from_bare_text


class RegistryError(Exception):
    """The command table has a mistake; the message says which."""


def check(commands: tuple[Command, ...]) -> None:
    """Names, requests, words and actions unique; every word and action has its reader; every
    command an admin can type is on the help card."""
    def unique(kind: str, values: list[str]) -> None:
        seen = set()
        for value in values:
            if value in seen:
                raise RegistryError(f"two commands share the {kind} {value!r}")
            seen.add(value)

    unique("name", [c.name for c in commands])
    unique("request", [r.__qualname__ for c in commands for r in (c.request, *c.more_requests)])
    unique("word", [w.lower() for c in commands for w in c.words])
    unique("action", [a for c in commands for a in c.actions])
    if sum(c.from_files is not None for c in commands) > 1:
        raise RegistryError("more than one command reads attached files")
    for command in commands:
        if command.words and command.from_text is None:
            raise RegistryError(f"{command.name} has words but no from_text")
        if command.actions and command.from_card is None:
            raise RegistryError(f"{command.name} answers buttons but has no from_card")
        if any(not w.strip() or w != w.strip() for w in command.words):
            raise RegistryError(f"{command.name} has an empty or padded word")
        if command.words and command.help is None and command.name != "help":
            raise RegistryError(f"{command.name} can be typed but is not on the help card")


check(COMMANDS)
_BY_REQUEST = {r: c for c in COMMANDS for r in (c.request, *c.more_requests)}
_BY_ACTION = {a: c for c in COMMANDS for a in c.actions}
# Longest first, so that "alternate numbers" wins over "alternate".
_WORDS = sorted(((w.lower(), c) for c in COMMANDS for w in c.words), key=lambda pair: -len(pair[0]))
_FILES = next((c for c in COMMANDS if c.from_files is not None), None)


def help_entries(changes: bool = False) -> tuple[HelpEntry, ...]:
    """The help card's commands; those that change Webex only when ``changes`` are on."""
    return tuple(c.help for c in COMMANDS if c.help is not None and (changes or not c.changes))


def _after(text: str, word: str) -> Optional[str]:
    """The text after ``word`` when the text starts with it as a whole word, else None."""
    if not text.lower().startswith(word):
        return None
    rest = text[len(word):]
    if rest and not re.match(r"[\s:,]", rest):
        return None  # "availableX" is not "available"
    return rest.lstrip(" :,\n\t")


def parse_message(text: str, region: str, files: tuple[str, ...] = ()) -> Request:
    """``text``: what the admin asked (in a group space already without the bot's mention);
    ``files``: the URLs of files attached to the message, which the file command reads."""
    text = text.strip()
    if files and _FILES is not None and _FILES.from_files is not None:
        return _FILES.from_files(text, files, region)
    if not text:
        return help_flow.Help(note="That message was empty.")
    for word, command in _WORDS:
        rest = _after(text, word)
        if rest is not None:
            assert command.from_text is not None  # check() makes sure
            request = command.from_text(rest, region)
            if request is not None:
                return request
    return BARE_TEXT(text, region)


def parse_card_action(inputs: object, region: str) -> Request:
    """A press: the button's data merged with the card's inputs."""
    if not isinstance(inputs, dict) or buttons.KEY_ACTION not in inputs:
        return UnknownCard(reason="That card was not sent by this bot, or it is too old to read.")
    action = inputs.get(buttons.KEY_ACTION)
    command = _BY_ACTION.get(action) if isinstance(action, str) else None
    if command is None or not isinstance(action, str):
        return UnknownCard(reason="That button is not one this bot knows; it may be from an older version.")
    assert command.from_card is not None  # check() makes sure
    return command.from_card(inputs, action, region)


def command_for(request: Request) -> Command:
    """The command whose flow answers ``request`` (KeyError: a reader returned a foreign type)."""
    return _BY_REQUEST[type(request)]
