"""Features: Auto Attendant (webex-features-auto-attendant-api-openapi.yml; wxc_sdk
telephony/autoattendant.py): the list, one auto attendant's details, and its update."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from sandbox.api.common import allow, check_org, int_param, json_body, next_link, sandbox
from sandbox.errors import WebexProblem

blueprint = Blueprint("auto_attendants", __name__)
# The spec documents no default or maximum for ``max`` here; the sandbox uses the 2000 of its other
# telephony lists.
AUTO_ATTENDANTS_MAX = 2000
NOT_FOUND = "[Error 4008] Auto attendant not found."  # see Provisioning.update_auto_attendant


@blueprint.get("/telephony/config/autoAttendants")
@allow(admin=True)
def list_() -> Response:
    """Read the List of Auto Attendants: ``{"autoAttendants": [...]}`` (ListAutoAttendantObject
    rows), filters ``locationId``, ``name`` ("Only return auto attendants with the matching name":
    the sandbox matches a part, case-insensitive; wxc_sdk's by_name lists by name and then keeps
    the exact one, which reads as a partial match), ``phoneNumber`` ("with the matching phone
    number", example ``9705550028`` for ``+19705550028``: the sandbox matches the end of the
    number), ``start``/``max`` offset paging with a Link header."""
    check_org()
    limit = int_param("max", AUTO_ATTENDANTS_MAX, 1, AUTO_ATTENDANTS_MAX, clamp=True)
    start = int_param("start", 0, 0)
    location_id = request.args.get("locationId")
    name = request.args.get("name", "").lower()
    raw = request.args.get("phoneNumber", "")
    digits = raw.strip().lstrip("+")  # an unencoded "+" arrives as a space
    state = sandbox()
    with state.lock:
        by_id = {loc.id: loc for loc in state.locations}
        found = [aa for aa in state.auto_attendants()
                 if aa.location_id in by_id
                 and (not location_id or aa.location_id == location_id)
                 and name in aa.name.lower()
                 and (not digits or (aa.phone_number or "").endswith(digits))]
        rows = [aa.list_json(by_id[aa.location_id]) for aa in found[start:start + limit]]
    response = jsonify({"autoAttendants": rows})
    if start + limit < len(found):
        response.headers["Link"] = next_link(start=start + limit, max=limit)
    return response


@blueprint.get("/telephony/config/locations/<location_id>/autoAttendants/<auto_attendant_id>")
@allow(admin=True)
def details(location_id: str, auto_attendant_id: str) -> Response:
    """Get Details for an Auto Attendant (GetAutoAttendantObject, with ``alternateNumbers``)."""
    check_org()
    state = sandbox()
    location = state.calling_location(location_id)
    aa = state.auto_attendant(auto_attendant_id)
    if aa is None or aa.location_id != location.id:
        raise WebexProblem(404, NOT_FOUND, error_code=4008)
    with state.lock:
        return jsonify(aa.details_json())


@blueprint.put("/telephony/config/locations/<location_id>/autoAttendants/<auto_attendant_id>")
@allow(admin=True)
def update(location_id: str, auto_attendant_id: str) -> Response:
    """Update an Auto Attendant: 204 No Content."""
    check_org()
    sandbox().update_auto_attendant(location_id, auto_attendant_id, json_body())
    return Response(status=204)
