"""Recipients as they may appear in logs: enough to tell two apart, not enough to contact anyone."""

from __future__ import annotations


def mask_email(address: str) -> str:
    """`li.wei@example.com` -> `l***@example.com`."""
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return "***"
    return local[0] + "***@" + domain


def mask_phone(phone: str) -> str:
    """`+8613800138000` -> `+86*******8000` (country code and last four digits kept)."""
    if len(phone) < 9:
        return "***"
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
