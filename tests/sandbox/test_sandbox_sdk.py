"""The bot talks to Webex through webexpythonsdk; the sandbox must suit it."""
from __future__ import annotations

from webexpythonsdk import WebexAPI
from webexpythonsdk.api.access_tokens import AccessTokensAPI
from webexpythonsdk.models.immutable import immutable_data_factory

from sandbox import seed


def test_sdk_messages_people_and_paging(server, state):
    webex = WebexAPI(access_token=seed.BOT_TOKEN, base_url=server.api_url + "/")
    assert webex.people.me().emails == [seed.BOT_EMAIL]
    room = state.direct_room(seed.ALICE)
    for i in range(5):
        state.say(seed.ALICE, f"m{i}")
    texts = [m.text for m in webex.messages.list(roomId=room, max=2)]
    assert texts == [f"m{i}" for i in reversed(range(5))]
    sent = webex.messages.create(roomId=room, markdown="**hi**")
    assert sent.text == "hi"


def test_sdk_refresh_grant(server, state):
    tokens = AccessTokensAPI(server.api_url + "/", immutable_data_factory)
    token = tokens.refresh(seed.SERVICE_APP_CLIENT_ID, seed.SERVICE_APP_CLIENT_SECRET, seed.SERVICE_APP_REFRESH_TOKEN)
    assert token.access_token and token.expires_in == 3600 and state.token_grants == 1


def test_sdk_waits_out_429(server, state):
    state.inject_fault("GET", "/people/me", status=429, retry_after=1)
    webex = WebexAPI(access_token=seed.BOT_TOKEN, base_url=server.api_url + "/")
    assert webex.people.me().displayName == seed.BOT_NAME
    assert [c.status for c in state.calls(path_contains="/people/me")] == [429, 200]
