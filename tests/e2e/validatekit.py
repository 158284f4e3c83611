"""Reading a validation answer the way an admin reads it: rows of the card, rows of the
markdown fallback, and the checks that an answer never leaks a secret or a stack trace.

Local to the validate end-to-end tests (``test_validate*.py``)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from botkit import BotReply, block_style, block_text, card_json

from sandbox import Sandbox, seed

COLOUR = {"Available": "good", "Duplicate": "warning", "Duplicate In List": "warning",
          "Invalid": "attention", "Unavailable": "attention"}
ICON = {"good": "✅", "warning": "⚠️", "attention": "❌"}
VALIDATE = "validateNumbers"
SECRETS = (seed.BOT_TOKEN, seed.SERVICE_APP_TOKEN, seed.SERVICE_APP_REFRESH_TOKEN, seed.SERVICE_APP_CLIENT_SECRET,
           seed.WEBHOOK_SECRET, "sandbox-sat-", "sandbox-token-", "Bearer")
_MD_ROW = re.compile(r"^- (✅|⚠️|❌) (.+?)(?: → (\S+))?: \*\*(.+?)\*\*( · Toll-free)?(?: — (.*))?$", re.MULTILINE)


def sent_form(written: str) -> str:
    """A number written in E.164 (spaces, dashes allowed) is shown once: it is what was sent."""
    return re.sub(r"[\s\-.()]", "", written)


def said_by_webex(detail: str) -> str:
    """Webex's detail as the answer shows it: without the number it repeats ("… : +1214…")."""
    return "; ".join(re.sub(r"\s*:\s*\+?[\d\s\-().]+$", "", d) or d for d in detail.split("; ")) if detail else ""


def unescape(text: str) -> str:
    """Markdown as the admin reads it: ``\\[Error 8363\\]`` shows as ``[Error 8363]``."""
    return re.sub(r"\\(.)", r"\1", text)


@dataclass(frozen=True)
class Row:
    """One number as the answer shows it."""

    written: str  # the number as the admin wrote it
    sent: str  # the E.164 form sent to Webex
    state: str
    colour: str  # good / warning / attention
    toll_free: bool = False
    detail: str = ""


def card_rows(reply: BotReply) -> list[Row]:
    """The card's number rows: a ColumnSet "written → sent" (or just the number, when it was
    written in E.164) | state (+ Toll-free); then what the state means, and Webex's detail in
    small subtle text ("Webex: …"). Read as the card holds them: the number as typed and Webex's
    detail are TextRuns, never escaped, so a backslash here is a bug."""
    rows: list[Row] = []
    for element in reply.card["body"]:
        style = block_style(element)
        if element.get("type") == "ColumnSet":
            left, right = (column["items"] for column in element["columns"])
            shown = block_text(left[0])
            written, sent = shown.split(" → ") if " → " in shown else (shown, sent_form(shown))
            state = right[0]
            toll_free = any(block_text(item) == "Toll-free" for item in right[1:])
            rows.append(Row(written, sent, block_text(state), block_style(state).get("color", ""), toll_free))
        elif (rows and style.get("size") == "small" and style.get("isSubtle") and not rows[-1].detail
              and block_text(element).startswith("Webex: ")):
            last = rows[-1]
            detail = block_text(element)[len("Webex: "):]
            rows[-1] = Row(last.written, last.sent, last.state, last.colour, last.toll_free, detail)
    return rows


def markdown_rows(markdown: str) -> list[Row]:
    """The rows of a markdown answer; the icon stands for the colour."""
    colour_of = {icon: colour for colour, icon in ICON.items()}
    rows = []
    for icon, written, sent, state, toll_free, notes in _MD_ROW.findall(markdown):
        said = unescape(notes or "")
        detail = said.split("Webex: ", 1)[1] if "Webex: " in said else ""
        written = unescape(written)
        rows.append(Row(written, sent or sent_form(written), state, colour_of[icon], bool(toll_free), detail))
    return rows


def headline(reply: BotReply) -> tuple[str, str]:
    """The card's headline (its title) and the counts under it."""
    title = reply.title()
    return block_text(title), block_text(reply.block_after(title))


def sent_numbers(state: Sandbox) -> list[list[str]]:
    """``phoneNumbers`` of every validate request so far, one list per request."""
    return [call.json["phoneNumbers"] for call in state.calls(VALIDATE)]


def assert_safe_to_show(reply: BotReply) -> None:
    """No stack trace and no secret anywhere in what the admin sees."""
    everything = reply.markdown + "\n" + (card_json(reply) if reply.has_card else "")
    assert "Traceback" not in everything
    assert 'File "' not in everything
    for secret in SECRETS:
        assert secret not in everything, f"the reply shows {secret!r}"
