"""The Powertools-idempotency ledger with its records on the notification log entries, against moto:
the claim's conditional writes, what the entry shows meanwhile, and the records written before in
the idempotency table."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyValidationError

from notifications.adapters.dynamo_notification_log import DynamoNotificationLog, entry_key
from notifications.adapters.idempotent_ledger import (
    KEY_PREFIX,
    IdempotentDeliveryLedger,
    delivery_idempotency_config,
    outcome_to_dict,
)
from notifications.adapters.log_entry_records import LogEntryPersistenceLayer
from notifications.domain.errors import DeliveryInProgress, DeliveryUnavailable
from notifications.domain.model import (
    Channel,
    DeliveryOutcome,
    DeliveryStatus,
    NotificationEntry,
    NotificationStatus,
)
from shared.dynamo import to_attribute
from tests.factories import FakeLambdaContext
from tests.integration.conftest import table_items

ORDER = "ord_k2m4q6s8u0w2y4a6c8e0g2i4"
ENTRY = NotificationEntry(
    order_id=ORDER,
    event_id=f"{ORDER}:v2",
    event_type="order.confirmed",
    channel=Channel.EMAIL,
    status=NotificationStatus.SENT,
    at="2026-11-24T10:00:00.000Z",
    template="order_confirmed",
    locale="en",
    recipient="l***@example.com",
)
LONG_AGO_S, LONG_AGO_MS = 1_000_000_000, 1_000_000_000_000  # 2001
FAR_AHEAD_S, FAR_AHEAD_MS = 4_102_444_800, 4_102_444_800_000  # 2100
STORED_SENT = '{"channel": "email", "message_id": "m-0", "status": "sent"}'


def sent(message_id: str, channel: Channel = Channel.EMAIL) -> DeliveryOutcome:
    return DeliveryOutcome(channel, DeliveryStatus.SENT, message_id)


def rejected(code: str) -> DeliveryOutcome:
    return DeliveryOutcome(Channel.EMAIL, DeliveryStatus.REJECTED, reason=code)


@pytest.fixture
def ledger(dynamodb: Any, orders_table: str, idempotency_table: str) -> IdempotentDeliveryLedger:
    config = delivery_idempotency_config()
    config.register_lambda_context(FakeLambdaContext())
    store = LogEntryPersistenceLayer(orders_table, dynamodb, legacy_table_name=idempotency_table)
    return IdempotentDeliveryLedger(store, config)


@pytest.fixture
def log(dynamodb: Any, orders_table: str) -> DynamoNotificationLog:
    return DynamoNotificationLog(orders_table, dynamodb)


@pytest.fixture
def writes(dynamodb: Any) -> Iterator[list[tuple[str, str]]]:
    """(operation, table) of every write request the client makes."""
    made: list[tuple[str, str]] = []

    def count(model: Any, params: dict[str, Any], **_: Any) -> None:
        if model.name in {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}:
            made.append((model.name, params.get("TableName", "?")))

    dynamodb.meta.events.register("provide-client-params.dynamodb.*", count)
    yield made
    dynamodb.meta.events.unregister("provide-client-params.dynamodb.*", count)


def entry_item(dynamodb: Any, orders_table: str, entry: NotificationEntry = ENTRY) -> dict[str, Any] | None:
    return dynamodb.get_item(TableName=orders_table, Key=entry_key(entry), ConsistentRead=True).get("Item")


@pytest.fixture
def seed(dynamodb: Any, orders_table: str, ledger: IdempotentDeliveryLedger) -> Callable[..., None]:
    """Put a record on ENTRY's item as the layer writes it, under the key Powertools derives
    (learnt from a delivery of ENTRY that is rolled back) unless `key` is given."""

    def put(
        status: str, expiration: int, lock: int | None = None, data: str | None = None, key: str = ""
    ) -> None:
        values = {
            "idempotency_key": key or idempotency_key(dynamodb, orders_table, ledger),
            "idempotency_status": status,
            "idempotency_expiration": expiration,
            "idempotency_in_progress_expiration": lock,
            "idempotency_data": data,
        }
        item = {name: to_attribute(value) for name, value in values.items() if value is not None}
        dynamodb.put_item(TableName=orders_table, Item={**entry_key(ENTRY), **item})

    return put


def idempotency_key(dynamodb: Any, orders_table: str, ledger: IdempotentDeliveryLedger) -> str:
    seen: list[str] = []

    def look() -> DeliveryOutcome:
        item = entry_item(dynamodb, orders_table)
        assert item is not None
        seen.append(item["idempotency_key"]["S"])
        raise DeliveryUnavailable("look only")

    with pytest.raises(DeliveryUnavailable):
        ledger.deliver_once(ENTRY, look)
    return seen[0]


def legacy_delivery(dynamodb: Any, idempotency_table: str, send: Callable[[], DeliveryOutcome]) -> None:
    """A delivery as the ledger recorded it before: Powertools' DynamoDB layer on the idempotency table."""

    def run(*, delivery: dict[str, str]) -> dict[str, Any]:
        return outcome_to_dict(send())

    config = delivery_idempotency_config()
    config.register_lambda_context(FakeLambdaContext())
    deliver = idempotent_function(
        run,
        data_keyword_argument="delivery",
        persistence_store=DynamoDBPersistenceLayer(table_name=idempotency_table, boto3_client=dynamodb),
        config=config,
        key_prefix=KEY_PREFIX,
    )
    deliver(delivery={"event_id": ENTRY.event_id, "channel": ENTRY.channel.value})


# -- one delivery ------------------------------------------------------------------------------


def test_a_sent_message_is_two_writes_on_its_entry_and_none_on_the_idempotency_table(
    ledger: IdempotentDeliveryLedger,
    log: DynamoNotificationLog,
    writes: list[tuple[str, str]],
    dynamodb: Any,
    orders_table: str,
    idempotency_table: str,
) -> None:
    # When a message is delivered for the first time
    outcome = ledger.deliver_once(ENTRY, lambda: sent("m-1"))

    # Then exactly two writes hit the orders table: the claim and the completion
    assert outcome == sent("m-1")
    assert writes == [("UpdateItem", orders_table), ("UpdateItem", orders_table)]
    assert table_items(dynamodb, idempotency_table) == []
    # And the log lists the entry as sent, with the message id
    assert log.entries(ORDER) == [replace(ENTRY, message_id="m-1")]
    item = entry_item(dynamodb, orders_table)
    assert item is not None
    assert item["idempotency_key"]["S"].startswith(KEY_PREFIX + "#")
    assert item["idempotency_status"] == {"S": "COMPLETED"}
    assert item["entity"] == {"S": "notification"}


def test_a_second_delivery_replays_the_first_outcome_and_sends_nothing(
    ledger: IdempotentDeliveryLedger,
    log: DynamoNotificationLog,
    writes: list[tuple[str, str]],
    orders_table: str,
) -> None:
    calls: list[str] = []

    def send() -> DeliveryOutcome:
        calls.append("sent")
        return sent("m-1")

    ledger.deliver_once(ENTRY, send)
    writes.clear()
    second = ledger.deliver_once(replace(ENTRY, at="2026-11-24T11:00:00.000Z"), send)

    assert calls == ["sent"]
    assert second == replace(sent("m-1"), replayed=True)
    assert writes == [("UpdateItem", orders_table)]  # the refused claim, nothing else
    assert log.entries(ORDER) == [replace(ENTRY, message_id="m-1")]


def test_channels_of_one_event_are_separate_entries(
    ledger: IdempotentDeliveryLedger, log: DynamoNotificationLog
) -> None:
    ledger.deliver_once(ENTRY, lambda: sent("m-1"))
    sms = replace(ENTRY, channel=Channel.SMS, recipient="+86*******8000")
    other = ledger.deliver_once(
        sms, lambda: DeliveryOutcome(Channel.SMS, DeliveryStatus.SENT, "s-1", segments=1)
    )

    assert other.replayed is False
    assert [(e.channel, e.message_id) for e in log.entries(ORDER)] == [
        (Channel.EMAIL, "m-1"),
        (Channel.SMS, "s-1"),
    ]


def test_a_refused_message_is_logged_failed_and_the_refusal_replays(
    ledger: IdempotentDeliveryLedger, log: DynamoNotificationLog
) -> None:
    ledger.deliver_once(ENTRY, lambda: rejected("MessageRejected"))
    [failed] = log.entries(ORDER)
    assert (failed.status, failed.reason) == (NotificationStatus.FAILED, "MessageRejected")

    # a held entry recorded later (a redelivery in quiet hours) keeps the record on the item
    log.record(replace(ENTRY, status=NotificationStatus.HELD, release_at="2026-11-25T00:00:00.000Z"))
    again = ledger.deliver_once(ENTRY, lambda: sent("m-2"))

    assert again == replace(rejected("MessageRejected"), replayed=True)


# -- in progress -------------------------------------------------------------------------------


def test_a_duplicate_while_in_progress_is_refused_and_the_claim_is_not_an_entry(
    ledger: IdempotentDeliveryLedger, log: DynamoNotificationLog
) -> None:
    # Given a delivery that is still running when the duplicate arrives
    duplicate_sends: list[str] = []
    seen_meanwhile: list[list[NotificationEntry]] = []

    def send() -> DeliveryOutcome:
        seen_meanwhile.append(log.entries(ORDER))
        with pytest.raises(DeliveryInProgress):
            ledger.deliver_once(ENTRY, lambda: duplicate_sends.append("dup") or sent("m-2"))  # type: ignore[func-returns-value]
        return sent("m-1")

    # When it completes
    outcome = ledger.deliver_once(ENTRY, send)

    # Then the duplicate was refused (retryable) and sent nothing; the bare claim was not listed
    assert outcome == sent("m-1")
    assert duplicate_sends == []
    assert seen_meanwhile == [[]]


def test_a_held_entry_reads_held_while_its_delivery_is_in_progress(
    ledger: IdempotentDeliveryLedger, log: DynamoNotificationLog
) -> None:
    held = replace(
        ENTRY, status=NotificationStatus.HELD, reason="quiet_hours", release_at="2026-11-25T00:00:00.000Z"
    )
    log.record(held)
    seen_meanwhile: list[list[NotificationEntry]] = []

    def send() -> DeliveryOutcome:
        seen_meanwhile.append(log.entries(ORDER))
        return sent("m-1")

    ledger.deliver_once(ENTRY, send)

    assert seen_meanwhile == [[held]]
    assert log.entries(ORDER) == [replace(ENTRY, message_id="m-1")]  # reason and release_at are gone


def test_an_abandoned_claim_is_taken_over_once_its_lock_expires(
    ledger: IdempotentDeliveryLedger, log: DynamoNotificationLog, seed: Callable[..., None]
) -> None:
    # Given a claim whose invocation died long ago (its in-progress lock has expired)
    seed("INPROGRESS", FAR_AHEAD_S, lock=LONG_AGO_MS)
    # When the delivery comes again, then it is sent
    assert ledger.deliver_once(ENTRY, lambda: sent("m-1")) == sent("m-1")
    assert [e.message_id for e in log.entries(ORDER)] == ["m-1"]


def test_a_live_claim_is_not_taken_over(ledger: IdempotentDeliveryLedger, seed: Callable[..., None]) -> None:
    seed("INPROGRESS", FAR_AHEAD_S, lock=FAR_AHEAD_MS)
    with pytest.raises(DeliveryInProgress):
        ledger.deliver_once(ENTRY, lambda: sent("m-1"))


def test_an_expired_record_no_longer_holds_its_key(
    ledger: IdempotentDeliveryLedger, seed: Callable[..., None], dynamodb: Any, orders_table: str
) -> None:
    seed("COMPLETED", LONG_AGO_S, data=STORED_SENT)
    assert ledger.deliver_once(ENTRY, lambda: sent("m-1")) == sent("m-1")
    item = entry_item(dynamodb, orders_table)
    assert item is not None and "m-0" not in item["idempotency_data"]["S"]


def test_an_entry_holding_another_key_is_an_error_not_a_replay(
    ledger: IdempotentDeliveryLedger, seed: Callable[..., None]
) -> None:
    seed("COMPLETED", FAR_AHEAD_S, data=STORED_SENT, key=KEY_PREFIX + "#another")
    with pytest.raises(IdempotencyValidationError):
        ledger.deliver_once(ENTRY, lambda: sent("m-1"))


# -- a send that raises ------------------------------------------------------------------------


def throttled() -> DeliveryOutcome:
    raise DeliveryUnavailable("Throttling")


def test_a_failed_send_leaves_nothing_so_the_retry_sends(
    ledger: IdempotentDeliveryLedger, dynamodb: Any, orders_table: str
) -> None:
    with pytest.raises(DeliveryUnavailable):
        ledger.deliver_once(ENTRY, throttled)

    assert entry_item(dynamodb, orders_table) is None  # the item the claim created is gone
    assert ledger.deliver_once(ENTRY, lambda: sent("m-2")) == sent("m-2")


def test_a_failed_send_leaves_the_entry_as_it_was(
    ledger: IdempotentDeliveryLedger, log: DynamoNotificationLog, dynamodb: Any, orders_table: str
) -> None:
    # Given an entry logged before the send (held in quiet hours)
    held = replace(
        ENTRY, status=NotificationStatus.HELD, reason="quiet_hours", release_at="2026-11-25T00:00:00.000Z"
    )
    log.record(held)

    with pytest.raises(DeliveryUnavailable):
        ledger.deliver_once(ENTRY, throttled)

    # Then only the claim went: the entry is as before, and the retry sends
    assert log.entries(ORDER) == [held]
    item = entry_item(dynamodb, orders_table)
    assert item is not None and not any(name.startswith("idempotency_") for name in item)
    assert ledger.deliver_once(ENTRY, lambda: sent("m-2")) == sent("m-2")


# -- records written before, in the idempotency table ---------------------------------------------


def test_a_delivery_recorded_in_the_idempotency_table_is_not_sent_again(
    ledger: IdempotentDeliveryLedger,
    log: DynamoNotificationLog,
    writes: list[tuple[str, str]],
    dynamodb: Any,
    orders_table: str,
    idempotency_table: str,
) -> None:
    # Given a message sent before the upgrade, its log entry written too
    legacy_delivery(dynamodb, idempotency_table, lambda: sent("m-old"))
    log.record(replace(ENTRY, message_id="m-old"))
    writes.clear()
    calls: list[str] = []

    # When the same delivery comes again after it
    outcome = ledger.deliver_once(ENTRY, lambda: calls.append("sent") or sent("m-new"))  # type: ignore[func-returns-value]

    # Then the old record answers: nothing is sent, and the idempotency table is only read
    assert calls == [] and outcome == replace(sent("m-old"), replayed=True)
    assert {table for _, table in writes} == {orders_table}
    # And the withdrawn claim left the entry as it was
    assert log.entries(ORDER) == [replace(ENTRY, message_id="m-old")]
    item = entry_item(dynamodb, orders_table)
    assert item is not None and "idempotency_key" not in item


def test_a_legacy_record_answers_even_without_its_log_entry(
    ledger: IdempotentDeliveryLedger, dynamodb: Any, orders_table: str, idempotency_table: str
) -> None:
    # the invocation died after recording the delivery and before logging it
    legacy_delivery(dynamodb, idempotency_table, lambda: rejected("MessageRejected"))

    outcome = ledger.deliver_once(ENTRY, lambda: sent("m-new"))

    assert outcome == replace(rejected("MessageRejected"), replayed=True)
    assert entry_item(dynamodb, orders_table) is None


def test_a_delivery_in_progress_in_the_idempotency_table_is_not_sent_in_parallel(
    ledger: IdempotentDeliveryLedger, dynamodb: Any, orders_table: str, idempotency_table: str
) -> None:
    # Given a delivery still running in the worker of before the upgrade
    def still_sending() -> DeliveryOutcome:
        with pytest.raises(DeliveryInProgress):
            ledger.deliver_once(ENTRY, lambda: sent("m-new"))
        assert entry_item(dynamodb, orders_table) is None  # the claim was withdrawn
        return sent("m-old")

    legacy_delivery(dynamodb, idempotency_table, still_sending)


def test_an_expired_legacy_record_does_not_hold_the_delivery(
    ledger: IdempotentDeliveryLedger, dynamodb: Any, idempotency_table: str
) -> None:
    legacy_delivery(dynamodb, idempotency_table, lambda: sent("m-old"))
    [record] = table_items(dynamodb, idempotency_table)
    dynamodb.put_item(TableName=idempotency_table, Item={**record, "expiration": {"N": str(LONG_AGO_S)}})

    assert ledger.deliver_once(ENTRY, lambda: sent("m-new")) == sent("m-new")


# -- recording the outcome of a send already made ------------------------------------------------


@contextmanager
def throttled_completions(dynamodb: Any, times: int) -> Iterator[None]:
    """Within the block, the first `times` completions of a claim (UpdateItem setting COMPLETED)
    answer as DynamoDB does once botocore's retries are spent."""
    left = {"n": times}

    def refuse(params: dict[str, Any], **_: Any) -> None:
        values = params.get("ExpressionAttributeValues") or {}
        if left["n"] and any(v == {"S": "COMPLETED"} for v in values.values()):
            left["n"] -= 1
            from botocore.exceptions import ClientError

            error = {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "throttled"}}
            raise ClientError(error, "UpdateItem")

    dynamodb.meta.events.register("before-parameter-build.dynamodb.UpdateItem", refuse)
    try:
        yield
    finally:
        dynamodb.meta.events.unregister("before-parameter-build.dynamodb.UpdateItem", refuse)


@pytest.mark.parametrize("throttled_times", [3, 7])
def test_a_throttled_completion_after_the_send_is_retried_so_the_message_is_never_sent_twice(
    dynamodb: Any, orders_table: str, idempotency_table: str, throttled_times: int
) -> None:
    pauses: list[float] = []
    store = LogEntryPersistenceLayer(
        orders_table, dynamodb, legacy_table_name=idempotency_table, sleep=pauses.append
    )
    config = delivery_idempotency_config()
    config.register_lambda_context(FakeLambdaContext())
    ledger = IdempotentDeliveryLedger(store, config)
    sends: list[str] = []

    def send() -> DeliveryOutcome:
        sends.append("sent")
        return sent(f"m-{len(sends)}")

    with throttled_completions(dynamodb, throttled_times):
        first = ledger.deliver_once(ENTRY, send)
    again = ledger.deliver_once(ENTRY, send)

    assert sends == ["sent"] and len(pauses) == throttled_times
    assert (first.message_id, again.message_id, again.replayed) == ("m-1", "m-1", True)
    item = entry_item(dynamodb, orders_table)
    assert (
        item is not None and item["status"]["S"] == "sent" and item["idempotency_status"]["S"] == "COMPLETED"
    )


def test_a_completion_still_throttled_after_every_attempt_goes_up_as_retryable(
    dynamodb: Any, orders_table: str, idempotency_table: str
) -> None:
    from notifications.adapters.log_entry_records import COMPLETION_ATTEMPTS
    from shared.errors import RetryableError

    store = LogEntryPersistenceLayer(
        orders_table, dynamodb, legacy_table_name=idempotency_table, sleep=lambda _: None
    )
    config = delivery_idempotency_config()
    config.register_lambda_context(FakeLambdaContext())
    with throttled_completions(dynamodb, COMPLETION_ATTEMPTS), pytest.raises(Exception) as raised:
        IdempotentDeliveryLedger(store, config).deliver_once(ENTRY, lambda: sent("m-1"))
    chain = [raised.value, raised.value.__cause__, raised.value.__context__]
    assert any(isinstance(error, RetryableError) for error in chain), chain
