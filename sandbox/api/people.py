"""People (``/people/me``, ``/people/{id}``, ``/people?email=``) and rooms."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from sandbox.api.common import allow, caller, error, identity, sandbox

blueprint = Blueprint("people", __name__)


@blueprint.get("/people/me")
@allow("bot", "person")
def me() -> Response:
    return jsonify(caller().to_json())


def _visible(person_org: str) -> bool:
    # A service app sees people of its own org only; bots and people can look anyone up.
    return identity().kind != "service" or person_org == sandbox().org_id


@blueprint.get("/people/<person_id>")
@allow("bot", "person", "service")
def person(person_id: str) -> Response:
    found = sandbox().people.get(person_id)
    if found is None or not _visible(found.org_id):
        return error(404, "Could not find a person with provided ID.")
    return jsonify(found.to_json(with_roles=identity().kind == "service"))


@blueprint.get("/people")
@allow("bot", "person", "service")
def people() -> Response:
    email, ids = request.args.get("email"), request.args.get("id")
    if not email and not ids:
        return error(400, "Email, displayName, or id list should be specified.")
    wanted = set(ids.split(",")) if ids else None
    items = [p.to_json(with_roles=identity().kind == "service") for p in sandbox().people.values()
             if _visible(p.org_id) and (not email or p.email.lower() == email.lower())
             and (wanted is None or p.id in wanted)]
    return jsonify({"items": items})


@blueprint.get("/rooms/<room_id>")
@allow("bot", "person")
def room(room_id: str) -> Response:
    return jsonify(sandbox().room_for(identity(), room_id).to_json())


@blueprint.get("/rooms")
@allow("bot", "person")
def rooms() -> Response:
    me_id, state = caller().id, sandbox()
    with state.lock:
        items = [r.to_json() for r in state.rooms.values() if me_id in r.member_ids]
    return jsonify({"items": items})
