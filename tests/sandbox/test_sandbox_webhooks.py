"""Webhooks: CRUD, signed deliveries over the raw body, who hears what."""
from __future__ import annotations

import hashlib
import hmac
import json

from sandbox_testkit import assert_webex_error, bot_webhooks

from sandbox import seed

CARD = [{"contentType": "application/vnd.microsoft.card.adaptive",
         "content": {"type": "AdaptiveCard", "version": "1.3", "body": []}}]


def signature(body: bytes, secret: str = seed.WEBHOOK_SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def events(receiver) -> list[dict]:
    return [json.loads(r.body) for r in receiver.received]


def test_webhook_crud(api, state):
    created = api.post("webhooks", json={"name": "n", "targetUrl": "http://127.0.0.1:9/x", "resource": "messages",
                                         "event": "created", "secret": "s", "filter": "roomType=direct"}).json()
    assert created["status"] == "active" and created["ownedBy"] == "creator" and created["secret"] == "s"
    assert created["createdBy"] == state.bot.id and created["orgId"] == seed.ORG_ID and created["appId"]
    assert created["filter"] == "roomType=direct"
    assert api.get(f"webhooks/{created['id']}").json() == created
    assert api.get("webhooks").json()["items"] == [created]
    assert api.get("webhooks", who=seed.ALICE).json()["items"] == []
    assert_webex_error(api.post("webhooks", json={"name": "n"}), 400)
    assert api.delete(f"webhooks/{created['id']}").status_code == 204
    assert_webex_error(api.get(f"webhooks/{created['id']}"), 404)


def test_direct_message_is_delivered_signed_without_text(api, state, receiver):
    bot_webhooks(api, receiver.url)
    message = state.say(seed.ALICE, "validate +12145557861")
    assert state.wait_for_deliveries(5)
    (got,) = receiver.received
    assert got.headers["Content-Type"] == "application/json"
    assert hmac.compare_digest(got.headers["X-Spark-Signature"], signature(got.body))
    event = json.loads(got.body)
    assert event["resource"] == "messages" and event["event"] == "created"
    assert event["actorId"] == message["personId"] and event["orgId"] == seed.ORG_ID
    assert event["createdBy"] == state.bot.id and event["ownedBy"] == "creator" and event["status"] == "active"
    assert event["data"] == {"id": message["id"], "roomId": message["roomId"], "roomType": "direct",
                             "personId": message["personId"], "personEmail": seed.ALICE,
                             "created": message["created"]}
    (record,) = state.deliveries
    assert record.body == got.body and record.status_code == 200 and record.data_id == message["id"]


def test_group_rooms_deliver_only_mentions_and_the_bots_own_messages(api, state, receiver):
    bot_webhooks(api, receiver.url)
    state.say(seed.BOB, "chatting among humans", room="group", mention_bot=False)
    mention = state.say(seed.LOU, "validate +12145557861", room="group")
    own = api.post("messages", json={"roomId": state.group_room_id, "text": "answer",
                                     "parentId": mention["id"]}).json()
    assert state.wait_for_deliveries(5)
    data = [e["data"] for e in events(receiver)]
    assert [d["id"] for d in data] == [mention["id"], own["id"]]
    assert data[0]["mentionedPeople"] == [state.bot.id]
    assert data[1]["parentId"] == mention["id"] and data[1]["personEmail"] == seed.BOT_EMAIL


def test_card_press_is_delivered_to_the_card_author(api, state, receiver):
    bot_webhooks(api, receiver.url)
    room = state.direct_room(seed.ALICE)
    posted = api.post("messages", json={"roomId": room, "text": "card", "attachments": CARD}).json()
    action = state.press(seed.ALICE, posted["id"], {"action": "next"})
    assert state.wait_for_deliveries(5)
    last = events(receiver)[-1]
    assert last["resource"] == "attachmentActions" and last["actorId"] == action["personId"]
    assert last["data"] == {"id": action["id"], "type": "submit", "messageId": posted["id"],
                            "personId": action["personId"], "roomId": room, "created": action["created"]}


def test_unsigned_webhook_and_filters(api, state, receiver):
    api.post("webhooks", json={"name": "direct only", "targetUrl": receiver.url, "resource": "messages",
                               "event": "created", "filter": f"roomId={state.direct_room(seed.BOB)}"})
    state.say(seed.ALICE, "not this room")
    state.say(seed.BOB, "this room")
    assert state.wait_for_deliveries(5)
    (got,) = receiver.received
    assert "X-Spark-Signature" not in got.headers
    assert json.loads(got.body)["data"]["personEmail"] == seed.BOB


def test_redelivery_forgery_and_retries(api, state, receiver):
    bot_webhooks(api, receiver.url)
    state.say(seed.ALICE, "help")
    assert state.wait_for_deliveries(5)
    again = state.redeliver(0)
    assert state.wait_for_deliveries(5)
    assert again.redelivery_of == 0 and receiver.received[1].body == receiver.received[0].body
    assert receiver.received[1].headers["X-Spark-Signature"] == receiver.received[0].headers["X-Spark-Signature"]
    state.deliver_raw(receiver.url, {"forged": True}, signature="0" * 40)
    assert state.wait_for_deliveries(5)
    assert receiver.received[2].body == b'{"forged":true}'
    receiver.status = 500
    state.delivery_retries = 2
    state.say(seed.ALICE, "help again")
    assert state.wait_for_deliveries(5)
    assert state.deliveries[-1].attempts == 3 and state.deliveries[-1].status_code == 500


def test_unreachable_target_is_recorded(api, state):
    api.post("webhooks", json={"name": "gone", "targetUrl": "http://127.0.0.1:9/nothing", "resource": "messages",
                               "event": "created"})
    state.say(seed.ALICE, "anyone?")
    assert state.wait_for_deliveries(5)
    assert state.deliveries[0].status_code is None and "ConnectionError" in state.deliveries[0].error


def test_a_tiny_echo_bot_closes_the_loop(server, api, state):
    """Webhook in, fetch the message with the bot token, reply in a thread: what numbot does."""
    import threading

    import requests
    from werkzeug.serving import make_server
    from werkzeug.wrappers import Request, Response

    headers = {"Authorization": f"Bearer {seed.BOT_TOKEN}"}

    @Request.application
    def echo(request: Request) -> Response:
        raw = request.get_data()
        assert request.headers["X-Spark-Signature"] == signature(raw)
        data = json.loads(raw)["data"]
        if data["personId"] != state.bot.id:
            text = requests.get(f"{server.api_url}/messages/{data['id']}", headers=headers, timeout=5).json()["text"]
            requests.post(f"{server.api_url}/messages", headers=headers, timeout=5,
                          json={"roomId": data["roomId"], "parentId": data["id"], "markdown": f"you said *{text}*"})
        return Response("ok")

    http = make_server("127.0.0.1", 0, echo, threaded=True)
    threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        bot_webhooks(api, f"http://127.0.0.1:{http.server_port}/webhook")
        asked = state.say(seed.LOU, "validate +12145557861", room="group")
        (reply,) = state.wait_for_reply(state.group_room_id, after_message_id=asked["id"], timeout=5)
        assert reply["text"] == "you said Numbot 2000 validate +12145557861"
        assert reply["parentId"] == asked["id"]
        assert state.wait_for_deliveries(5)
    finally:
        http.shutdown()
        http.server_close()


def hook_body(url: str, **extra) -> dict:
    return {"name": "numbot messages", "targetUrl": url, "resource": "messages", "event": "created", **extra}


def test_update_a_webhook_renames_it_and_moves_its_target_and_secret(api, state, receiver):
    old = api.post("webhooks", json=hook_body("http://127.0.0.1:9/old", secret="old")).json()
    answer = api.call("PUT", f"webhooks/{old['id']}", json={
        "name": "moved", "targetUrl": receiver.url, "secret": "new",
        "resource": "attachmentActions", "event": "deleted"})  # other fields are ignored
    assert answer.status_code == 200
    updated = answer.json()
    assert updated == {**old, "name": "moved", "targetUrl": receiver.url, "secret": "new"}
    assert api.get(f"webhooks/{old['id']}").json() == updated
    state.say(seed.ALICE, "hello")
    assert state.wait_for_deliveries(5)
    (got,) = receiver.received
    assert got.headers["X-Spark-Signature"] == signature(got.body, "new")
    assert json.loads(got.body)["name"] == "moved"


def test_update_a_webhook_needs_name_and_target_and_cannot_deactivate(api, state):
    hook = api.post("webhooks", json=hook_body("http://127.0.0.1:9/x")).json()
    path = f"webhooks/{hook['id']}"
    assert_webex_error(api.call("PUT", path, json={"name": "only a name"}), 400)
    assert_webex_error(api.call("PUT", path, json={"targetUrl": "http://127.0.0.1:9/y"}), 400)
    assert_webex_error(api.call("PUT", path, json={"name": "n", "targetUrl": hook["targetUrl"],
                                                   "status": "inactive"}), 400)
    assert_webex_error(api.call("PUT", path, json={"name": "n", "targetUrl": hook["targetUrl"],
                                                   "status": "paused"}), 400)
    assert_webex_error(api.call("PUT", "webhooks/nope", json={"name": "n", "targetUrl": "http://x"}), 404)
    assert_webex_error(api.call("PUT", path, who=seed.ALICE, json={"name": "n", "targetUrl": "http://x"}), 404)
    assert api.get(path).json() == hook


def test_failed_deliveries_disable_a_webhook_and_update_reactivates_it(api, state, receiver):
    state.webhook_failures_to_disable = 3
    hook = api.post("webhooks", json=hook_body(receiver.url)).json()
    receiver.status = 500
    for i in range(3):
        state.say(seed.ALICE, f"failing {i}")
        assert state.wait_for_deliveries(5)
    assert len(receiver.received) == 3
    (listed,) = api.get("webhooks").json()["items"]
    assert listed["status"] == "inactive"
    # An inactive webhook hears nothing.
    receiver.status = 200
    state.say(seed.ALICE, "while inactive")
    assert state.wait_for_deliveries(5)
    assert len(receiver.received) == 3
    reactivated = api.call("PUT", f"webhooks/{hook['id']}", json={"name": hook["name"], "targetUrl": receiver.url,
                                                                  "status": "active"}).json()
    assert reactivated["status"] == "active"
    state.say(seed.ALICE, "back")
    assert state.wait_for_deliveries(5)
    assert len(receiver.received) == 4 and json.loads(receiver.received[-1].body)["status"] == "active"


def test_a_success_resets_the_failure_count(api, state, receiver):
    state.webhook_failures_to_disable = 3
    api.post("webhooks", json=hook_body(receiver.url))
    for status in (500, 500, 200, 503, 500):
        receiver.status = status
        state.say(seed.ALICE, f"answered {status}")
        assert state.wait_for_deliveries(5)
    (listed,) = api.get("webhooks").json()["items"]
    assert listed["status"] == "active" and len(receiver.received) == 5


def test_a_delivery_fails_once_whatever_its_retries(api, state, receiver):
    state.webhook_failures_to_disable = 2
    state.delivery_retries = 2
    api.post("webhooks", json=hook_body(receiver.url))
    receiver.status = 500
    state.say(seed.ALICE, "one failed delivery, three attempts")
    assert state.wait_for_deliveries(5)
    assert len(receiver.received) == 3 and api.get("webhooks").json()["items"][0]["status"] == "active"
    state.say(seed.ALICE, "a second failed delivery")
    assert state.wait_for_deliveries(5)
    assert api.get("webhooks").json()["items"][0]["status"] == "inactive"


def test_unreachable_targets_count_and_the_default_is_five(api, state):
    assert state.webhook_failures_to_disable == 5
    api.post("webhooks", json=hook_body("http://127.0.0.1:9/nothing"))
    for i in range(5):
        assert api.get("webhooks").json()["items"][0]["status"] == "active"
        state.say(seed.ALICE, f"anyone? {i}")
        assert state.wait_for_deliveries(5)
    assert api.get("webhooks").json()["items"][0]["status"] == "inactive"
    state.say(seed.ALICE, "still there?")
    assert state.wait_for_deliveries(5)
    assert len(state.deliveries) == 5


def test_deliveries_queued_before_a_webhook_was_disabled_are_not_sent(api, state, receiver):
    state.webhook_failures_to_disable = 1
    api.post("webhooks", json=hook_body(receiver.url))
    receiver.status, receiver.delay = 500, 0.5
    first = state.say(seed.ALICE, "first")
    state.say(seed.ALICE, "second")  # queued behind the first, still being delivered
    assert state.wait_for_deliveries(5)
    assert [json.loads(r.body)["data"]["id"] for r in receiver.received] == [first["id"]]
    assert state.deliveries[-1].error == "not sent: the webhook is inactive" and state.deliveries[-1].attempts == 0
