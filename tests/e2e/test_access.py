"""Who may use the bot: it acts with a service app token that reads the org's numbers, and anyone
who can message a bot can reach it. A refused sender gets one polite card and no admin API is
called on their behalf."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable

import pytest
from botkit import Chat, RunningBot, wait_idle

from bot.core.logs import JsonFormatter
from sandbox import Sandbox, seed

ADMIN_PATHS = ("/telephony/", "/locations")


def admin_calls(state: Sandbox) -> list:
    return [c for c in state.calls(identity="service") if any(p in c.path for p in ADMIN_PATHS)]


def assert_refused(reply, state: Sandbox, admin_calls_before: int = 0) -> None:
    assert "can't use this bot" in reply.text
    assert "can't use this bot" in reply.markdown
    assert len(admin_calls(state)) == admin_calls_before


def test_by_default_a_person_without_an_admin_role_is_refused_and_told_whom_to_ask(
    state: Sandbox, make_bot: Callable[..., RunningBot]
) -> None:
    """The bot answers with organisation-wide rights: safe by default, NUMBOT_REQUIRE_ADMIN is on."""
    make_bot(allowed_domains=())
    reply = Chat(state, seed.BOB).say(f"validate {seed.AVAILABLE_US}")
    assert_refused(reply, state)
    assert "This bot answers only full administrators of its Webex organisation." in reply.text
    assert "To get access, ask Alice Admin (alice@example.com)." in reply.text  # NUMBOT_CONTACT
    assert "Available" in Chat(state, seed.ALICE).say(f"validate {seed.AVAILABLE_US}").text


def test_with_nothing_configured_everyone_is_refused_and_told_how_to_configure(
    state: Sandbox, make_bot: Callable[..., RunningBot]
) -> None:
    make_bot(allowed_domains=(), allowed_users=(), require_admin=False)
    reply = Chat(state, seed.ALICE).say(f"validate {seed.AVAILABLE_US}")
    assert_refused(reply, state)
    assert "NUMBOT_ALLOWED_USERS" in reply.text  # as it is: a TextRun, never "NUMBOT\\_ALLOWED..."


def test_a_listed_email_is_served_and_an_unlisted_one_refused_with_one_card(
    state: Sandbox, make_bot: Callable[..., RunningBot], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    bot = make_bot(allowed_domains=(), allowed_users=(seed.ALICE.upper(),))
    bob = Chat(state, seed.BOB)
    reply = bob.say(f"validate {seed.AVAILABLE_US}")
    assert_refused(reply, state)
    wait_idle(bot)
    assert len(bob.bot_messages()) == 1
    bob_id = state.person_by_email(seed.BOB).id
    refusals = [JsonFormatter().format(r) for r in caplog.records if r.getMessage() == "access refused"]
    assert refusals and json.loads(refusals[0])["person"] == bob_id
    assert "Available" in Chat(state, seed.ALICE).say(f"validate {seed.AVAILABLE_US}").text


def test_a_person_id_on_the_list_is_served(state: Sandbox, make_bot: Callable[..., RunningBot]) -> None:
    make_bot(allowed_domains=(), allowed_users=(state.person_by_email(seed.LOU).id,), require_admin=False)
    assert "Available" in Chat(state, seed.LOU).say(f"validate {seed.AVAILABLE_US}").text
    assert_refused(Chat(state, seed.ALICE).say(f"validate {seed.AVAILABLE_US}"), state, admin_calls_before=1)


def test_an_allowed_domain_serves_its_people_only(state: Sandbox, make_bot: Callable[..., RunningBot]) -> None:
    make_bot(allowed_domains=("example.com",), require_admin=False)  # NUMBOT_REQUIRE_ADMIN=false: the opt-out
    assert "Available" in Chat(state, seed.BOB).say(f"validate {seed.AVAILABLE_US}").text
    assert_refused(Chat(state, seed.EVE).say(f"validate {seed.AVAILABLE_US}"), state, admin_calls_before=1)


@pytest.mark.parametrize(
    "email, allowed",
    [(seed.ALICE, True), (seed.LOU, False), (seed.BOB, False), (seed.EVE, False)],
    ids=["full admin", "read-only admin", "plain user", "admin of another org"],
)
def test_require_admin_serves_only_full_administrators_of_the_org_by_default(
    state: Sandbox, make_bot: Callable[..., RunningBot], email: str, allowed: bool
) -> None:
    """The bot answers with the service app's organisation-wide rights, so by default only a full
    administrator, who has them too, is served."""
    make_bot(allowed_domains=(), require_admin=True)
    reply = Chat(state, email).say(f"validate {seed.AVAILABLE_US}")
    if allowed:
        assert "Available" in reply.text
    else:
        assert_refused(reply, state)
        assert "only full administrators of its Webex organisation" in reply.text


def test_the_accepted_admin_roles_are_a_setting(state: Sandbox, make_bot: Callable[..., RunningBot]) -> None:
    make_bot(allowed_domains=(), require_admin=True, admin_roles=("id_full_admin", "id_readonly_admin"))
    assert "Available" in Chat(state, seed.LOU).say(f"validate {seed.AVAILABLE_US}").text
    refused = Chat(state, seed.BOB).say(f"validate {seed.AVAILABLE_US}")
    assert "only full administrators and read-only administrators" in refused.text


def test_a_role_can_be_accepted_by_its_whole_id(state: Sandbox, make_bot: Callable[..., RunningBot]) -> None:
    """An operator whose org shows a role Webex does not document can list the id as Webex gives it."""
    lou_role = state.person_by_email(seed.LOU).roles[0]
    make_bot(allowed_domains=(), require_admin=True, admin_roles=(lou_role,))
    assert "Available" in Chat(state, seed.LOU).say(f"validate {seed.AVAILABLE_US}").text
    assert_refused(Chat(state, seed.ALICE).say(f"validate {seed.AVAILABLE_US}"), state, admin_calls_before=1)


def test_the_sandbox_gives_role_ids_in_webex_form_only(state: Sandbox) -> None:
    from bot.core.ids import decode

    for person in state.people.values():
        for role in person.roles:
            assert decode(role) in {f"ciscospark://us/ROLE/{name}" for name in
                                    ("id_full_admin", "id_user_admin", "id_readonly_admin", "id_device_admin")}


def test_require_admin_also_applies_on_top_of_the_lists(state: Sandbox, make_bot: Callable[..., RunningBot]) -> None:
    make_bot(allowed_domains=("example.com",), require_admin=True)
    assert_refused(Chat(state, seed.BOB).say(f"validate {seed.AVAILABLE_US}"), state)


def test_a_card_press_is_checked_against_the_person_who_pressed(
    state: Sandbox, make_bot: Callable[..., RunningBot]
) -> None:
    make_bot(allowed_domains=(), allowed_users=(seed.ALICE,))
    alice = Chat(state, seed.ALICE, room="group")
    help_card = alice.say("help")
    bob = Chat(state, seed.BOB, room="group")
    reply = bob.press(help_card, "Validate", numbers=seed.AVAILABLE_US)
    assert_refused(reply, state)
    assert "Available" in alice.press(help_card, "Validate", numbers=seed.AVAILABLE_US).text


def test_a_forged_signature_is_refused_before_anything_happens(state: Sandbox, bot: RunningBot) -> None:
    alice_id = state.person_by_email(seed.ALICE).id
    body = {"resource": "messages", "event": "created",
            "data": {"id": "Y2lzY29zcGFyazovL3VzL01FU1NBR0UvZm9yZ2Vk", "personId": alice_id,
                     "roomId": state.direct_room(seed.ALICE)}}
    before = len(state.requests)
    forged = state.deliver_raw(bot.webhook_url, body, signature="0" * 40)
    unsigned = state.deliver_raw(bot.webhook_url, body, signature=None)
    assert state.wait_for_deliveries()
    assert forged.status_code == 401 and unsigned.status_code == 401
    wait_idle(bot)
    assert len(state.requests) == before  # not one call to Webex
    assert bot.runtime.jobs.pending() == 0
