"""The usual pattern, for comparison: a webhook that does the whole job inside the request.

Written the way the Webex SDK's bot examples are (webexpythonsdk's ``examples/bot-example-flask.py``
and its card example): the webhook view fetches the message (or the card action), calls Webex,
posts the reply, and only then answers Webex. It makes the same Webex calls numbot makes for the
same event (a message: the message, validate numbers, the reply; a card press: the action, the card's
message, the presser, validate numbers, the reply) and checks the signature the same way, so the
two differ only in where the work happens. It has no store: no queue, no re-delivery marks.

Served by the Procfile's gunicorn command with ``"bench.usual:create_app()"`` as the app.
"""
from __future__ import annotations

import hashlib
import hmac
import os

from flask import Flask, Response, request
from webexpythonsdk import WebexAPI
from webexpythonsdk.restsession import RestSession


def create_app() -> Flask:
    base_url = os.environ["WEBEX_API_URL"].rstrip("/") + "/"
    secret = os.environ["WEBEX_WEBHOOK_SECRET"]
    api = WebexAPI(access_token=os.environ["WEBEX_BOT_TOKEN"], base_url=base_url)
    admin = RestSession(os.environ["WEBEX_SERVICE_APP_TOKEN"], base_url)
    org = {"orgId": os.environ["WEBEX_ORG_ID"]} if os.environ.get("WEBEX_ORG_ID") else {}
    me = api.people.me()
    app = Flask("usual")

    @app.get("/healthz")
    def healthz() -> Response:
        return Response("ok")

    @app.post("/webhook")
    def webhook() -> Response:
        raw = request.get_data()
        expected = hmac.new(secret.encode(), raw, hashlib.sha1).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("X-Spark-Signature", "")):
            return Response("bad signature", status=401)
        event = request.get_json()
        data = event["data"]
        if data.get("personId") == me.id:
            return Response("ok")
        if event["resource"] == "attachmentActions":
            action = api.attachment_actions.get(data["id"])
            card = api.messages.get(action.messageId)
            api.people.get(action.personId)  # who pressed, to say so in the answer
            room_id, text = card.roomId, str(action.inputs.get("numbers", ""))
        else:
            message = api.messages.get(data["id"])
            room_id, text = message.roomId, message.text or ""
        numbers = [word for word in text.replace(",", " ").split() if word.startswith("+")]
        result = admin.post("telephony/config/actions/validateNumbers/invoke", json={"phoneNumbers": numbers},
                            params=org)
        lines = [f"- {n.get('phoneNumber')}: {n.get('state')}" for n in result.get("phoneNumbers", [])]
        api.messages.create(roomId=room_id, markdown="**Validation**\n" + "\n".join(lines))
        return Response("ok")

    return app
