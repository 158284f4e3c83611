"""Webhooks owned by the caller: create, list, get, update (rename, new target or secret,
reactivate), delete."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify

from sandbox.api.common import allow, identity, int_param, json_body, sandbox

blueprint = Blueprint("webhooks", __name__)


@blueprint.post("/webhooks")
@allow("bot", "person")
def create() -> Response:
    return jsonify(sandbox().create_webhook(identity(), json_body()).to_json())


@blueprint.get("/webhooks")
@allow("bot", "person")
def list_() -> Response:
    limit = int_param("max", 100, 1, 1000, clamp=True)
    return jsonify({"items": [h.to_json() for h in sandbox().webhooks_of(identity())[:limit]]})


@blueprint.get("/webhooks/<webhook_id>")
@allow("bot", "person")
def get(webhook_id: str) -> Response:
    return jsonify(sandbox().webhook_for(identity(), webhook_id).to_json())


@blueprint.put("/webhooks/<webhook_id>")
@allow("bot", "person")
def update(webhook_id: str) -> Response:
    return jsonify(sandbox().update_webhook(identity(), webhook_id, json_body()).to_json())


@blueprint.delete("/webhooks/<webhook_id>")
@allow("bot", "person")
def delete(webhook_id: str) -> Response:
    sandbox().delete_webhook(identity(), webhook_id)
    return Response(status=204)
