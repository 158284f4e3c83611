"""Messages: create, get, list (newest first, Link paging), delete."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from sandbox.api.common import allow, error, identity, int_param, json_body, next_link, sandbox
from sandbox.markup import CLIENT_HEADER, DEFAULT_CLIENT

blueprint = Blueprint("messages", __name__)


@blueprint.post("/messages")
@allow("bot", "person")
def create() -> Response:
    # Sandbox-only: which Webex client sent the message decides how its html writes mentions
    # (see sandbox/markup.py); without the header, what the public API does.
    client = request.headers.get(CLIENT_HEADER, DEFAULT_CLIENT).strip().lower()
    return jsonify(sandbox().create_message(identity(), json_body(), client).to_json())


@blueprint.get("/messages/<message_id>")
@allow("bot", "person")
def get(message_id: str) -> Response:
    return jsonify(sandbox().message_for(identity(), message_id).to_json())


@blueprint.delete("/messages/<message_id>")
@allow("bot", "person")
def delete(message_id: str) -> Response:
    sandbox().delete_message(identity(), message_id)
    return Response(status=204)


@blueprint.get("/messages")
@allow("bot", "person")
def list_() -> Response:
    room_id = request.args.get("roomId")
    if not room_id:
        return error(400, "roomId is required.")
    state, who = sandbox(), identity()
    room = state.room_for(who, room_id)
    mentioned = request.args.get("mentionedPeople")
    if who.kind == "bot" and room.type == "group" and mentioned not in ("me", who.person.id):
        # Webex: bots may list group room messages only with mentionedPeople=me.
        return error(403, "Bots can only list messages in group rooms that mention them (mentionedPeople=me).")
    limit = int_param("max", 50, 1, 1000, clamp=True)
    found = state.list_messages(room_id, request.args.get("parentId"), request.args.get("beforeMessage"),
                                who.person.id if mentioned else None)
    response = jsonify({"items": [m.to_json() for m in found[:limit]]})
    if len(found) > limit:
        response.headers["Link"] = next_link(beforeMessage=found[limit - 1].id, max=limit)
    return response
