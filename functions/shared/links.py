"""Signed links for customers: the tracking page, the survey and the notification settings.

A token names one order and one purpose and is signed with HMAC-SHA256 under a secret key that
only ordertrack holds, so it cannot be guessed or forged from an order id; tampering with any
character makes it invalid. Format (URL-safe, no padding, short enough for an SMS)::

    <order_id>.<mac>                     purpose "track": never expires
    <order_id>.<expires>.<mac>           other purposes: `expires` is Unix seconds in base 36

where `mac` is the first 15 bytes (120 bits) of HMAC-SHA256(key, "<purpose>\\n<order_id>\\n<expires>")
in base64url (20 characters). A token verifies under the current key or the previous one, so the
key can be rotated without breaking links already sent. Comparison is constant-time.

Link format: `<base_url>/track/<token>` (the tracking page), `<base_url>/feedback/<token>` (the
survey), `<base_url>/case/<token>` ("was your complaint resolved?") and `<base_url>/unsubscribe/<token>` (the notification settings an email's
`List-Unsubscribe` header names, RFC 8058). The purpose is part of the MAC, so a token signed for
one page never opens another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

TRACK = "track"
FEEDBACK = "feedback"
CASE = "case"  # "was this resolved?" after a case's resolution: the token names the case, not an order
UNSUBSCRIBE = "unsubscribe"
UNSUBSCRIBE_LINK_DAYS = 400
"""An unsubscribe link keeps working this long after the email that carries it was sent."""
MAC_BYTES = 15
_ORDER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_BASE36 = re.compile(r"^[0-9a-z]{1,13}$")


@dataclass(frozen=True)
class LinkToken:
    order_id: str
    purpose: str
    expires_at: int | None  # Unix seconds; None: never


def _mac(key: str, purpose: str, order_id: str, expires: str) -> str:
    message = f"{purpose}\n{order_id}\n{expires}".encode()
    digest = hmac.new(key.encode(), message, hashlib.sha256).digest()[:MAC_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _base36(value: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        value, rest = divmod(value, 36)
        out = digits[rest] + out
        if value == 0:
            return out


def sign(key: str, order_id: str, purpose: str = TRACK, expires_at: int | None = None) -> str:
    if not key:
        raise ValueError("a signing key is required")
    if not _ORDER_ID.fullmatch(order_id):
        raise ValueError("order id cannot be put in a link")
    if purpose == TRACK:
        if expires_at is not None:
            raise ValueError("tracking links do not expire")
        return f"{order_id}.{_mac(key, purpose, order_id, '')}"
    if expires_at is None or expires_at < 0:
        raise ValueError("links other than tracking links need an expiry")
    expires = _base36(expires_at)
    return f"{order_id}.{expires}.{_mac(key, purpose, order_id, expires)}"


def verify(keys: Iterable[str], token: str, purpose: str = TRACK, now: int | None = None) -> LinkToken | None:
    """The token's content if it is well formed, signed under one of `keys` for `purpose` and (when
    `now` is given) not expired; otherwise None. Never says why: a caller shows one 'not found'."""
    parts = token.split(".")
    if purpose == TRACK and len(parts) == 2:
        order_id, mac = parts
        expires = ""
    elif purpose != TRACK and len(parts) == 3:
        order_id, expires, mac = parts
        if not _BASE36.fullmatch(expires):
            return None
    else:
        return None
    if not _ORDER_ID.fullmatch(order_id) or not mac.isascii():
        return None
    valid = False
    for key in keys:
        if key and hmac.compare_digest(_mac(key, purpose, order_id, expires).encode(), mac.encode()):
            valid = True
    if not valid:
        return None
    expires_at = int(expires, 36) if expires else None
    if expires_at is not None and now is not None and now >= expires_at:
        return None
    return LinkToken(order_id=order_id, purpose=purpose, expires_at=expires_at)


def link(base_url: str, token: str, purpose: str = TRACK) -> str | None:
    """`<base_url>/<purpose>/<token>`, or None when no base URL is configured."""
    base = base_url.strip().rstrip("/")
    if not base:
        return None
    return f"{base}/{purpose}/{quote(token, safe='')}"
