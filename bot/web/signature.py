"""Webhook signature check: HMAC-SHA1 over the raw body, as Webex computes it.

Verify the bytes exactly as received. Re-serialised JSON differs from what
Webex signed (key order, spacing, escapes), so a check over it fails on real
payloads.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Optional


def sign(raw_body: bytes, secret: str) -> str:
    """The ``X-Spark-Signature`` Webex would send for this body."""
    return hmac.new(secret.encode("utf-8"), raw_body, hashlib.sha1).hexdigest()


def is_valid(raw_body: bytes, secret: str, header: Optional[str]) -> bool:
    """Constant-time comparison; a missing header is simply invalid."""
    if not header:
        return False
    return hmac.compare_digest(sign(raw_body, secret), header.strip().lower())
