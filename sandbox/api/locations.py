"""``GET /v1/locations`` (name filter, offset paging) and ``GET /v1/locations/{id}``."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from sandbox.api.common import allow, check_org, error, int_param, next_link, sandbox

blueprint = Blueprint("locations", __name__)


@blueprint.get("/locations")
@allow(admin=True)
def list_() -> Response:
    check_org()
    limit = int_param("max", 100, 1, 1000, clamp=True)
    start = int_param("start", 0, 0)
    name, wanted_id = request.args.get("name", "").lower(), request.args.get("id")
    state = sandbox()
    with state.lock:
        found = [loc for loc in state.locations
                 if name in loc.name.lower() and (not wanted_id or loc.id == wanted_id)]
    response = jsonify({"items": [loc.to_json() for loc in found[start:start + limit]]})
    if start + limit < len(found):
        response.headers["Link"] = next_link(start=start + limit, max=limit)
    return response


@blueprint.get("/locations/<location_id>")
@allow(admin=True)
def get(location_id: str) -> Response:
    check_org()
    found = sandbox().location(location_id)
    if found is None:
        return error(404, "Location not found.")
    return jsonify(found.to_json())
