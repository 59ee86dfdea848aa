"""The parts of the log-entry idempotency layer that need no table: which records still hold their
key, and that a record is never written without the entry it belongs to (the writes themselves
run against moto in tests/integration/notifications/test_idempotent_ledger.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

from notifications.adapters.log_entry_records import LogEntryPersistenceLayer, NoEntryForDelivery, is_live
from notifications.domain.model import Channel, NotificationEntry, NotificationStatus
from shared.dynamo import update_request

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
NOW_S = int(NOW.timestamp())
NOW_MS = NOW_S * 1000
ENTRY = NotificationEntry(
    order_id="ord_k2m4q6s8u0w2y4a6c8e0g2i4",
    event_id="ord_k2m4q6s8u0w2y4a6c8e0g2i4:v2",
    event_type="order.confirmed",
    channel=Channel.SMS,
    status=NotificationStatus.SENT,
    at="2026-11-24T10:00:00.000Z",
)


@pytest.mark.parametrize(
    ("status", "expiry", "lock", "live"),
    [
        ("COMPLETED", NOW_S + 60, None, True),
        ("COMPLETED", NOW_S - 1, None, False),  # expired: the key is free again
        ("INPROGRESS", NOW_S + 60, NOW_MS + 1, True),  # someone is sending
        ("INPROGRESS", NOW_S + 60, NOW_MS - 1, False),  # its invocation died
        ("INPROGRESS", NOW_S + 60, None, True),  # no lock expiry: held until the record expires
    ],
)
def test_a_record_holds_its_key_until_it_expires_or_its_lock_is_abandoned(
    status: str, expiry: int, lock: int | None, live: bool
) -> None:
    assert is_live(status, expiry, lock, NOW) is live


class UnusedClient:
    def __getattr__(self, name: str) -> None:
        raise AssertionError(f"no request expected, got {name}")


def test_records_are_only_written_on_a_named_entry() -> None:
    layer = LogEntryPersistenceLayer("orders", UnusedClient())
    claim = DataRecord("notifications.delivery#0123", "INPROGRESS", NOW_S + 60, NOW_MS + 1)
    with pytest.raises(NoEntryForDelivery):
        layer._put_record(claim)
    with layer.delivering(ENTRY, lambda _response: ENTRY):
        pass
    with pytest.raises(NoEntryForDelivery):  # the entry is only named for the block
        layer._delete_record(claim)


def test_update_request_sets_and_removes_under_the_attribute_names() -> None:
    assert update_request({"status": "sent", "segments": 2}, ["reason"]) == {
        "UpdateExpression": "SET #status = :status, #segments = :segments REMOVE #reason",
        "ExpressionAttributeNames": {"#status": "status", "#segments": "segments", "#reason": "reason"},
        "ExpressionAttributeValues": {":status": {"S": "sent"}, ":segments": {"N": "2"}},
    }
