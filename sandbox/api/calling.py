"""Webex Calling organisation settings (developer.webex.com, "Webex Calling Organization Settings"):
``GET /v1/telephony/config/locations``, the locations enabled for Webex Calling with their calling
details."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from sandbox import seed
from sandbox.api.common import allow, check_org, int_param, next_link, sandbox
from sandbox.errors import WebexProblem

blueprint = Blueprint("calling", __name__)
# Webex documents no default for ``max`` here; the sandbox uses the 2000 of its other telephony lists.
LOCATIONS_MAX = 2000


@blueprint.get("/telephony/config/locations")
@allow(admin=True)
def list_locations() -> Response:
    """List Locations Webex Calling Details: only locations enabled for Webex Calling; ``name``
    ("List locations whose name contains this string", case-insensitive here), ``order`` ("asc or
    desc" by name), ``start``/``max`` offset paging with a Link header."""
    check_org()
    limit = int_param("max", LOCATIONS_MAX, 1, LOCATIONS_MAX, clamp=True)
    start = int_param("start", 0, 0)
    name = request.args.get("name", "").lower()
    order = request.args.get("order", "").lower()
    if order not in ("", "asc", "desc"):
        raise WebexProblem(400, f"Invalid value for query parameter order: {request.args['order']!r} "
                                "(asc or desc).")
    state = sandbox()
    with state.lock:
        found = [loc for loc in state.locations if loc.calling and name in loc.name.lower()]
    if order:
        found.sort(key=lambda loc: loc.name.lower(), reverse=order == "desc")
    response = jsonify({"locations": [loc.calling_details_json(seed.ORG_NAME) for loc in found[start:start + limit]]})
    if start + limit < len(found):
        response.headers["Link"] = next_link(start=start + limit, max=limit)
    return response
