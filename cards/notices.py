"""Short answers: errors (with what an admin needs to report them), access denied, notices."""
from __future__ import annotations

from webexpythonsdk.models import cards as ac
from webexpythonsdk.models.cards import options as opt

from bot.models import Severity, WebexErrorInfo

from . import actions
from .base import COLOUR, card, literal, submit, subtle, text, title
from .text import clip, escape

MESSAGE_CHARS = 500


def _error_lines(error: WebexErrorInfo) -> tuple[str, str | None]:
    """What Webex said, as plain text (escape it for markdown), and the tracking ID."""
    status = f"{error.status_code}" if error.status_code is not None else "no status"
    said = f"Webex answered {status}: {clip(error.message, MESSAGE_CHARS)}"
    tracking = clip(error.tracking_id, 200) if error.tracking_id else None
    return said, tracking


def _help_button():
    return submit("Help", actions.action_data(actions.HELP))


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
ACCESS_ASK = "Ask the person who runs this bot to add you to its list of allowed users."


def access_denied_card(reason: str) -> dict:
    return card([title(ACCESS_TITLE, COLOUR[Severity.WARNING]), literal(reason), text(ACCESS_ASK)])


def access_denied_markdown(reason: str) -> str:
    return f"**{ACCESS_TITLE}**\n\n{escape(reason)}\n\n{ACCESS_ASK}"


def notice_card(title_: str, text_: str) -> dict:
    return card([title(title_, verbatim=True), literal(text_)], [_help_button()])


def notice_markdown(title_: str, text_: str) -> str:
    return f"**{escape(title_)}**\n\n{escape(text_)}"
