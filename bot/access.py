"""Who may use the bot. It acts with a service app token that reads the org's
numbers, and anyone who can message a bot can reach it, so access is denied
unless the operator allowed the sender."""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Callable, Optional

from bot.config import Settings

# Webex role ids are base64 of ``ciscospark://us/ROLE/<name>``; these names
# grant what the two telephony APIs require (full or location administrator).
ADMIN_ROLE_NAMES = ("id_full_admin", "id_location_full_admin", "id_location_admin")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""


def role_name(role_id: str) -> str:
    padded = role_id + "=" * (-len(role_id) % 4)
    try:
        decoded = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8", "replace")
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return role_id
    return decoded.rsplit("/", 1)[-1]


def is_admin(role_ids: list[str]) -> bool:
    return any(role_name(r) in ADMIN_ROLE_NAMES for r in role_ids)


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
    if settings.require_admin and not is_admin(roles()):
        return Decision(
            False, "This bot answers only Webex Calling administrators (full or location administrators) of its organisation."
        )
    return Decision(True)
