"""Short answers: errors (with what an admin needs to report them), access denied, Webex busy.

Each kind has its card, its markdown fallback, and a ``…_reply`` that gives both as a ``Reply``:
flows and the event handler build every error answer here, in one place."""
from __future__ import annotations

import math
from dataclasses import replace

from webexpythonsdk.models import cards as ac
from webexpythonsdk.models.cards import options as opt

from bot.core import buttons
from bot.core.models import Reply, Severity, WebexErrorInfo

from .base import COLOUR, card, literal, submit, subtle, title, to_dict
from .text import clip, escape

MESSAGE_CHARS = 500


def _error_lines(error: WebexErrorInfo) -> tuple[str, str | None]:
    """What Webex said, as plain text (escape it for markdown), and the tracking ID."""
    status = f"{error.status_code}" if error.status_code is not None else "no status"
    said = f"Webex answered {status}: {clip(error.message, MESSAGE_CHARS)}"
    tracking = clip(error.tracking_id, 200) if error.tracking_id else None
    return said, tracking


def _help_button():
    return submit("Help", buttons.action_data(buttons.HELP))


def error_card(title_: str, explanation: str, error: WebexErrorInfo | None = None) -> dict:
    # Titles and explanations may name a location; Webex's message is Webex's: all literal.
    body: list = [title(title_, COLOUR[Severity.ATTENTION], verbatim=True), literal(explanation)]
    if error is not None:
        said, tracking = _error_lines(error)
        body.append(subtle(said, verbatim=True, spacing=opt.Spacing.MEDIUM))
        if tracking:
            # A TextRun is never markdown, so the ID shows (and copies) exactly as Webex sent it.
            body.append(ac.RichTextBlock(inlines=[
                ac.TextRun("Tracking ID: ", isSubtle=True),
                ac.TextRun(tracking, fontType=opt.FontType.MONOSPACE),
            ]))
            body.append(subtle("Quote it if you report this to Cisco.", size=opt.FontSize.SMALL))
    return card(body, [_help_button()])


def error_markdown(title_: str, explanation: str, error: WebexErrorInfo | None = None) -> str:
    out = f"**{escape(title_)}**\n\n{escape(explanation)}"
    if error is not None:
        said, tracking = _error_lines(error)
        out += f"\n\n{escape(said)}"
        if tracking:
            out += f"\n\nTracking ID: `{tracking.replace('`', '')}` (quote it if you report this to Cisco)"
    return out


ACCESS_TITLE = "Sorry, you can't use this bot yet"
ACCESS_ASK = ("It answers with rights over your organisation's numbers. Ask a full administrator of your "
              "organisation, or whoever runs this bot, to give you access.")


def _ask(contact: str | None) -> str:
    return f"To get access, ask {contact}." if contact else ACCESS_ASK


def access_denied_card(reason: str, contact: str | None = None) -> dict:
    return card([title(ACCESS_TITLE, COLOUR[Severity.WARNING]), literal(reason), literal(_ask(contact))])


def access_denied_markdown(reason: str, contact: str | None = None) -> str:
    return f"**{ACCESS_TITLE}**\n\n{escape(reason)}\n\n{escape(_ask(contact))}"


def error_reply(title_: str, explanation: str, error: WebexErrorInfo | None = None) -> Reply:
    """An error card and the same words as markdown, for clients without cards."""
    return Reply(markdown=error_markdown(title_, explanation, error), card=error_card(title_, explanation, error),
                 is_error=True)


def access_denied_reply(reason: str, contact: str | None = None) -> Reply:
    return Reply(markdown=access_denied_markdown(reason, contact), card=access_denied_card(reason, contact))


def asked_by(reply: Reply, name: str) -> Reply:
    """The answer to a button pressed in a group space says who pressed it: everyone reads it."""
    said = f"Asked by {name}"
    card_ = reply.card
    if card_ is not None:
        card_ = dict(card_, body=[to_dict(subtle(said, verbatim=True, spacing=None)), *card_.get("body", [])])
    return replace(reply, markdown=f"_{escape(said)}_\n\n{reply.markdown}", card=card_)


WEBEX_ERROR = "Webex answered with an error"


def webex_error_reply(error: WebexErrorInfo, stage: str) -> Reply:
    """A Webex call failed; ``stage`` says when: ``"reading"`` the request, ``"answering"`` it,
    or ``"replying"`` (Webex refused the answer itself)."""
    explanation = {
        "reading": "I could not read your request because a call to Webex failed. Please try again in a minute.",
        "answering": "The request to Webex failed, so I could not finish. Try again; if it keeps failing, "
                     "quote the tracking ID to your Webex support.",
        "replying": "Webex did not accept my answer to your request, so I could not post it. Please try again.",
    }[stage]
    return error_reply(WEBEX_ERROR, explanation, error)


def busy_reply(retry_after: float, error: WebexErrorInfo) -> Reply:
    """Webex asked to wait longer than one request may wait: say when to try again."""
    minutes = max(1, math.ceil(retry_after / 60))
    explanation = (f"Webex asked me to wait {round(retry_after)} seconds before calling it again, longer than "
                   f"I wait for one request. Please send your request again in about {minutes} "
                   f"minute{'s' if minutes != 1 else ''}.")
    return error_reply("Webex is busy", explanation, error)


def crash_reply() -> Reply:
    return error_reply("Something went wrong", "I could not handle that request because of a problem on my side. "
                                               "It has been logged; please try again.")
