"""The two Webex Calling APIs numbot uses: validate numbers, and auto attendant
alternate available numbers."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from sandbox.api.common import allow, check_org, int_param, json_body, next_link, sandbox
from sandbox.errors import WebexProblem
from sandbox.numbers import judge

blueprint = Blueprint("telephony", __name__)
ALTERNATE_MAX = 2000  # the documented default (and the sandbox's cap) of ``max``
# ``app.config`` key: answer at most this many rows whatever ``max`` asks, with a Link to the
# rest, as Webex list APIs may do; tests set it to check that clients follow the Link.
ROWS_PER_RESPONSE = "ALTERNATE_ROWS_PER_RESPONSE"


@blueprint.post("/telephony/config/actions/validateNumbers/invoke")
@allow(admin=True)
def validate_numbers() -> Response:
    check_org()
    state = sandbox()
    numbers = json_body().get("phoneNumbers")
    if not isinstance(numbers, list) or not numbers or not all(isinstance(n, str) for n in numbers):
        raise WebexProblem(400, "phoneNumbers must be a non-empty list of strings.")
    if state.validate_max_numbers is not None and len(numbers) > state.validate_max_numbers:
        raise WebexProblem(400, f"Too many phone numbers: {len(numbers)} given, at most "
                                f"{state.validate_max_numbers} are allowed per request.")
    verdicts = judge(numbers, state.numbers_in_use(), state.unavailable)
    status = "OK" if all(v.state == "Available" for v in verdicts) else "ERRORS"
    if state.validate_shape == "doc":
        rows: list[dict[str, Any]] = [{"number": v.phone_number, "state": v.state, "tollFreeNumber": v.toll_free}
                                      for v in verdicts]
        return jsonify({"status": status, "numbers": rows})
    # The live API was observed answering this shape, not the documented one.
    rows = [{"phoneNumber": v.phone_number, "state": v.state, "tollFreeNumber": v.toll_free, "detail": v.detail}
            for v in verdicts]
    return jsonify({"status": status, "phoneNumbers": rows})


def _wanted_numbers() -> list[str]:
    """``phoneNumber`` as a comma-separated list, possibly repeated."""
    wanted = []
    for value in request.args.getlist("phoneNumber"):
        for part in value.split(","):
            # An unencoded "+" arrives as a space ("phoneNumber= 12056852221");
            # Webex then matches nothing useful, the sandbox reads it as "+".
            if part.startswith(" ") and part.strip().isdigit():
                part = "+" + part.strip()
            if part.strip():
                wanted.append(part.strip())
    return wanted


@blueprint.get("/telephony/config/locations/<location_id>/autoAttendants/alternate/availableNumbers")
@allow(admin=True)
def alternate_available_numbers(location_id: str) -> Response:
    check_org()
    asked = int_param("max", ALTERNATE_MAX, 1, ALTERNATE_MAX, clamp=True)
    limit = min(asked, current_app.config.get(ROWS_PER_RESPONSE, ALTERNATE_MAX))
    start = int_param("start", 0, 0)
    # The doc says locationId is at most 36 characters, but real location ids
    # are longer base64 strings, so the length is not enforced.
    location = sandbox().location(location_id)
    if location is None:
        raise WebexProblem(404, "[Error 4008] Location not found.", error_code=4008)
    if not location.calling:
        # Webex documents no distinct answer for a location without Webex Calling: the sandbox
        # answers exactly as for an unknown one, so a client cannot rely on the wording.
        raise WebexProblem(404, "[Error 4008] Location not found.", error_code=4008)
    # "service and standard PSTN numbers" (the page): a location's mobile numbers are not listed.
    numbers = [n for n in location.numbers if n.telephony_type == "PSTN_NUMBER"]
    wanted = _wanted_numbers()
    if wanted:
        numbers = [n for n in numbers if n.phone_number in set(wanted)]
    response = jsonify({"phoneNumbers": [n.to_json() for n in numbers[start:start + limit]]})
    if start + limit < len(numbers):
        response.headers["Link"] = next_link(start=start + limit, max=asked)
    return response
