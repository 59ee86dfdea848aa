"""The notification log contract, run against the DynamoDB adapter (moto) and the in-memory fake
that unit tests use, so both keep the same rules."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from notifications.adapters.dynamo_notification_log import DynamoNotificationLog
from notifications.domain.model import Channel, NotificationEntry, NotificationStatus
from notifications.domain.ports import NotificationLog
from tests.fakes.notifications import InMemoryNotificationLog
from tests.integration.conftest import table_items

ORDER = "ord_aaaaaaaaaaaaaaaaaaaaaaaa"


@pytest.fixture(params=["dynamo", "in_memory"])
def log(request: pytest.FixtureRequest) -> NotificationLog:
    if request.param == "in_memory":
        return InMemoryNotificationLog()
    table = request.getfixturevalue("orders_table")
    return DynamoNotificationLog(table, request.getfixturevalue("dynamodb"))


def entry(version: int, channel: Channel = Channel.EMAIL, **changes: Any) -> NotificationEntry:
    base = NotificationEntry(
        order_id=ORDER,
        event_id=f"{ORDER}:v{version}",
        event_type="order.shipped",
        channel=channel,
        status=NotificationStatus.SENT,
        at=f"2026-11-24T10:00:{version:02d}.000Z",
        template="order_shipped",
        locale="zh-CN",
        recipient="l***@example.com" if channel == Channel.EMAIL else "+86*******8000",
        message_id=f"msg-{version}",
    )
    return replace(base, **changes)


def test_entries_round_trip_with_every_field(log: NotificationLog) -> None:
    # Given an entry with every optional field set
    held = entry(
        3,
        Channel.SMS,
        status=NotificationStatus.HELD,
        message_id=None,
        reason="quiet_hours",
        segments=2,
        release_at="2026-11-25T00:00:00.000Z",
        fallback_for=Channel.EMAIL,
    )
    # When it is recorded and read back
    log.record(held)
    # Then it comes back equal, enums included
    assert log.entries(ORDER) == [held]
    assert log.entries("ord_bbbbbbbbbbbbbbbbbbbbbbbb") == []


def test_entries_come_back_oldest_order_version_first(log: NotificationLog) -> None:
    # Given entries recorded out of order, with versions that sort wrongly as plain strings
    for version, channel in [(10, Channel.EMAIL), (2, Channel.SMS), (9, Channel.EMAIL), (2, Channel.EMAIL)]:
        log.record(entry(version, channel))
    # When the log is read
    found = [(e.event_id.rpartition(":v")[2], e.channel) for e in log.entries(ORDER)]
    # Then it is in order version order, email before sms within a version
    assert found == [("2", Channel.EMAIL), ("2", Channel.SMS), ("9", Channel.EMAIL), ("10", Channel.EMAIL)]


def test_record_updates_an_entry_until_it_is_sent(log: NotificationLog) -> None:
    # Given a held entry
    log.record(
        entry(4, status=NotificationStatus.HELD, message_id=None, release_at="2026-11-25T00:00:00.000Z")
    )
    # When it is sent later
    sent = entry(4, at="2026-11-25T00:00:01.000Z")
    log.record(sent)
    # Then the entry is the sent one, with nothing left over from the held one
    assert log.entries(ORDER) == [sent]
    # And a later record of the same notification (a redelivery that failed) changes nothing
    log.record(entry(4, status=NotificationStatus.FAILED, message_id=None, reason="Throttling"))
    assert log.entries(ORDER) == [sent]


def test_latest_marker_only_goes_up(log: NotificationLog) -> None:
    # Given no marker
    assert log.latest(ORDER, Channel.SMS) is None
    # When versions arrive out of order
    for version in (3, 7, 5, 7):
        log.advance_latest(ORDER, [Channel.SMS], version)
    # Then the marker holds the highest, per channel
    assert log.latest(ORDER, Channel.SMS) == 7
    assert log.latest(ORDER, Channel.EMAIL) is None
    log.advance_latest(ORDER, [Channel.EMAIL], 1)
    assert log.latest(ORDER, Channel.EMAIL) == 1


def test_markers_are_not_entries(log: NotificationLog) -> None:
    log.advance_latest(ORDER, [Channel.EMAIL], 2)
    log.record(entry(2))
    assert [e.event_id for e in log.entries(ORDER)] == [f"{ORDER}:v2"]


# -- DynamoDB specifics ------------------------------------------------------------------------


@pytest.fixture
def dynamo_log(dynamodb: Any, orders_table: str) -> DynamoNotificationLog:
    return DynamoNotificationLog(orders_table, dynamodb)


def test_items_live_in_their_own_partition_and_carry_no_full_address(
    dynamo_log: DynamoNotificationLog, dynamodb: Any, orders_table: str
) -> None:
    dynamo_log.record(entry(7, Channel.SMS))
    dynamo_log.advance_latest(ORDER, [Channel.SMS], 7)

    items = {item["sk"]["S"]: item for item in table_items(dynamodb, orders_table)}

    assert set(items) == {"ENTRY#0000000007#sms", "LATEST"}
    assert {item["pk"]["S"] for item in items.values()} == {f"NOTIFY#{ORDER}"}
    entry_item = items["ENTRY#0000000007#sms"]
    assert entry_item["entity"] == {"S": "notification"}
    assert entry_item["recipient"] == {"S": "+86*******8000"}
    assert "release_at" not in entry_item  # absent fields are not stored as nulls
    assert items["LATEST"]["latest_sms"] == {"N": "7"}
    assert items["LATEST"]["entity"]["S"] != "order"  # never picked up by the order stream filter


def test_an_events_channels_are_raised_in_one_write_and_never_lowered(
    dynamo_log: DynamoNotificationLog, dynamodb: Any, orders_table: str
) -> None:
    writes: list[str] = []
    dynamodb.meta.events.register("before-call.dynamodb.UpdateItem", lambda **_: writes.append("update"))
    try:
        dynamo_log.advance_latest(ORDER, [Channel.EMAIL, Channel.SMS], 3)
        assert len(writes) == 1
        # a later event on SMS only, then an earlier event on both arriving late
        dynamo_log.advance_latest(ORDER, [Channel.SMS], 5)
        dynamo_log.advance_latest(ORDER, [Channel.EMAIL, Channel.SMS], 4)
    finally:
        dynamodb.meta.events.unregister("before-call.dynamodb.UpdateItem")
    assert (dynamo_log.latest(ORDER, Channel.EMAIL), dynamo_log.latest(ORDER, Channel.SMS)) == (4, 5)


def test_markers_written_one_item_per_channel_are_still_read(
    dynamo_log: DynamoNotificationLog, dynamodb: Any, orders_table: str
) -> None:
    dynamodb.put_item(
        TableName=orders_table,
        Item={
            "pk": {"S": f"NOTIFY#{ORDER}"},
            "sk": {"S": "LATEST#sms"},
            "entity": {"S": "notification_latest"},
            "latest_version": {"N": "9"},
        },
    )
    dynamo_log.advance_latest(ORDER, [Channel.EMAIL, Channel.SMS], 6)
    assert (dynamo_log.latest(ORDER, Channel.EMAIL), dynamo_log.latest(ORDER, Channel.SMS)) == (6, 9)


def test_entries_page_through_a_long_log(dynamo_log: DynamoNotificationLog) -> None:
    # Given more entries than one query page holds (1 MB): 300 entries of ~4 KB
    padding = "x" * 4000
    for version in range(1, 301):
        dynamo_log.record(entry(version, reason=padding))
    # When the log is read
    found = dynamo_log.entries(ORDER)
    # Then every entry comes back, in order
    assert [e.event_id for e in found] == [f"{ORDER}:v{version}" for version in range(1, 301)]


RECORD = {
    "idempotency_key": {"S": "notifications.delivery#0123"},
    "idempotency_status": {"S": "COMPLETED"},
    "idempotency_expiration": {"N": "4102444800"},
    "idempotency_data": {"S": '{"channel": "sms", "status": "rejected", "reason": "InvalidParameter"}'},
}


def test_recording_an_entry_keeps_the_delivery_record_on_its_item(
    dynamo_log: DynamoNotificationLog, dynamodb: Any, orders_table: str
) -> None:
    # Given an entry whose item also holds its delivery's idempotency record (a refused message)
    refused = entry(
        7, Channel.SMS, status=NotificationStatus.FAILED, message_id=None, reason="InvalidParameter"
    )
    dynamo_log.record(refused)
    key = {"pk": {"S": f"NOTIFY#{ORDER}"}, "sk": {"S": "ENTRY#0000000007#sms"}}
    dynamodb.update_item(
        TableName=orders_table,
        Key=key,
        UpdateExpression="SET " + ", ".join(f"{name} = :{name}" for name in RECORD),
        ExpressionAttributeValues={f":{name}": value for name, value in RECORD.items()},
    )
    # When the entry is recorded again (a redelivery held in quiet hours)
    held = entry(
        7, Channel.SMS, status=NotificationStatus.HELD, message_id=None, release_at="2026-11-25T00:00:00.000Z"
    )
    dynamo_log.record(held)
    # Then the entry is the new one, no field of the old one left, and the record is still there
    assert dynamo_log.entries(ORDER) == [held]
    item = dynamodb.get_item(TableName=orders_table, Key=key)["Item"]
    assert {name: item[name] for name in RECORD} == RECORD
    assert "reason" not in item


def test_an_item_holding_only_a_delivery_claim_is_not_an_entry(
    dynamo_log: DynamoNotificationLog, dynamodb: Any, orders_table: str
) -> None:
    # Given a delivery being sent for the first time: its item holds the claim, nothing logged yet
    dynamodb.put_item(
        TableName=orders_table,
        Item={
            "pk": {"S": f"NOTIFY#{ORDER}"},
            "sk": {"S": "ENTRY#0000000003#email"},
            **RECORD,
            "idempotency_status": {"S": "INPROGRESS"},
        },
    )
    dynamo_log.record(entry(2))
    # Then only the logged entry is listed
    assert [e.event_id for e in dynamo_log.entries(ORDER)] == [f"{ORDER}:v2"]
    # And an entry can still be recorded on that item
    dynamo_log.record(entry(3, status=NotificationStatus.COLLAPSED, message_id=None, reason="replaced by v4"))
    assert [e.status for e in dynamo_log.entries(ORDER)] == [
        NotificationStatus.SENT,
        NotificationStatus.COLLAPSED,
    ]


def test_other_errors_are_not_swallowed(orders_table: str, dynamodb: Any) -> None:
    log = DynamoNotificationLog("no-such-table", dynamodb)
    with pytest.raises(dynamodb.exceptions.ResourceNotFoundException):
        log.record(entry(1))
    with pytest.raises(dynamodb.exceptions.ResourceNotFoundException):
        log.advance_latest(ORDER, [Channel.EMAIL], 1)


def test_a_scheduled_entry_never_replaces_what_became_of_the_message(log: NotificationLog) -> None:
    scheduled = entry(
        4,
        status=NotificationStatus.SCHEDULED,
        message_id=None,
        reason="burst_window",
        release_at="2026-11-24T10:02:04.000Z",
    )
    # Given a scheduled entry, a second acceptance of the same event replaces it (same id)
    log.record_scheduled(scheduled)
    later = replace(scheduled, at="2026-11-24T10:00:30.000Z", release_at="2026-11-24T10:02:30.000Z")
    log.record_scheduled(later)
    assert log.entries(ORDER) == [later]
    # When it is delivered (or held, or collapsed), the outcome replaces it
    for outcome in (
        replace(later, status=NotificationStatus.HELD, reason="quiet_hours"),
        replace(later, status=NotificationStatus.SENT, reason=None, release_at=None, message_id="msg-4"),
    ):
        log.record(outcome)
        # Then accepting the event again leaves the outcome as it is
        log.record_scheduled(scheduled)
        assert log.entries(ORDER) == [outcome]
