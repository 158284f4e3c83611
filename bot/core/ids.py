"""Webex ids: base64 (URL-safe, usually unpadded) of ``ciscospark://us/KIND/<key>``.

Role ids end in a role name (``…/ROLE/id_full_admin``), people and organisations in a uuid;
mobile clients write a person's bare uuid where others write the id (howdyai/botkit #749)."""
from __future__ import annotations

import base64
import binascii
from typing import Optional


def decode(webex_id: str) -> Optional[str]:
    """``ciscospark://us/KIND/key`` for a Webex id; None when it is not one."""
    padded = webex_id.strip() + "=" * (-len(webex_id.strip()) % 4)
    for decoder in (base64.urlsafe_b64decode, base64.b64decode):
        try:
            text = decoder(padded.encode("ascii")).decode("utf-8")
        except (binascii.Error, ValueError, UnicodeError):
            continue
        if text.startswith("ciscospark://"):
            return text
    return None


def key_of(webex_id: str) -> str:
    """The last part of a Webex id (a uuid or a role name); the id itself when it does not decode."""
    decoded = decode(webex_id)
    return decoded.rsplit("/", 1)[-1] if decoded else webex_id
