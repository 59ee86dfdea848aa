"""The Powertools-idempotency ledger against a moto DynamoDB table."""

from __future__ import annotations

from typing import Any

import pytest
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from notifications.adapters.idempotent_ledger import IdempotentDeliveryLedger, delivery_idempotency_config
from notifications.domain.errors import DeliveryInProgress, DeliveryUnavailable
from notifications.domain.model import Channel, DeliveryKey, DeliveryOutcome, DeliveryStatus
from tests.factories import FakeLambdaContext

KEY = DeliveryKey("ord_k2m4q6s8u0w2y4a6c8e0g2i4:v2", Channel.EMAIL)


@pytest.fixture
def ledger(dynamodb: Any, idempotency_table: str) -> IdempotentDeliveryLedger:
    config = delivery_idempotency_config()
    config.register_lambda_context(FakeLambdaContext())
    return IdempotentDeliveryLedger(
        DynamoDBPersistenceLayer(table_name=idempotency_table, boto3_client=dynamodb), config
    )


def sent(message_id: str) -> DeliveryOutcome:
    return DeliveryOutcome(Channel.EMAIL, DeliveryStatus.SENT, message_id)


def test_second_delivery_returns_the_first_outcome(ledger: IdempotentDeliveryLedger) -> None:
    calls: list[str] = []

    def send() -> DeliveryOutcome:
        calls.append("sent")
        return sent("m-1")

    first = ledger.deliver_once(KEY, send)
    second = ledger.deliver_once(KEY, send)

    assert calls == ["sent"]
    assert first == sent("m-1")
    assert second == DeliveryOutcome(Channel.EMAIL, DeliveryStatus.SENT, "m-1", replayed=True)


def test_channels_of_one_event_are_separate_keys(ledger: IdempotentDeliveryLedger) -> None:
    ledger.deliver_once(KEY, lambda: sent("m-1"))
    other = ledger.deliver_once(
        DeliveryKey(KEY.event_id, Channel.SMS),
        lambda: DeliveryOutcome(Channel.SMS, DeliveryStatus.SENT, "s-1"),
    )
    assert other.replayed is False


def test_a_duplicate_while_in_progress_is_refused_not_sent(ledger: IdempotentDeliveryLedger) -> None:
    # Given a delivery that is still running when the duplicate arrives
    duplicate_sends: list[str] = []

    def send() -> DeliveryOutcome:
        with pytest.raises(DeliveryInProgress):
            ledger.deliver_once(KEY, lambda: duplicate_sends.append("dup") or sent("m-2"))  # type: ignore[func-returns-value]
        return sent("m-1")

    # When it completes
    outcome = ledger.deliver_once(KEY, send)

    # Then the duplicate was refused (retryable) and sent nothing
    assert outcome == sent("m-1")
    assert duplicate_sends == []


def test_a_failed_send_leaves_no_record_so_the_retry_sends(ledger: IdempotentDeliveryLedger) -> None:
    def throttled() -> DeliveryOutcome:
        raise DeliveryUnavailable("Throttling")

    with pytest.raises(DeliveryUnavailable):
        ledger.deliver_once(KEY, throttled)

    assert ledger.deliver_once(KEY, lambda: sent("m-2")) == sent("m-2")
