"""What Webex derives from a posted message: plain text, html and mentions."""
from __future__ import annotations

import html
import re
from typing import Callable, Optional

# Webex's markdown mention syntax: <@personId:ID|Name> or <@personEmail:EMAIL|Name>.
MENTION = re.compile(r"<@(personId|personEmail):([^|>]+)(?:\|([^>]*))?>")


def mention_markdown(person_id: str, name: str) -> str:
    return f"<@personId:{person_id}|{name}>"


def render(markdown: str, resolve: Callable[[str, str], Optional[tuple[str, str]]]) -> tuple[str, str, list[str]]:
    """(text, html, mentioned person ids) for a markdown message.

    ``resolve(kind, value)`` returns (person id, display name) or None. Webex
    sets ``text`` to a plain rendering of the markdown, with each mention
    replaced by the person's name; a rough strip of emphasis marks is enough here.
    """
    mentioned: list[str] = []
    html_parts: list[str] = []
    text_parts: list[str] = []
    position = 0
    for match in MENTION.finditer(markdown):
        before = markdown[position:match.start()]
        text_parts.append(_plain(before))
        html_parts.append(html.escape(before))
        found = resolve(match.group(1), match.group(2))
        if found is None:
            text_parts.append(match.group(3) or match.group(2))
            html_parts.append(html.escape(match.group(3) or match.group(2)))
        else:
            person_id, name = found
            shown = match.group(3) or name
            if person_id not in mentioned:
                mentioned.append(person_id)
            text_parts.append(shown)
            html_parts.append(
                f'<spark-mention data-object-type="person" data-object-id="{person_id}">{html.escape(shown)}</spark-mention>'
            )
        position = match.end()
    text_parts.append(_plain(markdown[position:]))
    html_parts.append(html.escape(markdown[position:]))
    return "".join(text_parts), "<p>" + "".join(html_parts) + "</p>", mentioned


def _plain(markdown: str) -> str:
    return re.sub(r"[*_`]", "", markdown)
