"""Take the bot's own @mention out of a group message, the way Webex really sends it.

In a group space Webex puts the mention into ``text`` exactly as the sender left it: clients let
the sender shorten the name to its first word ("Numbot" for "Numbot 2000"), and the mention can
stand anywhere in the message, not only first. ``html`` says where it is:
``<spark-mention data-object-type="person" data-object-id="…">shown name</spark-mention>``, where
desktop and web clients write the person's REST id (base64) and mobile clients its raw uuid
(howdyai/botkit #749, CiscoDevNet/node-sparkbot #1). So the bot's mentions are found in
``html`` by id, in either form, and the same occurrences of their shown names are taken out of
``text``. Only when a message has no ``html`` does the bot fall back to its display name: the
full name, then its first word. In a 1:1 space there is no mention and nothing is stripped.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Optional

from bot.core.ids import key_of


def id_forms(person_id: str) -> frozenset[str]:
    """The forms a person's id takes in ``data-object-id``: the REST id (with or without base64
    padding) and the uuid it encodes (``ciscospark://us/PEOPLE/<uuid>``)."""
    forms = {person_id, person_id.rstrip("="), key_of(person_id)}
    return frozenset(f.lower() for f in forms if f)


class _Mentions(HTMLParser):
    """Walks ``html`` and records, for each mention of one of ``ids``, which occurrence of its
    shown text it is in the message's text (counting the text before it and earlier mentions)."""

    def __init__(self, ids: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.ids = ids
        self.text = ""  # the message's text as the html renders it so far
        self.found: list[tuple[str, int]] = []  # (shown name, its occurrence index in the text)
        self._inside: Optional[str] = None  # data-object-id of the mention being read
        self._shown = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        if tag == "spark-mention":
            values = dict(attrs)
            if values.get("data-object-type", "person") == "person":
                self._inside = (values.get("data-object-id") or "").strip().lower()
                self._shown = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "spark-mention" and self._inside is not None:
            shown = self._shown.strip()
            if self._inside in self.ids and shown:
                self.found.append((shown, _count(self.text, shown)))
            self.text += self._shown
            self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside is not None:
            self._shown += data
        else:
            self.text += data


def _count(text: str, shown: str) -> int:
    return len(re.findall(re.escape(shown), text, flags=re.IGNORECASE))


def _remove_occurrence(text: str, shown: str, index: int) -> Optional[str]:
    """``text`` without the ``index``-th (0-based) case-insensitive occurrence of ``shown``."""
    matches = list(re.finditer(re.escape(shown), text, flags=re.IGNORECASE))
    if index >= len(matches):
        return None
    match = matches[index]
    return text[: match.start()] + " " + text[match.end() :]


def _remove_name(text: str, name: str) -> Optional[str]:
    """``text`` without the first whole-word occurrence of ``name``, or None when it has none."""
    pattern = re.compile(r"(?<!\w)@?" + re.escape(name) + r"(?!\w)", re.IGNORECASE)
    match = pattern.search(text)
    if match is None:
        return None
    return text[: match.start()] + " " + text[match.end() :]


def _tidy(text: str) -> str:
    """Close the gap a removed mention leaves, and drop the punctuation people put after one
    ("Numbot, validate …", "Numbot: help")."""
    lines = [re.sub(r"[ \t]{2,}", " ", line).strip() for line in text.split("\n")]
    tidy = "\n".join(lines).strip()
    return re.sub(r"^[,:;]\s*", "", tidy)


def strip_bot_mention(text: str, html: Optional[str], bot_id: str, bot_name: str) -> str:
    """``text`` without the bot's own mention(s)."""
    if html:
        parser = _Mentions(id_forms(bot_id))
        try:
            parser.feed(html)
            parser.close()
        except Exception:  # html that does not parse: fall back to the name
            parser.found = []
        if parser.found:
            # From the last to the first, so earlier occurrence indexes stay right.
            for shown, index in reversed(parser.found):
                text = _remove_occurrence(text, shown, index) or text
            return _tidy(text)
    for name in _name_forms(bot_name):
        stripped = _remove_name(text, name)
        if stripped is not None:
            return _tidy(stripped)
    return text.strip()


def _name_forms(bot_name: str) -> list[str]:
    name = " ".join(bot_name.split())
    if not name:
        return []
    first = name.split(" ", 1)[0]
    return [name] if first == name else [name, first]
