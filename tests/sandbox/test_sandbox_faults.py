"""Injected faults and Webex error bodies."""
from __future__ import annotations

import requests

from sandbox import seed
from sandbox_testkit import assert_webex_error


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
