"""Tokens: who may call what, the service app's refresh-token grant, expiry."""
from __future__ import annotations

import time

import requests
from sandbox_testkit import assert_webex_error

from sandbox import seed
from sandbox.ids import decode_id


def grant(api, refresh_token: str = seed.SERVICE_APP_REFRESH_TOKEN, secret: str = seed.SERVICE_APP_CLIENT_SECRET):
    return requests.post(f"{api.api_url}/access_token", data={
        "grant_type": "refresh_token", "client_id": seed.SERVICE_APP_CLIENT_ID,
        "client_secret": secret, "refresh_token": refresh_token}, timeout=10)


def test_missing_or_unknown_token_is_401(api):
    assert_webex_error(api.get("people/me", who=None), 401)
    assert_webex_error(api.get("people/me", who="not-a-token"), 401)


def test_bot_and_people_cannot_call_admin_apis(api):
    for who in ("bot", seed.BOB, seed.EVE):
        assert_webex_error(api.get("locations", who=who), 403)
        assert_webex_error(api.post("telephony/config/actions/validateNumbers/invoke", who=who,
                                    json={"phoneNumbers": [seed.AVAILABLE_US]}), 403)


def test_admins_own_tokens_can_call_admin_apis(api):
    for who in ("service", seed.ALICE, seed.LOU):
        assert api.get("locations", who=who).status_code == 200


def test_role_ids_are_webex_role_ids(state):
    roles = {seed.FULL_ADMIN_ROLE_ID: "id_full_admin", seed.USER_ADMIN_ROLE_ID: "id_user_admin",
             seed.READONLY_ADMIN_ROLE_ID: "id_readonly_admin", seed.DEVICE_ADMIN_ROLE_ID: "id_device_admin"}
    for role_id, name in roles.items():
        assert decode_id(role_id) == f"ciscospark://us/ROLE/{name}" and "=" not in role_id
    assert not hasattr(seed, "LOCATION_ADMIN_ROLE_ID")
    everyone = {p.email: (p.display_name, p.roles) for p in state.people.values()}
    assert everyone[seed.ALICE] == ("Alice Admin", [seed.FULL_ADMIN_ROLE_ID])
    assert everyone[seed.LOU] == ("Lou Readonly", [seed.READONLY_ADMIN_ROLE_ID])
    assert everyone[seed.BOB] == ("Bob User", [])
    assert everyone[seed.EVE] == ("Eve Outsider", [seed.FULL_ADMIN_ROLE_ID])


def test_a_read_only_administrator_may_only_read_admin_apis(api, state):
    hq = seed.location_id(seed.DALLAS_HQ)
    for path in ("locations", f"locations/{hq}", "telephony/config/locations",
                 f"telephony/config/locations/{hq}/autoAttendants/alternate/availableNumbers"):
        assert api.get(path, who=seed.LOU).status_code == 200, path
    validate = {"phoneNumbers": [seed.AVAILABLE_US]}
    path = "telephony/config/actions/validateNumbers/invoke"
    assert_webex_error(api.post(path, who=seed.LOU, json=validate), 403)
    assert api.post(path, who=seed.ALICE, json=validate).status_code == 200


def test_other_admin_roles_are_not_telephony_admins(api, state):
    bob = state.person_by_email(seed.BOB)
    for role in (seed.USER_ADMIN_ROLE_ID, seed.DEVICE_ADMIN_ROLE_ID):
        bob.roles = [role]
        assert_webex_error(api.get("locations", who=seed.BOB), 403)


def test_service_token_cannot_post_messages(api, state):
    assert_webex_error(api.post("messages", who="service", json={"roomId": state.group_room_id, "text": "hi"}), 403)


def test_people_me_and_roles_only_for_the_service_app(api, state):
    me = api.get("people/me").json()
    assert me["emails"] == [seed.BOT_EMAIL] and me["type"] == "bot"
    assert me["displayName"] == seed.BOT_NAME == "Numbot 2000"
    alice = state.person_by_email(seed.ALICE)
    as_bot = api.get(f"people/{alice.id}").json()
    assert "roles" not in as_bot and as_bot["emails"] == [seed.ALICE] and as_bot["orgId"] == seed.ORG_ID
    assert api.get(f"people/{alice.id}", who="service").json()["roles"] == [seed.FULL_ADMIN_ROLE_ID]
    lou = state.person_by_email(seed.LOU)
    assert api.get(f"people/{lou.id}", who="service").json()["roles"] == [seed.READONLY_ADMIN_ROLE_ID]
    bob = state.person_by_email(seed.BOB)
    assert api.get(f"people/{bob.id}", who="service").json()["roles"] == []
    eve = state.person_by_email(seed.EVE)
    assert_webex_error(api.get(f"people/{eve.id}", who="service"), 404)


def test_refresh_grant_issues_working_tokens(api, state):
    response = grant(api)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "refresh_token", "refresh_token_expires_in", "token_type"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["refresh_token"] == seed.SERVICE_APP_REFRESH_TOKEN
    assert api.get("locations", who=body["access_token"]).status_code == 200
    assert grant(api).json()["access_token"] != body["access_token"]
    assert state.token_grants == 2


def test_refresh_token_expires_in_is_the_seeded_tokens_remaining_life(api, state):
    assert state.refresh_token_ttl == 7776000  # 90 days
    first = grant(api).json()["refresh_token_expires_in"]
    assert 7776000 - 2 <= first <= 7776000
    state.expire_refresh_token_in(120)
    remaining = grant(api).json()["refresh_token_expires_in"]
    assert 118 <= remaining <= 120
    time.sleep(1.1)
    assert grant(api).json()["refresh_token_expires_in"] < remaining


def test_an_expired_refresh_token_is_refused_like_an_unknown_one(api, state):
    state.expire_refresh_token_in(0)
    expired = assert_webex_error(grant(api), 400)
    unknown = assert_webex_error(grant(api, refresh_token="nope"), 400)
    assert expired["message"] == unknown["message"] and expired["message"].startswith("invalid_grant")
    assert state.token_grants == 0


def test_the_lifetime_knob_counts_from_the_issue(api, state):
    state.refresh_token_ttl = 60  # set before the first grant: the seeded token has about a minute left
    assert 58 <= grant(api).json()["refresh_token_expires_in"] <= 60
    state.refresh_token_ttl = 0  # every refresh token issued so far is now past its life
    assert_webex_error(grant(api), 400)


def test_a_rotated_refresh_token_lives_from_the_grant_that_gave_it(api, state):
    state.rotate_refresh_tokens = True
    state.expire_refresh_token_in(30)
    body = grant(api).json()
    assert body["refresh_token"] != seed.SERVICE_APP_REFRESH_TOKEN
    assert body["refresh_token_expires_in"] == 7776000
    state.expire_refresh_token_in(5, body["refresh_token"])
    again = grant(api, refresh_token=body["refresh_token"]).json()
    assert again["refresh_token_expires_in"] == 7776000 and again["refresh_token"] != body["refresh_token"]


def test_wrong_secret_is_401_and_unknown_refresh_token_400(api):
    assert_webex_error(grant(api, secret="nope"), 401)
    assert_webex_error(grant(api, refresh_token="nope"), 400)


def test_rotation_retires_the_old_refresh_token(api, state):
    state.rotate_refresh_tokens = True
    first = grant(api).json()
    assert first["refresh_token"] != seed.SERVICE_APP_REFRESH_TOKEN
    assert_webex_error(grant(api), 400)
    assert grant(api, refresh_token=first["refresh_token"]).status_code == 200


def test_tokens_expire_after_ttl_or_on_demand(api, state):
    state.service_token_ttl = 0
    short = grant(api).json()["access_token"]
    assert_webex_error(api.get("locations", who=short), 401)
    state.service_token_ttl = 3600
    fresh = grant(api).json()["access_token"]
    assert api.get("locations", who=fresh).status_code == 200
    state.expire_service_tokens()
    assert_webex_error(api.get("locations", who=fresh), 401)
    assert_webex_error(api.get("locations", who="service"), 401)


def test_request_log_names_identities(api, state):
    api.get("people/me")
    api.get("locations", who="service")
    api.get("people/me", who=seed.ALICE)
    api.get("people/me", who=None)
    assert [c.identity for c in state.calls(path_contains="/people/me")] == ["bot", f"person:{seed.ALICE}", "anonymous"]
    (call,) = state.calls(identity="service")
    assert call.status == 200 and call.method == "GET" and call.path == "/v1/locations"


def test_the_chat_page_names_each_persons_role(server):
    people = requests.get(f"{server.url}/_sandbox/chat", timeout=5).json()["people"]
    assert {p["email"]: p["role"] for p in people} == {
        seed.ALICE: "full administrator", seed.LOU: "read-only administrator", seed.BOB: "no admin role",
        seed.EVE: "another organisation"}
    assert {p["email"]: p["displayName"] for p in people}[seed.LOU] == "Lou Readonly"
