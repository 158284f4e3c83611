"""Shared pieces of the API views: the state, auth checks, errors, paging."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Optional
from urllib.parse import urlencode

from flask import Response, current_app, g, jsonify, request

from sandbox.errors import WebexProblem, error_body, tracking_id
from sandbox.models import Person
from sandbox.state import Identity, Sandbox

UNAUTHORIZED = "The request requires a valid access token set in the Authorization request header."


def sandbox() -> Sandbox:
    return current_app.extensions["sandbox"]


def error(status: int, message: str, error_code: Optional[int] = None,
          headers: Optional[dict[str, str]] = None, detail_code: Optional[int] = None) -> Response:
    """A Webex error response with a fresh trackingId (also in the ``TrackingID`` header)."""
    tracking = tracking_id()
    response = jsonify(error_body(message, tracking, error_code, detail_code))
    response.status_code = status
    response.headers["TrackingID"] = tracking
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def problem_response(problem: WebexProblem) -> Response:
    return error(problem.status, problem.message, problem.error_code, headers=problem.headers,
                 detail_code=problem.detail_code)


def identity() -> Identity:
    """The caller (views behind ``allow`` always have one)."""
    return g.identity


def caller() -> Person:
    """The calling bot or person (views that ``allow`` only "bot" and "person" always have one)."""
    person = identity().person
    assert person is not None, "only a bot's or a person's token has a person"
    return person


def allow(*kinds: str, admin: bool = False) -> Callable:
    """401 without a valid token; 403 when the token's kind may not call this endpoint.

    ``admin=True``: the service app or a full administrator's own token; a read-only
    administrator's for GET only (``Identity.may_call_admin``).
    """
    def wrap(view: Callable) -> Callable:
        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            who: Optional[Identity] = g.get("identity")
            if who is None:
                return error(401, UNAUTHORIZED)
            if admin and not who.may_call_admin(request.method):
                return error(403, "The token does not have the administrator privileges this API requires.")
            if not admin and who.kind not in kinds:
                return error(403, "The token's identity is not allowed to call this API.")
            return view(*args, **kwargs)
        return checked
    return wrap


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise WebexProblem(400, "The request body must be a JSON object.")
    return body


def int_param(name: str, default: int, low: int, high: Optional[int] = None, clamp: bool = False) -> int:
    """An integer query parameter; 400 when it is not an integer or out of range."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise WebexProblem(400, f"Invalid value for query parameter {name}: {raw!r} is not an integer.") from None
    if value < low:
        raise WebexProblem(400, f"Invalid value for query parameter {name}: must be at least {low}.")
    if high is not None and value > high:
        if clamp:
            return high
        raise WebexProblem(400, f"Invalid value for query parameter {name}: must be at most {high}.")
    return value


def check_org() -> None:
    """``orgId``, when given, must be the sandbox's org (Webex refuses other orgs with 403)."""
    org = request.args.get("orgId")
    if org and org != sandbox().org_id:
        raise WebexProblem(403, "The caller is not authorized to access the requested organization.")


def next_link(**changes: Any) -> str:
    """``<url>; rel="next"``: this request's full URL with some query parameters replaced."""
    params = request.args.to_dict(flat=False)
    for name, value in changes.items():
        params[name] = [str(value)]
    url = request.base_url + "?" + urlencode(params, doseq=True)
    return f'<{url}>; rel="next"'
