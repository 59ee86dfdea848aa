"""RFC 6238 TOTP codes (HMAC-SHA1, 6 digits, 30 s steps: what Cognito's software tokens use),
computed from scratch for tests only (pyotp is not a dependency)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct

STEP_SECONDS = 30


def hotp(key: bytes, counter: int, digits: int = 6) -> str:
    """RFC 4226: the dynamically truncated HMAC-SHA1 of the 8-byte big-endian counter."""
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def base32_key(secret: str) -> bytes:
    """A base32 secret as Cognito's `SecretCode` gives it (no padding, any case)."""
    cleaned = secret.strip().replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def totp(secret: str, at: float, digits: int = 6) -> str:
    """The code of base32 `secret` at Unix time `at`."""
    return hotp(base32_key(secret), int(at) // STEP_SECONDS, digits)
