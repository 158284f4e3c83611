"""Webex Calling organisation settings (developer.webex.com, "Webex Calling Organization Settings"):
``GET /v1/telephony/config/locations``, the locations enabled for Webex Calling with their calling
details, and ``GET /v1/telephony/config/numbers``, the org's phone numbers and who uses them."""
from __future__ import annotations

from typing import Optional

from flask import Blueprint, Response, jsonify, request

from sandbox import seed
from sandbox.api.common import allow, check_org, int_param, next_link, sandbox
from sandbox.errors import WebexProblem
from sandbox.models import OWNER_TYPES, AssignedNumber

blueprint = Blueprint("calling", __name__)
# Webex documents no default for ``max`` here; the sandbox uses the 2000 of its other telephony lists.
LOCATIONS_MAX = 2000
NUMBERS_MAX = 2000  # "Default is 2000" (the numbers reference page); also the sandbox's cap


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


@blueprint.get("/telephony/config/locations/<location_id>")
@allow(admin=True)
def location_details(location_id: str) -> Response:
    """Get Location Webex Calling Details ("Shows Webex Calling details for a location, by ID";
    GetTelephonyLocationObject in webex-location-call-settings-api-openapi.yml), with the
    location's PSTN ``connection`` (``Location.details_json``, ``Sandbox.connection_shape``). A
    location without Webex Calling answers 404, as an unknown one does."""
    check_org()
    state = sandbox()
    location = state.calling_location(location_id)
    with state.lock:
        return jsonify(location.details_json(seed.ORG_NAME, state.connection_shape))


@blueprint.get("/telephony/pstn/locations/<location_id>/connection")
@allow(admin=True)
def pstn_connection(location_id: str) -> Response:
    """Retrieve PSTN Connection for a Location (webex-pstn-api-openapi.yml; wxc_sdk telephony/pstn
    PSTNApi.read): ``pstnConnectionType`` LOCAL_GATEWAY (with routeType and routeId),
    NON_INTEGRATED_CCP, INTEGRATED_CCP or CISCO_PSTN: what tells a non-integrated CCP location,
    which may add numbers, from an integrated one. No PSTN connection set up: 404 (wording
    inferred)."""
    check_org()
    state = sandbox()
    location = state.calling_location(location_id)
    with state.lock:
        body = location.pstn_connection_json()
    if body is None:
        raise WebexProblem(404, f"Location {location.name} has no PSTN connection set up.")
    return jsonify(body)


@blueprint.get("/telephony/config/numbers")
@allow(admin=True)
def list_numbers() -> Response:
    """Get Phone Numbers for an Organization with Given Criterias: every number of the org, "along
    with the status and owner (if any)". Filters: ``locationId``, ``phoneNumber`` ("Search for this
    phoneNumber": the sandbox matches the whole number), ``ownerType``, ``available`` (true: the
    unassigned numbers, false: the assigned ones, as wxc_sdk's phone_numbers docstring says; "cannot
    be used along with ownerType parameter when set to true"); ``start``/``max`` (default 2000)
    offset paging with a Link header."""
    check_org()
    limit = int_param("max", NUMBERS_MAX, 1, NUMBERS_MAX, clamp=True)
    start = int_param("start", 0, 0)
    location_id = request.args.get("locationId")
    wanted = _phone_number_param()
    owner_type = request.args.get("ownerType")
    if owner_type is not None and owner_type not in OWNER_TYPES:
        raise WebexProblem(400, f"Invalid value for query parameter ownerType: {owner_type!r}.")
    available = _bool_param("available")
    if available and owner_type:
        raise WebexProblem(400, "available=true cannot be used along with ownerType.")
    rows = [(location, number) for location, number in sandbox().phone_numbers()
            if (not location_id or location.id == location_id)
            and (wanted is None or number.phone_number == wanted)
            and (available is None or available == (not isinstance(number, AssignedNumber)))
            and (owner_type is None or (isinstance(number, AssignedNumber) and number.owner.type == owner_type))]
    # An unknown locationId finds nothing, as a location without Webex Calling (no numbers) does.
    response = jsonify({"phoneNumbers": [number.number_list_json(location)
                                         for location, number in rows[start:start + limit]]})
    if start + limit < len(rows):
        response.headers["Link"] = next_link(start=start + limit, max=limit)
    return response


def _phone_number_param() -> Optional[str]:
    raw = request.args.get("phoneNumber")
    if raw is None or not raw.strip():
        return None
    # An unencoded "+" arrives as a space; the sandbox reads it as "+" (as for alternate numbers).
    return "+" + raw.strip() if raw.startswith(" ") and raw.strip().isdigit() else raw.strip()


def _bool_param(name: str) -> Optional[bool]:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if raw.lower() not in ("true", "false"):
        raise WebexProblem(400, f"Invalid value for query parameter {name}: {raw!r} (true or false).")
    return raw.lower() == "true"
