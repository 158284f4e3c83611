"""Attachment actions: a person presses a card's submit button; the bot reads it."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify

from sandbox.api.common import allow, identity, json_body, sandbox

blueprint = Blueprint("attachment_actions", __name__)


@blueprint.post("/attachment/actions")
@allow("person", "bot")
def create() -> Response:
    return jsonify(sandbox().create_action(identity(), json_body()).to_json())


@blueprint.get("/attachment/actions/<action_id>")
@allow("bot", "person")
def get(action_id: str) -> Response:
    return jsonify(sandbox().action_for(identity(), action_id).to_json())
