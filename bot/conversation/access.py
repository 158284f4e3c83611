"""Who may use the bot. It acts with a service app token that reads the org's
numbers, and anyone who can message a bot can reach it, so access is denied
unless the operator allowed the sender.

The service app's rights are organisation-wide: whoever the bot serves sees every location's
numbers, whatever their own admin role is limited to. So by default only full administrators
pass ``NUMBOT_REQUIRE_ADMIN``; ``NUMBOT_ADMIN_ROLES`` names the roles accepted.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Optional

from bot.core.config import Settings
from bot.core.ids import key_of

ROLE_LABELS = {
    # The documented role names (Webex SCIM 2 schemas, as mirrored by wxc_sdk) and what
    # Control Hub calls them.
    "id_full_admin": "full administrators",
    "id_user_admin": "user and device administrators",
    "id_readonly_admin": "read-only administrators",
    "id_device_admin": "device administrators",
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""


def role_name(role_id: str) -> str:
    """The name in a role id (base64 of ``ciscospark://us/ROLE/<name>``); the id itself when it
    does not decode."""
    return key_of(role_id)


def has_role(role_ids: list[str], accepted: tuple[str, ...]) -> bool:
    """Whether one of ``role_ids`` is accepted, by its name or as the whole id (an operator may
    list an id whose name is not documented)."""
    wanted = {a.lower() for a in accepted}
    return any(role_name(r).lower() in wanted or r.lower() in wanted for r in role_ids)


def accepted_roles(accepted: tuple[str, ...]) -> str:
    labels = [ROLE_LABELS.get(a, a) for a in accepted]
    if len(labels) <= 1:
        return "".join(labels) or "administrators"
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def decide(
    settings: Settings,
    person_id: str,
    email: Optional[str],
    roles: Callable[[], list[str]],
) -> Decision:
    """The sender must be on the lists (when lists are set) and, with
    ``NUMBOT_REQUIRE_ADMIN``, also an administrator of the service app's org.
    Roles are looked up last, only when everything else already allows."""
    listed = bool(settings.allowed_users or settings.allowed_domains)
    if not listed and not settings.require_admin:
        return Decision(
            False,
            "This bot is not configured for anyone yet. Its operator must set "
            "NUMBOT_ALLOWED_USERS, NUMBOT_ALLOWED_DOMAINS or NUMBOT_REQUIRE_ADMIN=true.",
        )
    if listed:
        email = (email or "").lower()
        domain = email.rsplit("@", 1)[-1] if "@" in email else ""
        users = {u.lower() for u in settings.allowed_users if "@" in u}
        ids = {u for u in settings.allowed_users if "@" not in u}
        domains = {d.lower().lstrip("@") for d in settings.allowed_domains}
        on_list = person_id in ids or (bool(email) and email in users) or (bool(domain) and domain in domains)
        if not on_list:
            return Decision(False, "You are not on this bot's list of allowed users.")
    if settings.require_admin and not has_role(roles(), settings.admin_roles):
        return Decision(
            False, f"This bot answers only {accepted_roles(settings.admin_roles)} of its Webex organisation."
        )
    return Decision(True)
