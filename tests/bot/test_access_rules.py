"""Who may use the bot, decided from settings, the sender and their roles (looked up last)."""
from __future__ import annotations

import base64
import dataclasses

from bot.conversation.access import decide, has_role, role_name
from bot.core.config import ServiceAppCredentials, Settings

DEFAULT = Settings(bot_token="t", webhook_secret="s", service_app=ServiceAppCredentials(access_token="a"))
BASE = dataclasses.replace(DEFAULT, require_admin=False)  # the documented opt-out


def role(name: str) -> str:
    return base64.urlsafe_b64encode(f"ciscospark://us/ROLE/{name}".encode()).decode().rstrip("=")


def never() -> list[str]:
    raise AssertionError("the roles were looked up although the lists already refused")


def test_role_names_are_decoded_from_role_ids() -> None:
    assert role_name(role("id_full_admin")) == "id_full_admin"
    assert role_name("not-base64!") == "not-base64!"


def test_a_role_is_accepted_by_name_or_by_its_whole_id() -> None:
    assert has_role([role("id_full_admin")], ("id_full_admin",))
    assert not has_role([role("id_readonly_admin")], ("id_full_admin",))
    assert has_role([role("custom")], (role("custom"),))


def test_by_default_only_full_administrators_are_served() -> None:
    assert DEFAULT.require_admin and DEFAULT.admin_roles == ("id_full_admin",)
    assert decide(DEFAULT, "P", "a@example.com", lambda: [role("id_full_admin")]).allowed
    refused = decide(DEFAULT, "P", "b@example.com", lambda: [])
    assert not refused.allowed and "only full administrators" in refused.reason


def test_nothing_configured_refuses_everyone_and_says_what_to_set() -> None:
    decision = decide(BASE, "P", "a@example.com", never)
    assert not decision.allowed and "NUMBOT_ALLOWED_USERS" in decision.reason


def test_lists_match_emails_case_blind_domains_and_person_ids() -> None:
    listed = dataclasses.replace(BASE, allowed_users=("Alice@Example.com", "PERSON-ID"), allowed_domains=("@corp.test",))
    assert decide(listed, "X", "alice@example.com", never).allowed
    assert decide(listed, "PERSON-ID", None, never).allowed
    assert decide(listed, "Y", "bob@corp.test", never).allowed
    assert not decide(listed, "Z", "eve@outsider.test", never).allowed


def test_require_admin_looks_roles_up_last_and_names_the_accepted_roles() -> None:
    admins = dataclasses.replace(BASE, require_admin=True, admin_roles=("id_full_admin", "id_readonly_admin"))
    assert decide(admins, "P", None, lambda: [role("id_readonly_admin")]).allowed
    refused = decide(admins, "P", None, lambda: [])
    assert "only full administrators and read-only administrators" in refused.reason
    both = dataclasses.replace(admins, allowed_domains=("example.com",))
    assert not decide(both, "P", "bob@other.test", never).allowed
