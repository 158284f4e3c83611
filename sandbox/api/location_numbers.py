"""A location's phone numbers, the write side (developer.webex.com "Numbers"; the spec's
``/telephony/config/locations/{locationId}/numbers``): add (POST, 201 with no body), activate or
deactivate (PUT, 204), remove (DELETE with a JSON body, 204). The rules live in
``sandbox.provisioning``."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify

from sandbox.api.common import allow, check_org, json_body, sandbox
from sandbox.errors import tracking_id

blueprint = Blueprint("location_numbers", __name__)
PATH = "/telephony/config/locations/<location_id>/numbers"


@blueprint.post(PATH)
@allow(admin=True)
def add(location_id: str) -> Response:
    """"Add Phone Numbers to a location": 201 Created, no body ("responses: '201': content: {}",
    webex-numbers-api-openapi.yml); numbers it could not add: 400 whose body is a list
    ``[{"errors": [{number, errorType, errorCode, errorMessage, errorTitle}]}]``, the shape
    wxc_sdk's ``LocationNumbersApi.add`` reads (``r[0]`` of a list, 400 not raised, since 2025)."""
    check_org()
    failures = sandbox().add_numbers(location_id, json_body())
    if failures:
        response = jsonify([{"errors": failures}])
        response.status_code = 400
        response.headers["TrackingID"] = tracking_id()
        return response
    return Response(status=201)


@blueprint.put(PATH)
@allow(admin=True)
def manage_state(location_id: str) -> Response:
    """"Manage Number State in a location": 204 No Content."""
    check_org()
    sandbox().manage_number_state(location_id, json_body())
    return Response(status=204)


@blueprint.delete(PATH)
@allow(admin=True)
def remove(location_id: str) -> Response:
    """"Remove phone numbers from a location": a DELETE with a JSON body (NumbersDelete), 204."""
    check_org()
    sandbox().remove_numbers(location_id, json_body())
    return Response(status=204)
