"""Fuzzing the live webhook endpoint over HTTP: whatever a signed body holds, the answer is a clear
status (never a 500 or a stack trace), and afterwards the bot still answers its admins."""
from __future__ import annotations

import json

from botkit import Chat, RunningBot, wait_idle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bad_input import post_webhook, still_answers

from sandbox import Sandbox

scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=30)
data = st.fixed_dictionaries({}, optional={"id": scalars, "roomId": scalars, "personId": scalars,
                                           "messageId": scalars})
bodies = st.one_of(
    st.fixed_dictionaries({}, optional={
        "resource": st.sampled_from(["messages", "attachmentActions", "rooms", ""]) | scalars,
        "event": st.sampled_from(["created", "deleted"]) | scalars,
        "data": data | scalars,
        "id": scalars,
    }),
    st.recursive(scalars, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3),
                 max_leaves=8),
)


def test_fuzzed_signed_bodies_get_clear_answers_and_the_bot_survives(state: Sandbox, bot: RunningBot,
                                                                     chat: Chat) -> None:
    statuses: list[int] = []

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(bodies, st.booleans())
    def post(body, raw_garbage: bool) -> None:
        raw = json.dumps(body).encode() if not raw_garbage else repr(body).encode()
        response = post_webhook(bot, raw)
        statuses.append(response.status_code)
        assert response.status_code in (200, 400), response.text
        assert response.headers["Content-Type"] == "application/json"
        assert "Traceback" not in response.text

    post()
    assert 200 in statuses and 400 in statuses
    wait_idle(bot, timeout=60)
    still_answers(chat)
