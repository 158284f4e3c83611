"""Injected faults and Webex error bodies."""
from __future__ import annotations

import json
import time

import pytest
import requests
from sandbox_testkit import assert_webex_error, bot_webhooks

from sandbox import seed


def test_429_with_retry_after_then_success(api, state):
    state.inject_fault("GET", r"/locations$", status=429, times=2, retry_after=3)
    first = assert_webex_error(api.get("locations", who="service"), 429)
    response = api.get("locations", who="service")
    assert response.status_code == 429 and response.headers["Retry-After"] == "3"
    assert response.json()["trackingId"] != first["trackingId"]
    assert api.get("locations", who="service").status_code == 200


def test_500_custom_message_and_body(api, state):
    state.inject_fault("POST", r"/validateNumbers/", status=500, message="boom")
    response = api.post("telephony/config/actions/validateNumbers/invoke", who="service",
                        json={"phoneNumbers": [seed.AVAILABLE_US]})
    assert assert_webex_error(response, 500)["message"] == "boom"
    state.inject_fault(None, r"/people/me", status=503, body={"odd": True})
    response = api.get("people/me")
    assert response.status_code == 503 and response.json() == {"odd": True}
    assert api.get("people/me").status_code == 200


def test_faults_over_http(server, api):
    added = requests.post(f"{server.url}/_sandbox/faults", json={"method": "GET", "path_regex": "/people/me",
                                                                 "status": 502, "times": 5}, timeout=5)
    assert added.status_code == 200
    assert_webex_error(api.get("people/me"), 502)
    assert requests.delete(f"{server.url}/_sandbox/faults", timeout=5).status_code == 204
    assert api.get("people/me").status_code == 200


def test_every_error_has_a_tracking_id(api):
    assert_webex_error(api.get("no/such/endpoint"), 404)
    assert_webex_error(api.call("PUT", "people/me"), 405)
    assert_webex_error(api.post("messages", data="not json", headers={"Content-Type": "application/json"}), 400)
    assert api.get("people/me").headers["TrackingID"].startswith("ROUTER_")


def test_sandbox_state_page(server, state):
    body = requests.get(f"{server.url}/_sandbox/state", timeout=5).json()
    assert body["orgId"] == seed.ORG_ID
    assert {p["emails"][0]: p["token"] for p in body["people"]}[seed.ALICE] == seed.PERSON_TOKENS[seed.ALICE]
    assert [loc["name"] for loc in body["locations"]] == list(seed.LOCATION_NAMES)
    assert state.group_room_id in [r["id"] for r in body["rooms"]]


def test_a_fault_after_the_fact_answers_502_for_a_message_that_exists(api, state, receiver):
    bot_webhooks(api, receiver.url)
    fault = state.inject_fault("POST", r"/messages$", status=502, stage="after")
    response = api.post("messages", who=seed.ALICE, json={"roomId": state.direct_room(seed.ALICE), "text": "hi"})
    body = assert_webex_error(response, 502)
    assert "upstream server" in body["message"] and fault.hits == 1
    (message,) = state.messages.values()
    assert message.text == "hi" and message.person_email == seed.ALICE
    assert state.wait_for_deliveries(5)
    (got,) = receiver.received
    assert json.loads(got.body)["data"]["id"] == message.id
    # The request log shows what the client saw.
    assert [c.status for c in state.calls(path_contains="/messages", method="POST")] == [502]


def test_a_slow_answer_after_the_fact_times_a_client_out_while_the_work_is_done(api, state):
    state.inject_fault("POST", r"/messages$", status=None, delay=1.0, stage="after")
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        requests.post(f"{api.api_url}/messages", json={"roomId": state.direct_room(seed.BOB), "text": "slow"},
                      headers={"Authorization": f"Bearer {seed.PERSON_TOKENS[seed.BOB]}"}, timeout=0.3)
    assert time.monotonic() - started < 0.9
    (message,) = state.messages.values()
    assert message.text == "slow"


def test_a_delayed_answer_after_the_fact_is_the_real_answer(api, state):
    state.inject_fault("GET", r"/people/me$", status=None, delay=0.3, stage="after")
    started = time.monotonic()
    response = api.get("people/me")
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 200 and response.json()["emails"] == [seed.BOT_EMAIL]


def test_a_fault_before_is_the_default_and_nothing_is_done(api, state):
    fault = state.inject_fault("POST", r"/messages$", status=504)
    assert fault.stage == "before"
    body = assert_webex_error(api.post("messages", json={"toPersonEmail": seed.BOB, "text": "lost"}), 504)
    assert "failed to respond on time" in body["message"]
    assert state.messages == {}
    with pytest.raises(ValueError):
        state.inject_fault("GET", "x", stage="during")


def test_faults_after_the_fact_over_http(server, api, state):
    added = requests.post(f"{server.url}/_sandbox/faults", timeout=5, json={
        "method": "POST", "path_regex": "/messages$", "status": 502, "stage": "after"})
    assert added.status_code == 200 and added.json()["stage"] == "after"
    assert_webex_error(api.post("messages", json={"toPersonEmail": seed.BOB, "text": "done anyway"}), 502)
    assert [m.text for m in state.messages.values()] == ["done anyway"]
    refused = requests.post(f"{server.url}/_sandbox/faults", json={"stage": "later"}, timeout=5)
    assert_webex_error(refused, 400)


def test_a_fault_for_one_caller_leaves_the_others_alone(api, state):
    """The admin's message and the bot's reply both go to POST /v1/messages: a fault can pick one."""
    fault = state.inject_fault("POST", r"/messages$", status=503, who="bot")
    sent = api.post("messages", who=seed.ALICE, json={"toPersonEmail": seed.BOT_EMAIL, "text": "hello"})
    assert sent.status_code == 200 and fault.hits == 0
    assert_webex_error(api.post("messages", json={"toPersonEmail": seed.ALICE, "text": "hi"}), 503)
    assert fault.hits == 1
