"""Webex-style ids: base64 of ``ciscospark://us/<KIND>/<key>`` without ``=`` padding.

Seeded objects use uuid5 so their ids are the same on every run (tests and
demos can print and reuse them); objects created at run time use uuid4.
"""
from __future__ import annotations

import base64
import binascii
import uuid
from typing import Optional

_NAMESPACE = uuid.UUID("6f1c1d52-7a8b-4c43-9a3e-5d0c2b7e9f10")


def stable_uuid(name: str) -> str:
    """A uuid that depends only on ``name``."""
    return str(uuid.uuid5(_NAMESPACE, name))


def webex_id(kind: str, key: str) -> str:
    """The id Webex would give a ``kind`` object whose internal key is ``key``.

    URL-safe alphabet: the ids end up in URL paths, and Webex's own ids never
    contain ``+`` or ``/`` either.
    """
    raw = f"ciscospark://us/{kind}/{key}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def seeded_id(kind: str, name: str) -> str:
    return webex_id(kind, stable_uuid(f"{kind}:{name}"))


def new_id(kind: str) -> str:
    return webex_id(kind, str(uuid.uuid4()))


def decode_id(value: str) -> Optional[str]:
    """``ciscospark://us/KIND/key`` for a Webex id, None when it is not one."""
    padded = value + "=" * (-len(value) % 4)
    try:
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeError):
        return None
    return text if text.startswith("ciscospark://") else None
