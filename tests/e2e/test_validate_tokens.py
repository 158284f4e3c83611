"""The validate API is called with the service app's token: obtained once with the refresh-token
grant, renewed before it expires or when Webex answers 401, or given ready to use."""
from __future__ import annotations

import time
from collections.abc import Callable

from botkit import Chat, RunningBot
from validatekit import VALIDATE, assert_safe_to_show, card_rows

from bot.core.config import ServiceAppCredentials
from sandbox import Sandbox, seed


def validate_available(chat: Chat) -> None:
    """Alice validates a free number and gets the answer."""
    assert card_rows(chat.say(f"validate {seed.AVAILABLE_US}"))[0].state == "Available"


def test_the_token_is_obtained_once_for_many_validations(chat: Chat, state: Sandbox) -> None:
    for _ in range(4):
        validate_available(chat)
    assert state.token_grants == 1
    assert [(c.identity, c.status) for c in state.calls(VALIDATE)] == [("service", 200)] * 4
    assert len(state.calls("access_token")) == 1


def test_two_admins_validating_at_the_same_moment_share_one_token(state: Sandbox, bot: RunningBot) -> None:
    chats = [Chat(state, seed.ALICE), Chat(state, seed.ALICE, room="group")]
    posted = [c.post(f"validate {seed.AVAILABLE_US}") for c in chats]  # both before either is answered
    for c, message in zip(chats, posted):
        assert card_rows(c.wait(message["id"])[0])[0].state == "Available"
    assert state.token_grants == 1


def test_a_token_about_to_expire_is_renewed_before_webex_refuses_it(
        make_bot: Callable[..., RunningBot], state: Sandbox) -> None:
    state.service_token_ttl = 2  # the bot renews within the last 10% of a token's lifetime
    make_bot()
    chat = Chat(state, seed.ALICE)
    validate_available(chat)
    time.sleep(2.0)
    validate_available(chat)
    assert state.token_grants == 2
    assert [c.status for c in state.calls(VALIDATE)] == [200, 200]  # never refused: renewed in time


def test_a_token_webex_refuses_with_401_is_renewed_once_and_the_answer_still_comes(
        chat: Chat, state: Sandbox) -> None:
    validate_available(chat)
    state.expire_service_tokens()  # Webex revokes it early
    asked = len(state.requests)
    validate_available(chat)
    assert state.token_grants == 2
    # The first service app call after the revocation (the sender's roles, NUMBOT_REQUIRE_ADMIN)
    # is refused once (the revoked token names nobody: "anonymous"), the token renewed, the call
    # repeated; validate then goes through.
    after = [(c.identity, c.status) for c in state.requests[asked:] if c.path.startswith("/v1/people/")]
    assert after == [("anonymous", 401), ("service", 200)]
    assert [c.status for c in state.calls(VALIDATE)] == [200, 200]
    validate_available(chat)  # the renewed token is kept
    assert state.token_grants == 2


def test_a_ready_service_app_token_is_used_as_given(make_bot: Callable[..., RunningBot], state: Sandbox) -> None:
    make_bot(service_app=ServiceAppCredentials(access_token=seed.SERVICE_APP_TOKEN))  # WEBEX_SERVICE_APP_TOKEN
    chat = Chat(state, seed.ALICE)
    validate_available(chat)
    validate_available(chat)
    assert state.token_grants == 0
    assert [(c.identity, c.status) for c in state.calls(VALIDATE)] == [("service", 200)] * 2


def test_a_ready_token_that_webex_refuses_gets_an_error_card_that_says_what_to_configure(
        make_bot: Callable[..., RunningBot], state: Sandbox) -> None:
    make_bot(service_app=ServiceAppCredentials(access_token=seed.SERVICE_APP_TOKEN))
    state.expire_service_tokens()
    reply = Chat(state, seed.ALICE).say(f"validate {seed.AVAILABLE_US}")
    assert "WEBEX_SERVICE_APP_TOKEN" in reply.text
    assert state.token_grants == 0
    roles = [c.status for c in state.requests if c.path.startswith("/v1/people/") and c.identity != "bot"]
    assert roles == [401]  # the first service app call, the sender's roles, is refused: nothing more
    assert state.calls(VALIDATE) == []
    assert_safe_to_show(reply)
