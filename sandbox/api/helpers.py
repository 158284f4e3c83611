"""``/_sandbox/...``: helper endpoints for demos (not part of Webex)."""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, jsonify, request

from sandbox.api.common import error, sandbox

blueprint = Blueprint("sandbox_helpers", __name__)


@blueprint.get("/state")
def state() -> Response:
    return jsonify(sandbox().snapshot())


@blueprint.post("/faults")
def add_fault() -> Response:
    body = request.get_json(silent=True) or {}
    allowed = {"method", "path_regex", "status", "times", "retry_after", "body", "message", "delay", "stage", "who"}
    try:
        fault = sandbox().inject_fault(**{k: v for k, v in body.items() if k in allowed})
    except ValueError as problem:
        return error(400, str(problem))
    return jsonify(asdict(fault))


@blueprint.delete("/faults")
def clear_faults() -> Response:
    sandbox().clear_faults()
    return Response(status=204)


@blueprint.get("/deliveries")
def deliveries() -> Response:
    rows = [{k: v for k, v in asdict(d).items() if k != "body"} | {"body": d.body.decode("utf-8", "replace")}
            for d in sandbox().deliveries]
    return jsonify({"items": rows})
