"""Changes in Webex: the confirmation cards, their results, refusals and the audit line.

A confirmation card says exactly what its button will change and for how long it works; its
buttons carry the sealed subject (``bot.conversation.changes``), never anything the admin could edit into
another change. AC 1.3 has no ``isEnabled``, so a button an admin may not use is still shown and
its press is answered with why (``change_refused_reply``). Names, numbers and Webex's words come
from outside: cards show them with ``literal``, markdown escapes them.
"""
from __future__ import annotations

from webexpythonsdk.models import cards as ac
from webexpythonsdk.models.cards import options as opt

from bot.core import buttons
from bot.core.models import (
    RING_PATTERNS,
    ActivateResult,
    AddPlan,
    AddResult,
    AssignPlan,
    AssignResult,
    AutoAttendant,
    Location,
    NumberCheck,
    NumberError,
    Reply,
    Severity,
    WebexErrorInfo,
)

from .base import COLOUR, card, columns, heading, literal, size_of, submit, subtle, text, title
from .limits import CARD_BUDGET_BYTES, VALIDATE_AGAIN_MAX_NUMBERS
from .text import card_bytes, clip, escape
from .validation import ADVICE, plural

NAME_CHARS = 80
REASON_CHARS = 300
STATE_CHOICES = (("Active: calls reach the number at once", "ACTIVE"),
                 ("Inactive: added, activated later", "INACTIVE"))


def _expiry(minutes: int) -> str:
    return (f"Nothing changes until you press the button. This confirmation works once and for "
            f"{minutes} minutes; the bot checks again then that you are a full administrator.")


def _validate_again(numbers: tuple[str, ...]) -> list:
    numbers = tuple(dict.fromkeys(numbers))
    if not numbers or len(numbers) > VALIDATE_AGAIN_MAX_NUMBERS:
        return []
    return [submit("Validate again", buttons.validate_data(numbers))]


# ---------------------------------------------------------------- refusals


REFUSED_TITLE = "No change made"


def change_refused_reply(reason: str) -> Reply:
    """A change the bot will not make (not allowed, expired, not a card of this bot…)."""
    body = [title(REFUSED_TITLE, COLOUR[Severity.WARNING]), literal(reason)]
    return Reply(markdown=f"**{REFUSED_TITLE}**\n\n{escape(reason)}",
                 card=card(body, [submit("Help", buttons.action_data(buttons.HELP))]), is_error=True)


def change_cancelled_reply(used_already: bool = False) -> Reply:
    said = ("That confirmation was used already (confirmed or cancelled): this press changed nothing. The answer "
            "to the first press says what happened." if used_already
            else "Cancelled: nothing was changed, and that confirmation no longer works.")
    return Reply(markdown=escape(said), card=card([literal(said)]))


# ---------------------------------------------------------------- add numbers: confirmation


def _not_offered_lines(checks: tuple[NumberCheck, ...]) -> list[str]:
    """"+1214… Duplicate: already in your organisation…" per number that will not be added."""
    lines = []
    for check in checks:
        why = ADVICE.get(check.state, "")
        if check.state.value == "Duplicate In List":
            why = "Listed twice: it is added once."
        lines.append(f"{check.e164} · {check.state.value}" + (f": {why}" if why else ""))
    return lines


def add_nothing_reply(not_offered: tuple[NumberCheck, ...]) -> Reply:
    """None of the numbers is Available: nothing to confirm."""
    head = "No numbers to add"
    said = "Only numbers that validate as Available can be added to a location; none of these does."
    lines = _not_offered_lines(not_offered)
    body: list = [title(head, COLOUR[Severity.WARNING]), text(said)]
    body += [subtle(clip(line, REASON_CHARS), verbatim=True) for line in lines[:40]]
    markdown = f"**{head}**\n\n{said}" + "".join(f"\n- {escape(clip(line, REASON_CHARS))}" for line in lines[:40])
    actions = [*_validate_again(tuple(c.e164 for c in not_offered)), submit("Help", buttons.action_data(buttons.HELP))]
    return Reply(markdown=markdown, card=card(body, actions), is_error=True)


def add_confirm_card(plan: AddPlan) -> dict:
    """Every location when they fit the card budget; else as many as fit, the chosen one first,
    and a line saying how to name any other (``add NUMBERS to LOCATION``)."""
    locations = list(plan.locations)
    built = _add_confirm(plan, locations, shown_all=True)
    if card_bytes(built) <= CARD_BUDGET_BYTES:
        return built
    locations.sort(key=lambda loc: loc.id != plan.chosen)
    room = CARD_BUDGET_BYTES - card_bytes(_add_confirm(plan, [], shown_all=False)) - 200
    shown = []
    for location in locations:
        cost = size_of(_location_choice(location))
        if cost > room:
            break
        shown.append(location)
        room -= cost
    return _add_confirm(plan, shown, shown_all=False)


def _location_choice(location: Location) -> ac.Choice:
    return ac.Choice(clip(location.name, NAME_CHARS), location.id)


def _add_confirm(plan: AddPlan, locations: list[Location], shown_all: bool) -> dict:
    count = plural(len(plan.numbers), "number", "numbers")
    body: list = [title(f"Add {count} to a location?")]
    if plan.note:
        body.append(literal(clip(plan.note, REASON_CHARS), color=COLOUR[Severity.WARNING]))
    body.append(heading(f"Available, to be added ({len(plan.numbers)})"))
    body.append(literal(", ".join(plan.numbers)))
    if plan.not_offered:
        body.append(heading(f"Not added ({len(plan.not_offered)})"))
        body += [subtle(clip(line, REASON_CHARS), verbatim=True) for line in _not_offered_lines(plan.not_offered)]
    body.append(ac.ChoiceSet(
        id=buttons.INPUT_LOCATION, label="Location", placeholder="Choose a location",
        choices=[_location_choice(loc) for loc in locations],
        value=plan.chosen, style=opt.ChoiceInputStyle.COMPACT, isRequired=True, errorMessage="Choose a location",
    ))
    if not shown_all:
        body.append(subtle(f"The list shows {len(locations)} of your {len(plan.locations)} calling locations. "
                           "For another, write: add NUMBERS to LOCATION", size=opt.FontSize.SMALL))
    body.append(ac.ChoiceSet(
        id=buttons.INPUT_NUMBER_STATE, label="Add them as",
        choices=[ac.Choice(label, value) for label, value in STATE_CHOICES],
        value="ACTIVE", style=opt.ChoiceInputStyle.EXPANDED,
    ))
    body.append(subtle(_expiry(plan.minutes), spacing=opt.Spacing.MEDIUM, size=opt.FontSize.SMALL))
    return card(body, [submit(f"Add {count}", buttons.confirm_data(buttons.ADD_CONFIRM, plan.seal), positive=True),
                       submit("Cancel", buttons.cancel_data(buttons.CHANGE_ADD, plan.seal))])


def add_confirm_markdown(plan: AddPlan) -> str:
    out = (f"**Add {plural(len(plan.numbers), 'number', 'numbers')} to a location?**\n\n"
           f"Available, to be added: {escape(', '.join(plan.numbers))}")
    if plan.not_offered:
        out += "\n\nNot added:" + "".join(f"\n- {escape(clip(line, REASON_CHARS))}"
                                          for line in _not_offered_lines(plan.not_offered))
    return out + "\n\nChoose the location and confirm on the card (a client without cards cannot confirm)."


def add_confirm_reply(plan: AddPlan) -> Reply:
    return Reply(markdown=add_confirm_markdown(plan), card=add_confirm_card(plan))


# ---------------------------------------------------------------- add numbers: result


def _refusal(error: NumberError) -> str:
    return f"{error.number}: {clip(error.message, REASON_CHARS)}"


def _add_headline(result: AddResult) -> tuple[str, Severity]:
    where = clip(result.location.name, NAME_CHARS)
    if result.added and not result.refused and result.error is None:
        return f"Added {plural(len(result.added), 'number', 'numbers')} to {where}", Severity.GOOD
    if result.added:
        return f"Added {plural(len(result.added), 'number', 'numbers')} to {where}; some were refused", Severity.WARNING
    if not result.refused and result.error is None:
        return f"Nothing to add: the numbers are in {where} already", Severity.GOOD
    return f"No numbers added to {where}", Severity.ATTENTION


def _add_sections(result: AddResult) -> list[tuple[str, list[str]]]:
    state = "active" if result.active else "inactive"
    sections = []
    if result.added:
        sections.append((f"Added, {state} ({len(result.added)})", [", ".join(result.added)]))
    if result.there_already:
        sections.append((f"In the location already ({len(result.there_already)})", [", ".join(result.there_already)]))
    if result.refused:
        sections.append((f"Refused by Webex ({len(result.refused)})", [_refusal(e) for e in result.refused]))
    if result.error is not None and not result.refused:
        said = f"Webex answered {result.error.status_code or 'nothing'}: {clip(result.error.message, REASON_CHARS)}"
        sections.append(("Refused by Webex", [said]))
    return sections


def _tracking(error: WebexErrorInfo | None) -> str | None:
    return f"Tracking ID: {error.tracking_id}" if error is not None and error.tracking_id else None


def add_result_card(result: AddResult) -> dict:
    headline, severity = _add_headline(result)
    body: list = [title(headline, COLOUR[severity], verbatim=True)]
    for name, lines in _add_sections(result):
        body.append(heading(name))
        body += [literal(line) for line in lines]
    if result.advice:
        body.append(literal(result.advice, color=COLOUR[Severity.WARNING]))
    tracking = _tracking(result.error)
    if tracking:
        body.append(subtle(tracking, verbatim=True, size=opt.FontSize.SMALL))
    if result.audit:
        body.append(subtle(result.audit, verbatim=True, spacing=opt.Spacing.MEDIUM, size=opt.FontSize.SMALL))
    numbers = result.asked or result.added + result.there_already + tuple(e.number for e in result.refused)
    actions = _validate_again(numbers)
    if result.activate is not None:
        body.append(literal(INACTIVE_NOTE, spacing=opt.Spacing.MEDIUM))
        actions.insert(0, submit(f"Activate {plural(len(result.added), 'number', 'numbers')} now",
                                 buttons.confirm_data(buttons.ACTIVATE_CONFIRM, result.activate), positive=True))
    return card(body, actions)


def add_result_markdown(result: AddResult) -> str:
    headline, _ = _add_headline(result)
    out = f"**{escape(headline)}**"
    for name, lines in _add_sections(result):
        out += f"\n\n{escape(name)}:" + "".join(f"\n- {escape(line)}" for line in lines)
    if result.advice:
        out += f"\n\n{escape(result.advice)}"
    tracking = _tracking(result.error)
    if tracking:
        out += f"\n\n{escape(tracking)}"
    if result.activate is not None:
        out += f"\n\n{escape(INACTIVE_NOTE)}"
    if result.audit:
        out += f"\n\n_{escape(result.audit)}_"
    return out


INACTIVE_NOTE = ("Inactive numbers are in the location but take no calls. Activate them now, or later in "
                 "Control Hub (Calling > Numbers).")


def add_result_reply(result: AddResult) -> Reply:
    return Reply(markdown=add_result_markdown(result), card=add_result_card(result),
                 is_error=not result.added and bool(result.refused or result.error))


# ---------------------------------------------------------------- activate


def _activate_headline(result: ActivateResult) -> tuple[str, Severity]:
    where = clip(result.location.name, NAME_CHARS)
    if result.activated and result.error is None:
        return f"Activated {plural(len(result.activated), 'number', 'numbers')} at {where}", Severity.GOOD
    if result.error is not None:
        return f"Webex did not activate the numbers at {where}", Severity.ATTENTION
    return f"Nothing to activate at {where}", Severity.GOOD


def _activate_sections(result: ActivateResult) -> list[tuple[str, str]]:
    sections = []
    if result.activated:
        sections.append((f"Activated ({len(result.activated)})", ", ".join(result.activated)))
    if result.active_already:
        sections.append((f"Active already ({len(result.active_already)})", ", ".join(result.active_already)))
    if result.not_there:
        sections.append((f"No longer in the location ({len(result.not_there)})", ", ".join(result.not_there)))
    if result.error is not None:
        sections.append(("Refused by Webex", f"Webex answered {result.error.status_code or 'nothing'}: "
                                             f"{clip(result.error.message, REASON_CHARS)}"))
    return sections


def activate_result_reply(result: ActivateResult) -> Reply:
    headline, severity = _activate_headline(result)
    body: list = [title(headline, COLOUR[severity], verbatim=True)]
    markdown = f"**{escape(headline)}**"
    for name, line in _activate_sections(result):
        body += [heading(name), literal(line)]
        markdown += f"\n\n{escape(name)}: {escape(line)}"
    tracking = _tracking(result.error)
    if tracking:
        body.append(subtle(tracking, verbatim=True, size=opt.FontSize.SMALL))
        markdown += f"\n\n{escape(tracking)}"
    if result.audit:
        body.append(subtle(result.audit, verbatim=True, spacing=opt.Spacing.MEDIUM, size=opt.FontSize.SMALL))
        markdown += f"\n\n_{escape(result.audit)}_"
    numbers = result.activated + result.active_already + result.not_there
    return Reply(markdown=markdown, card=card(body, _validate_again(numbers)),
                 is_error=result.error is not None and not result.activated)


# ---------------------------------------------------------------- assign: confirmation


def _attendant_label(attendant: AutoAttendant) -> str:
    reach = [part for part in (attendant.phone_number, f"ext. {attendant.extension}" if attendant.extension else None)
             if part]
    return clip(attendant.name, NAME_CHARS) + (f" ({', '.join(reach)})" if reach else "")


def _alternate_line(number: str, ring_pattern: str) -> str:
    return f"{number} · ring {RING_PATTERNS.get(ring_pattern, ring_pattern).lower()}"


def assign_confirm_card(plan: AssignPlan) -> dict:
    removals = {(aa, number): seal for aa, number, seal in plan.removals}
    head: list = [title(f"Assign {plan.number} to an auto attendant?", verbatim=True),
                  subtle(f"Location: {clip(plan.location.name, NAME_CHARS)}", verbatim=True)]
    if plan.note:
        head.append(literal(clip(plan.note, REASON_CHARS), color=COLOUR[Severity.WARNING]))
    inputs: list = [
        ac.ChoiceSet(id=buttons.INPUT_AUTO_ATTENDANT, label="Auto attendant", placeholder="Choose an auto attendant",
                     choices=[ac.Choice(_attendant_label(a), a.id) for a in plan.attendants],
                     value=plan.chosen, style=opt.ChoiceInputStyle.COMPACT),
        ac.ChoiceSet(id=buttons.INPUT_RING_PATTERN, label="Ring pattern for calls to this number",
                     choices=[ac.Choice(label, value) for value, label in RING_PATTERNS.items()],
                     value="NORMAL", style=opt.ChoiceInputStyle.COMPACT),
        subtle(_expiry(plan.minutes), spacing=opt.Spacing.MEDIUM, size=opt.FontSize.SMALL),
    ]
    actions = [submit("Assign", buttons.confirm_data(buttons.ASSIGN_CONFIRM, plan.seal), positive=True),
               submit("Cancel", buttons.cancel_data(buttons.CHANGE_ASSIGN, plan.seal))]
    # The listing fills what the budget leaves: Remove buttons while they fit, then bare lines,
    # then a count of what is left out.
    room = CARD_BUDGET_BYTES - 600 - card_bytes(card(head + inputs, actions))
    listing: list = [heading("Their alternate numbers now")]
    room -= size_of(listing[0])
    without_buttons = left_out = 0

    def place(element) -> bool:
        nonlocal room
        cost = size_of(element)
        if cost > room:
            return False
        listing.append(element)
        room -= cost
        return True

    for attendant in plan.attendants:
        have = attendant.alternate_numbers or ()
        full = f" · full ({len(have)} of {plan.most})" if len(have) >= plan.most else ""
        if not place(literal(_attendant_label(attendant) + full, weight=opt.FontWeight.BOLDER,
                             spacing=opt.Spacing.SMALL)):
            left_out += len(have)
            continue
        if not have:
            place(subtle("None yet."))
        for alternate in have:
            line = literal(_alternate_line(alternate.phone_number, alternate.ring_pattern))
            seal = removals.get((attendant.id, alternate.phone_number))
            if seal is not None and place(columns([line], [ac.ActionSet(actions=[submit(
                    "Remove", buttons.confirm_data(buttons.REMOVE_CONFIRM, seal))])])):
                continue
            if place(line):
                without_buttons += seal is not None
            else:
                left_out += 1
    if without_buttons or left_out:
        said = []
        if left_out:
            said.append(f"{left_out} alternate numbers are not listed here")
        if without_buttons:
            said.append(f"{without_buttons} have no Remove button here")
        listing.append(subtle(", and ".join(said) + ", to keep the card small: name the auto attendant "
                              "(assign NUMBER to NAME in LOCATION) to see only its own."))
    return card(head + listing + inputs, actions)


def assign_confirm_markdown(plan: AssignPlan) -> str:
    out = (f"**Assign {escape(plan.number)} to an auto attendant?**\n\nLocation: {escape(plan.location.name)}"
           "\n\nAuto attendants and their alternate numbers now:")
    for attendant in plan.attendants:
        have = attendant.alternate_numbers or ()
        numbers = ", ".join(_alternate_line(a.phone_number, a.ring_pattern) for a in have) or "none"
        out += f"\n- {escape(_attendant_label(attendant))}: {escape(numbers)}"
    return out + "\n\nChoose and confirm on the card (a client without cards cannot confirm)."


def assign_confirm_reply(plan: AssignPlan) -> Reply:
    return Reply(markdown=assign_confirm_markdown(plan), card=assign_confirm_card(plan))


# ---------------------------------------------------------------- assign: result


def _assign_headline(result: AssignResult) -> str:
    name, number = clip(result.attendant.name, NAME_CHARS), result.number
    if result.removed:
        return (f"Removed {number} from {name}" if result.changed
                else f"{number} was not an alternate number of {name}: nothing to remove")
    return (f"Assigned {number} to {name}" if result.changed
            else f"{number} is an alternate number of {name} already: nothing changed")


def _now_lines(result: AssignResult) -> list[str]:
    have = result.attendant.alternate_numbers or ()
    return [_alternate_line(a.phone_number, a.ring_pattern) for a in have] or ["None."]


def assign_result_card(result: AssignResult) -> dict:
    body: list = [title(_assign_headline(result), COLOUR[Severity.GOOD], verbatim=True),
                  subtle(f"Location: {clip(result.location.name, NAME_CHARS)}", verbatim=True),
                  heading("Its alternate numbers now")]
    body += [literal(line) for line in _now_lines(result)]
    if result.audit:
        body.append(subtle(result.audit, verbatim=True, spacing=opt.Spacing.MEDIUM, size=opt.FontSize.SMALL))
    return card(body, [submit("Alternate numbers", buttons.alternate_data(result.location.id, 1))])


def assign_result_markdown(result: AssignResult) -> str:
    out = (f"**{escape(_assign_headline(result))}**\n\nLocation: {escape(result.location.name)}\n\n"
           "Its alternate numbers now:" + "".join(f"\n- {escape(line)}" for line in _now_lines(result)))
    if result.audit:
        out += f"\n\n_{escape(result.audit)}_"
    return out


def assign_result_reply(result: AssignResult) -> Reply:
    return Reply(markdown=assign_result_markdown(result), card=assign_result_card(result))
