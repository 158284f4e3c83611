"""What Webex derives from a posted message: plain text, html and mentions.

Webex clients write a mention's html in different ways (Cisco's notes in howdyai/botkit issue
#749 and PR #940; CiscoDevNet/node-sparkbot issue #1), so ``POST /messages`` takes a sandbox-only
``X-Sandbox-Client`` header and renders ``html`` the way that client does:

- ``desktop`` (Mac and Windows apps): the base64 person id, and the message wrapped in ``<p>``;
- ``web`` (the browser client): the base64 person id, no ``<p>``;
- ``mobile`` (the iPhone app): the person's raw uuid (the last path segment of the decoded id),
  ``data-object-id`` written before ``data-object-type``, no ``<p>``;
- ``api`` (the default: a markdown message posted through the public API): as ``desktop``;
- ``plain``: a client that sends no html at all (``text`` and ``mentionedPeople`` only).

In every style ``text`` holds each mention as the sender left it (the name shown in the pill,
which clients let the sender shorten to its first word) and ``mentionedPeople`` has base64 ids.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Optional

from sandbox.ids import decode_id

# Webex's markdown mention syntax: <@personId:ID|Name> or <@personEmail:EMAIL|Name>.
MENTION = re.compile(r"<@(personId|personEmail):([^|>]+)(?:\|([^>]*))?>")

CLIENTS = ("desktop", "web", "mobile", "api", "plain")
DEFAULT_CLIENT = "api"
CLIENT_HEADER = "X-Sandbox-Client"


def mention_markdown(person_id: str, name: str) -> str:
    return f"<@personId:{person_id}|{name}>"


def raw_uuid(person_id: str) -> str:
    """The uuid an iPhone client puts in ``data-object-id``: the decoded id's last path segment."""
    decoded = decode_id(person_id)
    return decoded.rsplit("/", 1)[-1] if decoded else person_id


def spark_mention(person_id: str, shown: str, client: str) -> str:
    """One ``<spark-mention>`` element as ``client`` writes it."""
    if client == "mobile":
        return (f'<spark-mention data-object-id="{raw_uuid(person_id)}" data-object-type="person">'
                f"{html.escape(shown)}</spark-mention>")
    return (f'<spark-mention data-object-type="person" data-object-id="{person_id}">'
            f"{html.escape(shown)}</spark-mention>")


def render(markdown: str, resolve: Callable[[str, str], Optional[tuple[str, str]]],
           client: str = DEFAULT_CLIENT) -> tuple[str, Optional[str], list[str]]:
    """(text, html or None, mentioned person ids) for a markdown message sent by ``client``.

    ``resolve(kind, value)`` returns (person id, display name) or None. Webex sets ``text`` to a
    plain rendering of the markdown, with each mention replaced by its shown name (the name after
    ``|``, else the person's display name); a rough strip of emphasis marks is enough here.
    """
    if client not in CLIENTS:
        raise ValueError(f"unknown client {client!r}; one of {', '.join(CLIENTS)}")
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
            html_parts.append(spark_mention(person_id, shown, client))
        position = match.end()
    text_parts.append(_plain(markdown[position:]))
    html_parts.append(html.escape(markdown[position:]))
    text = "".join(text_parts)
    if client == "plain":
        return text, None, mentioned
    body = "".join(html_parts)
    return text, (f"<p>{body}</p>" if client in ("desktop", "api") else body), mentioned


def _plain(markdown: str) -> str:
    return re.sub(r"[*_`]", "", markdown)
