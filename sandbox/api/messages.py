"""Messages: create (JSON, or multipart/form-data with a file), get, edit, list (newest first,
Link paging), delete."""
from __future__ import annotations

from typing import Any, Optional

from flask import Blueprint, Response, jsonify, request

from sandbox.api.common import allow, caller, error, identity, int_param, json_body, next_link, sandbox
from sandbox.errors import WebexProblem
from sandbox.markup import CLIENT_HEADER, DEFAULT_CLIENT
from sandbox.models import FileUpload

blueprint = Blueprint("messages", __name__)

# The text fields of a multipart message (developer.webex.com, Message Attachments: "your request
# will need to be a multipart/form-data request rather than JSON"; webexpythonsdk messages.create
# sends the same fields through requests_toolbelt's MultipartEncoder).
FORM_FIELDS = ("roomId", "toPersonId", "toPersonEmail", "text", "markdown", "parentId")


def _client() -> str:
    # Sandbox-only: which Webex client sent the message decides how its html writes mentions
    # (see sandbox/markup.py); without the header, what the public API does.
    return request.headers.get(CLIENT_HEADER, DEFAULT_CLIENT).strip().lower()


def _multipart_message() -> tuple[dict[str, Any], Optional[FileUpload]]:
    """The body and the file of a multipart/form-data message: exactly one ``files`` part ("The
    files parameter is a list … but currently only one file may be included with the message",
    webexpythonsdk messages.create)."""
    body: dict[str, Any] = {name: request.form[name] for name in FORM_FIELDS if name in request.form}
    if "attachments" in request.form or "attachments" in request.files:
        body["attachments"] = request.form.get("attachments", "")  # refused: a file and a card
    parts = request.files.getlist("files")
    urls = request.form.getlist("files")  # a files field without a file name: a public URL
    if len(parts) + len(urls) > 1:
        raise WebexProblem(400, "Only one file per message.")
    if urls:
        body["files"] = urls
    if not parts:
        return body, None
    part = parts[0]
    limit = sandbox().max_file_bytes
    data = part.stream.read(limit + 1)  # one byte over the limit is enough to refuse it
    return body, FileUpload(part.filename or "file", part.mimetype or "application/octet-stream", data)


@blueprint.post("/messages")
@allow("bot", "person")
def create() -> Response:
    if request.mimetype == "multipart/form-data":
        body, upload = _multipart_message()
    else:
        body, upload = json_body(), None
    return jsonify(sandbox().create_message(identity(), body, _client(), upload).to_json())


@blueprint.put("/messages/<message_id>")
@allow("bot", "person")
def edit(message_id: str) -> Response:
    return jsonify(sandbox().edit_message(identity(), message_id, json_body(), _client()).to_json())


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
    if who.kind == "bot" and room.type == "group" and mentioned not in ("me", caller().id):
        # Webex: bots may list group room messages only with mentionedPeople=me.
        return error(403, "Bots can only list messages in group rooms that mention them (mentionedPeople=me).")
    limit = int_param("max", 50, 1, 1000, clamp=True)
    found = state.list_messages(room_id, request.args.get("parentId"), request.args.get("beforeMessage"),
                                caller().id if mentioned else None)
    response = jsonify({"items": [m.to_json() for m in found[:limit]]})
    if len(found) > limit:
        response.headers["Link"] = next_link(beforeMessage=found[limit - 1].id, max=limit)
    return response
