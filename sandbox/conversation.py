"""Test helpers that read like a conversation: an admin says something, the bot answers.

``say`` and ``press`` go over HTTP with the person's own token, as their Webex
client would; the reading helpers look at the state directly.
"""
from __future__ import annotations

import json
import re
import threading
import time
from typing import TYPE_CHECKING, Any, Optional

import requests

from sandbox.markup import CLIENT_HEADER, mention_markdown

# In ``say``'s text, where the bot's mention goes.
PLACEHOLDER = re.compile(r"@bot\b")

if TYPE_CHECKING:
    from sandbox.models import Delivery, LoggedRequest, Message, Person, Room


class Conversation:
    """Mixed into ``Sandbox``; relies on its people, rooms, messages and ``base_url``."""

    base_url: Optional[str]
    lock: threading.RLock
    bot: Person
    rooms: dict[str, Room]
    messages: dict[str, Message]
    deliveries: list[Delivery]
    requests: list[LoggedRequest]
    group_room_id: str

    if TYPE_CHECKING:
        def token_of(self, email: str) -> str: ...

        def direct_room(self, email: str) -> str: ...

    def _post_as(self, email: str, path: str, body: dict[str, Any],
                 headers: Optional[dict[str, str]] = None,
                 file: Optional[tuple[str, bytes, str]] = None) -> dict[str, Any]:
        """POST ``body`` as JSON, or with ``file`` (name, bytes, type) as multipart/form-data."""
        if not self.base_url:
            raise RuntimeError("the sandbox is not served yet: start a SandboxServer first")
        sent: dict[str, Any] = {"data": body, "files": {"files": file}} if file is not None else {"json": body}
        response = requests.post(
            f"{self.base_url}/v1/{path}",
            headers={"Authorization": f"Bearer {self.token_of(email)}", **(headers or {})},
            timeout=10 if file is None else 60,
            **sent,
        )
        if response.status_code != 200:
            raise AssertionError(f"POST /v1/{path} as {email} answered {response.status_code}: {response.text}")
        return response.json()

    def room_id_for(self, email: str, room: str) -> str:
        if room == "direct":
            return self.direct_room(email)
        if room == "group":
            return self.group_room_id
        return room

    def say(self, email: str, text: str, room: str = "direct", parent_id: Optional[str] = None,
            mention_bot: Optional[bool] = None, *, mention_as: Optional[str] = None,
            mention_at: Optional[str] = None, client: str = "desktop") -> dict[str, Any]:
        """Post ``text`` as ``email`` the way a Webex client would; return the message JSON.

        In a group room the bot is @mentioned unless ``mention_bot=False`` (in a direct room only
        when asked: ``mention_bot=True``, ``mention_as`` or ``mention_at``). The mention is written
        ``<@personId:ID|Shown>``:

        - ``mention_as``: the name shown in the pill, e.g. ``"Numbot"`` (Webex clients let the
          sender shorten it to the first word); default the bot's full display name;
        - ``mention_at``: ``"start"`` (default) or ``"end"`` of the message; or put the
          placeholder ``@bot`` in ``text`` and the mention replaces it in place;
        - ``client``: sent as ``X-Sandbox-Client`` (``desktop``, ``web``, ``mobile``, ``api``,
          ``plain``), how the message's ``html`` writes the mention (see ``sandbox.markup``).
        """
        room_id = self.room_id_for(email, room)
        body = self._text_body(room_id, text, mention_bot, mention_as, mention_at)
        if parent_id:
            body["parentId"] = parent_id
        return self._post_as(email, "messages", body, headers={CLIENT_HEADER: client})

    def upload(self, email: str, room: str, filename: str, data: bytes, content_type: str, text: str = "",
               parent_id: Optional[str] = None, *, mention_bot: Optional[bool] = None,
               mention_as: Optional[str] = None, mention_at: Optional[str] = None,
               client: str = "desktop") -> dict[str, Any]:
        """Post a message with a file as ``email`` (multipart/form-data, as webexpythonsdk and the
        Webex clients send it); return the message JSON, whose ``files`` holds the file's URL.

        ``room``, the mention (in a group room the bot is mentioned unless ``mention_bot=False``)
        and ``client`` work as in ``say``; with no text and no mention the message is the file alone."""
        room_id = self.room_id_for(email, room)
        body = self._text_body(room_id, text, mention_bot, mention_as, mention_at)
        if not body.get("text"):
            body.pop("text", None)
        if parent_id:
            body["parentId"] = parent_id
        return self._post_as(email, "messages", body, headers={CLIENT_HEADER: client},
                             file=(filename, data, content_type))

    def _text_body(self, room_id: str, text: str, mention_bot: Optional[bool], mention_as: Optional[str],
                   mention_at: Optional[str]) -> dict[str, Any]:
        """``{roomId, text}``, or ``{roomId, markdown}`` with the bot's mention (see ``say``)."""
        rooms = self.rooms
        if mention_bot is None:
            is_group = rooms[room_id].type == "group" if room_id in rooms else False
            mention_bot = is_group or mention_as is not None or mention_at is not None
        body: dict[str, Any] = {"roomId": room_id}
        if mention_bot:
            bot = self.bot
            mention = mention_markdown(bot.id, mention_as if mention_as is not None else bot.display_name)
            if PLACEHOLDER.search(text):
                if mention_at is not None:
                    raise ValueError("give either mention_at or the @bot placeholder, not both")
                body["markdown"] = PLACEHOLDER.sub(lambda _: mention, text)
            elif mention_at in (None, "start"):
                body["markdown"] = f"{mention} {text}" if text else mention
            elif mention_at == "end":
                body["markdown"] = f"{text} {mention}" if text else mention
            else:
                raise ValueError(f"mention_at must be 'start' or 'end', not {mention_at!r}")
        else:
            body["text"] = text
        return body

    def press(self, email: str, message_id: str, inputs: dict[str, Any]) -> dict[str, Any]:
        """Submit the card of ``message_id`` as ``email`` with these inputs."""
        return self._post_as(email, "attachment/actions", {"type": "submit", "messageId": message_id,
                                                            "inputs": inputs})

    def messages_from_bot(self, room_id: str, after_message_id: Optional[str] = None) -> list[dict[str, Any]]:
        """The bot's messages in a room, oldest first (optionally only those after a message)."""
        with self.lock:
            messages: list[Message] = [m for m in self.messages.values() if m.room_id == room_id]
        if after_message_id is not None:
            ids = [m.id for m in messages]
            messages = messages[ids.index(after_message_id) + 1:] if after_message_id in ids else messages
        bot_id = self.bot.id
        return [m.to_json() for m in messages if m.person_id == bot_id]

    def wait_for_reply(self, room_id: str, after_message_id: Optional[str] = None, timeout: float = 10,
                       count: int = 1) -> list[dict[str, Any]]:
        """Wait until the bot posted ``count`` messages in the room (after a message); return them."""
        deadline = time.monotonic() + timeout
        while True:
            replies = self.messages_from_bot(room_id, after_message_id)
            if len(replies) >= count:
                return replies[:count]
            if time.monotonic() >= deadline:
                break
            time.sleep(0.02)
        raise AssertionError(self._timeout_report(room_id, count, len(replies), timeout))

    def _timeout_report(self, room_id: str, wanted: int, got: int, timeout: float) -> str:
        with self.lock:
            recent = [m for m in self.messages.values() if m.room_id == room_id][-5:]
            deliveries = self.deliveries[-5:]
            calls = self.requests[-10:]
        lines = [f"waited {timeout}s for {wanted} bot message(s) in room {room_id}, got {got}",
                 "last messages in the room:"]
        lines += [f"  {m.person_email}: {m.text[:120]!r}" for m in recent]
        lines.append("last webhook deliveries:")
        lines += [f"  #{d.index} {d.resource} -> {d.target_url}: status={d.status_code} error={d.error}"
                  for d in deliveries]
        lines.append("last API requests:")
        lines += [f"  {c.identity} {c.method} {c.path} -> {c.status}" for c in calls]
        return "\n".join(lines)

    @staticmethod
    def last_card(message: dict[str, Any]) -> dict[str, Any]:
        """The Adaptive Card of a message JSON (AssertionError when it has none)."""
        for attachment in message.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                content = attachment.get("content")
                return json.loads(content) if isinstance(content, str) else content
        raise AssertionError(f"message has no card: {json.dumps(message)[:500]}")
