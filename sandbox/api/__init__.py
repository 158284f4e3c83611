"""The sandbox's Flask app: Webex API blueprints under ``/v1``, helpers under ``/_sandbox``."""
from __future__ import annotations

import json
import logging
import time
from typing import IO, Any, Optional

from flask import Flask, Response, g, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from sandbox.api import (
    actions,
    auto_attendants,
    calling,
    chat,
    contents,
    helpers,
    location_numbers,
    locations,
    messages,
    people,
    telephony,
    tokens,
    webhooks,
)
from sandbox.api.common import error, problem_response, sandbox
from sandbox.errors import WebexProblem, tracking_id
from sandbox.models import Fault, LoggedRequest
from sandbox.state import Sandbox

API_BLUEPRINTS = (tokens, people, messages, contents, actions, webhooks, locations, telephony, calling,
                  location_numbers, auto_attendants)


class WebexJSON(DefaultJSONProvider):
    sort_keys = False  # keep Webex's field order
    compact = True


def create_app(state: Sandbox) -> Flask:
    app = Flask("sandbox")
    app.json = WebexJSON(app)
    app.extensions["sandbox"] = state
    for module in API_BLUEPRINTS:
        app.register_blueprint(module.blueprint, url_prefix="/v1")
    app.register_blueprint(helpers.blueprint, url_prefix="/_sandbox")
    app.register_blueprint(chat.blueprint)  # the chat page at / (see sandbox/static/chat.html)
    app.before_request(_before)
    app.after_request(_after)
    app.register_error_handler(WebexProblem, problem_response)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _crash)
    return app


def _is_api() -> bool:
    return request.path.startswith("/v1/")


def _before() -> Optional[Response]:
    g.started = time.time()
    if not _is_api():
        return None
    latency = sandbox().latency  # every Webex call takes a round trip (Sandbox.latency)
    if latency > 0:
        time.sleep(latency)
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else None
    g.identity = sandbox().identify(token)
    g.label = g.identity.label if g.identity else "anonymous"
    fault = sandbox().take_fault(request.method, request.path, g.label)
    if fault is None:
        return None
    if fault.stage == "after":
        g.after_fault = fault  # the request is processed; _after replaces or holds back its answer
        return None
    if fault.delay:
        time.sleep(fault.delay)
    return _fault_response(fault)


def _fault_response(fault: Fault) -> Optional[Response]:
    """The fault's answer, or None when it only delays (``status=None``)."""
    if fault.status is None:
        return None
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    response = error(fault.status, fault.message or _default_message(fault.status), headers=headers)
    if fault.body is not None:
        response.set_data(json.dumps(fault.body))
    return response


# Webex's wording of the gateway errors: 502 and 503 as webexpythonsdk's response_codes.py copies
# developer.webex.com's status codes, 504 as the reference pages list it.
_GATEWAY_MESSAGES = {
    502: "Bad Gateway: the server received an invalid response from an upstream server while processing "
         "the request. Try again later.",
    503: "Service Unavailable: server is overloaded with requests. Try again later.",
    504: "Gateway Timeout: an upstream server failed to respond on time.",
}


def _default_message(status: int) -> str:
    if status == 429:
        return "Too Many Requests: the request has been rate limited."
    if status in _GATEWAY_MESSAGES:
        return _GATEWAY_MESSAGES[status]
    if status >= 500:
        return "Internal Server Error: something went wrong on the server."
    return f"Injected error {status}."


def _after(response: Response) -> Response:
    fault: Optional[Fault] = g.pop("after_fault", None)
    if fault is not None:
        if fault.delay:
            time.sleep(fault.delay)
        response = _fault_response(fault) or response
    if "TrackingID" not in response.headers:
        response.headers["TrackingID"] = tracking_id()
    if _is_api():
        body = _logged_body()
        if body and "client_secret" in body:
            body = {**body, "client_secret": "***"}
        sandbox().log_request(LoggedRequest(
            method=request.method, path=request.path, query=request.args.to_dict(), json=body,
            identity=g.get("label", "anonymous"), status=response.status_code, time=g.get("started", time.time()),
            tracking_id=response.headers.get("TrackingID", ""),
        ))
    return response


def _logged_body() -> Any:
    """The request body for the log: JSON as sent; a form's fields, and for each file part its
    name, type and size instead of its bytes."""
    if request.is_json:
        return request.get_json(silent=True)
    body: dict[str, Any] = request.form.to_dict()
    parts = [part for _, part in request.files.items(multi=True)]
    if parts:
        body["files"] = [{"filename": part.filename, "contentType": part.mimetype, "size": _size(part.stream)}
                         for part in parts]
    return body or None


def _size(stream: IO[bytes]) -> int:
    position = stream.tell()
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(position)
    return size


def _http_error(exc: HTTPException) -> Response:
    if exc.code == 404:
        return error(404, "The requested resource could not be found.")
    if exc.code == 405:
        return error(405, f"Method {request.method} is not allowed for this resource.")
    return error(exc.code or 500, exc.description or "Error")


def _crash(exc: Exception) -> Response:
    logging.getLogger("sandbox").exception("sandbox crashed on %s %s", request.method, request.path)
    return error(500, f"Sandbox internal error: {type(exc).__name__}: {exc}")
