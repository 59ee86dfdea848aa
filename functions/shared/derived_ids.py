"""Ids derived from a key (an Idempotency-Key, an event id): the same key always names the same
record, so a retried request or a redelivered event finds what the first one wrote."""

from __future__ import annotations

import base64
import hashlib


def derived_id(prefix: str, key: str) -> str:
    """`prefix` and 24 lower-case base32 characters of the key's SHA-256."""
    digest = hashlib.sha256(key.encode()).digest()
    return prefix + base64.b32encode(digest).decode().lower()[:24]
