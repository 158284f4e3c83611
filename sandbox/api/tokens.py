"""``POST /v1/access_token``: the OAuth refresh-token grant a service app uses."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from sandbox.api.common import error, sandbox
from sandbox.errors import WebexProblem

blueprint = Blueprint("access_token", __name__)


@blueprint.post("/access_token")
def grant() -> Response:
    form = request.form
    if form.get("grant_type") != "refresh_token":
        return error(400, "unsupported_grant_type: the sandbox supports grant_type=refresh_token only")
    missing = [n for n in ("client_id", "client_secret", "refresh_token") if not form.get(n)]
    if missing:
        return error(400, f"invalid_request: missing {', '.join(missing)}")
    try:
        body = sandbox().grant_service_token(form["client_id"], form["client_secret"], form["refresh_token"])
    except WebexProblem as problem:
        return error(problem.status, problem.message)
    return jsonify(body)
