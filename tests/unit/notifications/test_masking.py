from __future__ import annotations

import pytest

from notifications.domain.masking import mask_email, mask_phone


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("li.wei@example.com", "l***@example.com"),
        ("a@b.cn", "a***@b.cn"),
        ("nonsense", "***"),
        ("@x.com", "***"),
    ],
)
def test_mask_email(address: str, masked: str) -> None:
    assert mask_email(address) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("+8613800138000", "+86*******8000"), ("+14155550123", "+14*****0123"), ("+1234", "***")],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked
