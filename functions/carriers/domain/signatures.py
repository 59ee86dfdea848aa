"""Each provider's own webhook signature scheme, computed over the raw body, compared in constant time.

Known-answer values from each provider's README in the carrier samples are in
tests/unit/carriers/test_signatures.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata

GENERIC_TOLERANCE_SECONDS = 300


class SignatureRejected(Exception):
    """The request is not signed by the provider; `reason` is safe to log (no payload)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _require(presented: str | None) -> str:
    if not presented:
        raise SignatureRejected("missing_signature")
    return presented.strip()


def _same(presented: str, expected: str) -> None:
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        raise SignatureRejected("signature_mismatch")


def easypost_signature(body: bytes, secret: str) -> str:
    key = unicodedata.normalize("NFKD", secret).encode()
    return "hmac-sha256-hex=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify_easypost(body: bytes, header: str | None, secret: str) -> None:
    """`X-Hmac-Signature: hmac-sha256-hex=<hex HMAC-SHA256(NFKD(secret), body)>`."""
    _same(_require(header), easypost_signature(body, secret))


def aftership_signature(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify_aftership(body: bytes, header: str | None, secret: str) -> None:
    """`aftership-hmac-sha256: <base64 HMAC-SHA256(secret, body)>`."""
    _same(_require(header), aftership_signature(body, secret))


def kuaidi100_signature(param: str, salt: str) -> str:
    return hashlib.md5((param + salt).encode(), usedforsecurity=False).hexdigest().upper()


def verify_kuaidi100(param: str, sign: str | None, salt: str) -> None:
    """Form field `sign` = upper-case hex MD5(param + salt) (Kuaidi100's scheme, not an HMAC)."""
    _same(_require(sign).upper(), kuaidi100_signature(param, salt))


def seventeentrack_signature(body: bytes, key: str) -> str:
    return hashlib.sha256(body + b"/" + key.encode()).hexdigest()


def verify_seventeentrack(body: bytes, header: str | None, key: str) -> None:
    """Header `sign` = lower-case hex SHA-256(raw body + "/" + API security key) (not an HMAC;
    from third-party implementations, see events/carriers/17track/README.md)."""
    _same(_require(header).lower(), seventeentrack_signature(body, key))


def generic_signature(body: bytes, secret: str, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_generic(body: bytes, header: str | None, secret: str, now: float) -> None:
    """`ordertrack-signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>`; 300 s tolerance.
    Several `v1=` values are accepted (one per active secret during a rotation)."""
    fields: dict[str, list[str]] = {}
    for part in _require(header).split(","):
        name, _, value = part.strip().partition("=")
        fields.setdefault(name, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        raise SignatureRejected("malformed_signature") from None
    if abs(now - timestamp) > GENERIC_TOLERANCE_SECONDS:
        raise SignatureRejected("stale_timestamp")
    expected = generic_signature(body, secret, timestamp).partition(",v1=")[2]
    matched = False
    for candidate in fields.get("v1", []):
        matched |= hmac.compare_digest(candidate.encode(), expected.encode())
    if not matched:
        raise SignatureRejected("signature_mismatch")


def verify_shippo(token: str | None, secret: str) -> None:
    """Shippo signs nothing by default; its documented protection is a secret token of ours in the
    webhook URL's query (`?token=<secret>`), sent back on every POST and compared in constant time.
    (Shippo's HMAC option is not confirmed in its own text: see events/carriers/shippo/README.md.)"""
    _same(_require(token), secret)
