"""Recording a change: applied once per source record, metrics only when applied."""

from __future__ import annotations

from datetime import UTC, datetime

from stats.domain.record_change import Recorded, record_change
from tests.fakes.stats import InMemoryAggregates, RecordingMetrics, order_image

OBSERVED = datetime(2026, 11, 25, tzinfo=UTC)


def test_the_same_record_twice_counts_once_and_publishes_once() -> None:
    store, metrics = InMemoryAggregates(), RecordingMetrics()
    new = order_image("ord_1", "received", 1, "2026-11-24T10:00:00Z", "2026-11-24T10:00:00Z")
    first = record_change("evt-1", None, new, OBSERVED, store, metrics)
    again = record_change("evt-1", None, new, OBSERVED, store, metrics)
    assert (first, again) == (Recorded.APPLIED, Recorded.DUPLICATE)
    assert store.items == {("2026-11-24", "ORDERS"): {"received": 1}}
    assert metrics.names() == ["OrdersReceived"]


def test_a_change_that_adds_nothing_writes_nothing() -> None:
    store, metrics = InMemoryAggregates(), RecordingMetrics()
    image = order_image("ord_1", "confirmed", 2, "2026-11-24T10:00:00Z", "2026-11-24T10:00:00Z")
    assert (
        record_change("evt-2", image, {**image, "version": 3}, OBSERVED, store, metrics) == Recorded.NOTHING
    )
    assert store.applied == set() and metrics.points == []
