"""Contents: the files of messages, ``GET`` and ``HEAD /v1/contents/{contentId}``.

developer.webex.com, REST API Basics, Message Attachments: a message's ``files`` are URLs of this
endpoint, read with the Authorization header; a HEAD request answers the same headers without the
file ("Content-Disposition: attachment; filename=…", Content-Length, Content-Type), so a client can
learn a file's name and size before downloading it. Flask answers HEAD with this GET view, and
werkzeug drops the body but keeps the headers.
"""
from __future__ import annotations

import re
from urllib.parse import quote

from flask import Blueprint, Response, request

from sandbox.api.common import allow, identity, sandbox

blueprint = Blueprint("contents", __name__)


@blueprint.get("/contents/<content_id>")
@allow("bot", "person", "service")
def download(content_id: str) -> Response:
    # "?allow=unscannable": the caller accepts a file that could not be scanned for malware (else 428).
    allowed = request.args.get("allow", "").lower() == "unscannable"
    stored = sandbox().content_for(identity(), content_id, allow_unscannable=allowed)
    response = Response(stored.data, content_type=stored.content_type)
    response.headers["Content-Disposition"] = content_disposition(stored.filename)
    response.headers["Cache-Control"] = "no-cache"  # as in the Message Attachments example
    return response


def content_disposition(filename: str) -> str:
    """``attachment; filename="<name>"``; a non-ASCII name also as RFC 6266's ``filename*``."""
    filename = re.sub(r"[\x00-\x1f\x7f]", "_", filename)  # no control characters in a header
    plain = filename.replace("\\", "\\\\").replace('"', '\\"')
    if plain.isascii():
        return f'attachment; filename="{plain}"'
    fallback = plain.encode("ascii", "replace").decode("ascii")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
