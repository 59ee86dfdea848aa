"""A stream batch summed in memory and written once per aggregate and group; retries of a batch
(whole, longer, or from the first unconfirmed group) never count a record twice."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from stats.domain.aggregate_batch import StreamChange, aggregate_batch
from tests.fakes.stats import InMemoryAggregates, RecordingMetrics, notification_image, order_image

OBSERVED = datetime(2026, 11, 25, tzinfo=UTC)
PLACED = "2026-11-24T10:00:00Z"


def journey(orders: int) -> list[StreamChange]:
    """Per order: received, confirmed 60 s later, an email and an SMS sent; in stream order."""
    changes: list[StreamChange] = []

    def add(old: Any, new: Any) -> None:
        n = len(changes) + 1
        changes.append(StreamChange(f"evt-{n}", str(10**20 + n), old, new, OBSERVED))

    for n in range(orders):
        received = order_image(f"ord_{n}", "received", 1, PLACED, PLACED)
        add(None, received)
        add(received, order_image(f"ord_{n}", "confirmed", 2, PLACED, "2026-11-24T10:01:00Z"))
        add(received, {**received, "version": 2})  # a change that adds nothing
        add(None, notification_image(f"ord_{n}", "sent"))
        add(None, notification_image(f"ord_{n}", "sent", channel="sms"))
    return changes


def one_at_a_time(changes: list[StreamChange]) -> dict[tuple[str, str], dict[str, int]]:
    store = InMemoryAggregates()
    for change in changes:
        aggregate_batch([change], store, RecordingMetrics())
    return store.items


def test_a_batch_is_summed_and_written_once_per_aggregate() -> None:
    store, metrics = InMemoryAggregates(), RecordingMetrics()
    changes = journey(orders=20)
    # When the whole batch of 100 records is aggregated
    outcome = aggregate_batch(changes, store, metrics)
    # Then one write touched each of the three aggregates once, with the sums of all records
    assert len(store.writes) == 1
    assert sorted(store.writes[0]) == [
        ("2026-11-24", "HIST#received_to_confirmed"),
        ("2026-11-24", "NOTIFICATIONS"),
        ("2026-11-24", "ORDERS"),
    ]
    assert store.items[("2026-11-24", "ORDERS")] == {"received": 20, "confirmed": 20}
    assert store.items[("2026-11-24", "NOTIFICATIONS")] == {"sent#email": 20, "sent#sms": 20}
    assert store.items == one_at_a_time(changes)
    assert (outcome.applied, outcome.duplicates, outcome.failed) == (80, 0, [])
    assert metrics.names().count("OrdersReceived") == 20


def test_a_batch_touching_more_aggregates_than_fit_is_split_in_groups() -> None:
    store = InMemoryAggregates(max_aggregates_per_group=2)
    changes = journey(orders=3)
    outcome = aggregate_batch(changes, store, RecordingMetrics())
    assert outcome.groups == len(store.writes) > 1
    assert all(len(write) <= 2 for write in store.writes)
    assert store.items == one_at_a_time(changes)


def test_a_whole_batch_delivered_again_counts_nothing_and_publishes_nothing() -> None:
    store, changes = InMemoryAggregates(max_aggregates_per_group=2), journey(orders=3)
    aggregate_batch(changes, store, RecordingMetrics())
    before = {key: dict(counters) for key, counters in store.items.items()}
    metrics = RecordingMetrics()
    outcome = aggregate_batch(changes, store, metrics)
    assert store.items == before and metrics.points == []
    assert outcome.applied == 0 and outcome.duplicates == 12 and outcome.failed == []


def test_a_partly_applied_batch_retried_counts_each_record_once() -> None:
    # Given a batch cut in groups, where the third write is refused (after the store's own retries)
    store, changes = InMemoryAggregates(max_aggregates_per_group=2, fail_writes={3}), journey(orders=4)
    first = aggregate_batch(changes, store, RecordingMetrics())
    # Then the records from the failed group on are handed back to the stream
    assert len(store.writes) == 2 and first.failed
    assert first.failed == [change.sequence for change in changes[-len(first.failed) :]]
    # When the stream delivers the whole batch again, and then once more with more records
    aggregate_batch(changes, store, RecordingMetrics())
    longer = changes + journey(orders=5)[len(changes) :]
    outcome = aggregate_batch(longer, store, RecordingMetrics())
    # Then every record counted exactly once
    assert store.items == one_at_a_time(longer)
    assert outcome.applied == 4  # only the new order's records


def test_a_retry_from_the_reported_record_counts_each_record_once() -> None:
    store, changes = InMemoryAggregates(max_aggregates_per_group=2, fail_writes={2}), journey(orders=3)
    outcome = aggregate_batch(changes, store, RecordingMetrics())
    retry_from = [change.sequence for change in changes].index(outcome.failed[0])
    again = aggregate_batch(changes[retry_from:], store, RecordingMetrics())
    assert again.failed == [] and store.items == one_at_a_time(changes)


def test_a_write_that_committed_but_lost_its_answer_is_not_counted_again() -> None:
    store, changes = InMemoryAggregates(max_aggregates_per_group=2, lost_answers={2}), journey(orders=3)
    outcome = aggregate_batch(changes, store, RecordingMetrics())
    assert outcome.failed  # the group's answer was lost: the stream retries from it
    retry_from = [change.sequence for change in changes].index(outcome.failed[0])
    aggregate_batch(changes[retry_from:], store, RecordingMetrics())
    aggregate_batch(changes, store, RecordingMetrics())
    assert store.items == one_at_a_time(changes)


def test_sequence_numbers_compare_as_numbers() -> None:
    # Given a group covering up to sequence 99 of a batch whose later records have longer numbers
    changes = [
        StreamChange(
            f"e{n}", str(sequence), None, order_image(f"o{n}", "received", 1, PLACED, PLACED), OBSERVED
        )
        for n, sequence in enumerate([98, 99, 100, 101])
    ]
    store = InMemoryAggregates()
    aggregate_batch(changes[:2], store, RecordingMetrics())
    # When a longer delivery starts at the same record
    outcome = aggregate_batch(changes, store, RecordingMetrics())
    # Then "100" and "101" are after "99", not before it as strings would be
    assert (outcome.duplicates, outcome.applied) == (2, 2)
    assert store.items[("2026-11-24", "ORDERS")] == {"received": 4}


def test_a_batch_that_adds_nothing_writes_nothing() -> None:
    store = InMemoryAggregates()
    image = order_image("ord_1", "confirmed", 2, PLACED, PLACED)
    change = StreamChange("evt-1", "1", image, {**image, "version": 3}, OBSERVED)
    outcome = aggregate_batch([change], store, RecordingMetrics())
    assert store.writes == [] and outcome.groups == 0 and outcome.failed == []
