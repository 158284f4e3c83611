"""The chat page (``/``): a Webex-like space in the browser, and the seeded data it needs.

The page itself (``static/chat.html``, ``chat.js``, ``chat.css``) behaves as a Webex client: it
calls the sandbox's ``/v1`` API with the chosen person's own token. ``/_sandbox/chat`` tells it
who can sign in (tokens included: the sandbox is a local emulator) and which rooms they are in.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, send_from_directory

from sandbox import seed
from sandbox.api.common import sandbox
from sandbox.models import Person

blueprint = Blueprint("chat", __name__)

ROLE_LABELS = (
    (seed.FULL_ADMIN_ROLE_ID, "full administrator"),
    (seed.READONLY_ADMIN_ROLE_ID, "read-only administrator"),
    (seed.USER_ADMIN_ROLE_ID, "user administrator"),
    (seed.DEVICE_ADMIN_ROLE_ID, "device administrator"),
)


@blueprint.get("/")
@blueprint.get("/chat")
def page() -> Response:
    assert current_app.static_folder
    return send_from_directory(current_app.static_folder, "chat.html")


@blueprint.get("/_sandbox/chat")
def chat_config() -> Response:
    state = sandbox()
    bot = state.bot
    with state.lock:
        people = [p for p in state.people.values() if p.type == "person"]
        group = state.rooms[state.group_room_id]
    signed_in = []
    for person in people:
        rooms = [{"id": state.direct_room(person.email), "title": bot.display_name, "type": "direct"}]
        if person.id in group.member_ids:
            rooms.append({"id": group.id, "title": group.title, "type": "group"})
        signed_in.append({"id": person.id, "email": person.email, "displayName": person.display_name,
                          "token": person.token, "role": _role(person), "rooms": rooms})
    return jsonify({"bot": {"id": bot.id, "displayName": bot.display_name}, "people": signed_in,
                    "everyone": {p.id: p.display_name for p in state.people.values()}})


def _role(person: Person) -> str:
    if person.org_id != seed.ORG_ID:
        return "another organisation"
    found = [label for role, label in ROLE_LABELS if role in person.roles]
    return found[0] if found else "no admin role"
