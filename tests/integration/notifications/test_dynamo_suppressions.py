"""The suppression list in the orders table (moto)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from notifications.adapters.dynamo_suppressions import DynamoSuppressionList
from notifications.domain.model import Channel, Suppression
from tests.integration.conftest import table_items

AT = "2026-01-01T00:00:00.000Z"
LATER = "2026-01-02T00:00:00.000Z"


@pytest.fixture
def suppressions(dynamodb: Any, orders_table: str) -> DynamoSuppressionList:
    return DynamoSuppressionList(orders_table, dynamodb)


def test_suppress_stores_a_hashed_key_and_no_address_in_clear(
    suppressions: DynamoSuppressionList, dynamodb: Any, orders_table: str
) -> None:
    # When an address is suppressed
    suppressions.suppress(Channel.EMAIL, "Li.Wei@Example.com", "bounce", "ses_feedback", AT)

    # Then one item, keyed by the hash of the normalized address, holds no address in clear
    [item] = table_items(dynamodb, orders_table)
    digest = hashlib.sha256(b"li.wei@example.com").hexdigest()
    assert item["pk"] == {"S": f"SUPPRESSION#email#{digest}"}
    assert item["sk"] == {"S": "SUPPRESSION"}
    assert item["entity"] == {"S": "suppression"}
    assert {key: value["S"] for key, value in item.items() if key not in ("pk", "sk")} == {
        "entity": "suppression",
        "channel": "email",
        "reason": "bounce",
        "source": "ses_feedback",
        "at": AT,
        "recipient": "l***@example.com",
    }
    assert "li.wei@example.com" not in str(item).lower()


def test_find_normalizes_the_address_like_suppress(suppressions: DynamoSuppressionList) -> None:
    suppressions.suppress(Channel.EMAIL, "li.wei@example.com", "complaint", "ses_feedback", AT)

    assert suppressions.find(Channel.EMAIL, " LI.WEI@example.com ") == Suppression(
        Channel.EMAIL, "complaint", "ses_feedback", AT
    )
    assert suppressions.find(Channel.EMAIL, "someone.else@example.com") is None


def test_channels_are_separate(suppressions: DynamoSuppressionList) -> None:
    suppressions.suppress(Channel.SMS, "+8613800138000", "sms_stop", "sns_inbound", AT)

    assert suppressions.find(Channel.SMS, "+86 138 0013 8000") is not None
    assert suppressions.find(Channel.EMAIL, "li.wei@example.com") is None


def test_suppressing_again_keeps_the_first_record(suppressions: DynamoSuppressionList) -> None:
    suppressions.suppress(Channel.EMAIL, "li.wei@example.com", "bounce", "ses_feedback", AT)

    suppressions.suppress(Channel.EMAIL, "li.wei@example.com", "complaint", "ses_feedback", LATER)

    assert suppressions.find(Channel.EMAIL, "li.wei@example.com") == Suppression(
        Channel.EMAIL, "bounce", "ses_feedback", AT
    )


def test_lift_removes_the_suppression_and_is_idempotent(
    suppressions: DynamoSuppressionList, dynamodb: Any, orders_table: str
) -> None:
    suppressions.suppress(Channel.SMS, "+8613800138000", "sms_stop", "sns_inbound", AT)

    suppressions.lift(Channel.SMS, "+8613800138000")
    suppressions.lift(Channel.SMS, "+8613800138000")

    assert suppressions.find(Channel.SMS, "+8613800138000") is None
    assert table_items(dynamodb, orders_table) == []
