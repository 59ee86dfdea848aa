"""The tests' TOTP against the published test vectors (RFC 6238 appendix B, SHA-1; RFC 4226 D)."""

from __future__ import annotations

import base64

import pytest

from tests.fakes.totp import hotp, totp

RFC_KEY = b"12345678901234567890"


@pytest.mark.parametrize(
    ("at", "code"),
    [(59, "94287082"), (1111111109, "07081804"), (1234567890, "89005924"), (2000000000, "69279037")],
)
def test_totp_matches_rfc_6238_appendix_b(at: int, code: str) -> None:
    secret = base64.b32encode(RFC_KEY).decode().rstrip("=")
    assert totp(secret, at, digits=8) == code
    assert totp(secret.lower(), at) == code[-6:]


def test_hotp_matches_rfc_4226_appendix_d() -> None:
    assert [hotp(RFC_KEY, counter) for counter in range(3)] == ["755224", "287082", "359152"]
